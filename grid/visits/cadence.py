"""When care records are first due: deadlines on the working calendar. (A
task's state, overdue / due / upcoming, is computed in SQL: visits.queries.)"""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import text

from grid import workdays
from grid.extensions import db
from grid.registry.care import care_records_opened

SHANGHAI = ZoneInfo("Asia/Shanghai")


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


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
