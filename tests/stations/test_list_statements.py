"""Every list of stations costs the same SQL statements for 1 row as for 50 (or for all of them):
no query per row."""

import pytest


def statements_for(client, count_statements, url):
    client.get(url)  # the process's nearest index is built at the first question, not per row
    with count_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), response.json


@pytest.mark.parametrize(
    ("few", "many", "rows"),
    [
        ("/api/v1/stations?per_page=1", "/api/v1/stations?per_page=50", lambda body: len(body["items"])),
        ("/api/v1/stations.geojson?district=440117", "/api/v1/stations.geojson", lambda body: len(body["features"])),
        (
            "/api/v1/stations/nearest?lat=23.13&lng=113.32&limit=1",
            "/api/v1/stations/nearest?lat=23.13&lng=113.32&limit=20",
            lambda body: len(body["items"]),
        ),
        ("/api/v1/districts", "/api/v1/districts", lambda body: sum(d["station_count"] for d in body["items"])),
    ],
)
def test_a_list_costs_the_same_statements_for_1_row_as_for_50(client, count_statements, few, many, rows):
    few_statements, few_body = statements_for(client, count_statements, few)
    many_statements, many_body = statements_for(client, count_statements, many)
    assert rows(few_body) < rows(many_body) or few == many
    assert rows(many_body) >= 20
    assert few_statements == many_statements
