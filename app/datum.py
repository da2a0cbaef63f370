"""WGS-84 ↔ GCJ-02 conversion, for the points clients send and the outlines in app/geography.py.

GCJ-02 is the datum of Chinese maps and of WeChat's wx.getLocation/wx.openLocation; the database
stores WGS-84. The forward transform is the public formula on the Krasovsky ellipsoid. It has no
closed-form inverse, so gcj02_to_wgs84 iterates: guess, transform forward, correct by the error.
Outside mainland China GCJ-02 equals WGS-84.
"""

from math import cos, fabs, pi, sin, sqrt

KRASOVSKY_A = 6378245.0
KRASOVSKY_EE = 0.00669342162296594323
# 1e-10 degrees is about 0.01 mm: far below what a phone's GPS can tell apart.
INVERSE_TOLERANCE_DEGREES = 1e-10
INVERSE_MAX_ITERATIONS = 10


def outside_china(lat: float, lng: float) -> bool:
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _lat_offset(x: float, y: float) -> float:
    offset = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x))
    offset += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    offset += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
    offset += (160.0 * sin(y / 12.0 * pi) + 320.0 * sin(y * pi / 30.0)) * 2.0 / 3.0
    return offset


def _lng_offset(x: float, y: float) -> float:
    offset = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x))
    offset += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    offset += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
    offset += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0
    return offset


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if outside_china(lat, lng):
        return lat, lng
    dlat = _lat_offset(lng - 105.0, lat - 35.0)
    dlng = _lng_offset(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * pi
    magic = 1 - KRASOVSKY_EE * sin(radlat) ** 2
    sqrtmagic = sqrt(magic)
    dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrtmagic) * pi)
    dlng = (dlng * 180.0) / (KRASOVSKY_A / sqrtmagic * cos(radlat) * pi)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    wgs_lat, wgs_lng = lat, lng
    for _ in range(INVERSE_MAX_ITERATIONS):
        fwd_lat, fwd_lng = wgs84_to_gcj02(wgs_lat, wgs_lng)
        error_lat, error_lng = fwd_lat - lat, fwd_lng - lng
        if fabs(error_lat) < INVERSE_TOLERANCE_DEGREES and fabs(error_lng) < INVERSE_TOLERANCE_DEGREES:
            break
        wgs_lat, wgs_lng = wgs_lat - error_lat, wgs_lng - error_lng
    return wgs_lat, wgs_lng


def to_wgs84(lat: float, lng: float, crs: str) -> tuple[float, float]:
    """A point as the client sent it (crs 'gcj02' or 'wgs84') in the stored datum."""
    return gcj02_to_wgs84(lat, lng) if crs == "gcj02" else (lat, lng)


def from_wgs84(lat: float, lng: float, crs: str) -> tuple[float, float]:
    """A stored point in the datum the client asked for."""
    return wgs84_to_gcj02(lat, lng) if crs == "gcj02" else (lat, lng)
