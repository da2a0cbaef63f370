"""Request and response schemas: they validate input and write the OpenAPI document."""

from collections.abc import Mapping
from functools import wraps

import marshmallow as ma
from marshmallow import fields, validate
from marshmallow.experimental.context import Context

from app.datum import from_wgs84
from app.fields import FullMatch
from app.geography import DISTRICT_CODES_BY_NAME, DISTRICTS, inside_guangzhou
from app.paging import PageQuery, page_schema
from stations.models import STATION_KINDS

# The CSV's names of the datums, and the API's.
DATUMS = {"GCJ-02": "gcj02", "WGS-84": "wgs84"}
CRS_DESCRIPTION = "Datum of coordinates: gcj02 (WeChat, Tencent and Amap maps) or wgs84 (GPS)."
# The datum the response schemas write coordinates in, for the answer being written; the table
# holds WGS-84.
OutputCrs = Context[str]


def location_view(point, crs: str) -> dict | None:
    """A WGS-84 point (anything with lat and lng) as the API writes it in `crs`; None without one."""
    if point.lat is None:
        return None
    lat, lng = from_wgs84(point.lat, point.lng, crs)
    return {"lat": round(lat, 6), "lng": round(lng, 6), "crs": crs}


def in_requested_crs(view):
    """Between @blp.arguments(..., as_kwargs=True) and @blp.response: the answer's coordinates are
    written in the datum the query's `crs` names."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with OutputCrs(kwargs["crs"]):
            return view(*args, **kwargs)

    return wrapper


def crs_field(default: str) -> fields.String:
    return fields.String(
        load_default=default,
        validate=validate.OneOf(["gcj02", "wgs84"]),
        metadata={"description": f"{CRS_DESCRIPTION} Default {default}."},
    )


def district_field() -> fields.String:
    return fields.String(
        validate=validate.OneOf(list(DISTRICTS) + list(DISTRICT_CODES_BY_NAME)),
        metadata={"description": "District code (e.g. 440106) or name (e.g. 天河区)"},
    )


class StationListQuery(PageQuery):
    district = district_field()
    crs = crs_field("gcj02")


class StationQuery(ma.Schema):
    crs = crs_field("gcj02")


class GeoJsonQuery(ma.Schema):
    district = district_field()
    crs = crs_field("wgs84")


class NearestQuery(ma.Schema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    crs = crs_field("gcj02")
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=20))


class LocationSchema(ma.Schema):
    lat = fields.Float(required=True)
    lng = fields.Float(required=True)
    crs = fields.String(required=True, metadata={"description": CRS_DESCRIPTION})


class Located(fields.Nested):
    """The object's WGS-84 point (its lat and lng) written in the answer's datum (OutputCrs); null
    without a point. A view written already (a dict) keeps its location."""

    def __init__(self, **kwargs):
        super().__init__(LocationSchema, allow_none=True, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return obj.get(attr) if isinstance(obj, Mapping) else location_view(obj, OutputCrs.get())


class DistrictName(fields.String):
    """The name of the object's district, from its district_code."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return DISTRICTS[super().get_value(obj, "district_code", accessor, default)]


class ServiceNameSchema(ma.Schema):
    code = fields.String(required=True, metadata={"example": "cleaning"})
    name = fields.String(required=True, metadata={"example": "保洁"})


class StationSchema(ma.Schema):
    """A Station (or a row of its columns), coordinates in the answer's datum."""

    code = fields.String(required=True, metadata={"description": "12-digit division code", "example": "440106012000"})
    name = fields.String(required=True, metadata={"example": "五山街道"})
    kind = fields.String(required=True, validate=validate.OneOf(list(STATION_KINDS)))
    district_code = fields.String(required=True)
    district = DistrictName(required=True)
    location = Located(
        required=True,
        metadata={
            "description": "null when no public source has this station's point; such "
            "stations are never returned by nearest"
        },
    )
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    opening_hours = fields.String(allow_none=True)
    services = fields.List(
        fields.Nested(ServiceNameSchema),
        required=True,
        metadata={
            "description": "The services the station takes bookings for (its active offers), as in GET /services",
            "example": [{"code": "cleaning", "name": "保洁"}],
        },
    )


StationPageSchema = page_schema(StationSchema, "StationPageSchema")


class NavigationSchema(ma.Schema):
    """Exactly the arguments of wx.openLocation (GCJ-02, whatever crs was asked for)."""

    latitude = fields.Float(required=True)
    longitude = fields.Float(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True)
    scale = fields.Integer(required=True, validate=validate.Range(min=5, max=18))


