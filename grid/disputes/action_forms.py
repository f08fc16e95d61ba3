"""Posted dispute forms (a step of the process, a mediation session) as service inputs."""
from datetime import date, datetime, time

from werkzeug.datastructures import FileStorage, MultiDict

from grid import workdays
from grid.disputes.services import ActionInput, SessionInput


def whole(form: MultiDict, name: str) -> int | None:
    value = (form.get(name) or "").strip()
    return int(value) if value.isdigit() else None


def day(form: MultiDict, name: str) -> date | None:
    try:
        return date.fromisoformat((form.get(name) or "").strip())
    except ValueError:
        return None


def optional_text(form: MultiDict, name: str) -> str | None:
    """None when the form has no such field (nothing to change), else the text."""
    return form.get(name) if name in form else None


def action_input(form: MultiDict) -> ActionInput:
    # The people fields come as a set, marked by a hidden "people" field, so an
    # unticked list of mediators (none posted) means "no mediators", not "unchanged".
    people = form.get("people") == "y"
    return ActionInput(
        action=form.get("action", ""), version=whole(form, "version") or 0, note=form.get("note", ""),
        outcome=form.get("outcome", ""), referral_body=form.get("referral_body", ""),
        performance=form.get("performance", ""), next_step=form.get("next_step", ""),
        follow_up_on=day(form, "follow_up_on"), level=form.get("level", ""), leader_id=whole(form, "leader_id"),
        mediator_ids=[int(v) for v in form.getlist("mediator_ids") if v.isdigit()] if people else None,
        stability_owner_id=whole(form, "stability_owner_id") if people else None,
        other_mediators=optional_text(form, "other_mediators") if people else None,
        supervisor_name=optional_text(form, "supervisor_name") if people else None)


def held_at(form: MultiDict) -> datetime | None:
    """The session's date and time as typed, in Shanghai."""
    on = day(form, "held_on")
    try:
        at = time.fromisoformat((form.get("held_time") or "").strip())
    except ValueError:
        return None
    return datetime.combine(on, at.replace(second=0, microsecond=0), workdays.SHANGHAI) if on else None


def uploads(files: MultiDict) -> list[bytes]:
    return [f.read() for f in files.getlist("photos") if isinstance(f, FileStorage) and f.filename]


def session_input(form: MultiDict, files: MultiDict) -> SessionInput:
    return SessionInput(uuid=form.get("uuid", ""), held_at=held_at(form), place=form.get("place", ""),
                        attendees=form.get("attendees", ""), record=form.get("record", ""), photos=uploads(files))
