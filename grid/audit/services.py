"""Writing audit entries."""
from flask import has_request_context, request
from flask_login import current_user

from grid.audit.models import AuditEntry
from grid.extensions import db


def client_address() -> str | None:
    """The client's address (ProxyFix, when configured, has already applied X-Forwarded-For)."""
    return request.remote_addr if has_request_context() else None


def record_audit(action: str, *, result: str = "success", actor=None, actor_name: str | None = None,
                 object_type: str | None = None, object_id=None, detail: dict | None = None) -> AuditEntry:
    """Add an entry to the current transaction; the calling service commits it
    together with the change it describes, so the two succeed or fail as one.
    `actor` defaults to the logged-in user."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(
        action=action,
        result=result,
        actor_id=actor.id if actor is not None else None,
        actor_name=actor_name or (actor.username if actor is not None else None),
        address=client_address(),
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        detail=detail or {},
    )
    db.session.add(entry)
    return entry
