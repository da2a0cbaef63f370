"""The station list, one station, GeoJSON and districts, as the mini-program's map reads them."""

from app.datum import wgs84_to_gcj02


def test_the_list_has_all_176_stations_one_page_at_a_time(client):
    first = client.get("/api/v1/stations", query_string={"per_page": 100}).json
    second = client.get("/api/v1/stations", query_string={"per_page": 100, "page": 2}).json
    assert first["total"] == second["total"] == 176
    assert len(first["items"]) == 100 and len(second["items"]) == 76
    codes = [s["code"] for s in first["items"] + second["items"]]
    assert codes == sorted(set(codes))


def test_a_station_reads_with_its_district_kind_and_gcj02_location(client):
    station = client.get("/api/v1/stations/440103001000").json
    assert station["name"] == "沙面街道"
    assert station["kind"] == "street"
    assert station["district"] == "荔湾区" and station["district_code"] == "440103"
    assert station["location"] == {"lat": 23.107235, "lng": 113.2483, "crs": "gcj02"}


def test_wgs84_coordinates_on_request(client):
    location = client.get("/api/v1/stations/440106001000?crs=wgs84").json["location"]
    assert location == {"lat": 23.15888, "lng": 113.34684, "crs": "wgs84"}  # stored as imported (GeoNames)
    gcj = client.get("/api/v1/stations/440106001000").json["location"]
    assert (gcj["lat"], gcj["lng"]) == tuple(round(v, 6) for v in wgs84_to_gcj02(23.15888, 113.34684))


def test_stations_without_a_known_point_are_listed_with_location_null(client):
    items = client.get("/api/v1/stations", query_string={"district": "440106"}).json["items"]
    chebei = next(s for s in items if s["name"] == "车陂街道")
    assert chebei["location"] is None
    assert sum(s["location"] is None for s in items) == 2


def test_the_list_filters_by_district_code_or_name(client):
    by_code = client.get("/api/v1/stations", query_string={"district": "440115"}).json
    by_name = client.get("/api/v1/stations", query_string={"district": "南沙区"}).json
    assert by_code == by_name
    assert by_code["total"] == 9
    assert {s["district"] for s in by_code["items"]} == {"南沙区"}


def test_unknown_district_and_bad_paging_are_refused_naming_the_field(client):
    for query, field in [
        ({"district": "深圳"}, "district"),
        ({"page": 0}, "page"),
        ({"per_page": 201}, "per_page"),
        ({"per_page": "all"}, "per_page"),
        ({"colour": "red"}, "colour"),
    ]:
        response = client.get("/api/v1/stations", query_string=query)
        assert response.status_code == 422, query
        assert response.mimetype == "application/problem+json"
        assert list(response.json["errors"]) == [field]


def test_an_unknown_station_is_a_json_404(client):
    response = client.get("/api/v1/stations/440106999000")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == "没有编号为 440106999000 的服务站。"
    assert response.json["code"] == "unknown_station"


def test_an_unchanged_list_answers_304_without_a_body(client):
    first = client.get("/api/v1/stations")
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = client.get("/api/v1/stations", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_the_tag_differs_per_query_and_changes_when_the_stations_change(client, cli):
    page_one = client.get("/api/v1/stations").headers["ETag"]
    assert client.get("/api/v1/stations?page=2").headers["ETag"] != page_one
    cli("stations", "import", "stations/data/gz_streets_2023_addendum.csv")
    response = client.get("/api/v1/stations", headers={"If-None-Match": page_one})
    assert response.status_code == 200
    assert response.json["total"] == 177


def test_each_process_rechecks_the_station_version_only_after_its_ttl(app, client, cli):
    app.config["STATIONS_VERSION_TTL"] = 3600
    try:
        before = client.get("/api/v1/stations").headers["ETag"]
        cli("stations", "import", "stations/data/gz_streets_2023_addendum.csv")
        assert client.get("/api/v1/stations").headers["ETag"] == before
        app.config["STATIONS_VERSION_TTL"] = 0
        assert client.get("/api/v1/stations").headers["ETag"] != before
    finally:
        app.config["STATIONS_VERSION_TTL"] = 0


def test_geojson_holds_only_located_stations_in_wgs84_by_default(client):
    response = client.get("/api/v1/stations.geojson")
    assert response.mimetype == "application/geo+json"
    collection = response.json
    assert collection["type"] == "FeatureCollection" and collection["crs"] == "wgs84"
    assert len(collection["features"]) == 162
    wushan = next(f for f in collection["features"] if f["id"] == "440106001000")
    assert wushan["geometry"] == {"type": "Point", "coordinates": [113.34684, 23.15888]}
    assert wushan["properties"]["name"] == "五山街道"


def test_geojson_in_gcj02_for_chinese_map_sdks(client):
    collection = client.get("/api/v1/stations.geojson?crs=gcj02&district=天河区").json
    assert collection["crs"] == "gcj02"
    shahe = next(f for f in collection["features"] if f["properties"]["name"] == "天园街道")
    assert shahe["geometry"]["coordinates"] == [113.36895, 23.123617]
    assert len(collection["features"]) == 19


def test_districts_are_the_eleven_of_guangzhou_with_their_station_counts(client):
    body = client.get("/api/v1/districts").json
    assert body["total"] == 11
    by_name = {d["name"]: d for d in body["items"]}
    assert by_name["白云区"] == {
        "code": "440111",
        "name": "白云区",
        "station_count": 24,
        "stations_without_location": 6,
    }
    assert sum(d["station_count"] for d in body["items"]) == 176
