"""示范 selection: operators see each company's row of criteria (value, threshold, met) computed
from the platform's facts, choose among them and publish the selection, frozen and public like a
grade list. The criteria here are set by each test (the configured figures are placeholders)."""

from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine

from publication import demonstration
from publication.demonstration import current_criteria, parse_criteria
from tests.factories import NOON, slot_start

CRITERIA = replace(
    current_criteria(),
    min_grade="3A",
    min_green_workers=2,
    breach_free_years=2,
    window_months=12,
    max_complaint_rate=0.6,
    min_satisfaction=0.6,
)


@pytest.fixture
def criteria(monkeypatch):
    """criteria(**changes): the criteria the candidates are judged by in this test."""

    def set_to(**changes):
        monkeypatch.setattr(demonstration, "current_criteria", lambda: replace(CRITERIA, **changes))

    set_to()
    return set_to


def rows_by_company(client, operator, **query):
    response = client.get("/api/v1/publications/candidates", query_string={"per_page": 200} | query, headers=operator)
    assert response.status_code == 200, response.json
    return {row["company"]["id"]: row for row in response.json["items"]}


def table(row) -> dict:
    return {c["criterion"]: (c["value"], c["threshold"], c["met"]) for c in row["criteria"]}


def serve(completed, client, worker, *, satisfied, upheld_complaint=False, starts_at=None):
    """A completed booking served by `worker`, with its follow-up call and perhaps an upheld complaint."""
    booking, resident, clerk, _ = completed(worker=worker, starts_at=starts_at)
    response = client.post(f"/api/v1/bookings/{booking['id']}/follow-up", json={"satisfied": satisfied}, headers=clerk)
    assert response.status_code == 201, response.json
    if upheld_complaint:
        complaint = client.post(
            f"/api/v1/bookings/{booking['id']}/complaints",
            json={"type": "lateness", "text": "迟到一小时"},
            headers=resident,
        ).json
        client.post(f"/api/v1/complaints/{complaint['id']}/accept", json={}, headers=clerk)
        decided = client.post(f"/api/v1/complaints/{complaint['id']}/uphold", json={"reason": "属实"}, headers=clerk)
        assert decided.status_code == 200, decided.json


def test_each_candidate_has_its_row_of_criteria_as_counted_by_hand(
    criteria, graded_company, make_company, make_issued, company_event, completed, client, operator, login
):
    ours = graded_company(name="羊城好帮手家政")
    first, second = make_issued(company_id=ours["id"]), make_issued(company_id=ours["id"])
    make_issued(company_id=ours["id"], checks=[])  # yellow: no background check, no insurance
    serve(completed, client, first, satisfied=True)
    serve(completed, client, second, satisfied=False, upheld_complaint=True, starts_at=slot_start(hour=12))
    # A breach an upheld objection neutralised counts for nothing.
    event = company_event(ours, "breach")
    admin = login("company_admin", company_id=ours["id"])
    objection = client.post(
        f"/api/v1/credit-events/{event['id']}/objections",
        data={"reason": "记录有误"},
        content_type="multipart/form-data",
        headers=admin,
    ).json
    upheld = client.post(f"/api/v1/objections/{objection['id']}/uphold", json={"reason": "核实有误"}, headers=operator)
    assert upheld.status_code == 200, upheld.json
    plain = make_company(name="珠江家政")
    company_event(plain, "breach")
    long_ago = graded_company(name="白云家政")
    with time_machine.travel(NOON - timedelta(days=3 * 365)):
        company_event(long_ago, "breach")
    company_event(long_ago, "objection", 0)  # a later fact: the old breach alone caps no grade now

    rows = rows_by_company(client, operator)

    grade = client.get(f"/api/v1/companies/{ours['id']}").json["grade"]
    assert grade in ("3A", "4A", "5A")
    assert table(rows[ours["id"]]) == {
        "grade": (grade, "3A", True),
        "green_workers": (2, 2, True),
        "no_breach": (0, 0, True),
        "complaint_rate": (0.5, 0.6, True),
        "satisfaction": (0.5, 0.6, False),
    }
    assert rows[ours["id"]]["meets_all"] is False
    assert [c["name"] for c in rows[ours["id"]]["criteria"]] == [
        "信用等级",
        "持绿码服务人员数",
        "无失信记录",
        "投诉成立率",
        "回访满意率",
    ]
    assert table(rows[plain["id"]]) == {
        "grade": ("A", "3A", False),
        "green_workers": (0, 2, False),
        "no_breach": (1, 0, False),
        "complaint_rate": (None, 0.6, False),
        "satisfaction": (None, 0.6, False),
    }
    assert table(rows[long_ago["id"]])["no_breach"] == (0, 0, True)

    criteria(min_satisfaction=0.4)
    eligible = rows_by_company(client, operator, eligible="true")
    assert ours["id"] in eligible and eligible[ours["id"]]["meets_all"] is True
    assert not {plain["id"], long_ago["id"]} & set(eligible)


