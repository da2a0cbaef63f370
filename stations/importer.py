"""Import the station list from CSV (see app.csv_import): validate every row, then upsert by code."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from geoalchemy2 import WKTElement

from app.clock import utcnow
from app.csv_import import ImportReport, Rejection, validate_rows
from app.datum import to_wgs84
from app.extensions import db
from stations.models import Station
from stations.schemas import DATUMS, StationRowSchema

SAME_POINT_DEGREES = 1e-9
PLAIN_FIELDS = (
    "name",
    "kind",
    "district_code",
    "coord_source",
    "note",
    "address",
    "phone",
    "opening_hours",
)


@dataclass
class StationImportReport(ImportReport):
    without_location: list[str] = field(default_factory=list)


def validate_station_rows(raw_rows: Iterable[dict]) -> tuple[list[tuple[int, dict]], list[Rejection]]:
    return validate_rows(raw_rows, StationRowSchema(), "code")


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
        station.updated_at = utcnow()
    if "lat" in row:
        station.location = None if point is None else WKTElement(f"POINT({point[1]!r} {point[0]!r})", srid=4326)
        station.source_crs = row.get("crs")
    db.session.add(station)
    db.session.flush()
    return outcome


def import_stations(valid_rows: Iterable[tuple[int, dict]], report: StationImportReport) -> StationImportReport:
    for _, row in valid_rows:
        getattr(report, upsert_station(row)).append(row["code"])
        if row.get("lat") is None:
            report.without_location.append(row["name"])
    return report
