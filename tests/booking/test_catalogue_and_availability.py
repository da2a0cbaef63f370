"""The catalogue is data, each station has its own hours and places per service, and residents
see the next 7 days of slots with places left, in Beijing time, for a station or the nearest one."""

from datetime import date, timedelta

from sqlalchemy import delete, func, select

from app.clock import today_in_beijing
from app.extensions import db
from booking.models import StationOffer
from tests.factories import STATION_A, STATION_A_GCJ02, STATION_B, slot_start

HOURS = {"opens_at": "09:00", "closes_at": "17:00", "slot_minutes": 240, "capacity": 2, "weekdays": "12345"}


def test_the_catalogue_lists_the_services_in_the_words_workers_use(client):
    names = {s["code"]: s["name"] for s in client.get("/api/v1/services").json["items"]}
    assert {"保洁", "育婴", "养老护理", "月嫂", "家电清洗"} <= set(names.values())
    assert names["cleaning"] == "保洁"


def test_a_station_lists_its_offers_with_hours_slot_length_and_places(client):
    offers = client.get(f"/api/v1/stations/{STATION_A}/offers").json["items"]
    cleaning = next(o for o in offers if o["service"]["code"] == "cleaning")
    assert (cleaning["opens_at"], cleaning["closes_at"], cleaning["slot_minutes"], cleaning["capacity"]) == (
        "08:00:00",
        "18:00:00",
        120,
        3,
    )
    assert client.get("/api/v1/stations/440106999000/offers").status_code == 404


def test_availability_gives_seven_days_of_future_slots_in_beijing_time(client):
    response = client.get(f"/api/v1/availability?service=cleaning&station={STATION_A}")
    assert response.status_code == 200
    days = response.json["days"]
    assert [d["date"] for d in days] == [(today_in_beijing() + timedelta(days=n)).isoformat() for n in range(7)]
    tomorrow = days[1]["slots"]
    assert [s["starts_at"][11:16] for s in tomorrow] == ["08:00", "10:00", "12:00", "14:00", "16:00"]
    assert all(s["starts_at"].endswith("+08:00") and s["remaining"] == 3 for s in tomorrow)


def test_remaining_places_count_down_as_residents_book(client, booked):
    booked()
    booked()
    days = client.get(f"/api/v1/availability?service=cleaning&station={STATION_A}").json["days"]
    slot = next(s for s in days[1]["slots"] if s["starts_at"] == slot_start().isoformat())
    assert (slot["capacity"], slot["remaining"]) == (3, 1)


def test_availability_for_a_point_uses_the_nearest_station_offering_the_service(client):
    query = "&".join(f"{k}={v}" for k, v in STATION_A_GCJ02.items())
    response = client.get(f"/api/v1/availability?service=cleaning&{query}")
    assert response.status_code == 200
    assert response.json["station"]["code"] == STATION_A
    assert response.json["station"]["location"]["crs"] == "gcj02"


def test_availability_input_is_checked(client):
    assert "lat" in client.get("/api/v1/availability?service=cleaning").json["errors"]
    assert client.get(f"/api/v1/availability?service=nothing&station={STATION_A}").status_code == 404
    response = client.get(f"/api/v1/availability?service=cleaning&station={STATION_A}&lat=23&lng=113")
    assert response.status_code == 422 and "station" in response.json["errors"]
    assert "day" in client.get(f"/api/v1/availability?service=cleaning&station={STATION_A}&day=1").json["errors"]


def test_staff_set_their_own_stations_hours_and_others_get_403(client, staff):
    clerk = staff()
    response = client.put(f"/api/v1/stations/{STATION_A}/offers/cleaning", json=HOURS, headers=clerk)
    assert response.status_code == 200 and response.json["capacity"] == 2
    days = client.get(f"/api/v1/availability?service=cleaning&station={STATION_A}").json["days"]
    for day in days[1:]:
        weekday = date.fromisoformat(day["date"]).isoweekday()
        assert [s["starts_at"][11:16] for s in day["slots"]] == (["09:00", "13:00"] if weekday <= 5 else [])
    other = staff(STATION_B)
    assert client.put(f"/api/v1/stations/{STATION_A}/offers/cleaning", json=HOURS, headers=other).status_code == 403
    assert client.put(f"/api/v1/stations/{STATION_A}/offers/cleaning", json=HOURS).status_code == 401


def test_hours_are_validated_field_by_field(client, staff):
    clerk = staff()
    url = f"/api/v1/stations/{STATION_A}/offers/cleaning"
    for change, field in [
        ({"slot_minutes": 45}, "slot_minutes"),
        ({"closes_at": "08:00"}, "closes_at"),
        ({"opens_at": "09:10"}, "opens_at"),
        ({"weekdays": "118"}, "weekdays"),
        ({"capacity": 0}, "capacity"),
    ]:
        response = client.put(url, json=HOURS | change, headers=clerk)
        assert response.status_code == 422 and field in response.json["errors"], change
    assert client.put(f"/api/v1/stations/{STATION_A}/offers/ironing", json=HOURS, headers=clerk).status_code == 422


