"""Tables of the intervention register (issue 19; measure 10): what was done where and when.

An intervention is located as a point with a radius (a closed premises), one or more areas (an area ban,
an enforcement focus) or a polygon (a camera area); it always also lists the buurten it touches, which is
all the public ever sees. Every change after creation is appended to ``intervention_changes`` (database
triggers refuse UPDATE and DELETE there, migration 0005).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, UTCDateTime, _in, utcnow

__all__ = ["INTERVENTION_KINDS", "LOCATION_KINDS", "Intervention", "InterventionChange"]

# 13b: closure of premises under article 13b of the Opiumwet (mayor's power)
INTERVENTION_KINDS = (
    "closure_13b",
    "area_ban",
    "camera_area",
    "enforcement_focus",
    "prevention_project",
    "other",
)
LOCATION_KINDS = ("point", "areas", "polygon")


class Intervention(Base):
    __tablename__ = "interventions"
    __table_args__ = (
        CheckConstraint(_in("kind", INTERVENTION_KINDS), name="kind"),
        CheckConstraint(_in("location_kind", LOCATION_KINDS), name="location_kind"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        CheckConstraint("radius_m IS NULL OR (radius_m > 0 AND radius_m <= 5000)", name="radius"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date | None] = mapped_column(Date)
    location_kind: Mapped[str] = mapped_column(String(10))
    x: Mapped[float | None] = mapped_column(Float)
    y: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[float | None] = mapped_column(Float)
    polygon_wkt: Mapped[str | None] = mapped_column(Text)
    area_codes: Mapped[str] = mapped_column(Text)  # comma-separated buurt codes, sorted
    division: Mapped[str] = mapped_column(String(20))
    partner: Mapped[str] = mapped_column(String(200))
    measure_number: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))

    history: Mapped[list[InterventionChange]] = relationship(order_by="(InterventionChange.at, InterventionChange.id)")

    def __repr__(self) -> str:  # no location
        return f"Intervention(id={self.id!r}, kind={self.kind!r}, start={self.start_date!r})"


class InterventionChange(Base):
    """One change to an intervention (one field). Append-only."""

    __tablename__ = "intervention_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intervention_id: Mapped[int] = mapped_column(Integer, ForeignKey("interventions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
