"""Personal API tokens: how GIS tools (QGIS, GDAL) sign in to the OGC API.

A token acts with its owner's role and scope, read-only, for one request at a
time: it never opens a login session or sets a cookie. Only its SHA-256 is
stored; the plaintext is shown once, when it is made. Blueprints opt in with
`accept_tokens(bp)`; everywhere else an Authorization header is ignored."""
import base64
import binascii
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from flask import Blueprint, Request, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from grid.accounts.models import ApiToken, User
from grid.accounts.roles import Role
from grid.audit.actions import register_actions
from grid.audit.services import record_audit
from grid.errors import DomainError, FieldErrors
from grid.extensions import db

register_actions(
    {"api_token.create": _l("API token created"), "api_token.revoke": _l("API token revoked")},
    object_types={"api_token": _l("API token")},
    detail_keys={"name": _l("Name"), "prefix": _l("Token prefix"), "expires_at": _l("Expires")},
)

# Roles that look after an area and may read it from a GIS tool. Auditors and
# departments have no area of their own; a children's director's work is the
# children's records, which the API never serves.
API_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.ADMIN})
# Recognisable in a config file or a secret scanner; the rest is 256 random bits.
TOKEN_PREFIX = "grid_"
PREFIX_SHOWN = 12
NAME_MAX = 60
MAX_ACTIVE_TOKENS = 10
# last_used_at is written at most this often, not on every tile of a map.
USE_INTERVAL = timedelta(seconds=60)

# Blueprints whose views accept a token instead of a login session.
_ACCEPTING: set[str] = set()


def now() -> datetime:
    return datetime.now(timezone.utc)


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def may_use_api(user: User) -> bool:
    return user.role in API_ROLES


def is_active(token: ApiToken, moment: datetime | None = None) -> bool:
    moment = moment or now()
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > moment)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, for the record)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def token_of(user: User, token_id: int) -> ApiToken | None:
    """One of the user's own tokens; someone else's does not exist for them."""
    return db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))


def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user` named `name`, valid for API_TOKEN_DAYS (commits,
    audited). Returns the row and the plaintext, which is never stored or
    logged: the caller shows it once. Raises FieldErrors (name) for a missing
    or long name, DomainError for a role without API access or too many active tokens."""
    name = " ".join(name.split())
    if not may_use_api(user):
        raise DomainError(_("Your role cannot use API tokens."))
    if not name:
        raise FieldErrors({"name": _("Enter a name, for example the computer or program it is for.")})
    if len(name) > NAME_MAX:
        raise FieldErrors({"name": _("At most %(n)s characters.", n=NAME_MAX)})
    moment = now()
    active = db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > moment)))
    if active >= MAX_ACTIVE_TOKENS:
        raise DomainError(_("You have %(n)s active tokens. Revoke one you no longer use first.", n=active))
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plaintext), prefix=plaintext[:PREFIX_SHOWN],
                     created_at=moment, expires_at=moment + timedelta(days=current_app.config["API_TOKEN_DAYS"]))
    db.session.add(token)
    db.session.flush()
    record_audit("api_token.create", actor=user, object_type="api_token", object_id=token.id,
                 detail={"name": name, "prefix": token.prefix, "expires_at": token.expires_at.date().isoformat()})
    db.session.commit()
    return token, plaintext


def revoke_token(*, token: ApiToken, by: User) -> None:
    """Revoke `token` for good (commits, audited); revoking it again changes nothing.
    `by` is its owner: views find the token with token_of(), so no one else reaches here."""
    if token.revoked_at is not None:
        return
    token.revoked_at = now()
    record_audit("api_token.revoke", actor=by, object_type="api_token", object_id=token.id,
                 detail={"name": token.name, "prefix": token.prefix})
    db.session.commit()


def authenticate(plaintext: str) -> User | None:
    """The enabled owner of an active token, or None. The lookup is by the
    token's hash, so its timing says nothing about how close a guess was."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext)))
    moment = now()
    if token is None or not is_active(token, moment):
        return None
    user = token.user
    # Until a new or reset password is chosen, the account can do nothing else either.
    if not user.is_enabled or user.must_change_password or not may_use_api(user):
        return None
    if token.last_used_at is None or moment - token.last_used_at > USE_INTERVAL:
        # A small write at the start of the request, as for login sessions.
        token.last_used_at = moment
        db.session.commit()
    return user


def credential_from(request: Request) -> str | None:
    """The token in `Authorization: Bearer <token>`, or the password of HTTP
    Basic (`<username>:<token>`, how QGIS and GDAL send credentials). The
    username is not checked: the token alone identifies its owner."""
    header = request.headers.get("Authorization", "")
    scheme, _space, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def accept_tokens(bp: Blueprint) -> None:
    """Let the views of `bp` be reached with a token as well as a login session."""
    _ACCEPTING.add(bp.name)


def user_from_request(request: Request) -> User | None:
    """Flask-Login's request loader: a token's owner, for this request only,
    on the blueprints that accept tokens (a login session, if any, wins)."""
    if request.blueprint not in _ACCEPTING:
        return None
    credential = credential_from(request)
    return authenticate(credential) if credential else None


def has_credential(request: Request) -> bool:
    """Whether the request tried to sign in with a token (for the 401's error hint)."""
    return credential_from(request) is not None
