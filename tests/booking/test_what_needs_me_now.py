"""A station's staff see in one answer what needs them now: bookings waiting to be confirmed,
follow-up calls due and complaints past or near their deadline, each with its count; and hear of
each new booking and complaint by subscribe message, once the request has committed."""

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from tests.factories import STATION_A, plan_nodes, statements_with_parameters
from wechat.models import SubscribeMessage

DESK = f"/api/v1/stations/{STATION_A}/desk"


@pytest.fixture
def kinds_sent_to(app, client):
    def read(headers):
        user_id = client.get("/api/v1/me", headers=headers).json["id"]
        with app.app_context():
            return list(
                db.session.scalars(
                    select(SubscribeMessage.kind)
                    .where(SubscribeMessage.user_id == user_id)
                    .order_by(SubscribeMessage.id)
                )
            )

    return read


def test_the_desk_lists_unconfirmed_bookings_follow_ups_due_and_complaints_near_their_deadline(
    booked, completed, act, staff, client
):
    clerk = staff()
    first, _ = booked()
    second, _ = booked()
    act(second["id"], "confirm", clerk)
    done, resident, _, _ = completed()
    complaint = client.post(
        f"/api/v1/bookings/{done['id']}/complaints", json={"type": "theft", "text": "丢了东西"}, headers=resident
    ).json
    desk = client.get(DESK, headers=clerk).json
    assert (desk["unconfirmed"]["total"], [b["id"] for b in desk["unconfirmed"]["items"]]) == (1, [first["id"]])
    assert [b["id"] for b in desk["follow_ups_due"]["items"]] == [done["id"]]
    # a serious complaint must be accepted within 2 hours: within the 4 hours the desk looks ahead
    [due] = desk["complaints_due"]["items"]
    assert (due["id"], due["overdue"], desk["near_hours"]) == (complaint["id"], False, 4)
    with time_machine.travel(timedelta(hours=3)):
        assert client.get(DESK, headers=clerk).json["complaints_due"]["items"][0]["overdue"] is True


def test_a_booking_served_more_than_30_days_ago_is_no_longer_due_for_its_follow_up(completed, staff, client):
    """The station's 回访 window (FOLLOW_UP_WINDOW_DAYS): a booking whose service began 29 days ago
    is still due, one of 31 days ago is not, in the desk's list and its count."""
    done, _, _, _ = completed()
    starts_at = datetime.fromisoformat(done["starts_at"])
    for days, due in ((29, [done["id"]]), (31, [])):
        with time_machine.travel(starts_at + timedelta(days=days)):
            desk = client.get(DESK, headers=staff()).json["follow_ups_due"]
            assert ([b["id"] for b in desk["items"]], desk["total"]) == (due, len(due))


def test_the_desk_shows_as_many_rows_as_asked_and_counts_them_all(booked, staff, client):
    for _ in range(3):
        booked()
    desk = client.get(DESK, headers=staff(), query_string={"limit": 2}).json
    assert (desk["unconfirmed"]["total"], len(desk["unconfirmed"]["items"])) == (3, 2)


@pytest.mark.parametrize("limit", [0, 51, "many"])
def test_a_desk_limit_out_of_range_is_refused_naming_it(staff, client, limit):
    response = client.get(DESK, headers=staff(), query_string={"limit": limit})
    assert response.status_code == 422 and "limit" in response.json["errors"]


def test_the_desk_is_for_the_stations_own_staff(staff, login, client):
    assert client.get(DESK, headers=staff("440106002000")).status_code == 403
    assert client.get(DESK, headers=login()).status_code == 403
    assert client.get(DESK, headers=login("operator")).status_code == 200
    assert client.get("/api/v1/stations/440106999999/desk", headers=login("operator")).status_code == 404


def test_the_stations_staff_hear_of_a_new_booking_and_other_stations_do_not(book, staff, kinds_sent_to):
    clerk, elsewhere = staff(), staff("440106002000")
    response, _ = book(key="desk-message-key")
    assert response.status_code == 201
    assert kinds_sent_to(clerk) == ["station_booking"]
    assert kinds_sent_to(elsewhere) == []


def test_a_retried_booking_tells_the_station_once_and_a_refused_one_not_at_all(book, booked, staff, kinds_sent_to):
    clerk = staff()
    _, headers = book(key="retried-desk-key")
    book(headers=headers, key="retried-desk-key")
    for _ in range(2):  # three places in a cleaning slot: the third is already taken by the first
        booked()
    refused, _ = book()
    assert refused.status_code == 409
    assert kinds_sent_to(clerk) == ["station_booking"] * 3


def test_a_booking_called_back_leaves_the_follow_ups_due_which_read_only_the_bookings_still_due(
    completed, staff, client, isolated
):
    """The desk's list and count of follow-ups due, on PostgreSQL's plan: the station's bookings
    still due are read from their own index, and no follow-up of the city is looked up."""
    called, _, clerk, _ = completed()
    due, _, _, _ = completed()
    assert client.post(f"/api/v1/bookings/{called['id']}/follow-up", json={"satisfied": True}, headers=clerk)
    with statements_with_parameters(isolated) as sent:
        desk = client.get(DESK, headers=clerk).json["follow_ups_due"]
    assert ([b["id"] for b in desk["items"]], desk["total"]) == ([due["id"]], 1)
    if isolated.dialect.name == "postgresql":
        read = [
            (node.get("Relation Name"), node.get("Index Name"), node["Actual Rows"])
            for statement, parameters in sent
            if "count(" in statement and "follow_up" in statement  # the count of follow-ups due
            for node in plan_nodes(isolated, statement, parameters)
            if node.get("Relation Name") in ("bookings", "booking_follow_ups")
        ]
        assert read == [("bookings", "ix_bookings_station_follow_up_due", 1)]


def test_the_follow_ups_due_are_the_same_statements_at_any_hour_with_their_status_and_sizes_written_in(
    completed, staff, client, isolated
):
    """The desk's follow-ups due send the same statement texts an hour later (their window moves
    with the clock), so that the database plans them once for every station and hour (a prepared
    statement's generic plan). The completed status and the page's LIMIT are written in the text,
    not sent as parameters: a plan made for any status cannot read the index of the completed
    bookings not yet called back, and at the city's size PostgreSQL planned the page's joins anew
    on every request."""
    due, _, clerk, _ = completed()
    texts = []
    for hours_later in (0, 1):
        with time_machine.travel(datetime.now().astimezone() + timedelta(hours=hours_later)):
            with statements_with_parameters(isolated) as sent:
                desk = client.get(DESK, headers=clerk).json["follow_ups_due"]
        assert ([b["id"] for b in desk["items"]], desk["total"]) == ([due["id"]], 1)
        texts.append([statement for statement, _ in sent if "bookings.starts_at >=" in statement])  # the window
    assert texts[0] == texts[1] and len(texts[0]) == 2  # the count and the page
    count, page = texts[0]
    assert "'completed'" in count and "'completed'" in page
    assert "LIMIT 10 OFFSET 0" in page  # the desk shows the first 10
