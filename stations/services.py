"""Station look-ups: listing, nearest by geodesic distance, district counts, and their views."""

import threading
from dataclasses import dataclass
from math import asin, pi, sin, sqrt

from cachetools import TTLCache
from flask import current_app
from sqlalchemy import case, func, select

from app.extensions import db
from app.geography import DISTRICT_CODES_BY_NAME, DISTRICTS
from app.paging import Page, paginate
from stations.geodesy import geodesic_distance_m, unit_vector
from stations.models import Station
from stations.schemas import OutputCrs, StationSchema, location_view

# wx.openLocation zoom: 5 (country) to 18 (street); 16 shows the station among its streets.
NAVIGATION_SCALE = 16


def district_code(code_or_name: str) -> str:
    return DISTRICT_CODES_BY_NAME.get(code_or_name, code_or_name)


_VERSION_LOCK = threading.Lock()


def stations_version() -> str:
    """Changes whenever a station is added or updated. Each process keeps it STATIONS_VERSION_TTL
    seconds, so an unchanged map answers 304 without touching the database; an import shows within
    that many seconds."""
    cache = _version_cache()
    with _VERSION_LOCK:
        version = cache.get("version")
    if version is None:
        count, last_update = db.session.execute(select(func.count(), func.max(Station.updated_at))).one()
        version = f"{count}:{last_update}"
        with _VERSION_LOCK:
            cache["version"] = version
    return version


def _version_cache() -> TTLCache:
    """This process's copy of the version; a changed STATIONS_VERSION_TTL takes effect at once."""
    ttl = current_app.config["STATIONS_VERSION_TTL"]
    cache = current_app.extensions.get("stations_version")
    if cache is None or cache.ttl != ttl:
        cache = current_app.extensions["stations_version"] = TTLCache(maxsize=1, ttl=ttl)
    return cache


def station_name(code: str) -> str:
    """A station's name from a per-process table of every name, kept while stations_version()
    stays the same (and reloaded for a code it does not know yet): bookings show it on every view."""
    version = stations_version()
    cached_version, names = current_app.extensions.get("station_names", (None, {}))
    if cached_version != version or code not in names:
        names = dict(db.session.execute(select(Station.code, Station.name)).all())
        current_app.extensions["station_names"] = (version, names)
    return names[code]


def list_stations(district: str | None, page: int, per_page: int) -> Page:
    query = select(Station).order_by(Station.code)
    if district:
        query = query.where(Station.district_code == district_code(district))
    return paginate(query, page, per_page)


def located_stations(district: str | None) -> list[Station]:
    query = select(Station).where(Station.location.is_not(None)).order_by(Station.code)
    if district:
        query = query.where(Station.district_code == district_code(district))
    return list(db.session.scalars(query))


# The columns of a station as the API shows it, read straight from the table for the nearest index.
STATION_VIEW_COLUMNS = (
    Station.code,
    Station.name,
    Station.kind,
    Station.district_code,
    Station.address,
    Station.phone,
    Station.opening_hours,
    Station.services,
    Station.lat,
    Station.lng,
)
MEAN_EARTH_RADIUS_M = 6371008.8
# Great-circle distances on the mean sphere stay within 0.6 % of the WGS-84 geodesic, so no
# station farther than this factor beyond the k-th closest on the sphere can be among the k closest.
SPHERE_SLACK = 1.01


def _chord_squared_to_metres(chord_squared: float) -> float:
    return 2 * MEAN_EARTH_RADIUS_M * asin(min(1.0, sqrt(chord_squared) / 2))


def _metres_to_chord_squared(metres: float) -> float:
    return (2 * sin(min(pi / 2, metres / (2 * MEAN_EARTH_RADIUS_M)))) ** 2


