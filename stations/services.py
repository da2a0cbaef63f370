"""Station look-ups: listing, nearest by geodesic distance, district counts, and their views."""

from geoalchemy2 import Geography, WKTElement
from sqlalchemy import case, cast, func, select

from app.extensions import db
from stations.datum import from_wgs84
from stations.districts import DISTRICT_CODES_BY_NAME, DISTRICTS
from stations.models import Station

# wx.openLocation zoom: 5 (country) to 18 (street); 16 shows the station among its streets.
NAVIGATION_SCALE = 16


def district_code(code_or_name: str) -> str:
    return DISTRICT_CODES_BY_NAME.get(code_or_name, code_or_name)


def stations_version() -> str:
    """Changes whenever a station is added or updated; cheap enough to check on every request."""
    count, last_update = db.session.execute(select(func.count(), func.max(Station.updated_at))).one()
    return f"{count}:{last_update}"


def list_stations(district: str | None, page: int, per_page: int) -> tuple[list[Station], int]:
    query = select(Station)
    if district:
        query = query.where(Station.district_code == district_code(district))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.order_by(Station.code).offset((page - 1) * per_page).limit(per_page)).all()
    return list(items), total


def located_stations(district: str | None) -> list[Station]:
    query = select(Station).where(Station.location.is_not(None)).order_by(Station.code)
    if district:
        query = query.where(Station.district_code == district_code(district))
    return list(db.session.scalars(query))


def _geodesic_distance_to(point: WKTElement):
    """Metres on the WGS-84 spheroid. Ordering SRID 4326 geometries by <-> would rank by degrees,
    which picks the wrong station at Guangzhou's latitude, so both backends measure for real."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.ST_Distance(cast(Station.location, Geography), cast(point, Geography))
    return func.ST_Distance(Station.location, point, 1)


def nearest_stations(lat: float, lng: float, limit: int) -> list[tuple[Station, float]]:
    """The stations closest to a WGS-84 point, closest first, with their distance in metres."""
    point = WKTElement(f"POINT({lng!r} {lat!r})", srid=4326)
    distance = _geodesic_distance_to(point).label("distance_m")
    rows = db.session.execute(
        select(Station, distance).where(Station.location.is_not(None)).order_by(distance, Station.code).limit(limit)
    )
    return [(station, distance_m) for station, distance_m in rows]


def count_stations_without_location() -> int:
    return db.session.scalar(select(func.count()).where(Station.location.is_(None)))


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


def location_view(station: Station, crs: str) -> dict | None:
    if not station.has_location:
        return None
    lat, lng = from_wgs84(station.lat, station.lng, crs)
    return {"lat": round(lat, 6), "lng": round(lng, 6), "crs": crs}


def station_view(station: Station, crs: str) -> dict:
    return {
        "code": station.code,
        "name": station.name,
        "kind": station.kind,
        "district_code": station.district_code,
        "district": station.district,
        "location": location_view(station, crs),
        "address": station.address,
        "phone": station.phone,
        "opening_hours": station.opening_hours,
        "services": station.services or [],
    }


def navigation_view(station: Station) -> dict:
    """What wx.openLocation takes; it always wants GCJ-02."""
    lat, lng = from_wgs84(station.lat, station.lng, "gcj02")
    return {
        "latitude": round(lat, 6),
        "longitude": round(lng, 6),
        "name": f"{station.name}家政服务站",
        "address": station.address or f"广州市{station.district}{station.name}",
        "scale": NAVIGATION_SCALE,
    }


def nearby_view(station: Station, distance_m: float, crs: str) -> dict:
    return station_view(station, crs) | {"distance_m": round(distance_m), "navigation": navigation_view(station)}


def feature_collection(stations: list[Station], crs: str) -> dict:
    features = []
    for station in stations:
        location = location_view(station, crs)
        properties = station_view(station, crs)
        del properties["location"]
        features.append({
            "type": "Feature",
            "id": station.code,
            "geometry": {"type": "Point", "coordinates": [location["lng"], location["lat"]]},
            "properties": properties,
        })
    return {"type": "FeatureCollection", "crs": crs, "features": features}
