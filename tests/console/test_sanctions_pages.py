"""失信惩戒 on the console: an operator opens a case against a worker and adds evidence, the worker
states their case, the operator who opened it is refused the decision in the API's words and a
second operator upholds it; a company admin states their company's case and applies for repair,
which an operator approves; a company admin checks a worker by ID number before hiring."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from sanctions.models import SanctionLookUp
from tests.factories import PDF, new_id_number, upload_part

CASE_FORM = {"category": "forged_certificate", "facts": "提交的健康证经核查系伪造。"}


def found(pattern: str, page: str) -> str:
    match = re.search(pattern, page)
    assert match, f"the page shows no {pattern}"
    return match.group(1)


@pytest.fixture
def second_operator(app, console_session):
    """A second operator's own browser: the one who opened a case cannot decide it."""

    def log_in():
        other = app.test_client()
        return other, console_session(other, "operator")

    return log_in


def open_case(client, csrf, **fields):
    opened = client.post("/console/sanctions/cases", data=CASE_FORM | fields, headers=csrf)
    assert opened.status_code == 303, opened.get_data(as_text=True)
    return opened.headers["Location"]


def test_an_operator_opens_a_case_a_second_operator_upholds_it_and_the_first_is_refused(
    client, console_session, second_operator, make_issued, login
):
    worker = make_issued(name="陈丽娟")
    csrf = console_session(client, "operator")
    case_url = open_case(client, csrf, worker_id=str(worker["id"]), measure="listing", period_days="180")
    case_id = int(found(r"/cases/(\d+)$", case_url))
    page = client.get(case_url).get_data(as_text=True)
    assert "提交的健康证经核查系伪造。" in page and "待陈述申辩" in page and "列入失信名单（180 天）" in page

    evidence = client.post(
        f"{case_url}/evidence",
        data={"file": upload_part(PDF, "核查报告.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=csrf,
    )
    assert evidence.status_code == 303
    page = client.get(case_url).get_data(as_text=True)
    evidence_url = found(r'href="(/console/sanctions/evidence/\d+)"', page)
    opened = client.get(evidence_url)
    assert opened.status_code == 200 and opened.data == PDF and opened.headers["Cache-Control"] == "private, no-store"

    # The worker states their case in the mini-program, through the API.
    stated = client.post(
        f"/api/v1/sanctions/cases/{case_id}/statement",
        data={"statement": "证书系中介代办，本人不知情。"},
        content_type="multipart/form-data",
        headers=login("worker", worker_id=worker["id"]),
    )
    assert stated.status_code == 200, stated.json

    decision = {"outcome": "uphold", "reason": "经复核，事实清楚"}
    refused = client.post(f"{case_url}/decision", data=decision, headers=csrf)
    assert refused.status_code == 403
    assert "立案的运营人员不能决定同一案件。" in refused.get_data(as_text=True)
    assert "证书系中介代办，本人不知情。" in refused.get_data(as_text=True)

    other, other_csrf = second_operator()
    assert other.post(f"{case_url}/decision", data=decision, headers=other_csrf).status_code == 303
    page = other.get(case_url).get_data(as_text=True)
    assert "维持处理" in page and "经复核，事实清楚" in page and 'data-action="listing_started"' in page
    assert 'data-form="decision"' not in page  # decided once
    listed = other.get("/console/sanctions/listings").get_data(as_text=True)
    assert f"/console/sanctions/cases/{case_id}" in listed and "陈*娟" in listed
    upheld = other.get("/console/sanctions/cases?status=upheld").get_data(as_text=True)
    assert f'data-case="{case_id}"' in upheld


def test_the_apis_refusals_are_shown_beside_their_fields(client, console_session, make_issued, make_company):
    worker = make_issued()
    csrf = console_session(client, "operator")
    no_facts = client.post(
        "/console/sanctions/cases", data={"worker_id": str(worker["id"]), "measure": "warning"}, headers=csrf
    )
    page = no_facts.get_data(as_text=True)
    assert no_facts.status_code == 422 and 'id="error-facts"' in page and 'id="error-category"' in page
    both = CASE_FORM | {"worker_id": str(worker["id"]), "company_id": str(make_company()["id"]), "measure": "warning"}
    refused = client.post("/console/sanctions/cases", data=both, headers=csrf)
    assert refused.status_code == 422 and 'id="error-worker_id"' in refused.get_data(as_text=True)
    no_period = client.post(
        "/console/sanctions/cases", data=CASE_FORM | {"worker_id": str(worker["id"]), "measure": "suspension"}
    )
    assert no_period.status_code == 403  # no CSRF token: nothing written
    no_period = client.post(
        "/console/sanctions/cases",
        data=CASE_FORM | {"worker_id": str(worker["id"]), "measure": "suspension"},
        headers=csrf,
    )
    assert no_period.status_code == 422 and 'id="error-period_days"' in no_period.get_data(as_text=True)

    case_url = open_case(client, csrf, worker_id=str(worker["id"]), measure="listing", period_days="180")
    early = client.post(f"{case_url}/decision", data={"outcome": "dismiss"}, headers=csrf)
    assert early.status_code == 422 and 'id="error-reason"' in early.get_data(as_text=True)
    not_a_pdf = client.post(
        f"{case_url}/evidence",
        data={"file": upload_part(b"plain text", "note.txt", "text/plain")},
        content_type="multipart/form-data",
        headers=csrf,
    )
    assert not_a_pdf.status_code == 415 and 'id="error-file"' in not_a_pdf.get_data(as_text=True)
    assert "没有证据。" in not_a_pdf.get_data(as_text=True)


def test_a_company_admin_states_its_case_applies_for_repair_and_an_operator_approves(
    app, client, console_session, second_operator, make_company, monkeypatch
):
    monkeypatch.setitem(app.config, "SANCTIONS_REPAIR_MIN_DAYS", 0)
    company = make_company()
    operator, operator_csrf = second_operator()
    case_url = open_case(operator, operator_csrf, company_id=str(company["id"]), measure="listing", period_days="90")
    stranger = app.test_client()
    console_session(stranger, "company_admin", company_id=make_company()["id"])
    assert stranger.get(case_url).status_code == 404

    csrf = console_session(client, "company_admin", company_id=company["id"])
    page = client.get(case_url).get_data(as_text=True)
    assert 'data-form="statement"' in page and 'data-form="decision"' not in page
    empty = client.post(f"{case_url}/statement", data={}, content_type="multipart/form-data", headers=csrf)
    assert empty.status_code == 422 and 'id="error-statement"' in empty.get_data(as_text=True)
    stated = client.post(
        f"{case_url}/statement",
        data={"statement": "该名员工已于事发前离职。"},
        content_type="multipart/form-data",
        headers=csrf,
    )
    assert stated.status_code == 303
    listed = client.get("/console/sanctions/cases").get_data(as_text=True)
    assert "已陈述申辩" in listed

    decider, decider_csrf = second_operator()
    upheld = decider.post(
        f"{case_url}/decision", data={"outcome": "uphold", "reason": "不予采纳"}, headers=decider_csrf
    )
    assert upheld.status_code == 303
    page = client.get(case_url).get_data(as_text=True)
    repair_url = found(r'action="(/console/sanctions/listings/\d+/repairs)"', page)
    applied = client.post(
        repair_url,
        data={"correction": "已完成整改并赔偿客户。", "file": upload_part(PDF, "整改.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=csrf,
    )
    assert applied.status_code == 303 and applied.headers["Location"] == "/console/sanctions/repairs"
    again = client.post(repair_url, data={"correction": "再次申请"}, content_type="multipart/form-data", headers=csrf)
    assert again.status_code == 409 and "该名单记录已有待审核的信用修复申请" in again.get_data(as_text=True)

    queue = decider.get("/console/sanctions/repairs").get_data(as_text=True)
    repair_id = found(r'data-repair="(\d+)" data-status="pending"', queue)
    no_reason = decider.post(f"/console/sanctions/repairs/{repair_id}/approve", data={}, headers=decider_csrf)
    assert no_reason.status_code == 422 and 'id="error-reason"' in no_reason.get_data(as_text=True)
    approved = decider.post(
        f"/console/sanctions/repairs/{repair_id}/approve", data={"reason": "整改到位"}, headers=decider_csrf
    )
    assert approved.status_code == 303
    assert f'data-repair="{repair_id}"' not in decider.get("/console/sanctions/repairs").get_data(as_text=True)
    own = client.get("/console/sanctions/repairs").get_data(as_text=True)
    assert "准予修复：整改到位" in own
    assert 'data-form="repair"' not in client.get(case_url).get_data(as_text=True)
    assert "失信名单为空" in decider.get("/console/sanctions/listings?party=company").get_data(as_text=True)


def test_a_company_admin_checks_a_worker_before_hiring_and_the_check_is_logged(
    app, client, console_session, make_issued, make_company
):
    id_number = new_id_number()
    worker = make_issued(name="黄美玲", id_number=id_number)
    csrf = console_session(client, "company_admin", company_id=make_company()["id"])
    page = client.get("/console/sanctions/worker-checks").get_data(as_text=True)
    assert 'name="id_number"' in page and "失信查询" in page

    clear = client.post("/console/sanctions/worker-checks", data={"id_number": id_number}, headers=csrf)
    page = clear.get_data(as_text=True)
    assert clear.status_code == 200 and 'data-answer="not_listed"' in page and "黄*玲" in page
    unknown = client.post("/console/sanctions/worker-checks", data={"id_number": new_id_number()}, headers=csrf)
    assert 'data-answer="not_found"' in unknown.get_data(as_text=True)
    wrong = client.post("/console/sanctions/worker-checks", data={"id_number": "12345"}, headers=csrf)
    assert wrong.status_code == 422 and 'id="error-id_number"' in wrong.get_data(as_text=True)
    with app.app_context():
        checks = db.session.scalars(select(SanctionLookUp).where(SanctionLookUp.what == "worker_check")).all()
        assert [(c.worker_id, c.result, c.viewer_role) for c in checks] == [
            (worker["id"], "not_listed", "company_admin"),
            (None, "not_found", "company_admin"),
        ]


def test_a_listed_worker_is_shown_listed_to_the_company_checking(
    client, console_session, second_operator, make_issued, make_company, login
):
    id_number = new_id_number()
    worker = make_issued(id_number=id_number)
    operator, operator_csrf = second_operator()
    case_url = open_case(operator, operator_csrf, worker_id=str(worker["id"]), measure="listing", period_days="30")
    case_id = found(r"/cases/(\d+)$", case_url)
    operator.post(
        f"/api/v1/sanctions/cases/{case_id}/statement",
        data={"statement": "无异议。"},
        content_type="multipart/form-data",
        headers=login("worker", worker_id=worker["id"]),
    )
    decider, decider_csrf = second_operator()
    decided = decider.post(f"{case_url}/decision", data={"outcome": "uphold", "reason": "属实"}, headers=decider_csrf)
    assert decided.status_code == 303
    csrf = console_session(client, "company_admin", company_id=make_company()["id"])
    answer = client.post("/console/sanctions/worker-checks", data={"id_number": id_number}, headers=csrf)
    page = answer.get_data(as_text=True)
    assert 'data-answer="listed"' in page and "伪造证书材料" in page
