"""A station's clerk pages through its bookings by cursor: following `next` from the first page,
and `previous` back, lists every booking once in slot order (bookings of the same slot by id),
with the list's filters; a cursor the list did not give is a 422 naming it; `page` reaches only
the first 1,000 rows; the total is counted up to 1,000 and says when it stopped there."""

import pytest

from app.paging import encode_cursor
from tests.factories import STATION_A, plan_nodes, slot_start, statements_with_parameters

URL = f"/api/v1/stations/{STATION_A}/bookings"


@pytest.fixture
def station_bookings(booked, staff, act):
    """Eleven bookings on three days, two in most slots (ties of start), the ones on day 2
    confirmed; booked out of their slots' order. The ids in slot order, and the confirmed ones."""
    clerk = staff()
    made, confirmed = [], []
    slots = [(3, 8), (1, 10), (2, 8), (1, 8), (3, 8), (2, 8), (1, 10), (2, 12), (1, 8), (3, 10), (2, 12)]
    for days_ahead, hour in slots:
        booking, _ = booked(starts_at=slot_start(days_ahead, hour))
        made.append((days_ahead, hour, booking["id"]))
        if days_ahead == 2:
            assert act(booking["id"], "confirm", clerk).status_code == 200
            confirmed.append(booking["id"])
    in_order = [booking_id for *_, booking_id in sorted(made)]
    return in_order, [booking_id for booking_id in in_order if booking_id in confirmed]


def walk(client, clerk, **query) -> tuple[list[int], list[int]]:
    """The ids of every page by `next` from the first page, and of every page by `previous` back."""
    pages = [client.get(URL, query_string=query, headers=clerk).json]
    while pages[-1]["next"]:
        pages.append(client.get(URL, query_string=query | {"cursor": pages[-1]["next"]}, headers=clerk).json)
    forward = [booking["id"] for page in pages for booking in page["items"]]
    page, backward = pages[-1], [booking["id"] for booking in pages[-1]["items"]]
    while page["previous"]:
        page = client.get(URL, query_string=query | {"cursor": page["previous"]}, headers=clerk).json
        backward = [booking["id"] for booking in page["items"]] + backward
    return forward, backward


@pytest.mark.parametrize("per_page", [1, 2, 4])
def test_following_next_and_previous_lists_every_booking_once_in_slot_order(client, staff, station_bookings, per_page):
    every, _ = station_bookings
    forward, backward = walk(client, staff(), per_page=per_page)
    assert forward == every and backward == every


def test_the_cursors_keep_the_lists_filters(client, staff, station_bookings):
    _, confirmed = station_bookings
    clerk = staff()
    forward, backward = walk(client, clerk, per_page=2, status="confirmed")
    assert forward == confirmed and backward == confirmed
    day = slot_start(2).date().isoformat()
    assert walk(client, clerk, per_page=3, date=day)[0] == confirmed


def test_a_page_found_by_cursor_has_no_number_and_the_cursors_of_its_neighbours(client, staff, station_bookings):
    every, _ = station_bookings
    clerk = staff()
    first = client.get(URL, query_string={"per_page": 4}, headers=clerk).json
    assert first["page"] == 1 and first["previous"] is None and first["next"]
    second = client.get(URL, query_string={"per_page": 4, "cursor": first["next"]}, headers=clerk).json
    assert second["page"] is None and second["previous"] and second["next"]
    assert [b["id"] for b in second["items"]] == every[4:8]
    by_number = client.get(URL, query_string={"per_page": 4, "page": 2}, headers=clerk).json
    assert by_number["items"] == second["items"] and by_number["page"] == 2
    assert first["total"] == second["total"] == len(every) and first["total_is_lower_bound"] is False


def test_the_total_stops_at_the_cap_and_says_so(app, client, staff, station_bookings, monkeypatch):
    """Past the cap a clerk reads "more than N": the count does not read the station's history."""
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 5)
    clerk = staff()
    answer = client.get(URL, query_string={"per_page": 4}, headers=clerk).json
    assert answer["total"] == 5 and answer["total_is_lower_bound"] is True
    day = slot_start(1).date().isoformat()
    one_day = client.get(URL, query_string={"date": day}, headers=clerk).json
    assert one_day["total"] == 4 and one_day["total_is_lower_bound"] is False
    assert walk(client, clerk, per_page=4)[0] == station_bookings[0]


@pytest.mark.parametrize(
    "cursor",
    [
        "v1.not-base64!",
        encode_cursor(["earliest", "after"]),  # no key
        encode_cursor(["latest", "after", "2026-12-01T00:00:00+00:00", 3]),  # the desk's other order
        encode_cursor(["earliest", "after", "2026-12-01T00:00:00", 3]),  # a moment without its offset
        encode_cursor(["earliest", "after", "tomorrow", 3]),
        encode_cursor(["earliest", "after", "2026-12-01T00:00:00+00:00", "3"]),
        encode_cursor(["earliest", "after", "2026-12-01T00:00:00+00:00", 2**63]),
        "v1." + "A" * 300,
    ],
)
def test_a_cursor_the_list_did_not_give_is_a_422_naming_it(client, staff, cursor):
    answer = client.get(URL, query_string={"cursor": cursor}, headers=staff())
    assert answer.status_code == 422 and answer.json["code"] == "invalid_cursor"
    assert list(answer.json["errors"]) == ["cursor"]


def test_page_numbers_reach_only_the_first_thousand_bookings_and_never_beside_a_cursor(client, staff, station_bookings):
    clerk = staff()
    assert client.get(URL, query_string={"page": 50, "per_page": 20}, headers=clerk).status_code == 200
    deep = client.get(URL, query_string={"page": 51, "per_page": 20}, headers=clerk)
    assert deep.status_code == 422 and list(deep.json["errors"]) == ["page"]
    first = client.get(URL, query_string={"per_page": 2}, headers=clerk).json
    both = client.get(URL, query_string={"page": 1, "cursor": first["next"]}, headers=clerk)
    assert both.status_code == 422 and list(both.json["errors"]) == ["cursor"]


def test_the_last_page_by_cursor_reads_the_index_entries_of_its_own_rows_only(
    client, staff, station_bookings, isolated
):
    """PostgreSQL's plan of the page: a range of the station's index from the cursor's row, the
    page's rows and the one after them, not every booking before the page (an OFFSET's walk)."""
    if isolated.dialect.name != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    clerk = staff()
    page = client.get(URL, query_string={"per_page": 2}, headers=clerk).json
    while page["next"]:
        with statements_with_parameters(isolated) as sent:
            page = client.get(URL, query_string={"per_page": 2, "cursor": page["next"]}, headers=clerk).json
    (listing,) = [(statement, parameters) for statement, parameters in sent if "JOIN booking_services" in statement]
    read = [
        node["Actual Rows"] * node["Actual Loops"]
        for node in plan_nodes(isolated, *listing)
        if node.get("Index Name") == "ix_bookings_station_starts_at_id"
    ]
    assert read and max(read) <= 2 + 1 and len(page["items"]) == 1
