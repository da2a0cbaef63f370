"""Public station endpoints for the mini-program map."""

from flask import after_this_request, jsonify

from app.blueprint import ApiBlueprint
from app.caching import conditional
from app.datum import to_wgs84
from app.errors import NotFound
from app.extensions import db
from app.geography import inside_guangzhou
from app.i18n import _
from app.replica import reads_may_lag
from stations import services
from stations.models import Station
from stations.schemas import (
    DistrictListSchema,
    FeatureCollectionSchema,
    GeoJsonQuery,
    NearestQuery,
    NearestSchema,
    StationListQuery,
    StationPageSchema,
    StationQuery,
    StationSchema,
    in_requested_crs,
)

blp = ApiBlueprint("stations", __name__, url_prefix="/api/v1", description="Domestic-service stations and the map")
NOT_MODIFIED = {"description": "Not Modified: the If-None-Match tag is current"}


@blp.get("/stations")
@reads_may_lag
@conditional(services.stations_version, "STATIONS_CACHE_MAX_AGE")
@blp.arguments(StationListQuery, location="query", as_kwargs=True)
@in_requested_crs
@blp.response(200, StationPageSchema)
@blp.alt_response(304, **NOT_MODIFIED)
def list_stations(page, per_page, crs, district=None):
    """All stations, by code, one page at a time (ETag / If-None-Match supported)."""
    return services.list_stations(district, page, per_page)


@blp.get("/stations.geojson")
@reads_may_lag
@conditional(services.stations_version, "STATIONS_CACHE_MAX_AGE")
@blp.arguments(GeoJsonQuery, location="query", as_kwargs=True)
@in_requested_crs
@blp.response(200, FeatureCollectionSchema, content_type="application/geo+json")
@blp.alt_response(304, **NOT_MODIFIED)
def stations_geojson(crs, district=None):
    """Stations that have a point, as GeoJSON; WGS-84 per RFC 7946 unless crs=gcj02."""
    after_this_request(geojson_media_type)
    return {"crs": crs, "features": services.located_stations(district)}


def geojson_media_type(response):
    response.mimetype = "application/geo+json"
    return response


@blp.get("/stations/nearest")
@reads_may_lag
@blp.arguments(NearestQuery, location="query", as_kwargs=True)
@blp.response(200, NearestSchema)
def nearest_stations(lat, lng, crs, limit):
    """Nearest stations to a point by distance on the earth's surface, with wx.openLocation
    arguments for one-tap navigation. Stations without a known point are never returned."""
    wgs_lat, wgs_lng = to_wgs84(lat, lng, crs)
    nearby, unlocated = services.nearest_stations(wgs_lat, wgs_lng, limit, crs)
    # The busiest endpoint writes its ready-made views as they are (hand-built, no schema dump per
    # request); NearestSchema documents them and the tests check every answer against it.
    return jsonify(
        {
            "origin": {"lat": lat, "lng": lng, "crs": crs},
            "outside_service_area": not inside_guangzhou(lat, lng, crs),
            "stations_without_location": unlocated,
            "items": nearby,
        }
    )


@blp.get("/stations/<string(length=12):code>")
@blp.arguments(StationQuery, location="query", as_kwargs=True)
@in_requested_crs
@blp.response(200, StationSchema)
@blp.problems(404, meanings={404: "No station has this code"})
def get_station(code, crs):
    """One station by its 12-digit division code."""
    station = db.session.get(Station, code)
    if station is None:
        raise NotFound(_("No station has code %(code)s.", code=code), code="unknown_station")
    return station


@blp.get("/districts")
@reads_may_lag
@conditional(services.stations_version, "STATIONS_CACHE_MAX_AGE")
@blp.response(200, DistrictListSchema)
@blp.alt_response(304, **NOT_MODIFIED)
def list_districts():
    """Guangzhou's 11 districts with their station counts."""
    items = services.district_summaries()
    return {"items": items, "total": len(items)}
