"""Codes typed or pasted with whitespace around them are read as the code; what still has the
wrong shape is a 422 naming the field, never a 500 from a column too short for it."""

import logging

import pytest

from app.blueprint import ApiBlueprint
from booking.schemas import ClosedDayInputSchema
from tests.factories import STATION_A, booking_body, key_header, slot_start

HOURS = {"opens_at": "08:00", "closes_at": "18:00", "slot_minutes": 120, "capacity": 2}


@pytest.mark.parametrize("typed, stored", [("1234567\n", "1234567"), (" 12345 ", "12345")])
def test_weekdays_with_whitespace_around_them_are_stored_as_the_digits(client, staff, typed, stored):
    response = client.put(
        f"/api/v1/stations/{STATION_A}/offers/cleaning", json=HOURS | {"weekdays": typed}, headers=staff()
    )
    assert response.status_code == 200, response.json
    assert response.json["weekdays"] == stored


@pytest.mark.parametrize("typed", ["123\n45", "1234567\n1", "11"])
def test_weekdays_with_anything_between_or_after_the_digits_are_a_422(client, staff, typed):
    response = client.put(
        f"/api/v1/stations/{STATION_A}/offers/cleaning", json=HOURS | {"weekdays": typed}, headers=staff()
    )
    assert response.status_code == 422 and list(response.json["errors"]) == ["weekdays"]


def test_a_station_code_with_a_trailing_newline_books_that_station(client, resident):
    response = client.post(
        "/api/v1/bookings", json=booking_body(station_code=STATION_A + "\n"), headers=resident() | key_header()
    )
    assert response.status_code == 201, response.json
    assert response.json["station_code"] == STATION_A


def test_a_value_the_schemas_let_through_but_the_column_refuses_is_a_422_logged_as_a_defect(
    app, client, staff, monkeypatch, caplog
):
    """The safety net under the schemas: PostgreSQL refuses a value longer than its column
    (SQLite stores it), and the answer is still a 422, the log naming the table, never the value."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite does not enforce a column's length")
    monkeypatch.setattr(ClosedDayInputSchema._declared_fields["reason"], "validators", [])
    # The parser keeps one instance of each schema: this test's is made afresh from the patched class.
    monkeypatch.setattr(ApiBlueprint.ARGUMENTS_PARSER, "_schemas", {})
    url = f"/api/v1/stations/{STATION_A}/closed-days/{slot_start().date().isoformat()}"
    with caplog.at_level(logging.ERROR, logger="app.errors"):
        response = client.put(url, json={"reason": "秘密" * 150}, headers=staff())
    assert response.status_code == 422 and response.json["code"] == "value_does_not_fit"
    [record] = [r for r in caplog.records if r.name == "app.errors"]
    assert "station_closed_days" in record.getMessage() and "秘密" not in record.getMessage()
