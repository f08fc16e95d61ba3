"""When care records are due: first-visit deadlines on the working calendar,
and the state of a task (overdue, due, upcoming) from its due time and window."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import text

from grid import workdays
from grid.extensions import db
from grid.registry.care import care_records_opened

SHANGHAI = ZoneInfo("Asia/Shanghai")
OVERDUE, DUE, UPCOMING = "overdue", "due", "upcoming"


def first_visit_deadline(opened: date, working_days: int) -> datetime:
    """The end of the working day `working_days` after `opened` (Asia/Shanghai)."""
    day = workdays.add_working_days(opened, working_days)
    return datetime.combine(day, time(23, 59, 59), SHANGHAI)


@care_records_opened.connect
def fix_first_visit_deadlines(sender, *, kind: str, ids: list[int]) -> None:
    set_first_visit_deadlines(kind, ids)


def set_first_visit_deadlines(kind: str, ids: list[int] | None = None) -> None:
    """first_visit_due for open, never-visited records (all of `kind`, or those
    `ids`): the policy's working days counted from the day each was opened.
    One UPDATE per distinct (opening day, working days)."""
    table = "elderly_record" if kind == "elderly" else "child_record"
    only = "AND record_id = ANY(:ids)" if ids is not None else ""
    pairs = db.session.execute(text(f"""
        SELECT DISTINCT (created_at AT TIME ZONE 'Asia/Shanghai')::date, first_visit_working_days FROM care_task
         WHERE kind = :kind AND status = 'open' AND last_visit_at IS NULL
           AND first_visit_working_days IS NOT NULL {only}"""), {"kind": kind, "ids": ids or []}).all()
    for opened, days in pairs:
        db.session.execute(text(f"""
            UPDATE {table} r SET first_visit_due = :due FROM care_task t
             WHERE t.kind = :kind AND t.record_id = r.id AND r.last_visit_at IS NULL AND r.status = 'open'
               AND (r.created_at AT TIME ZONE 'Asia/Shanghai')::date = :opened
               AND t.first_visit_working_days = :days {only.replace('record_id', 'r.id')}"""),
                           {"due": first_visit_deadline(opened, days), "kind": kind, "opened": opened, "days": days,
                            "ids": ids or []})


def task_state(due_at: datetime, before_days: int, after_days: int, now: datetime, *, is_major: bool = False) -> str:
    """Overdue once the window after the due time has passed (a major change has
    no grace), due inside the window, upcoming before it."""
    after = timedelta(0) if is_major else timedelta(days=after_days or 0)
    before = timedelta(0) if is_major else timedelta(days=before_days or 0)
    if now > due_at + after:
        return OVERDUE
    if now >= due_at - before:
        return DUE
    return UPCOMING


def days_overdue(due_at: datetime, now: datetime) -> int:
    return max(0, (now - due_at).days)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
