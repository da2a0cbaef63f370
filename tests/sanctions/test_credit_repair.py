"""信用修复: once SANCTIONS_REPAIR_MIN_DAYS have passed since the listing began, the party applies
with evidence of correction; approved, the listing ends at once and the breach no longer counts;
refused, it runs on."""

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from credit.models import CreditEvent
from sanctions.models import Listing
from tests.factories import PDF, token_of, upload_part
from tests.sanctions.conftest import noon_in


@pytest.fixture(autouse=True)
def short_minimum(app, monkeypatch):
    """Ten days rather than the default's ninety: a session token would not live to see those."""
    monkeypatch.setitem(app.config, "SANCTIONS_REPAIR_MIN_DAYS", 10)


def listing_of(app, case) -> int:
    with app.app_context():
        return db.session.scalars(select(Listing.id).where(Listing.case_id == case["id"])).one()


def apply(client, listing_id, headers, file=None):
    data = {"correction": "已重新参加岗前培训并赔偿客户损失。"} | ({"file": file} if file else {})
    return client.post(
        f"/api/v1/sanctions/listings/{listing_id}/repairs",
        data=data,
        content_type="multipart/form-data",
        headers=headers,
    )


def test_repair_is_refused_before_the_minimum_period(app, client, make_issued, upheld, party):
    worker = make_issued()
    own = party(worker=worker)
    listing = listing_of(app, upheld("listing", 365, worker=worker))
    too_early = apply(client, listing, own)
    assert too_early.status_code == 409 and too_early.json["code"] == "repair_too_early"
    with time_machine.travel(noon_in(app.config["SANCTIONS_REPAIR_MIN_DAYS"] - 1), tick=False):
        assert apply(client, listing, own).json["code"] == "repair_too_early"


def test_an_approved_repair_ends_the_listing_and_neutralises_the_breach(
    app, client, make_issued, upheld, party, deciding_operator, operator, look_up
):
    worker = make_issued()
    own = party(worker=worker)
    case = upheld("listing", 365, worker=worker)
    listing = listing_of(app, case)
    capped = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["stars"]
    assert capped == 1
    with time_machine.travel(noon_in(app.config["SANCTIONS_REPAIR_MIN_DAYS"]), tick=False):
        applied = apply(client, listing, own, upload_part(PDF, "培训证明.pdf", "application/pdf"))
        assert applied.status_code == 201, applied.json
        assert apply(client, listing, own).json["code"] == "repair_pending"
        approved = client.post(
            f"/api/v1/sanctions/repairs/{applied.json['id']}/approve",
            json={"reason": "整改到位"},
            headers=deciding_operator,
        )
        assert approved.status_code == 200, approved.json
        assert approved.json["listing"]["status"] == "ended" and approved.json["listing"]["end_reason"] == "repaired"
        assert client.get(f"/api/v1/scan/{token_of(worker)}").json["colour"] == "green"
        number = worker["certificate"]["number"]
        assert look_up(certificate_number=number).json["listed"] is False
        assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["stars"] > capped
        again = client.post(
            f"/api/v1/sanctions/repairs/{applied.json['id']}/approve",
            json={"reason": "再次"},
            headers=deciding_operator,
        )
        assert again.status_code == 409
    with app.app_context():
        compensating = db.session.get_one(CreditEvent, approved.json["compensating_event_id"])
        assert compensating.kind == "breach_repaired" and compensating.neutralises_id == case["breach_event_id"]


def test_a_refused_repair_leaves_the_listing_running(
    app, client, make_issued, upheld, party, deciding_operator, look_up
):
    worker = make_issued()
    own = party(worker=worker)
    listing = listing_of(app, upheld("listing", 365, worker=worker))
    with time_machine.travel(noon_in(app.config["SANCTIONS_REPAIR_MIN_DAYS"]), tick=False):
        repair = apply(client, listing, own).json
        refused = client.post(
            f"/api/v1/sanctions/repairs/{repair['id']}/refuse", json={"reason": "证明不足"}, headers=deciding_operator
        )
        assert refused.status_code == 200 and refused.json["status"] == "refused"
        assert look_up(certificate_number=worker["certificate"]["number"]).json["listed"] is True
        assert client.get("/api/v1/sanctions/repairs", headers=own).json["total"] == 1


def test_only_the_listed_party_applies(app, client, make_issued, upheld, party):
    worker = make_issued()
    listing = listing_of(app, upheld("listing", 365, worker=worker))
    assert apply(client, listing, party(worker=make_issued())).status_code == 404
