"""What the console's pages show, read without a browser: the dashboard's figures, the desk's
filters and paging, the masking of the API's own schemas."""

import json
import re

from tests.factories import STATION_A


def figures_of(page) -> dict:
    found = re.search(r'<script type="application/json" id="figures">(.*?)</script>', page, re.S)
    assert found, "the dashboard carries no figures"
    return json.loads(found.group(1))


def test_the_dashboard_draws_every_located_station_and_each_district(client, console_session, booked):
    booked()
    console_session(client, "operator")
    figures = figures_of(client.get("/console/dashboard").get_data(as_text=True))
    assert len(figures["districts"]) == 11 and "天河区" in figures["districts"]
    assert len(figures["stations"]) > 150
    assert all(113 < lng < 115 and 22 < lat < 24 for lng, lat in (s["value"] for s in figures["stations"]))
    assert figures["bookings_by_district"][figures["districts"].index("天河区")] >= 1
    outlines = client.get("/console/districts.geojson")
    assert outlines.status_code == 200 and len(outlines.json["features"]) == 11


def test_the_desk_filters_by_day_and_status_and_pages(client, console_session, booked):
    first, _ = booked()
    booked()
    console_session(client, "station_staff", station_code=STATION_A)
    day = first["starts_at"][:10]
    page = client.get(f"/console/desk?date={day}&per_page=1").get_data(as_text=True)
    assert "共 2 条，第 1 / 2 页" in page and page.count('data-status="pending"') == 1
    assert 'data-status="pending"' not in client.get(f"/console/desk?date={day}&status=confirmed").get_data(
        as_text=True
    )
    refused = client.get("/console/desk?per_page=5000")
    assert refused.status_code == 422 and "per_page" in refused.get_data(as_text=True)
