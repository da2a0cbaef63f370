"""The geodesic distance that ranks stations agrees with GeographicLib (Karney's algorithm)."""

from geographiclib.geodesic import Geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from stations.geodesy import geodesic_distance_m

latitudes = st.floats(min_value=-89.9, max_value=89.9)
longitudes = st.floats(min_value=-180, max_value=180)


@settings(max_examples=2000, deadline=None)
@given(latitudes, longitudes, latitudes, longitudes)
def test_distances_match_geographiclib_to_a_millimetre_anywhere_on_earth(lat1, lng1, lat2, lng2):
    expected = Geodesic.WGS84.Inverse(lat1, lng1, lat2, lng2)["s12"]
    assert abs(geodesic_distance_m(lat1, lng1, lat2, lng2) - expected) < 0.001


def test_nearly_antipodal_points_still_get_a_distance():
    expected = Geodesic.WGS84.Inverse(0, 0, 0.5, 179.7)["s12"]
    assert abs(geodesic_distance_m(0, 0, 0.5, 179.7) - expected) < 0.001


def test_the_same_point_is_zero_metres_away():
    assert geodesic_distance_m(23.13, 113.26, 23.13, 113.26) == 0.0
