"""An upheld case acts everywhere with its commit, and a measure of a period stops by its own date:
the scan is red with its reason, the station cannot assign the worker, the company is left out of
the public list, it registers no new workers; `flask sanctions end-listings` records each end once
and reinstates a suspension whose period is over (the workers' figures following at once)."""

import time_machine
from sqlalchemy import update

from app.extensions import db
from credit.models import Worker
from sanctions.measures import listing_ended, listing_started
from tests.factories import new_id_number, token_of
from tests.sanctions.conftest import noon_in
from tests.statistics.test_worker_counts_follow_every_write import assert_figures_are_the_rows


def scan(client, worker):
    return client.get(f"/api/v1/scan/{token_of(worker)}").json


def test_a_listed_worker_scans_red_with_the_reason_until_the_end_date(client, make_issued, upheld):
    worker = make_issued()
    assert scan(client, worker)["colour"] == "green"
    case = upheld("listing", 30, worker=worker)
    shown = scan(client, worker)
    assert shown["colour"] == "red"
    assert shown["reasons"][0]["code"] == "blacklisted" and case["measure_until"] in shown["reasons"][0]["message"]
    with time_machine.travel(noon_in(29), tick=False):
        assert scan(client, worker)["colour"] == "red"  # the last day
    with time_machine.travel(noon_in(30), tick=False):
        assert scan(client, worker)["colour"] == "green"  # no job needed


def test_a_listed_worker_cannot_be_assigned(client, make_issued, upheld, booked, staff, act):
    worker = make_issued()
    booking, _ = booked()
    clerk = staff()
    assert act(booking["id"], "confirm", clerk).status_code == 200

    def assignable():
        listed = client.get(f"/api/v1/bookings/{booking['id']}/assignable-workers", headers=clerk).json
        return [w["id"] for w in listed["items"]]

    assert worker["id"] in assignable()
    upheld("listing", 30, worker=worker)
    assert worker["id"] not in assignable()
    refused = act(booking["id"], "assign", clerk, {"worker_id": worker["id"]})
    assert refused.status_code == 422 and refused.json["code"] == "worker_not_assignable"
    assert "失信名单" in refused.json["errors"]["worker_id"][0]


def test_a_listed_or_hidden_company_is_left_out_of_the_public_list(client, make_company, upheld):
    listed, hidden, shown = make_company(), make_company(), make_company()
    upheld("listing", 30, company=listed)
    upheld("hidden", 10, company=hidden)
    ids = [c["id"] for c in client.get("/api/v1/companies", query_string={"per_page": 200}).json["items"]]
    assert shown["id"] in ids and listed["id"] not in ids and hidden["id"] not in ids
    with time_machine.travel(noon_in(10), tick=False):
        ids = [c["id"] for c in client.get("/api/v1/companies", query_string={"per_page": 200}).json["items"]]
        assert hidden["id"] in ids and listed["id"] not in ids


def test_a_company_whose_registrations_are_stopped_registers_no_worker(client, make_company, upheld, login):
    company = make_company()
    upheld("registrations_stopped", 14, company=company)
    admin = login("company_admin", company_id=company["id"])
    body = {"name": "黄丽娟", "id_number": new_id_number()}
    refused = client.post("/api/v1/workers", json=body, headers=admin)
    assert refused.status_code == 409 and refused.json["code"] == "registrations_stopped"
    with time_machine.travel(noon_in(14), tick=False):
        assert client.post("/api/v1/workers", json=body, headers=admin).status_code == 201


def test_an_upheld_case_caps_the_level_through_the_breach(client, make_company, upheld, operator):
    company = make_company()
    upheld("grade_capped", company=company)
    assert client.get(f"/api/v1/companies/{company['id']}").json["grade"] == "A"


def test_the_job_ends_each_listing_once_and_reinstates_a_suspension_whose_period_is_over(
    app, client, cli, make_issued, upheld, operator, look_up
):
    listed, suspended = make_issued(), make_issued()
    upheld("listing", 5, worker=listed)
    upheld("suspension", 5, worker=suspended)
    assert (
        client.get(f"/api/v1/workers/{suspended['id']}", headers=operator).json["certificate"]["state"] == "suspended"
    )
    with app.app_context():  # stars the reinstatement's recompute puts right
        db.session.execute(update(Worker).where(Worker.id == suspended["id"]).values(stars=None))
        db.session.commit()
    with time_machine.travel(noon_in(5), tick=False):
        first = cli("sanctions", "end-listings")
        assert first.exit_code == 0, first.output
        assert "listings ended: 1  measures ended: 1  certificates reinstated: 1" in first.output
        assert (
            "listings ended: 0  measures ended: 0  certificates reinstated: 0"
            in cli("sanctions", "end-listings").output
        )
        worker = client.get(f"/api/v1/workers/{suspended['id']}", headers=operator).json
        assert worker["certificate"]["state"] == "issued"
        assert scan(client, listed)["colour"] == "green"
        number = client.get(f"/api/v1/workers/{listed['id']}", headers=operator).json["certificate"]["number"]
        assert look_up(certificate_number=number).json["listed"] is False
        assert_figures_are_the_rows(client, operator, app, "listings ended")


def test_a_booking_with_a_listed_worker_cannot_start(client, assigned, upheld, act):
    booking, _, clerk, worker = assigned()
    upheld("listing", 30, worker=worker)
    refused = act(booking["id"], "start", clerk)
    assert refused.status_code == 409 and refused.json["code"] == "worker_not_green"


def test_every_one_of_these_is_gone_after_the_end_date(client, make_company, upheld, login):
    company = make_company()
    for measure in ("listing", "hidden", "registrations_stopped"):
        upheld(measure, 3, company=company)
    admin = login("company_admin", company_id=company["id"])
    with time_machine.travel(noon_in(3), tick=False):
        ids = [c["id"] for c in client.get("/api/v1/companies", query_string={"per_page": 200}).json["items"]]
        assert company["id"] in ids
        body = {"name": "黄丽娟", "id_number": new_id_number()}
        assert client.post("/api/v1/workers", json=body, headers=admin).status_code == 201


def test_a_listing_signals_its_start_and_its_end_inside_the_transaction(client, cli, make_issued, upheld):
    seen = []

    def started(listing, actor):
        seen.append(("started", listing.id, listing.status))

    def ended(listing, actor, reason):
        seen.append(("ended", listing.id, reason))

    with listing_started.connected_to(started), listing_ended.connected_to(ended):
        upheld("listing", 2, worker=make_issued())
        with time_machine.travel(noon_in(2), tick=False):
            assert cli("sanctions", "end-listings").exit_code == 0
            cli("sanctions", "end-listings")
    [(kind, listing_id, status), end] = seen
    assert (kind, status) == ("started", "listed") and end == ("ended", listing_id, "expired")


def test_a_resident_is_told_not_to_let_a_listed_worker_in(client, make_issued, upheld, login):
    worker = make_issued()
    upheld("listing", 30, worker=worker)
    refused = client.post("/api/v1/door-entries", json={"token": token_of(worker)}, headers=login(phone="13912345678"))
    assert refused.status_code == 409 and refused.json["code"] == "worker_not_green"
