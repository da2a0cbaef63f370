"""A list costs the same number of SQL statements at 1 row as at 50: what each row shows (its
service, worker and company, rating, station name) is loaded with the page, never one query per
row. Each test counts every list at 1 row, adds 49 rows, and counts again."""

from datetime import timedelta

from sqlalchemy import update

from app.clock import today_in_beijing
from app.extensions import db
from booking.models import Service, StationOffer
from tests.factories import STATION_A, STATION_B, slot_start

ROWS = 50


def statements_of(client, count_statements, path, headers=None) -> tuple[int, int]:
    """(SQL statements, items listed) of GET `path`."""
    with count_statements() as statements:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, response.json
    return len(statements), len(response.json["items"])


def row_slot(row: int):
    """Distinct cleaning slots on days 1 to 5 (two bookings each), so day 6 stays free."""
    return slot_start(1 + row % 5, 8 + 2 * (row // 5 % 5))


def test_booking_and_complaint_lists_and_assignable_workers_cost_the_same_at_1_and_at_50_rows(
    client, count_statements, completed, booked, act, staff
):
    clerk = staff()
    target, _ = booked(starts_at=slot_start(6, 8))  # its assignable workers are the rows' workers
    assert act(target["id"], "confirm", clerk).status_code == 200
    resident = None

    def add_row(row: int) -> None:
        nonlocal resident
        booking, resident, _, _ = completed(headers=resident, starts_at=row_slot(row))
        path = f"/api/v1/bookings/{booking['id']}"
        assert (
            client.post(f"{path}/rating", json={"stars": 1 + row % 5, "text": "好"}, headers=resident).status_code
            == 201
        )
        assert (
            client.post(f"{path}/complaints", json={"type": "lateness", "text": "迟到"}, headers=resident).status_code
            == 201
        )

    def counts() -> dict[str, tuple[int, int]]:
        lists = {
            "resident's bookings": ("/api/v1/bookings?per_page=200", resident),
            "station's bookings": (f"/api/v1/stations/{STATION_A}/bookings?per_page=200&status=completed", clerk),
            "station complaints": (f"/api/v1/stations/{STATION_A}/complaints?per_page=200", clerk),
            "assignable workers": (f"/api/v1/bookings/{target['id']}/assignable-workers", clerk),
        }
        return {name: statements_of(client, count_statements, path, headers) for name, (path, headers) in lists.items()}

    add_row(0)
    at_one = counts()
    for row in range(1, ROWS):
        add_row(row)
    at_fifty = counts()
    assert {name: rows for name, (_, rows) in at_one.items()} == dict.fromkeys(at_one, 1)
    assert {name: rows for name, (_, rows) in at_fifty.items()} == dict.fromkeys(at_one, ROWS)
    assert {name: statements for name, (statements, _) in at_fifty.items()} == {
        name: statements for name, (statements, _) in at_one.items()
    }


def test_services_offers_and_closed_days_cost_the_same_at_1_and_at_50_rows(client, count_statements, app, staff):
    clerk = staff(STATION_B)
    with app.app_context():
        db.session.execute(update(Service).values(active=False))
        db.session.execute(update(Service).where(Service.code == "cleaning").values(active=True))
        db.session.execute(
            StationOffer.__table__.delete().where(
                StationOffer.station_code == STATION_B, StationOffer.service_code != "cleaning"
            )
        )
        db.session.commit()
    lists = ("/api/v1/services", f"/api/v1/stations/{STATION_B}/offers", f"/api/v1/stations/{STATION_B}/closed-days")

    def close(offset: int) -> None:
        day = today_in_beijing() + timedelta(days=10 + offset)
        assert (
            client.put(
                f"/api/v1/stations/{STATION_B}/closed-days/{day}", json={"reason": "培训"}, headers=clerk
            ).status_code
            == 200
        )

    close(0)
    at_one = [statements_of(client, count_statements, path) for path in lists]
    with app.app_context():
        db.session.add_all(Service(code=f"extra_{n}", name=f"服务{n}", typical_minutes=60) for n in range(1, ROWS))
        db.session.commit()
    hours = {"opens_at": "08:00", "closes_at": "18:00", "slot_minutes": 60, "capacity": 1}
    for n in range(1, ROWS):
        assert (
            client.put(f"/api/v1/stations/{STATION_B}/offers/extra_{n}", json=hours, headers=clerk).status_code == 200
        )
        close(n)
    at_fifty = [statements_of(client, count_statements, path) for path in lists]
    assert [rows for _, rows in at_one] == [1, 1, 1]
    assert [rows for _, rows in at_fifty] == [ROWS, ROWS, ROWS]
    assert [statements for statements, _ in at_fifty] == [statements for statements, _ in at_one]


def test_any_page_of_a_stations_bookings_is_four_statements_first_or_by_cursor(
    client, count_statements, completed, staff
):
    """The caller's session, the station, the count and the page itself, with each booking's
    worker, company, rating and caller joined to it: nothing more per row, nor for a page found
    by cursor however deep."""
    clerk = staff()
    resident = None
    for row in range(ROWS):
        booking, resident, _, _ = completed(headers=resident, starts_at=row_slot(row))
        rated = client.post(f"/api/v1/bookings/{booking['id']}/rating", json={"stars": 5}, headers=resident)
        assert rated.status_code == 201
    path = f"/api/v1/stations/{STATION_A}/bookings?per_page=20"
    listed = [statements_of(client, count_statements, path, clerk)]
    page = client.get(path, headers=clerk).json
    while page["next"]:
        listed.append(statements_of(client, count_statements, f"{path}&cursor={page['next']}", clerk))
        page = client.get(f"{path}&cursor={page['next']}", headers=clerk).json
    assert listed == [(4, 20), (4, 20), (4, 10)]
    assert page["total"] == ROWS
    assert all(item["worker"]["name"] and item["rating"]["stars"] == 5 for item in page["items"])
    starts = [item["starts_at"] for item in page["items"]]
    assert starts == sorted(starts)
