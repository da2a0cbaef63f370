"""The service area is Guangzhou itself, district by district, not the box around it."""

import csv
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
