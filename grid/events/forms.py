"""Posted event forms as service inputs."""
from werkzeug.datastructures import FileStorage, MultiDict

from grid.events.services import ActionInput, EventInput


def whole(form: MultiDict, name: str) -> int | None:
    value = (form.get(name) or "").strip()
    return int(value) if value.isdigit() else None


def number(form: MultiDict, name: str) -> float | None:
    try:
        return float(form[name]) if form.get(name) else None
    except ValueError:
        return None


def uploads(files: MultiDict) -> list[bytes]:
    return [f.read() for f in files.getlist("photos") if isinstance(f, FileStorage) and f.filename]


def event_input(form: MultiDict, files: MultiDict) -> EventInput:
    # A subcategory, when chosen, is more precise than the top-level chip.
    category = whole(form, "subcategory_id") or whole(form, "category_id")
    return EventInput(
        uuid=form.get("uuid", ""), category_id=category, source=form.get("source", "patrol"),
        priority=form.get("priority", "normal"), description=form.get("description", ""),
        address=form.get("address", ""), lat=number(form, "lat"), lon=number(form, "lon"),
        requester_name=form.get("requester_name", ""), requester_phone=form.get("requester_phone", ""),
        on_spot=form.get("on_spot") == "y", resolution=form.get("resolution", ""),
        visit_problem_id=whole(form, "problem"), photos=uploads(files))


def action_input(form: MultiDict, files: MultiDict) -> ActionInput:
    return ActionInput(action=form.get("action", ""), version=whole(form, "version") or 0,
                       note=form.get("note", ""), department_id=whole(form, "department_id"),
                       days=whole(form, "days"), reason=form.get("reason", ""),
                       satisfaction=form.get("satisfaction", ""), photos=uploads(files))
