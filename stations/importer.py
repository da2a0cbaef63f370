"""Import the station list from CSV: validate every row, then upsert by code.

A file with any invalid row imports nothing unless the caller chooses to skip invalid rows, so a
half-broken file never leaves a half-updated map.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import marshmallow as ma
from geoalchemy2 import WKTElement

from app.extensions import db
from stations.datum import to_wgs84
from stations.models import Station
from stations.schemas import StationRowSchema

FIRST_DATA_LINE = 2  # line 1 is the header
SAME_POINT_DEGREES = 1e-9
DATUMS = {"GCJ-02": "gcj02", "WGS-84": "wgs84"}
PLAIN_FIELDS = ("name", "kind", "district_code", "coord_source", "note", "address", "phone",
                "opening_hours", "services")


@dataclass
class Rejection:
    line: int
    code: str | None
    reason: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    without_location: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def validate_rows(raw_rows: Iterable[dict]) -> tuple[list[dict], list[Rejection]]:
    """Rows that pass every rule, and the reasons the others do not, by line number."""
    schema = StationRowSchema()
    valid, rejected, seen = [], [], {}
    for line, raw in enumerate(raw_rows, start=FIRST_DATA_LINE):
        try:
            row = schema.load(raw)
        except ma.ValidationError as error:
            reason = "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in error.messages.items())
            rejected.append(Rejection(line, (raw.get("code") or "").strip() or None, reason))
            continue
        if row["code"] in seen:
            rejected.append(Rejection(line, row["code"], f"code: duplicate of line {seen[row['code']]}"))
            continue
        seen[row["code"]] = line
        valid.append(row)
    return valid, rejected


def _wgs84_point(row: dict) -> tuple[float, float] | None:
    if row.get("lat") is None:
        return None
    return to_wgs84(row["lat"], row["lon"], DATUMS[row["crs"]])


def _same_point(station: Station, point: tuple[float, float] | None) -> bool:
    if point is None or not station.has_location:
        return point is None and not station.has_location
    return abs(station.lat - point[0]) < SAME_POINT_DEGREES and abs(station.lng - point[1]) < SAME_POINT_DEGREES


def upsert_station(row: dict) -> str:
    """Create or update one station from a validated row; says 'created', 'updated' or 'unchanged'.

    Columns missing from the file (contact details, or the coordinates) leave stored values alone.
    """
    point = _wgs84_point(row)
    changes = {name: row[name] for name in PLAIN_FIELDS if name in row}
    station = db.session.get(Station, row["code"])
    if station is None:
        station = Station(code=row["code"], **({"services": []} | changes))
        outcome = "created"
    else:
        changes = {name: value for name, value in changes.items() if getattr(station, name) != value}
        moved = "lat" in row and not _same_point(station, point)
        outcome = "updated" if changes or moved else "unchanged"
        if outcome == "unchanged":
            return outcome
        for name, value in changes.items():
            setattr(station, name, value)
        station.updated_at = datetime.now(timezone.utc)
    if "lat" in row:
        station.location = None if point is None else WKTElement(f"POINT({point[1]!r} {point[0]!r})", srid=4326)
        station.source_crs = row.get("crs")
    db.session.add(station)
    db.session.flush()
    return outcome


def import_rows(valid_rows: Iterable[dict], report: ImportReport) -> ImportReport:
    for row in valid_rows:
        getattr(report, upsert_station(row)).append(row["code"])
        if row.get("lat") is None:
            report.without_location.append(row["name"])
    return report
