"""Users, their scope units, login sessions and login attempts."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, String, Table, func
from sqlalchemy.dialects.postgresql import INET
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grid.accounts.roles import ROLE_LABELS, Role
from grid.extensions import db
from grid.places.models import Unit

user_scope = Table(
    "user_scope",
    db.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True, index=True),
)


class Department(db.Model):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class User(UserMixin, db.Model):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    must_change_password: Mapped[bool] = mapped_column(default=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Failures before this moment no longer count towards a lockout (admin unlock).
    lock_reset_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    # Optimistic lock over what administrators edit (name, role, scope, department,
    # enabled). Bumped by services.update_user only, so a login or a scope-only
    # change neither fakes nor hides a conflict.
    version: Mapped[int] = mapped_column(default=1)

    department: Mapped[Department | None] = relationship()
    scope_units: Mapped[list[Unit]] = relationship(secondary=user_scope, order_by=Unit.code)

    # The raw token of the login session this request runs under (not stored).
    session_token = None

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the cookie: the session token, never the user id,
        # so logging out or disabling the user revokes it on the server.
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role_enum])


class LoginSession(db.Model):
    """A server-side login session; the cookie holds only its random token."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """Every login attempt, for lockout (by username) and throttling (by address).
    Times are clock_timestamp(), not now(): attempts inside one transaction must still be ordered."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(INET)
    # success / failure / locked / throttled
    outcome: Mapped[str] = mapped_column(String(16))


class ApiToken(db.Model):
    """A personal token for GIS tools (QGIS, GDAL) reading the OGC API. The
    token is shown once; only its SHA-256 is kept. It acts with its owner's
    role and scope, read-only."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown in the list so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
