"""Server-side login sessions. The cookie carries a random token; the database
keeps only its hash, so a session can be revoked (logout, disabled user, idle)
and a copied cookie stops working."""
import secrets
from datetime import timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from grid.accounts import tokens
from grid.accounts.models import LoginSession, User
from grid.accounts.roles import FIELD_ROLES
# One clock and one hash for login sessions and API tokens (both keep only a token's SHA-256).
from grid.accounts.tokens import hash_token, now
from grid.audit.services import client_address
from grid.errors import respond, wants_json
from grid.extensions import db
from grid.htmx import wants_fragment
from grid.places.models import Unit

# last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(seconds=60)


def idle_limit(user: User) -> timedelta:
    cfg = current_app.config
    default = cfg["IDLE_MINUTES_FIELD"] if user.role in FIELD_ROLES else cfg["IDLE_MINUTES_DESKTOP"]
    return timedelta(minutes=cfg["IDLE_MINUTES_BY_ROLE"].get(user.role, default))


def open_session(user: User) -> str:
    """Start a login session for `user` (added to the caller's transaction); returns the raw token."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(
        token_hash=hash_token(token),
        user=user,
        address=client_address(),
        user_agent=(request.user_agent.string or "")[:255],
    ))
    user.session_token = token
    return token


def revoke_sessions(user: User, *, reason: str, token: str | None = None) -> None:
    """Revoke one session (by token) or all of a user's open sessions."""
    stmt = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    if token is not None:
        stmt = stmt.where(LoginSession.token_hash == hash_token(token))
    db.session.execute(stmt.values(revoked_at=now(), revoked_reason=reason))


def load_user_from_token(token: str) -> User | None:
    # One statement for the session, its user and the user's scope, which
    # nearly every page reads; the scope's polygons only when asked for.
    login = db.session.scalars(
        select(LoginSession).where(LoginSession.token_hash == hash_token(token))
        .options(joinedload(LoginSession.user).joinedload(User.scope_units).defer(Unit.boundary))
    ).unique().first()
    if login is None or login.revoked_at is not None:
        return None
    user = login.user
    moment = now()
    if not user.is_enabled:
        return None
    if moment - login.last_seen_at > idle_limit(user):
        login.revoked_at, login.revoked_reason = moment, "idle"
        db.session.commit()
        session["expired"] = True
        return None
    if moment - login.last_seen_at > TOUCH_INTERVAL:
        # A small write at the start of the request, before any use case runs.
        login.last_seen_at = moment
        db.session.commit()
    user.session_token = token
    return user


def init_login_manager(manager: LoginManager) -> None:
    manager.login_view = "accounts.login"
    manager.login_message = _l("Please log in.")
    manager.login_message_category = "info"
    # Our own server-side sessions replace Flask-Login's address-based protection,
    # which logs phones out whenever their mobile network changes address.
    manager.session_protection = None
    manager.user_loader(load_user_from_token)
    # Without a session, blueprints that accept API tokens read the Authorization
    # header: the token's owner acts for that one request, no session is opened.
    manager.request_loader(tokens.user_from_request)

    @manager.unauthorized_handler
    def unauthorized():
        if session.pop("expired", False):
            flash(_l("You were logged out after a period of inactivity."), "info")
        if wants_fragment():
            # htmx cannot follow a login redirect into a fragment: reload the whole page.
            response = current_app.response_class(status=401)
            response.headers["HX-Redirect"] = url_for("accounts.login")
            return response
        if wants_json():
            # Scripts (the map's fetch) need a status they can act on, not a login page.
            return respond(401, str(_l("Please log in.")), str(_l("Please log in.")))
        return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))
