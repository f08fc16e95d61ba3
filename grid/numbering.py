"""Case numbers readable aloud and on paper: a prefix, the day (Asia/Shanghai)
and a counter per series and day — 20261122-0007 for events, JF20261122-0003
for disputes."""
from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Mapped, mapped_column

from grid import workdays
from grid.extensions import db


class DayCounter(db.Model):
    """The last number given out in a series on a day."""

    __tablename__ = "day_counter"

    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


def next_number(series: str, now: datetime, prefix: str = "") -> str:
    """The next number of `series` for the Shanghai day of `now` (in the
    caller's transaction: concurrent callers queue on the counter row)."""
    day = now.astimezone(workdays.SHANGHAI).date()
    last = db.session.execute(
        pg_insert(DayCounter).values(series=series, day=day, last=1)
        .on_conflict_do_update(index_elements=["series", "day"], set_={"last": DayCounter.last + 1})
        .returning(DayCounter.last)).scalar_one()
    return f"{prefix}{day:%Y%m%d}-{last:04d}"