@dataclass(frozen=True)
class NearestIndex:
    """Every located station as a unit vector, with its API views ready, for one version of the
    station table.

    Nearest is the busiest question of the map and the table is small and rarely changes, so each
    process answers it from memory: chord lengths pick the few candidates, the WGS-84 geodesic
    (geodesy.py) ranks them exactly. The index is rebuilt when stations_version() changes.
    """

    version: str
    stations: tuple
    vectors: tuple
    views: tuple  # per station: {"gcj02": view, "wgs84": view, "navigation": wx.openLocation args}
    unlocated: int

    @classmethod
    def load(cls, version: str) -> "NearestIndex":
        rows = db.session.execute(select(*STATION_VIEW_COLUMNS).order_by(Station.code)).all()
        located = tuple(row for row in rows if row.lat is not None)
        return cls(
            version=version,
            stations=located,
            vectors=tuple(unit_vector(row.lat, row.lng) for row in located),
            views=tuple(
                {
                    "gcj02": station_view(row, "gcj02"),
                    "wgs84": station_view(row, "wgs84"),
                    "navigation": navigation_view(row),
                }
                for row in located
            ),
            unlocated=len(rows) - len(located),
        )

    def nearest(self, lat: float, lng: float, limit: int, crs: str) -> list[dict]:
        """The `limit` closest stations to a WGS-84 point as API views with distance_m.

        The hot path of the map keeps hand-built dicts: each answer is the index's ready views
        (written by StationSchema once per version of the table) with its distance, sent by
        jsonify, never dumped by a schema per request; NearestSchema documents it."""
        if not self.stations:
            return []
        x, y, z = unit_vector(lat, lng)
        chords = sorted(
            ((sx - x) ** 2 + (sy - y) ** 2 + (sz - z) ** 2, i) for i, (sx, sy, sz) in enumerate(self.vectors)
        )
        kth_closest = _chord_squared_to_metres(chords[min(limit, len(chords)) - 1][0])
        cutoff = _metres_to_chord_squared(kth_closest * SPHERE_SLACK + 1)
        ranked = sorted(
            (geodesic_distance_m(lat, lng, self.stations[i].lat, self.stations[i].lng), self.stations[i].code, i)
            for chord, i in chords
            if chord <= cutoff
        )
        return [
            self.views[i][crs] | {"distance_m": round(distance), "navigation": self.views[i]["navigation"]}
            for distance, _, i in ranked[:limit]
        ]


def nearest_index() -> NearestIndex:
    version = stations_version()
    index = current_app.extensions.get("nearest_index")
    if index is None or index.version != version:
        index = current_app.extensions["nearest_index"] = NearestIndex.load(version)
    return index


def nearest_stations(lat: float, lng: float, limit: int, crs: str) -> tuple[list[dict], int]:
    """The stations closest to a WGS-84 point, closest first, each with `distance_m` on the WGS-84
    ellipsoid and coordinates in `crs`, and how many stations were left out for having no point."""
    index = nearest_index()
    return index.nearest(lat, lng, limit, crs), index.unlocated


def district_summaries() -> list[dict]:
    counts = {
        code: (total, unlocated)
        for code, total, unlocated in db.session.execute(
            select(
                Station.district_code,
                func.count(),
                func.sum(case((Station.location.is_(None), 1), else_=0)),
            ).group_by(Station.district_code)
        )
    }
    return [
        {
            "code": code,
            "name": name,
            "station_count": counts.get(code, (0, 0))[0],
            "stations_without_location": int(counts.get(code, (0, 0))[1] or 0),
        }
        for code, name in DISTRICTS.items()
    ]


def station_view(station, crs: str) -> dict:
    """A Station, or a row of STATION_VIEW_COLUMNS, as the API shows it in `crs` (StationSchema)."""
    with OutputCrs(crs):
        return StationSchema().dump(station)


def navigation_view(station) -> dict:
    """What wx.openLocation takes; it always wants GCJ-02. Hand-built for the nearest index only,
    which NavigationSchema documents."""
    location = location_view(station, "gcj02")
    return {
        "latitude": location["lat"],
        "longitude": location["lng"],
        "name": f"{station.name}家政服务站",
        "address": station.address or f"广州市{DISTRICTS[station.district_code]}{station.name}",
        "scale": NAVIGATION_SCALE,
    }
