"""Account use cases: logging in and out, managing users. Each function owns its transaction."""
import ipaddress
import unicodedata
from datetime import timedelta

from flask import current_app
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import cast, func, select
from sqlalchemy.dialects.postgresql import CIDR

from grid.accounts import passwords
from grid.accounts.models import Department, LoginAttempt, User
from grid.accounts.roles import SCOPE_LEVEL, Role
from grid.accounts.sessions import now, open_session, revoke_sessions
from grid.audit.actions import register_actions
from grid.audit.services import client_address, record_audit
from grid.errors import DomainError, TooManyRequests, raise_field_errors
from grid.extensions import db
from grid.locking import claim_version
from grid.places.models import Unit


register_actions(
    {
        "login.success": _l("Logged in"),
        "login.failure": _l("Login failed"),
        "login.locked": _l("Login while locked"),
        "login.lockout": _l("Account locked"),
        "login.throttled": _l("Login throttled"),
        "logout": _l("Logged out"),
        "password.change": _l("Password changed"),
        "user.create": _l("User created"),
        "user.update": _l("User changed"),
        "user.disable": _l("User disabled"),
        "user.reset_password": _l("Password reset"),
        "user.unlock": _l("User unlocked"),
    },
    object_types={"user": _l("User")},
    detail_keys={"reason": _l("Reason"), "username": _l("Username"), "role": _l("Role"),
                 "scope": _l("Areas looked after"), "enabled": _l("Account enabled"),
                 "full_name": _l("Name"), "department": _l("Department")},
)


class LoginRefused(DomainError):
    """Wrong credentials, a locked or a disabled account: the form shows the message."""

    status = 401


USERNAME_MAX = 64


def normalise_username(username: str) -> str:
    """Full-width digits and letters (common on Chinese keyboards) become ASCII; case is ignored."""
    return unicodedata.normalize("NFKC", username).strip().lower()


def throttle_network(address: str) -> str:
    """The block one client controls: its IPv4 address, or its IPv6 /64 (every
    subscriber gets a whole /64, so single IPv6 addresses are free to rotate)."""
    ip = ipaddress.ip_address(address)
    return str(ipaddress.ip_network(f"{ip}/{32 if ip.version == 4 else 64}", strict=False))


def address_is_throttled(address: str | None, moment) -> bool:
    cfg = current_app.config
    if address is None:
        return False
    since = moment - timedelta(minutes=cfg["ADDRESS_WINDOW_MINUTES"])
    failures = db.session.scalar(
        select(func.count()).where(
            LoginAttempt.address.op("<<=")(cast(throttle_network(address), CIDR)),
            LoginAttempt.at > since, LoginAttempt.outcome == "failure",
        )
    )
    return failures >= cfg["ADDRESS_FAILURE_LIMIT"]


def locked_until(username: str, user: User | None, moment):
    """When the lock on this username ends, or None. Counted by username, not by
    user row, so an unknown username locks exactly like a real one and the
    message cannot tell an attacker which usernames exist."""
    cfg = current_app.config
    since = moment - timedelta(minutes=cfg["LOCKOUT_MINUTES"])
    last_success = select(func.max(LoginAttempt.at)).where(
        LoginAttempt.username == username, LoginAttempt.outcome == "success"
    ).scalar_subquery()
    stmt = select(func.count(), func.max(LoginAttempt.at)).where(
        LoginAttempt.username == username,
        LoginAttempt.outcome == "failure",
        LoginAttempt.at > since,
        LoginAttempt.at > func.coalesce(last_success, since),
    )
    if user is not None and user.lock_reset_at is not None:
        stmt = stmt.where(LoginAttempt.at > user.lock_reset_at)
    count, latest = db.session.execute(stmt).one()
    if count >= cfg["LOCKOUT_THRESHOLD"]:
        return latest + timedelta(minutes=cfg["LOCKOUT_MINUTES"])
    return None


