"""Distances on the WGS-84 ellipsoid, fast enough to rank stations on every request.

Vincenty's inverse formula is exact to well under a millimetre and converges in a few
iterations for any two points not nearly antipodal; for those, GeographicLib (Karney's
algorithm) answers instead.
"""

from math import atan, atan2, cos, radians, sin, sqrt, tan

from geographiclib.geodesic import Geodesic

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_B = WGS84_A * (1 - WGS84_F)
CONVERGED = 1e-12
MAX_ITERATIONS = 200


def geodesic_distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    u1 = atan((1 - WGS84_F) * tan(radians(lat1)))
    u2 = atan((1 - WGS84_F) * tan(radians(lat2)))
    sin_u1, cos_u1, sin_u2, cos_u2 = sin(u1), cos(u1), sin(u2), cos(u2)
    longitude_difference = radians(lng2 - lng1)
    lam = longitude_difference
    for _ in range(MAX_ITERATIONS):
        sin_lam, cos_lam = sin(lam), cos(lam)
        sin_sigma = sqrt((cos_u2 * sin_lam) ** 2 + (cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam) ** 2)
        if sin_sigma == 0:
            return 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sigma_m = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = WGS84_F / 16 * cos2_alpha * (4 + WGS84_F * (4 - 3 * cos2_alpha))
        previous = lam
        lam = longitude_difference + (1 - c) * WGS84_F * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sigma_m + c * cos_sigma * (-1 + 2 * cos_2sigma_m**2))
        )
        if abs(lam - previous) < CONVERGED:
            break
    else:
        return Geodesic.WGS84.Inverse(lat1, lng1, lat2, lng2, Geodesic.DISTANCE)["s12"]
    u_squared = cos2_alpha * (WGS84_A**2 - WGS84_B**2) / WGS84_B**2
    a = 1 + u_squared / 16384 * (4096 + u_squared * (-768 + u_squared * (320 - 175 * u_squared)))
    b = u_squared / 1024 * (256 + u_squared * (-128 + u_squared * (74 - 47 * u_squared)))
    delta_sigma = (
        b
        * sin_sigma
        * (
            cos_2sigma_m
            + b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sigma_m**2)
                - b / 6 * cos_2sigma_m * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sigma_m**2)
            )
        )
    )
    return WGS84_B * a * (sigma - delta_sigma)


def unit_vector(lat: float, lng: float) -> tuple[float, float, float]:
    """The point on a unit sphere; chord lengths between such vectors rank great-circle distances."""
    phi, lam = radians(lat), radians(lng)
    return cos(phi) * cos(lam), cos(phi) * sin(lam), sin(phi)
