"""Recommended first: wherever residents and staff choose, the best come first (most stars, then
the higher score; for companies the higher grade, then the score), ties by id; and the one SQL
condition for "green" that the lists and counts use agrees with the scan's own colour."""

from datetime import timedelta

from sqlalchemy import select

from app.clock import today_in_beijing
from app.extensions import db
from credit import registry
from credit.certificates import colour
from credit.models import Certificate
from credit.recommendation import green_today
from tests.factories import LAST_MONTH, YESTERDAY


def test_the_sql_green_agrees_with_the_scan_colour_for_every_kind_of_worker(
    app, green_worker, make_applicant, step, record_check, client, operator
):
    green = green_worker()
    uninsured = green_worker(checks=[])  # no background check, no insurance: yellow
    suspended = green_worker()
    step(suspended["id"], "suspend", {"reason": "调查中"})
    found = green_worker()
    response = record_check(
        found["id"], {"kind": "criminal_record", "reference": "R-1", "checked_on": LAST_MONTH, "result": "record_found"}
    )
    assert response.status_code == 201, response.json
    lapsed = green_worker()
    response = record_check(
        lapsed["id"],
        {
            "kind": "insurance",
            "reference": "P-1",
            "checked_on": LAST_MONTH,
            "valid_from": LAST_MONTH,
            "valid_until": YESTERDAY,
            "result": "in_force",
        },
    )
    assert response.status_code == 201, response.json
    unhealthy = green_worker()
    client.put(
        f"/api/v1/workers/{unhealthy['id']}/certificate/health-certificate",
        json={"valid_until": YESTERDAY},
        headers=operator,
    )
    applicant = make_applicant()
    ids = [w["id"] for w in (green, uninsured, suspended, found, lapsed, unhealthy, applicant)]
    with app.app_context():
        today = today_in_beijing()
        certificates = db.session.scalars(select(Certificate).where(Certificate.worker_id.in_(ids))).all()
        by_colour = {c.worker_id for c in certificates if colour(c, today) == "green"}
        by_sql = set(
            db.session.scalars(select(Certificate.worker_id).where(Certificate.worker_id.in_(ids), green_today(today)))
        )
        later = today + timedelta(days=400)
        assert by_sql == by_colour == {green["id"]}
        assert set(
            db.session.scalars(select(Certificate.worker_id).where(Certificate.worker_id.in_(ids), green_today(later)))
        ) == {c.worker_id for c in certificates if colour(c, later) == "green"}


def test_staff_are_offered_the_best_worker_first(booked, act, staff, green_worker, make_company, client, operator):
    booking, _ = booked()
    clerk = staff()
    act(booking["id"], "confirm", clerk)
    company = make_company()
    workers = [green_worker(company_id=company["id"]) for _ in range(3)]
    client.post(
        f"/api/v1/workers/{workers[1]['id']}/credit-events",
        json={"kind": "rating", "value": 5, "reason": "好评"},
        headers=operator,
    )
    listed = client.get(f"/api/v1/bookings/{booking['id']}/assignable-workers", headers=clerk).json["items"]
    order = [w["id"] for w in listed]
    facts = {i: client.get(f"/api/v1/workers/{i}", headers=operator).json for i in order}
    keys = [(-(facts[i]["stars"] or 0), -(facts[i]["credit_score"] or 0), i) for i in order]
    assert keys == sorted(keys)
    ours = [i for i in order if i in {w["id"] for w in workers}]
    assert ours[0] == workers[1]["id"] and ours[1:] == sorted(ours[1:])


def test_the_public_company_list_puts_the_higher_grade_first_and_keeps_its_other_orders(
    app, graded_company, make_company, client
):
    high, low = graded_company(name="甲家政"), make_company(name="乙家政")
    rows = client.get("/api/v1/companies", query_string={"per_page": 200}).json["items"]
    order = [c["id"] for c in rows]
    assert order.index(high["id"]) < order.index(low["id"])
    grades = ["A", "2A", "3A", "4A", "5A"]
    keys = [(-grades.index(c["grade"]), -c["credit_score"], c["id"]) for c in rows]
    assert keys == sorted(keys)
    with app.app_context():
        for order_name, key in (
            ("name", lambda c: (c.name, c.id)),
            ("score", lambda c: (-c.credit_score, c.id)),
            ("id", lambda c: c.id),
        ):
            listed = registry.list_companies(None, None, 1, 200, order=order_name).items
            assert listed == sorted(listed, key=key), order_name
