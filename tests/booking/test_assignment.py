"""Only a worker with an issued, green certificate who offers the service, and is free at that
time, can be assigned."""

from tests.factories import slot_start


def test_assigning_needs_a_green_certificate(booked, act, staff, green_worker, step):
    booking, _ = booked()
    clerk = staff()
    act(booking["id"], "confirm", clerk)
    worker = green_worker()
    assert step(worker["id"], "suspend", {"reason": "严重投诉调查中"}).status_code == 200
    response = act(booking["id"], "assign", clerk, {"worker_id": worker["id"]})
    assert response.status_code == 422 and response.json["code"] == "worker_not_assignable"
    assert "绿码" in response.json["errors"]["worker_id"][0]


def test_assigning_needs_the_worker_to_offer_the_service(booked, act, staff, green_worker):
    booking, _ = booked()
    clerk = staff()
    act(booking["id"], "confirm", clerk)
    worker = green_worker(service_types=["elderly_care"])
    response = act(booking["id"], "assign", clerk, {"worker_id": worker["id"]})
    assert response.status_code == 422
    assert "保洁" in response.json["errors"]["worker_id"][0]


def test_an_applicant_without_an_issued_certificate_cannot_be_assigned(booked, act, staff, make_applicant):
    booking, _ = booked()
    clerk = staff()
    act(booking["id"], "confirm", clerk)
    response = act(booking["id"], "assign", clerk, {"worker_id": make_applicant()["id"]})
    assert response.status_code == 422


def test_an_unknown_worker_is_a_422_naming_worker_id(booked, act, staff):
    booking, _ = booked()
    clerk = staff()
    act(booking["id"], "confirm", clerk)
    response = act(booking["id"], "assign", clerk, {"worker_id": 999999})
    assert response.status_code == 422 and "worker_id" in response.json["errors"]
    assert response.json["code"] == "unknown_worker"


def test_a_worker_cannot_be_booked_twice_for_overlapping_times(assigned, booked, act, staff, green_worker):
    _, _, clerk, worker = assigned()
    # 育婴 runs 08:00-12:00, overlapping the 10:00-12:00 cleaning slot the worker already has.
    other, _ = booked(service_code="childcare", starts_at=slot_start(hour=8))
    act(other["id"], "confirm", clerk)
    response = act(other["id"], "assign", clerk, {"worker_id": worker["id"]})
    assert response.status_code == 409 and response.json["code"] == "worker_double_booked"
    assert "worker_id" in response.json["errors"]
    later, _ = booked(starts_at=slot_start(hour=12))
    act(later["id"], "confirm", clerk)
    assert act(later["id"], "assign", clerk, {"worker_id": worker["id"]}).status_code == 200


def test_reassigning_or_rescheduling_frees_the_workers_time(assigned, booked, act, green_worker):
    first, _, clerk, worker = assigned()
    assert act(first["id"], "assign", clerk, {"worker_id": green_worker()["id"]}).status_code == 200
    second, second_resident = booked()
    act(second["id"], "confirm", clerk)
    assert act(second["id"], "assign", clerk, {"worker_id": worker["id"]}).status_code == 200
    third, _ = booked()
    act(third["id"], "confirm", clerk)
    assert act(third["id"], "assign", clerk, {"worker_id": worker["id"]}).status_code == 409
    moved = act(second["id"], "reschedule", second_resident, {"starts_at": slot_start(hour=14).isoformat()})
    assert moved.status_code == 200 and moved.json["worker"]["id"] == worker["id"]  # free at 14:00: kept
    assert act(third["id"], "assign", clerk, {"worker_id": worker["id"]}).status_code == 200


def test_a_cancelled_booking_gives_the_worker_back(assigned, booked, act):
    first, headers, clerk, worker = assigned()
    assert act(first["id"], "cancel", headers).status_code == 200
    second, _ = booked()
    act(second["id"], "confirm", clerk)
    assert act(second["id"], "assign", clerk, {"worker_id": worker["id"]}).status_code == 200
