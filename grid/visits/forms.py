"""The posted visit form as a VisitInput; conversion problems as field errors."""
from datetime import datetime

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict

from grid.visits.services import SUBJECTS, VisitInput

MAX_PROBLEMS = 10


def number(form: MultiDict, name: str) -> float | None:
    try:
        return float(form[name]) if form.get(name) else None
    except ValueError:
        return None


def moment(form: MultiDict, name: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(form[name].replace("Z", "+00:00")) if form.get(name) else None
    except ValueError:
        return None
    return value if value is None or value.tzinfo else None


def visit_input(form: MultiDict, files: MultiDict) -> tuple[VisitInput, dict]:
    errors = {}
    records = []
    for token in form.getlist("records"):
        kind, _sep, record_id = token.partition(":")
        if kind in ("elderly", "child") and record_id.isdigit():
            records.append((kind, int(record_id)))
    checklist = {}
    for subject in SUBJECTS:
        status = form.get(f"check_{subject}")
        if status:
            checklist[subject] = {"status": status, "note": (form.get(f"note_{subject}") or "").strip()}
    problems = []
    for n in range(MAX_PROBLEMS):
        description = (form.get(f"problem_{n}") or "").strip()
        if description:
            problems.append({"subject": form.get(f"problem_{n}_subject") or "needs", "description": description,
                             "urgent": form.get(f"problem_{n}_urgent") == "y"})
    photos: list[bytes] = []
    for upload in files.getlist("photos"):
        if isinstance(upload, FileStorage) and upload.filename:
            photos.append(upload.read())
    data = VisitInput(
        uuid=form.get("uuid", ""), mode=form.get("mode", ""), records=records, checklist=checklist,
        notes=form.get("notes", ""), location_status=form.get("location_status", "unavailable"),
        lat=number(form, "lat"), lon=number(form, "lon"), accuracy_m=number(form, "accuracy"),
        off_site_reason=form.get("off_site_reason", ""), problems=problems,
        client_started_at=moment(form, "started_at"), client_submitted_at=moment(form, "submitted_at"),
        device=form.get("device", ""), photos=photos)
    if form.get("lat") and data.lat is None:
        errors["location"] = _("The location fix is not valid.")
    return data, errors
