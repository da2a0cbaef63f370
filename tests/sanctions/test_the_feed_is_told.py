"""The city's public-credit platform is told of the 失信名单 through the feed (feed/): a listing's
start when a case is upheld, its end when a repair is approved or its end date passes, each named
as the data dictionary allows (certificate number, masked name, category, dates), never the ID
number."""

import time_machine
from sqlalchemy import select

from app.extensions import db
from feed.models import FeedRecord
from tests.sanctions.conftest import noon_in
from tests.sanctions.test_credit_repair import apply, listing_of


def records_of(app, kind: str, certificate_number: str) -> list[FeedRecord]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(FeedRecord)
                .where(FeedRecord.kind == kind, FeedRecord.certificate_number == certificate_number)
                .order_by(FeedRecord.id)
            )
        )


def test_an_upheld_listing_and_its_repair_reach_the_feed(
    app, client, make_issued, upheld, party, deciding_operator, monkeypatch
):
    monkeypatch.setitem(app.config, "SANCTIONS_REPAIR_MIN_DAYS", 10)
    worker = make_issued(name="张秀梅")
    number = worker["certificate"]["number"]
    case = upheld("listing", 365, worker=worker)
    (started,) = records_of(app, "listing_started", number)
    assert started.payload["listing_category"] == case["category"]
    assert started.payload["listing_reference"] == str(case["id"])
    assert started.payload["worker_name_masked"] == "张*梅"
    assert worker["id_number"] not in str(started.payload)
    assert records_of(app, "listing_ended", number) == []

    with time_machine.travel(noon_in(10), tick=False):
        repair = apply(client, listing_of(app, case), party(worker=worker)).json
        approved = client.post(
            f"/api/v1/sanctions/repairs/{repair['id']}/approve", json={"reason": "整改到位"}, headers=deciding_operator
        )
        assert approved.status_code == 200, approved.json
    (ended,) = records_of(app, "listing_ended", number)
    assert ended.payload["end_reason"] == "repaired" and ended.payload["listed_from"] == started.payload["listed_from"]


def test_a_dismissed_case_tells_the_feed_nothing(app, make_issued, open_case, decide, state, party):
    worker = make_issued()
    case = open_case("listing", 365, worker=worker)
    assert state(case, party(worker=worker)).status_code == 200
    assert decide(case, "dismiss").status_code == 200
    assert records_of(app, "listing_started", worker["certificate"]["number"]) == []