class NearbyStationSchema(StationSchema):
    distance_m = fields.Integer(required=True, metadata={"description": "Geodesic distance in metres"})
    navigation = fields.Nested(NavigationSchema, required=True)


class NearestSchema(ma.Schema):
    origin = fields.Nested(LocationSchema, required=True)
    outside_service_area = fields.Boolean(required=True, metadata={"description": "The point lies outside Guangzhou"})
    stations_without_location = fields.Integer(
        required=True, metadata={"description": "Stations left out because they have no known point"}
    )
    items = fields.List(fields.Nested(NearbyStationSchema), required=True)


class DistrictSchema(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    station_count = fields.Integer(required=True)
    stations_without_location = fields.Integer(required=True)


class DistrictListSchema(ma.Schema):
    items = fields.List(fields.Nested(DistrictSchema), required=True)
    total = fields.Integer(required=True)


class Itself(fields.Nested):
    """The object itself, written by another schema (a GeoJSON feature's properties are its station)."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return obj


def point_geometry(station) -> dict:
    location = location_view(station, OutputCrs.get())
    return {"type": "Point", "coordinates": [location["lng"], location["lat"]]}


class StationPropertiesSchema(StationSchema):
    """A station's GeoJSON properties: the station but its location, which is the geometry."""

    class Meta:
        exclude = ("location",)


class FeatureSchema(ma.Schema):
    """A located Station as a GeoJSON Feature."""

    type = fields.Constant("Feature", required=True)
    id = fields.String(required=True, attribute="code")
    geometry = fields.Function(point_geometry, required=True)
    properties = Itself(StationPropertiesSchema, required=True)


class FeatureCollectionSchema(ma.Schema):
    """GeoJSON (RFC 7946); coordinates are [lng, lat] in the datum named by `crs`."""

    type = fields.Constant("FeatureCollection", required=True)
    crs = fields.String(required=True, metadata={"description": CRS_DESCRIPTION})
    features = fields.List(fields.Nested(FeatureSchema), required=True)


class StationRowSchema(ma.Schema):
    """One row of the station CSV (the public list's columns plus the optional contact columns)."""

    class Meta:
        unknown = ma.EXCLUDE

    code = fields.String(required=True, validate=FullMatch(r"\d{12}", error="must be 12 digits"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=validate.OneOf(list(STATION_KINDS)))
    district_code = fields.String(required=True, validate=validate.OneOf(list(DISTRICTS), error="unknown district"))
    district = fields.String(required=True)
    lon = fields.Float(allow_none=True)
    lat = fields.Float(allow_none=True)
    crs = fields.String(allow_none=True, validate=validate.OneOf(list(DATUMS)))
    coord_source = fields.String(allow_none=True, validate=validate.Length(max=32))
    note = fields.String(allow_none=True)
    address = fields.String(allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(
        allow_none=True,
        validate=FullMatch(r"[0-9+\- ()]{5,32}", error="must be a phone number: digits, spaces, + - ( ), 5-32 of them"),
    )
    opening_hours = fields.String(allow_none=True, validate=validate.Length(max=100))

    @ma.pre_load
    def blank_cells_are_missing_values(self, row, **_):
        cleaned = {
            key: (value.strip() or None) if isinstance(value, str) else value
            for key, value in row.items()
            if key is not None
        }
        return cleaned

    @ma.validates_schema
    def consistent(self, row, **_):
        if row["district_code"] in DISTRICTS and row["district"] != DISTRICTS[row["district_code"]]:
            raise ma.ValidationError(f"does not match district code {row['district_code']}", "district")
        if not row["code"].startswith(row["district_code"]):
            raise ma.ValidationError("must start with the district code", "code")
        has_lon, has_lat = row.get("lon") is not None, row.get("lat") is not None
        if has_lon != has_lat:
            raise ma.ValidationError("lon and lat must both be given or both be empty", "lat" if has_lon else "lon")
        if has_lon:
            if not row.get("crs"):
                raise ma.ValidationError("must name the datum (GCJ-02 or WGS-84) of lon/lat", "crs")
            if not inside_guangzhou(row["lat"], row["lon"], DATUMS[row["crs"]]):
                raise ma.ValidationError(f"({row['lat']}, {row['lon']}) is outside Guangzhou", "lat")
