"""GCJ-02 (Chinese maps, WeChat) ↔ WGS-84 (GPS, the database) conversion."""

from geographiclib.geodesic import Geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from app.datum import gcj02_to_wgs84, wgs84_to_gcj02

GEODESIC = Geodesic.WGS84


def metres_between(a, b) -> float:
    return GEODESIC.Inverse(a[0], a[1], b[0], b[1])["s12"]


guangzhou_lat = st.floats(min_value=22.5, max_value=23.95)
guangzhou_lng = st.floats(min_value=112.9, max_value=114.1)
china_lat = st.floats(min_value=18.0, max_value=53.0)
china_lng = st.floats(min_value=74.0, max_value=134.0)


@settings(max_examples=3000, deadline=None)
@given(guangzhou_lat, guangzhou_lng)
def test_converting_a_guangzhou_map_point_to_gps_and_back_lands_within_a_millimetre(lat, lng):
    back = wgs84_to_gcj02(*gcj02_to_wgs84(lat, lng))
    assert metres_between((lat, lng), back) < 0.001


@settings(max_examples=2000, deadline=None)
@given(china_lat, china_lng)
def test_inverse_is_accurate_to_well_under_half_a_metre_anywhere_in_china(lat, lng):
    gps = (lat, lng)
    assert metres_between(gcj02_to_wgs84(*wgs84_to_gcj02(*gps)), gps) < 0.01


def test_the_map_datum_is_a_few_hundred_metres_off_gps_in_guangzhou():
    canton_tower_gps = (23.1066, 113.3245)
    assert 300 < metres_between(canton_tower_gps, wgs84_to_gcj02(*canton_tower_gps)) < 700


def test_points_outside_china_are_the_same_in_both_datums():
    tokyo = (35.6812, 139.7671)
    assert wgs84_to_gcj02(*tokyo) == tokyo
    assert gcj02_to_wgs84(*tokyo) == tokyo
