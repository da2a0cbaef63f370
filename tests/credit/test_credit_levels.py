"""Star levels and company grades follow the credit ledger, can be explained, and recomputing
from the ledger gives the same level."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.extensions import db
from credit import ledger
from credit.models import Company, Worker
from credit.scoring import SCORING_FILE, compute, current_config, parse_config


@pytest.fixture
def record(client, operator):
    def post(worker, kind, value=1, reason="测试", subject="workers"):
        response = client.post(
            f"/api/v1/{subject}/{worker['id']}/credit-events",
            json={"kind": kind, "value": value, "reason": reason},
            headers=operator,
        )
        assert response.status_code == 201, response.json
        return response.json

    return post


def stars_of(client, operator, worker):
    return client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["stars"]


def test_issuing_the_certificate_raises_the_stars(make_applicant, make_issued, client, operator):
    applicant, holder = make_applicant(), make_issued()
    assert stars_of(client, operator, holder) > stars_of(client, operator, applicant)


def test_good_ratings_and_follow_ups_raise_stars_and_upheld_complaints_lower_them(
    make_issued, record, client, operator
):
    worker = make_issued()
    start = stars_of(client, operator, worker)
    for _ in range(3):
        record(worker, "rating", 5)
        record(worker, "follow_up", 1)
    raised = stars_of(client, operator, worker)
    assert raised > start
    for _ in range(3):
        record(worker, "complaint_upheld", 1)
    assert stars_of(client, operator, worker) < raised


def test_a_dismissed_or_invalid_complaint_lowers_nothing(make_issued, record, client, operator):
    worker = make_issued()
    before = client.get(f"/api/v1/workers/{worker['id']}/credit", headers=operator).json["score"]
    record(worker, "complaint_dismissed")
    record(worker, "complaint_invalid")
    after = client.get(f"/api/v1/workers/{worker['id']}/credit", headers=operator).json
    assert after["score"] == before
    assert (
        client.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["items"][-1]["kind"]
        == "complaint_invalid"
    )


def test_a_public_credit_breach_holds_a_worker_at_one_star(make_issued, record, client, operator):
    worker = make_issued()
    breach = record(worker, "breach", 1, reason="法院失信被执行人")
    assert stars_of(client, operator, worker) == 1
    explanation = client.get(f"/api/v1/workers/{worker['id']}/credit", headers=operator).json
    assert explanation["capped_by"] == [breach]  # the event whole, its reason too


def test_the_explanation_gives_each_dimension_the_events_that_count_and_the_config_version(
    make_issued, record, client, operator
):
    worker = make_issued()
    rating = record(worker, "rating", 4)
    explanation = client.get(f"/api/v1/workers/{worker['id']}/credit", headers=operator).json
    assert [d["name"] for d in explanation["dimensions"]] == ["基础信息", "服务能力", "社会评价", "信用信息"]
    assert explanation["config_version"] == current_config().version
    assert explanation["config_is_placeholder"] is True
    assert explanation["level"] == explanation["stored_level"]
    social = next(d for d in explanation["dimensions"] if d["name"] == "社会评价")
    rating_input = next(i for i in social["inputs"] if i["kind"] == "rating")
    assert rating_input["events"] == [rating]  # as the ledger keeps it: reason, source, actor
    assert rating_input["contribution"] > 0
    assert explanation["score"] == pytest.approx(
        sum(d["weight"] * d["score"] for d in explanation["dimensions"]), abs=1e-3
    )


def test_an_unknown_event_kind_is_a_422(make_issued, client, operator):
    worker = make_issued()
    response = client.post(
        f"/api/v1/workers/{worker['id']}/credit-events", json={"kind": "bribe", "reason": "x"}, headers=operator
    )
    assert response.status_code == 422 and "kind" in response.json["errors"]
    response = client.post(
        f"/api/v1/workers/{worker['id']}/credit-events",
        json={"kind": "strength_assessment", "reason": "x"},
        headers=operator,
    )
    assert response.status_code == 422 and "kind" in response.json["errors"]


def test_only_operators_record_credit_events(make_company, make_issued, client, login):
    company = make_company()
    worker = make_issued(company_id=company["id"])
    admin = login("company_admin", company_id=company["id"])
    response = client.post(
        f"/api/v1/workers/{worker['id']}/credit-events",
        json={"kind": "rating", "value": 5, "reason": "自评"},
        headers=admin,
    )
    assert response.status_code == 403


def test_a_company_grade_follows_its_workers_levels_and_its_own_events(
    make_company, make_issued, record, client, operator
):
    company = make_company()
    grade = lambda: client.get(f"/api/v1/companies/{company['id']}").json["credit_score"]  # noqa: E731
    empty = grade()
    make_issued(company_id=company["id"])
    with_worker = grade()
    assert with_worker > empty
    record(company, "management_assessment", 90, subject="companies")
    assert grade() > with_worker
    record(company, "breach", 1, subject="companies")
    explanation = client.get(f"/api/v1/companies/{company['id']}/credit", headers=operator).json
    assert [d["name"] for d in explanation["dimensions"]] == [
        "企业实力",
        "服务能力",
        "管理能力",
        "公共信用报告",
        "综合能力",
    ]
    assert explanation["level"] == client.get(f"/api/v1/companies/{company['id']}").json["grade"]


def test_recomputing_from_the_ledger_gives_the_stored_level(app, make_company, make_issued, record):
    company = make_company()
    worker = make_issued(company_id=company["id"])
    for kind, value in [("rating", 5), ("rating", 3), ("follow_up", 0), ("complaint_upheld", 1), ("training", 8)]:
        record(worker, kind, value)
    with app.app_context():
        stored = db.session.get(Worker, worker["id"])
        result, _ = ledger.compute_level(stored, stored.credit_computed_at)
        assert (result.level, result.score) == (str(stored.stars), stored.credit_score)
        stored_company = db.session.get(Company, company["id"])
        result, _ = ledger.compute_level(stored_company, stored_company.credit_computed_at)
        assert (result.level, result.score) == (stored_company.grade, stored_company.credit_score)


def test_record_credit_event_is_the_service_booking_calls(app, make_issued, isolated):
    worker = make_issued()
    with app.app_context():
        subject = db.session.get(Worker, worker["id"])
        event = ledger.record_credit_event(subject, "rating", 5, None, source_ref="booking:42")
        assert (event.source_ref, subject.rating_count, subject.rating_mean) == ("booking:42", 1, 5.0)
        db.session.rollback()


@dataclass
class Entry:
    id: int
    kind: str
    value: float
    created_at: datetime
    neutralises_id: int | None = None


NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_levels_come_from_the_configuration_file_not_from_code():
    text = SCORING_FILE.read_text(encoding="utf-8")
    generous = parse_config(
        text.replace(
            'levels = [[0, "1"], [45, "2"], [60, "3"], [75, "4"], [90, "5"]]',
            'levels = [[0, "1"], [1, "2"], [2, "3"], [3, "4"], [4, "5"]]',
        ).replace(f'version = "{current_config().version}"', 'version = "test"')
    )
    entries = [Entry(1, "certificate", 1.0, NOW)]
    assert compute("worker", entries, NOW, generous).level == "5"
    assert compute("worker", entries, NOW, generous).version == "test"
    assert compute("worker", entries, NOW, current_config()).level != "5"


def test_a_configuration_whose_weights_do_not_add_up_is_refused():
    text = SCORING_FILE.read_text(encoding="utf-8").replace("weight = 0.25", "weight = 0.3", 1)
    with pytest.raises(ValueError, match="weights"):
        parse_config(text)


def test_old_ratings_count_less_than_new_ones():
    old_bad = [Entry(1, "rating", 1.0, NOW - timedelta(days=3650)), Entry(2, "rating", 5.0, NOW)]
    new_bad = [Entry(1, "rating", 5.0, NOW - timedelta(days=3650)), Entry(2, "rating", 1.0, NOW)]
    config = current_config()
    assert compute("worker", old_bad, NOW, config).score > compute("worker", new_bad, NOW, config).score


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "rating",
                    "follow_up",
                    "complaint_upheld",
                    "breach",
                    "training",
                    "exam",
                    "certificate",
                    "complaint_dismissed",
                ]
            ),
            st.floats(0, 100, allow_nan=False),
            st.integers(0, 2000),
        ),
        max_size=25,
    )
)
def test_any_ledger_gives_a_level_in_range_whatever_the_order(rows):
    entries = [Entry(i, kind, value, NOW - timedelta(days=age)) for i, (kind, value, age) in enumerate(rows)]
    config = current_config()
    result = compute("worker", entries, NOW, config)
    assert result.level in {"1", "2", "3", "4", "5"} and 0 <= result.score <= 100
    assert compute("worker", list(reversed(entries)), NOW, config).score == pytest.approx(result.score)


def test_a_company_admin_sees_the_explanation_for_its_own_workers_and_company_only(
    make_company, make_issued, client, login
):
    mine, theirs = make_company(), make_company()
    own, other = make_issued(company_id=mine["id"]), make_issued(company_id=theirs["id"])
    admin = login("company_admin", company_id=mine["id"])
    assert client.get(f"/api/v1/workers/{own['id']}/credit", headers=admin).status_code == 200
    assert client.get(f"/api/v1/companies/{mine['id']}/credit", headers=admin).status_code == 200
    assert client.get(f"/api/v1/workers/{other['id']}/credit", headers=admin).status_code == 404
    assert client.get(f"/api/v1/companies/{theirs['id']}/credit", headers=admin).status_code == 403
    assert client.get(f"/api/v1/workers/{own['id']}/history", headers=admin).status_code == 403
