"""Creating, counting and reading notifications. Features register the words
for their kinds and where a notification about one of their objects leads."""
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from sqlalchemy import func, insert, select, update

from grid.extensions import db
from grid.notifications.models import Notification

KINDS: dict[str, object] = {}            # kind -> lazy message with %(…)s params
LINKS: dict[str, Callable[[int], str]] = {}   # object_type -> url of the object


def register_kinds(kinds: dict) -> None:
    KINDS.update(kinds)


def register_link(object_type: str, url_for_object: Callable[[int], str]) -> None:
    LINKS[object_type] = url_for_object


def notify(user_ids: Iterable[int], kind: str, *, object_type: str, object_id: int, params: dict | None = None) -> int:
    """One unread notification per recipient (in the caller's transaction)."""
    rows = [{"user_id": uid, "kind": kind, "object_type": object_type, "object_id": object_id,
             "params": params or {}} for uid in sorted(set(user_ids))]
    if rows:
        db.session.execute(insert(Notification), rows)
    return len(rows)


def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None)))


def recent(user, *, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def own(user, notification_id: int) -> Notification | None:
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))


def mark_read(user, *, object_type: str, object_id: int) -> None:
    """Opening an object reads every notification about it (commits)."""
    db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.object_type == object_type,
        Notification.object_id == object_id, Notification.read_at.is_(None)).values(read_at=datetime.now(timezone.utc)))
    db.session.commit()


def mark_all_read(user) -> None:
    """(commits)"""
    db.session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                       .values(read_at=datetime.now(timezone.utc)))
    db.session.commit()


def message(notification: Notification) -> str:
    template = KINDS.get(notification.kind)
    return str(template) % notification.params if template is not None else notification.kind


def link(notification: Notification) -> str | None:
    url_for_object = LINKS.get(notification.object_type)
    return url_for_object(notification.object_id) if url_for_object else None
