"""`flask stations import`: operators refresh the station list from CSV."""

from pathlib import Path

import pytest

from app.datum import gcj02_to_wgs84
from app.extensions import db
from stations.models import Station

DATA = Path(__file__).resolve().parents[2] / "stations" / "data"
HEADER = "code,name,kind,district_code,district,lon,lat,crs,coord_source,note"
NEW_STATION = "440106099000,测试街道,street,440106,天河区,113.350000,23.130000,GCJ-02,survey,"


def write_csv(tmp_path, *rows, header=HEADER) -> str:
    path = tmp_path / "stations.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_importing_the_same_list_again_changes_nothing_and_says_so(cli):
    result = cli("stations", "import", str(DATA / "gz_streets.csv"))
    assert result.exit_code == 0, result.output
    assert "created: 0  updated: 0  unchanged: 176  rejected: 0" in result.output
    assert "Nothing changed" in result.output


def test_the_2023_addendum_adds_the_177th_station_without_coordinates(cli, client):
    result = cli("stations", "import", str(DATA / "gz_streets_2023_addendum.csv"))
    assert result.exit_code == 0, result.output
    assert "created: 1" in result.output
    assert "without coordinates (1" in result.output and "港湾街道" in result.output
    listing = client.get("/api/v1/stations", query_string={"district": "南沙区"}).json
    assert listing["total"] == 10
    assert {"code": "440115004000", "location": None}.items() <= next(
        s for s in listing["items"] if s["name"] == "港湾街道"
    ).items()
    assert client.get("/api/v1/stations").json["total"] == 177


def test_the_report_lists_stations_without_coordinates_by_name(cli):
    output = cli("stations", "import", str(DATA / "gz_streets.csv")).output
    assert "without coordinates (14" in output
    assert "车陂街道" in output and "新龙镇" in output


def test_a_gcj02_point_is_stored_in_wgs84_and_served_back_in_either_datum(cli, client, tmp_path):
    assert cli("stations", "import", write_csv(tmp_path, NEW_STATION)).exit_code == 0
    as_gcj = client.get("/api/v1/stations/440106099000").json["location"]
    as_wgs = client.get("/api/v1/stations/440106099000?crs=wgs84").json["location"]
    assert as_gcj == {"lat": 23.13, "lng": 113.35, "crs": "gcj02"}
    assert as_wgs["crs"] == "wgs84"
    assert (as_wgs["lat"], as_wgs["lng"]) == pytest.approx(gcj02_to_wgs84(23.13, 113.35), abs=1e-6)
    with client.application.app_context():
        stored = db.session.get(Station, "440106099000")
        assert (stored.lat, stored.lng) == pytest.approx(gcj02_to_wgs84(23.13, 113.35), abs=1e-9)


def test_a_changed_row_is_reported_as_updated(cli, client, tmp_path):
    cli("stations", "import", write_csv(tmp_path, NEW_STATION))
    moved = NEW_STATION.replace("113.350000", "113.351000")
    result = cli("stations", "import", write_csv(tmp_path, moved))
    assert "created: 0  updated: 1  unchanged: 0" in result.output
    assert client.get("/api/v1/stations/440106099000").json["location"]["lng"] == 113.351


def test_contact_columns_are_imported_when_the_file_has_them(cli, client, tmp_path):
    header = HEADER + ",address,phone,opening_hours"
    row = NEW_STATION + ",天河路1号,020-12345678,周一至周五 9:00-17:30"
    assert cli("stations", "import", write_csv(tmp_path, row, header=header)).exit_code == 0
    station = client.get("/api/v1/stations/440106099000").json
    assert station["address"] == "天河路1号"
    assert station["phone"] == "020-12345678"
    assert station["opening_hours"] == "周一至周五 9:00-17:30"
    assert station["services"] == [], "a station's services are its offers, which booking sets"


def test_a_file_without_contact_columns_keeps_the_contact_details_already_stored(cli, client, tmp_path):
    header = HEADER + ",address"
    cli("stations", "import", write_csv(tmp_path, NEW_STATION + ",天河路1号", header=header))
    result = cli("stations", "import", write_csv(tmp_path, NEW_STATION))
    assert "unchanged: 1" in result.output
    assert client.get("/api/v1/stations/440106099000").json["address"] == "天河路1号"


@pytest.mark.parametrize(
    "row, reason",
    [
        ("44010609900,短码街道,street,440106,天河区,,,,,", "code: must be 12 digits"),
        ("440199001000,某街道,street,440199,某区,,,,,", "district_code: unknown district"),
        ("440106099000,测试街道,street,440106,海珠区,,,,,", "district: does not match district code 440106"),
        ("440106099000,测试街道,village,440106,天河区,,,,,", "kind: Must be one of: street, town."),
        ("440103099000,测试街道,street,440106,天河区,,,,,", "code: must start with the district code"),
        ("440106099000,测试街道,street,440106,天河区,116.40,39.90,GCJ-02,,", "lat: (39.9, 116.4) is outside Guangzhou"),
        ("440106099000,测试街道,street,440106,天河区,113.35,23.13,,,", "crs: must name the datum"),
        ("440106099000,测试街道,street,440106,天河区,113.35,23.13,BD-09,,", "crs: Must be one of"),
        ("440106099000,测试街道,street,440106,天河区,113.35,,GCJ-02,,", "lat: lon and lat must both be given"),
        ("440106099000,测试街道,street,440106,天河区,east,23.13,GCJ-02,,", "lon: Not a valid number."),
        ("440106099000,,street,440106,天河区,,,,,", "name: Field may not be null."),
    ],
)
def test_an_invalid_row_is_rejected_with_its_line_and_reason_and_nothing_is_imported(
    cli, client, tmp_path, row, reason
):
    valid_row = "440106098000,另一街道,street,440106,天河区,,,,,"
    result = cli("stations", "import", write_csv(tmp_path, valid_row, row))
    assert result.exit_code != 0
    assert "rejected line 3" in result.output and reason in result.output
    assert "nothing imported" in result.output
    assert client.get("/api/v1/stations/440106098000").status_code == 404


def test_a_duplicated_code_is_rejected(cli, tmp_path):
    result = cli("stations", "import", write_csv(tmp_path, NEW_STATION, NEW_STATION))
    assert "rejected line 3 (440106099000): code: duplicate of line 2" in result.output


def test_skip_invalid_imports_the_valid_rows_and_reports_the_others(cli, client, tmp_path):
    bad = "4401060990,坏街道,street,440106,天河区,,,,,"
    result = cli("stations", "import", "--skip-invalid", write_csv(tmp_path, NEW_STATION, bad))
    assert result.exit_code == 0
    assert "created: 1  updated: 0  unchanged: 0  rejected: 1" in result.output
    assert client.get("/api/v1/stations/440106099000").status_code == 200


def test_a_dry_run_reports_without_saving(cli, client, tmp_path):
    result = cli("stations", "import", "--dry-run", write_csv(tmp_path, NEW_STATION))
    assert "created: 1" in result.output and "Dry run: nothing was saved." in result.output
    assert client.get("/api/v1/stations/440106099000").status_code == 404
