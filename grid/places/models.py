"""The place hierarchy: district → street office → community → grid."""
from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import UserDefinedType

from grid.extensions import db
from grid.geo import LEVELS, SRID

LEVEL_DEPTH = {level: depth for depth, level in enumerate(LEVELS, start=1)}


class Ltree(UserDefinedType):
    """PostgreSQL ltree: a unit's path of ids from the district down, so
    "is A inside B" is one GiST-indexed `A.path <@ B.path`."""

    cache_ok = True

    def get_col_spec(self, **kw) -> str:
        return "LTREE"

    class comparator_factory(UserDefinedType.Comparator):
        def descendant_of(self, other):
            return self.op("<@", is_comparison=True)(other)


# Let reflection (alembic autogenerate) recognise the column type.
ischema_names["ltree"] = Ltree


class Unit(db.Model):
    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint("level IN ('district', 'street', 'community', 'grid')", name="level"),
        Index("ix_unit_path", "path", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    path: Mapped[str] = mapped_column(Ltree)
    boundary = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.code")

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[self.level]

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.level}>"


class BoundaryImport(db.Model):
    """One run of the boundary importer (kept also for failed and dry runs)."""

    __tablename__ = "boundary_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    filename: Mapped[str] = mapped_column(String(255))
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict] = mapped_column(JSONB, default=dict)


class UnitChange(db.Model):
    """What an import changed on a unit: the values before and after."""

    __tablename__ = "unit_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("boundary_import.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    kind: Mapped[str] = mapped_column(String(16))  # created / updated
    fields: Mapped[list] = mapped_column(JSONB, default=list)
    old_name: Mapped[str | None] = mapped_column(String(100))
    old_parent_code: Mapped[str | None] = mapped_column(String(40))
    old_boundary = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False))
    note: Mapped[str | None] = mapped_column(Text)


class BoundaryProposal(db.Model):
    """New boundaries for one community, uploaded and checked but not yet
    applied: the administrator compares old and new on the map, with the
    validation report and what would move, then applies or cancels."""

    __tablename__ = "boundary_proposal"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'applied', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    # The preview as computed at upload: problems, and households / open events
    # / disputes that would move to another grid.
    report: Mapped[dict] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("boundary_import.id"))
    version: Mapped[int] = mapped_column(default=1)

    community: Mapped[Unit] = relationship()
