"""Issue 6's "done": a resident finds the nearest station, books, is confirmed and assigned a
certified worker, scans that worker at the door, rates the service, and sees the worker's credit
move, all through the API."""

import uuid

from tests.factories import STATION_A, STATION_A_GCJ02, token_of


def test_from_the_nearest_station_to_a_rated_service_and_a_worker_whose_credit_moved(
    client, resident, staff, green_worker
):
    me, clerk, worker = resident(), staff(STATION_A), green_worker()
    where = {"lat": STATION_A_GCJ02["lat"], "lng": STATION_A_GCJ02["lng"]}

    nearest = client.get("/api/v1/stations/nearest", query_string=where).json["items"][0]
    assert nearest["code"] == STATION_A and nearest["navigation"]
    availability = client.get("/api/v1/availability", query_string={"service": "cleaning", **where}).json
    assert availability["station"]["code"] == STATION_A
    slot = next(slot for day in availability["days"] for slot in day["slots"] if slot["remaining"])

    booked = client.post(
        "/api/v1/bookings",
        headers=me | {"Idempotency-Key": uuid.uuid4().hex},
        json={
            "station_code": STATION_A,
            "service_code": "cleaning",
            "starts_at": slot["starts_at"],
            "address": "天河区五山路 1 号 2 栋 301",
            "location": where,
            "contact_name": "陈女士",
        },
    )
    assert booked.status_code == 201 and booked.json["status"] == "pending"
    booking = f"/api/v1/bookings/{booked.json['id']}"

    assert client.post(f"{booking}/confirm", headers=clerk).status_code == 200
    candidates = client.get(f"{booking}/assignable-workers", headers=clerk).json["items"]
    assert worker["id"] in [candidate["id"] for candidate in candidates]
    assert (
        client.post(f"{booking}/assign", json={"worker_id": worker["id"]}, headers=clerk).json["status"] == "assigned"
    )

    before = client.get(f"/api/v1/scan/{token_of(worker)}").json
    assert client.post(f"{booking}/entry", json={"token": token_of(worker)}, headers=me).status_code == 201
    assert client.post(f"{booking}/start", headers=clerk).json["status"] == "in_service"
    assert client.post(f"{booking}/complete", headers=clerk).json["status"] == "completed"
    assert client.post(f"{booking}/rating", json={"stars": 5, "text": "很干净，准时"}, headers=me).status_code == 201

    after = client.get(f"/api/v1/scan/{token_of(worker)}").json
    assert after["stars"] > before["stars"]
    history = [event["action"] for event in client.get(booking, headers=me).json["events"]]
    assert history == ["create", "confirm", "assign", "entry_confirmed", "start", "complete", "rated"]