def note_attempt(username: str, outcome: str, *, user: User | None = None, reason: str | None = None) -> None:
    db.session.add(LoginAttempt(username=username, address=client_address(), outcome=outcome))
    action = {"success": "login.success", "locked": "login.locked", "throttled": "login.throttled"}.get(outcome, "login.failure")
    record_audit(action, result="success" if outcome == "success" else "failure", actor=user,
                 actor_name=username, detail={"reason": reason} if reason else None)


def log_in(*, username: str, password: str) -> User:
    """Check the credentials and open a login session (commits).

    Raises TooManyRequests when the client's address is throttled and
    LoginRefused for a wrong password, a locked or a disabled account."""
    username = normalise_username(username)
    # Normalising can lengthen a string; no account has a name this long.
    impossible = len(username) > USERNAME_MAX
    username = username[:USERNAME_MAX]
    # One login per username at a time: otherwise parallel guesses all read the
    # failure count before any of them writes, and get past the lockout.
    db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext("login:" + username))))
    moment = now()
    wrong = _("Wrong username or password.")
    if address_is_throttled(client_address(), moment):
        note_attempt(username, "throttled")
        db.session.commit()
        raise TooManyRequests(_("Too many failed logins from this network. Try again in %(m)s minutes.",
                                m=current_app.config["ADDRESS_WINDOW_MINUTES"]))
    user = None if impossible else db.session.scalar(select(User).where(User.username == username))
    until = locked_until(username, user, moment)
    if until is not None:
        note_attempt(username, "locked", user=user)
        db.session.commit()
        raise LoginRefused(locked_message(until))
    if not passwords.verify_password(user.password_hash if user else None, password):
        note_attempt(username, "failure", user=user, reason="password" if user else "unknown user")
        db.session.flush()
        until = locked_until(username, user, moment)
        if until is not None:
            record_audit("login.lockout", result="failure", actor=user, actor_name=username)
        db.session.commit()
        raise LoginRefused(locked_message(until) if until else wrong)
    if not user.is_enabled or (user.is_demo and not current_app.config["DEMO"]):
        note_attempt(username, "failure", user=user, reason="disabled" if not user.is_enabled else "demo account outside demo mode")
        db.session.commit()
        raise LoginRefused(_("This account is disabled. Ask your administrator."))
    note_attempt(username, "success", user=user)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if passwords.password_expired(user.password_changed_at, moment):
        user.must_change_password = True
    user.last_login_at = moment
    open_session(user)
    db.session.commit()
    return user


def locked_message(until) -> str:
    return _("Too many failed attempts: this account is locked until %(time)s.", time=format_time(until, "HH:mm"))


def log_out(*, user: User) -> None:
    """Revoke the current login session on the server (commits)."""
    revoke_sessions(user, reason="logout", token=user.session_token)
    record_audit("logout", actor=user)
    db.session.commit()


def change_password(*, user: User, current: str, new: str) -> None:
    """Change the user's own password (commits); other sessions of the user are revoked."""
    if not passwords.verify_password(user.password_hash, current):
        raise DomainError(_("The current password is wrong."), field="current")
    if new == current:
        raise DomainError(_("The new password must differ from the current one."), field="password")
    passwords.check_password_policy(new, username=user.username)
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = now()
    user.must_change_password = False
    revoke_sessions(user, reason="password changed")
    open_session(user)  # the current device stays logged in under a new identifier
    record_audit("password.change", object_type="user", object_id=user.id, actor=user)
    db.session.commit()


def scope_units_for(role: Role, units: list[Unit]) -> list[Unit]:
    """Roles without a geographic scope hold no units, whatever the form sent:
    an auditor or a department handler must not see places by accident."""
    return list(units) if SCOPE_LEVEL[role] else []


def scope_problem(role: Role, units: list[Unit]) -> str | None:
    level = SCOPE_LEVEL[role]
    if level is None:
        return None
    if not units:
        return _("Choose at least one area this user looks after.")
    wrong = [u.name for u in units if u.level != level]
    if wrong:
        return _("This role looks after units of another level: %(names)s.", names="、".join(wrong))
    return None