def test_lowering_capacity_keeps_the_places_already_booked(client, staff, booked):
    booked()
    booked()
    client.put(
        f"/api/v1/stations/{STATION_A}/offers/cleaning",
        json=HOURS | {"slot_minutes": 120, "capacity": 1, "opens_at": "08:00", "weekdays": "1234567"},
        headers=staff(),
    )
    days = client.get(f"/api/v1/availability?service=cleaning&station={STATION_A}").json["days"]
    slot = next(s for s in days[1]["slots"] if s["starts_at"] == slot_start().isoformat())
    assert (slot["capacity"], slot["remaining"]) == (2, 0)


def test_closing_a_day_with_open_bookings_is_refused_until_they_are_handled(client, staff, booked, act):
    booking, _ = booked()
    clerk = staff()
    url = f"/api/v1/stations/{STATION_A}/closed-days/{slot_start().date().isoformat()}"
    refused = client.put(url, json={"reason": "站点培训"}, headers=clerk)
    assert refused.status_code == 409 and str(booking["id"]) in refused.json["errors"]["day"][0]
    act(booking["id"], "reject", clerk, {"reason": "站点培训，请改约"})
    assert client.put(url, json={"reason": "站点培训"}, headers=clerk).status_code == 200
    days = client.get(f"/api/v1/availability?service=cleaning&station={STATION_A}").json["days"]
    assert (days[1]["closed"], days[1]["closed_reason"], days[1]["slots"]) == (True, "站点培训", [])
    assert client.get(f"/api/v1/stations/{STATION_A}/closed-days").json["items"][0]["reason"] == "站点培训"
    assert client.delete(url, headers=clerk).status_code == 204
    assert client.get(f"/api/v1/stations/{STATION_A}/closed-days").json["total"] == 0


def test_a_closed_day_cannot_be_booked(client, staff, book):
    url = f"/api/v1/stations/{STATION_A}/closed-days/{slot_start().date().isoformat()}"
    assert client.put(url, json={"reason": "国庆"}, headers=staff()).status_code == 200
    response, _ = book()
    assert response.status_code == 422 and "不营业" in response.json["errors"]["starts_at"][0]
    assert (
        client.put(
            url.replace(slot_start().date().isoformat(), "soon"), json={"reason": "x"}, headers=staff()
        ).status_code
        == 422
    )


def test_the_defaults_command_seeds_every_station_once(cli, app):
    with app.app_context():
        db.session.execute(delete(StationOffer).where(StationOffer.station_code == STATION_B))
        db.session.commit()
    first = cli("booking", "defaults")
    assert first.exit_code == 0 and "station offers created: 6" in first.output
    second = cli("booking", "defaults")
    assert "services created: 0  station offers created: 0" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(StationOffer.station_code == STATION_B)) == 6


def test_a_station_shows_the_services_it_offers(client):
    station = client.get(f"/api/v1/stations/{STATION_A}").json
    assert station["services"] == [
        {"code": "appliance_cleaning", "name": "家电清洗"},
        {"code": "childcare", "name": "育婴"},
        {"code": "cleaning", "name": "保洁"},
        {"code": "cooking", "name": "做饭"},
        {"code": "elderly_care", "name": "养老护理"},
        {"code": "maternity", "name": "月嫂"},
    ]
    nearest = client.get("/api/v1/stations/nearest", query_string=STATION_A_GCJ02 | {"limit": 1}).json
    assert nearest["items"][0]["services"] == station["services"]


CLEANING = {"code": "cleaning", "name": "保洁"}


def test_a_service_switched_off_leaves_the_stations_list_and_the_map_at_once(client, staff):
    before = client.get("/api/v1/stations")
    url = f"/api/v1/stations/{STATION_A}/offers/cleaning"
    assert client.put(url, json=HOURS | {"active": False}, headers=staff()).status_code == 200
    assert CLEANING not in client.get(f"/api/v1/stations/{STATION_A}").json["services"]
    nearest = client.get("/api/v1/stations/nearest", query_string=STATION_A_GCJ02 | {"limit": 1}).json
    assert CLEANING not in nearest["items"][0]["services"]
    assert client.get("/api/v1/stations", headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


def test_a_day_gone_by_cannot_be_closed(client, staff):
    yesterday = (today_in_beijing() - timedelta(days=1)).isoformat()
    response = client.put(
        f"/api/v1/stations/{STATION_A}/closed-days/{yesterday}", json={"reason": "x"}, headers=staff()
    )
    assert response.status_code == 422 and response.json["code"] == "day_in_the_past"
    assert list(response.json["errors"]) == ["day"]


def test_availability_for_an_unknown_station_says_there_is_no_such_station(client):
    response = client.get("/api/v1/availability?service=cleaning&station=440106999000")
    assert response.status_code == 404 and response.json["code"] == "unknown_station"
    assert list(response.json["errors"]) == ["station"]


def test_availability_for_a_point_outside_guangzhou_says_so(client):
    response = client.get("/api/v1/availability?service=cleaning&lat=39.9042&lng=116.4074&crs=wgs84")
    assert response.status_code == 422 and response.json["code"] == "outside_service_area"
    assert set(response.json["errors"]) == {"lat", "lng"}
