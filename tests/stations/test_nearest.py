"""Nearest station: true distance on the earth's surface, checked against a brute-force geodesic."""

import random
from math import asin, cos, radians, sin, sqrt

import pytest
from geographiclib.geodesic import Geodesic
from sqlalchemy import select

from app.datum import gcj02_to_wgs84, wgs84_to_gcj02
from app.extensions import db
from stations.models import Station
from stations.schemas import NearestSchema
from stations.services import nearest_stations

GEODESIC = Geodesic.WGS84
OPEN_LOCATION_ARGUMENTS = {"latitude", "longitude", "name", "address", "scale"}


def geodesic_distances_to_closest(lat, lng, stations) -> dict[str, float]:
    """Ellipsoidal distances to every station that could be nearest. A sphere is off the
    ellipsoid by under 0.5 %, so no station beyond 1 % of the closest spherical distance can win."""
    spherical = {code: haversine_m(lat, lng, s_lat, s_lng) for code, s_lat, s_lng in stations}
    cutoff = min(spherical.values()) * 1.01 + 1
    return {
        code: GEODESIC.Inverse(lat, lng, s_lat, s_lng)["s12"]
        for code, s_lat, s_lng in stations
        if spherical[code] <= cutoff
    }


def haversine_m(lat1, lng1, lat2, lng2) -> float:
    p1, p2, dlat, dlng = map(radians, (lat1, lat2, lat2 - lat1, lng2 - lng1))
    return 2 * 6371008.8 * asin(sqrt(sin(dlat / 2) ** 2 + cos(p1) * cos(p2) * sin(dlng / 2) ** 2))


def test_nearest_agrees_with_brute_force_geodesic_on_1000_random_points(app, isolated):
    rng = random.Random(20261125)
    disagreements = []
    with app.app_context():
        stations = [(s.code, s.lat, s.lng) for s in db.session.scalars(select(Station)) if s.has_location]
        for _ in range(1000):
            lat, lng = rng.uniform(22.56, 23.93), rng.uniform(112.96, 114.05)
            truth = geodesic_distances_to_closest(lat, lng, stations)
            [station], _ = nearest_stations(lat, lng, limit=1, crs="wgs84")
            code, distance_m = station["code"], station["distance_m"]
            best = min(truth.values())
            # distance_m is whole metres
            if truth[code] - best > 0.01 or abs(distance_m - truth[code]) > 0.5:
                disagreements.append((lat, lng, code, distance_m, best))
    assert disagreements == []


def test_residents_get_the_five_closest_stations_closest_first_with_navigation(client):
    tianhe_sports_centre = {"lat": 23.1391, "lng": 113.3261}  # GCJ-02, as wx.getLocation gives it
    body = client.get("/api/v1/stations/nearest", query_string=tianhe_sports_centre).json
    assert NearestSchema().validate(body) == {}
    assert len(body["items"]) == 5
    distances = [item["distance_m"] for item in body["items"]]
    assert distances == sorted(distances)
    assert body["outside_service_area"] is False
    assert body["origin"] == {"lat": 23.1391, "lng": 113.3261, "crs": "gcj02"}
    first = body["items"][0]
    assert set(first["navigation"]) == OPEN_LOCATION_ARGUMENTS
    assert first["navigation"]["latitude"] == first["location"]["lat"]
    assert 5 <= first["navigation"]["scale"] <= 18
    assert first["district"] == "天河区"


def test_navigation_is_always_gcj02_even_when_coordinates_are_asked_in_wgs84(client):
    lat, lng = gcj02_to_wgs84(23.1391, 113.3261)
    item = client.get("/api/v1/stations/nearest", query_string={"lat": lat, "lng": lng, "crs": "wgs84"}).json["items"][
        0
    ]
    assert item["location"]["crs"] == "wgs84"
    expected_lat, expected_lng = wgs84_to_gcj02(item["location"]["lat"], item["location"]["lng"])
    assert item["navigation"]["latitude"] == pytest.approx(expected_lat, abs=2e-6)
    assert item["navigation"]["longitude"] == pytest.approx(expected_lng, abs=2e-6)


def test_the_same_place_in_either_datum_finds_the_same_stations(client):
    gcj = {"lat": 23.1291, "lng": 113.2644}
    lat, lng = gcj02_to_wgs84(gcj["lat"], gcj["lng"])
    by_gcj = client.get("/api/v1/stations/nearest", query_string=gcj).json["items"]
    by_wgs = client.get("/api/v1/stations/nearest", query_string={"lat": lat, "lng": lng, "crs": "wgs84"}).json["items"]
    assert [s["code"] for s in by_gcj] == [s["code"] for s in by_wgs]
    assert [s["distance_m"] for s in by_gcj] == [s["distance_m"] for s in by_wgs]


def test_stations_without_a_known_point_are_never_nearest(client):
    # 车陂街道 (440106003000) has no public coordinates; this point is in Chebei.
    body = client.get("/api/v1/stations/nearest", query_string={"lat": 23.1272, "lng": 113.3946, "limit": 20}).json
    assert "440106003000" not in [item["code"] for item in body["items"]]
    assert all(item["location"] is not None for item in body["items"])
    assert body["stations_without_location"] == 14


def test_a_point_far_outside_guangzhou_still_gets_an_answer_flagged_outside_the_service_area(client):
    beijing = {"lat": 39.9087, "lng": 116.3975}
    body = client.get("/api/v1/stations/nearest", query_string=beijing | {"limit": 1}).json
    assert NearestSchema().validate(body) == {}
    assert body["outside_service_area"] is True
    assert body["items"][0]["distance_m"] > 1_700_000


def test_limit_defaults_to_five_and_goes_up_to_twenty(client):
    point = {"lat": 23.13, "lng": 113.32}
    assert len(client.get("/api/v1/stations/nearest", query_string=point | {"limit": 20}).json["items"]) == 20
    response = client.get("/api/v1/stations/nearest", query_string=point | {"limit": 21})
    assert response.status_code == 422
    assert "limit" in response.json["errors"]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"lng": 113.3}, "lat"),
        ({"lat": 23.1}, "lng"),
        ({"lat": 91, "lng": 113.3}, "lat"),
        ({"lat": 23.1, "lng": -180.5}, "lng"),
        ({"lat": "nan", "lng": 113.3}, "lat"),
        ({"lat": "23.1north", "lng": 113.3}, "lat"),
        ({"lat": 23.1, "lng": 113.3, "crs": "bd09"}, "crs"),
    ],
)
def test_a_bad_point_is_refused_naming_the_field(client, query, field):
    response = client.get("/api/v1/stations/nearest", query_string=query)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert field in response.json["detail"]