def name_problem(full_name: str) -> str | None:
    return None if full_name.strip() else _("Enter the person's name.")


def department_problem(role: Role, department: Department | None) -> str | None:
    if role == Role.DEPARTMENT_HANDLER and department is None:
        return _("A department handler needs a department.")
    return None


def password_problem(password: str, username: str) -> str | None:
    try:
        passwords.check_password_policy(password, username=username)
    except DomainError as error:
        return error.message
    return None


def create_user(*, username: str, full_name: str, role: Role, password: str, units: list[Unit],
                department: Department | None = None, by: User | None = None, is_demo: bool = False,
                must_change_password: bool = True) -> User:
    """Create a user (commits). New users change their password at first login.
    Raises FieldErrors naming every wrong field at once."""
    units = scope_units_for(role, units)
    username = normalise_username(username)
    username_problem = None
    if not username or len(username) > USERNAME_MAX:
        username_problem = _("Enter a username of 1 to %(n)s characters.", n=USERNAME_MAX)
    elif db.session.scalar(select(User.id).where(User.username == username)) is not None:
        username_problem = _("The username %(u)s is taken.", u=username)
    raise_field_errors({
        "username": username_problem,
        "full_name": name_problem(full_name),
        "scope": scope_problem(role, units),
        "department": department_problem(role, department),
        "password": password_problem(password, username),
    })
    user = User(username=username, full_name=full_name.strip(), role=role.value, scope_units=list(units),
                department=department if role == Role.DEPARTMENT_HANDLER else None,
                password_hash=passwords.hash_password(password), is_demo=is_demo,
                must_change_password=must_change_password)
    db.session.add(user)
    db.session.flush()
    record_audit("user.create", actor=by, object_type="user", object_id=user.id,
                 detail={"username": username, "role": role.value, "scope": [u.code for u in units]})
    db.session.commit()
    return user


def update_user(*, user: User, version: int, full_name: str, role: Role, units: list[Unit],
                department: Department | None, is_enabled: bool, by: User) -> User:
    """Edit a user (commits). `version` is the one the editor saw: a stale edit is refused."""
    units = scope_units_for(role, units)
    own = user.id == by.id and (not is_enabled or role != Role(user.role))
    raise_field_errors({
        "full_name": name_problem(full_name),
        "role": _("You cannot disable yourself or change your own role.") if own else None,
        "scope": scope_problem(role, units),
        "department": department_problem(role, department),
    })
    claim_version(User, user, version, message=_(
        "Someone else changed this user while you were editing. Reload and try again."))
    before = {"role": user.role, "scope": [u.code for u in user.scope_units], "enabled": user.is_enabled,
              "full_name": user.full_name, "department": user.department_id}
    user.full_name = full_name.strip()
    user.role = role.value
    user.scope_units = list(units)
    user.department = department if role == Role.DEPARTMENT_HANDLER else None
    user.is_enabled = is_enabled
    after = {"role": user.role, "scope": [u.code for u in units], "enabled": is_enabled,
             "full_name": user.full_name, "department": user.department.id if user.department else None}
    changed = {k: {"from": before[k], "to": after[k]} for k in before if before[k] != after[k]}
    if not is_enabled and before["enabled"]:
        revoke_sessions(user, reason="disabled")
    if changed:
        action = "user.disable" if "enabled" in changed and not is_enabled else "user.update"
        record_audit(action, actor=by, object_type="user", object_id=user.id, detail=changed)
    db.session.commit()
    return user


def reset_password(*, user: User, password: str, by: User) -> None:
    """Set a temporary password the user must change at next login (commits)."""
    passwords.check_password_policy(password, username=user.username)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now()
    user.must_change_password = True
    revoke_sessions(user, reason="password reset")
    record_audit("user.reset_password", actor=by, object_type="user", object_id=user.id)
    db.session.commit()


def unlock_user(*, user: User, by: User) -> None:
    """Forget the user's recent failed logins (commits)."""
    user.lock_reset_at = now()
    record_audit("user.unlock", actor=by, object_type="user", object_id=user.id)
    db.session.commit()
