"""Station staff see whom they could assign to a booking: workers with an issued, green
certificate who offer the service and are free at that time, with masked names and stars. Only
the booking's own station (and operators) may look."""

import pytest

from tests.factories import STATION_B, slot_start


def assignable(client, booking_id, headers):
    return client.get(f"/api/v1/bookings/{booking_id}/assignable-workers", headers=headers)


def listed_ids(response) -> set[int]:
    assert response.status_code == 200, response.json
    return {worker["id"] for worker in response.json["items"]}


def test_staff_see_green_workers_offering_the_service_with_masked_names_and_stars(
    booked, act, staff, green_worker, make_applicant, step, client, operator
):
    booking, _ = booked()
    clerk = staff()
    act(booking["id"], "confirm", clerk)
    cleaner = green_worker()
    carer = green_worker(service_types=["elderly_care"])
    suspended = green_worker()
    step(suspended["id"], "suspend", {"reason": "严重投诉调查中"})
    applicant = make_applicant()
    response = assignable(client, booking["id"], clerk)
    ids = listed_ids(response)
    assert cleaner["id"] in ids
    assert not ids & {carer["id"], suspended["id"], applicant["id"]}
    shown = next(worker for worker in response.json["items"] if worker["id"] == cleaner["id"])
    stars = client.get(f"/api/v1/workers/{cleaner['id']}", headers=operator).json["stars"]
    assert (shown["name"], shown["stars"]) == ("张*梅", stars)
    assert response.json["total"] == len(response.json["items"])


def test_a_worker_busy_at_that_time_is_not_listed_but_is_for_a_later_slot(assigned, booked, act, client):
    _, _, clerk, worker = assigned()
    same_time, _ = booked()
    later, _ = booked(starts_at=slot_start(hour=12))
    for booking in (same_time, later):
        act(booking["id"], "confirm", clerk)
    assert worker["id"] not in listed_ids(assignable(client, same_time["id"], clerk))
    assert worker["id"] in listed_ids(assignable(client, later["id"], clerk))


def test_the_assigned_worker_is_listed_for_a_reassignment(assigned, client):
    booking, _, clerk, worker = assigned()
    assert worker["id"] in listed_ids(assignable(client, booking["id"], clerk))


def test_staff_of_another_station_get_404_and_residents_403(booked, act, staff, client, operator):
    booking, headers = booked()
    act(booking["id"], "confirm", staff())
    assert assignable(client, booking["id"], staff(STATION_B)).status_code == 404
    assert assignable(client, booking["id"], headers).status_code == 403
    assert assignable(client, booking["id"], operator).status_code == 200
    assert assignable(client, 999999, operator).status_code == 404


def test_a_booking_that_cannot_be_assigned_is_a_409_naming_its_status(booked, staff, client):
    pending, _ = booked()
    response = assignable(client, pending["id"], staff())
    assert response.status_code == 409 and response.json["errors"]["status"] == ["pending"]


def test_staff_see_the_best_first_as_many_as_asked_and_find_the_others_by_name_or_certificate_number(
    booked, act, staff, green_worker, client, operator
):
    booking, _ = booked()
    clerk = staff()
    act(booking["id"], "confirm", clerk)
    workers = {w["id"]: w for w in (green_worker(name=name) for name in ("欧阳秀英", "陈小红", "李丽华"))}

    def listed(**query):
        response = client.get(f"/api/v1/bookings/{booking['id']}/assignable-workers", query_string=query, headers=clerk)
        assert response.status_code == 200, response.json
        return response.json

    every = listed()["items"]
    assert set(workers) <= {w["id"] for w in every}
    assert listed(limit=1) == {"items": every[:1], "total": 1}
    last = next(w["id"] for w in reversed(every) if w["id"] in workers)
    assert last != every[0]["id"]
    assert [w["id"] for w in listed(limit=1, q=workers[last]["name"][1:])["items"]] == [last]
    number = workers[last]["certificate"]["number"]
    assert [w["id"] for w in listed(limit=1, q=number.lower())["items"]] == [last]


@pytest.mark.parametrize(
    "query, field",
    [({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"limit": "all"}, "limit"), ({"q": "张" * 101}, "q")],
)
def test_a_limit_out_of_range_or_a_search_too_long_is_a_422_naming_it(booked, act, staff, client, query, field):
    booking, _ = booked()
    clerk = staff()
    act(booking["id"], "confirm", clerk)
    response = client.get(f"/api/v1/bookings/{booking['id']}/assignable-workers", query_string=query, headers=clerk)
    assert response.status_code == 422 and list(response.json["errors"]) == [field], response.json
    assert response.json["code"]