def test_a_booking_counts_for_the_company_that_employed_its_worker(
    criteria, graded_company, make_issued, completed, client, operator
):
    """...not the worker's company now: the worker left it after the service."""
    before = graded_company()
    worker = make_issued(company_id=before["id"])
    serve(completed, client, worker, satisfied=True)
    with time_machine.travel(NOON + timedelta(days=3)):
        ended = client.post(f"/api/v1/workers/{worker['id']}/employment/end", json={"reason": "离职"}, headers=operator)
        assert ended.status_code == 200, ended.json
        rows = rows_by_company(client, operator)
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["company_id"] is None
    assert table(rows[before["id"]])["satisfaction"][0] == 1.0
    assert table(rows[before["id"]])["complaint_rate"][0] == 0.0


def test_candidates_come_best_first_and_only_operators_see_them(graded_company, make_company, client, operator, login):
    lower, higher = make_company(), graded_company()
    response = client.get("/api/v1/publications/candidates", query_string={"per_page": 200}, headers=operator)
    order = [row["company"]["id"] for row in response.json["items"]]
    assert order.index(higher["id"]) < order.index(lower["id"])
    for role, scope in (
        ("company_admin", {"company_id": lower["id"]}),
        ("station_staff", {"station_code": "440106001000"}),
    ):
        assert client.get("/api/v1/publications/candidates", headers=login(role, **scope)).status_code == 403
    assert client.get("/api/v1/publications/candidates").status_code == 401
    assert (
        client.get("/api/v1/publications/candidates", query_string={"eligible": "maybe"}, headers=operator).status_code
        == 422
    )


def test_the_selection_is_published_frozen_with_the_criteria_version(
    graded_company, make_company, company_event, publish, client
):
    chosen, also = graded_company(name="羊城好帮手家政"), make_company(name="珠江家政")
    response = publish("selections", {"title": "2026年度诚信示范企业", "company_ids": [also["id"], chosen["id"]]})
    assert response.status_code == 201, response.json
    selection = response.json
    assert (selection["kind"], selection["kind_name"], selection["entry_count"]) == (
        "demonstration",
        "诚信示范企业名单",
        2,
    )
    assert selection["criteria_version"] == current_criteria().version
    assert selection["number"].startswith("穗家示〔")
    rows = client.get(f"/api/v1/publications/{selection['id']}/entries").json["items"]
    assert [row["company_id"] for row in rows] == [chosen["id"], also["id"]], "best first, whatever the order chosen"
    company_event(chosen, "breach")
    assert client.get(f"/api/v1/publications/{selection['id']}/entries").json["items"] == rows
    csv = client.get(f"/api/v1/publications/{selection['id']}/entries.csv")
    assert csv.status_code == 200 and "羊城好帮手家政" in csv.data.decode("utf-8-sig")
    assert "2026年度诚信示范企业" in client.get(f"/publications/{selection['id']}/print").get_data(as_text=True)
    listed = client.get("/api/v1/publications", query_string={"kind": "demonstration"}).json["items"]
    assert [item["id"] for item in listed] == [selection["id"]]


def test_a_selection_naming_an_unknown_company_or_none_is_refused_and_nothing_is_published(
    make_company, publish, client
):
    company = make_company()
    for body, code in (
        ({"title": "2026年度诚信示范企业", "company_ids": [company["id"], 999999]}, "unknown_company"),
        ({"title": "2026年度诚信示范企业", "company_ids": []}, "invalid_input"),
        ({"title": "2026年度诚信示范企业", "company_ids": [company["id"], company["id"]]}, "invalid_input"),
        ({"title": "", "company_ids": [company["id"]]}, "invalid_input"),
        ({"title": "2026年度诚信示范企业"}, "invalid_input"),
        ({"title": "2026年度诚信示范企业", "company_ids": [0]}, "invalid_input"),
    ):
        response = publish("selections", body)
        assert (response.status_code, response.json["code"]) == (422, code), (body, response.json)
        assert set(response.json["errors"]) & {"company_ids", "title"}
    assert client.get("/api/v1/publications", query_string={"kind": "demonstration"}).json["total"] == 0


def test_the_criteria_file_is_checked_when_read():
    text = (demonstration.CRITERIA_FILE).read_text(encoding="utf-8")
    assert parse_criteria(text) == current_criteria() and current_criteria().placeholder
    for wrong in ('min_grade = "6A"', "max_complaint_rate = 2", "min_green_workers = -1"):
        name = wrong.split(" =")[0]
        changed = "\n".join(wrong if line.startswith(f"{name} =") else line for line in text.splitlines())
        with pytest.raises(ValueError, match=name):
            parse_criteria(changed)


def test_the_candidates_cost_the_same_few_queries_at_one_company_and_at_many(
    make_company, make_issued, client, operator, count_statements
):
    def statements_for_a_page() -> int:
        with count_statements() as statements:
            assert client.get("/api/v1/publications/candidates", headers=operator).status_code == 200
        return len(statements)

    first = make_company()
    make_issued(company_id=first["id"])
    few = statements_for_a_page()
    for _ in range(5):
        make_issued(company_id=make_company()["id"])
    assert statements_for_a_page() == few
