"""Households and the people in them."""
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import ARRAY, Date, DateTime, FetchedValue, ForeignKey, Index, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grid.extensions import db
from grid.geo import SRID
from grid.places.models import Unit
from grid.sealing import unseal


class Household(db.Model):
    """A household (户) at a door plate. `grid_id` is never written by the app:
    a trigger derives it from `location` on every insert and move."""

    __tablename__ = "household"
    __table_args__ = (
        Index("ix_household_address_trgm", "address", postgresql_using="gin",
              postgresql_ops={"address": "gin_trgm_ops"}),
    )
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True,
                                         server_default=FetchedValue(), server_onupdate=FetchedValue())
    address: Mapped[str] = mapped_column(String(200))
    location = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=False)
    head_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", use_alter=True, ondelete="SET NULL"))
    housing_type: Mapped[str | None] = mapped_column(String(24))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    phone: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    version: Mapped[int] = mapped_column(default=1)

    grid: Mapped[Unit] = relationship()
    residents: Mapped[list["Resident"]] = relationship(
        back_populates="household", foreign_keys="Resident.household_id", order_by="Resident.id")
    head: Mapped["Resident | None"] = relationship(foreign_keys=[head_id], post_update=True)


class Resident(db.Model):
    """A person (居民). The ID number is sealed (AES-GCM); `id_number_index` is
    its keyed hash, unique across the system; `id_number_masked` is what pages show."""

    __tablename__ = "resident"
    __table_args__ = (
        Index("ix_resident_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    gender: Mapped[str | None] = mapped_column(String(8))
    birth_date: Mapped[date | None] = mapped_column(Date)
    ethnicity: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(20))
    relation: Mapped[str] = mapped_column(String(16))
    hukou: Mapped[str] = mapped_column(String(24), default="consistent")
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(default=1)

    household: Mapped[Household] = relationship(back_populates="residents", foreign_keys=[household_id])

    def id_number(self, master_key: bytes) -> str | None:
        """The full ID number: callers audit every use (see services.reveal_id_number)."""
        return unseal(self.id_number_sealed, master_key) if self.id_number_sealed else None


class HouseholdMove(db.Model):
    """A household changed grid: relocated by a user, or re-gridded by a boundary import."""

    __tablename__ = "household_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    from_grid_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    to_grid_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    reason: Mapped[str] = mapped_column(String(16))  # relocated / regrid
    boundary_import_id: Mapped[int | None] = mapped_column(ForeignKey("boundary_import.id"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
