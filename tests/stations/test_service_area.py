"""The service area is Guangzhou itself, district by district, not the box around it."""

import csv
import json
import random
from pathlib import Path

import pytest

from app.geography import DISTRICTS, district_of, inside_guangzhou
from stations.schemas import DATUMS

STATIONS_CSV = Path(__file__).resolve().parents[2] / "stations" / "data" / "gz_streets.csv"


def test_every_located_station_lies_in_its_own_district():
    with STATIONS_CSV.open(encoding="utf-8-sig") as rows:
        located = [row for row in csv.DictReader(rows) if row["lat"]]
    assert len(located) == 162
    assert {row["name"]: district_of(float(row["lat"]), float(row["lon"]), DATUMS[row["crs"]]) for row in located} == {
        row["name"]: row["district_code"] for row in located
    }


@pytest.mark.parametrize(
    ("place", "lat", "lng"),
    [
        ("Shenzhen's centre", 22.5431, 114.0579),
        ("Foshan's centre", 23.0215, 113.1214),
        ("Beijing", 39.9042, 116.4074),
        ("the Pearl River mouth off Nansha, inside the old bounding box", 22.55, 113.75),
    ],
)
def test_a_point_outside_guangzhou_is_outside_the_service_area(place, lat, lng):
    assert not inside_guangzhou(lat, lng, "wgs84")


def test_a_point_in_tianhe_is_in_tianhe():
    assert DISTRICTS[district_of(23.1391, 113.3261, "gcj02")] == "天河区"


def test_nearest_says_when_a_point_is_outside_guangzhou_though_inside_its_bounding_box(client):
    answer = client.get("/api/v1/stations/nearest?lat=22.5431&lng=114.0579&crs=wgs84").json
    assert answer["outside_service_area"] is True


def test_a_gps_point_is_looked_up_in_the_outlines_datum():
    # Just inside 荔湾区's western edge on a GCJ-02 map; as GPS gives it, some 600 m further west.
    assert district_of(23.0528, 113.2021, "gcj02") == "440103"
    assert district_of(23.05549, 113.19669, "wgs84") == "440103"


def test_the_banded_outlines_answer_as_a_plain_ray_cast_does_all_over_the_region():
    """district_of tests a point against the edges of its latitude band only; it must agree with
    testing every edge of every outline, at a border or away from one."""
    from app.geography import DISTRICT_CODES_BY_NAME, DISTRICT_OUTLINES

    outlines = [
        (DISTRICT_CODES_BY_NAME[feature["properties"]["name"]], feature["geometry"]["coordinates"][0])
        for feature in json.loads(DISTRICT_OUTLINES.read_text(encoding="utf-8"))["features"]
    ]

    def plain_ray_cast(lat, lng):
        for code, ring in outlines:
            inside, (x1, y1) = False, ring[-1]
            for x2, y2 in ring:
                if (y1 > lat) != (y2 > lat) and lng < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
                x1, y1 = x2, y2
            if inside:
                return code
        return None

    rng = random.Random(20261201)
    points = [(rng.uniform(22.5, 23.95), rng.uniform(112.9, 114.1)) for _ in range(2000)]
    assert [district_of(lat, lng, "gcj02") for lat, lng in points] == [plain_ray_cast(lat, lng) for lat, lng in points]
