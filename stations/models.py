"""A grassroots domestic-service station (基层服务站)."""

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import JSON, CheckConstraint, String, Text, func
from sqlalchemy.orm import Mapped, column_property, mapped_column

from app.clock import utcnow
from app.database import UtcDateTime
from app.extensions import Model

STATION_KINDS = {"street": "街道", "town": "镇"}


class Station(Model):
    __tablename__ = "stations"
    __table_args__ = (CheckConstraint("kind IN ('street', 'town')", name="kind"),)

    code: Mapped[str] = mapped_column(String(12), primary_key=True, comment="12-digit NBS division code")
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    district_code: Mapped[str] = mapped_column(String(6), index=True)
    # WGS-84; NULL when no public source has a point for this division (never guessed).
    # Deferred: the API reads lat/lng below; the geometry itself is for spatial queries.
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True, deferred=True)
    source_crs: Mapped[str | None] = mapped_column(String(8), comment="datum the imported point was given in")
    coord_source: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    opening_hours: Mapped[str | None] = mapped_column(String(100))
    # The station's active offers as [{"code", "name"}], kept in step by booking, their one writer.
    services: Mapped[list[dict]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    lat = column_property(func.ST_Y(location))
    lng = column_property(func.ST_X(location))

    @property
    def has_location(self) -> bool:
        return self.lat is not None
