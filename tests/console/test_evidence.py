"""A worker's evidence in the console: a company admin uploads documents and the photo and ends the
employment; an operator sees each document beside the fact it proves, opens it (on record),
accepts or refuses it, and records a background check or policy from paper; objections are
decided from a queue. Each refusal is shown beside its form, in the API's words."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from credit.models import DocumentLookUp
from tests.factories import PDF, TODAY, image_bytes, upload_part

JPEG = image_bytes("JPEG")


@pytest.fixture
def company_worker(make_company, make_applicant):
    company = make_company()["id"]
    return company, make_applicant(company_id=company)


def upload(client, worker, csrf, kind="health_certificate", data=PDF, filename="体检.pdf", **fields):
    body = {"kind": kind, "file": upload_part(data, filename, "application/pdf")} | fields
    return client.post(
        f"/console/workers/{worker['id']}/documents", data=body, content_type="multipart/form-data", headers=csrf
    )


def document_rows(page: str) -> list[tuple[str, str, str]]:
    """(kind, review, the fact's value now) of each document row on a worker's page."""
    return re.findall(
        r'data-document="\d+" data-kind="(\w+)" data-review="(\w+)">.*?<td data-fact>([^<]*)</td>', page, re.S
    )


def looks(app, what) -> int:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(DocumentLookUp).where(DocumentLookUp.what == what)) or 0
        )


def test_a_company_admin_uploads_a_document_and_the_operator_accepts_it_beside_its_fact(
    app, client, console_session, company_worker
):
    company, worker = company_worker
    csrf = console_session(client, "company_admin", company_id=company)
    answer = upload(client, worker, csrf, valid_until=(TODAY.replace(year=TODAY.year + 1)).isoformat())
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert document_rows(client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)) == [
        ("health_certificate", "pending", "未登记")
    ]
    assert "通过</button>" not in client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)

    csrf = console_session(client, "operator")
    page = client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)
    assert "健康证/体检证明" in page and "健康证有效期至" in page and "第 1 版" in page
    document = re.search(r"/console/workers/\d+/documents/(\d+)/file", page)
    assert document
    opened = client.get(document.group(0))
    assert opened.status_code == 200 and opened.data == PDF and opened.headers["Cache-Control"] == "private, no-store"
    assert looks(app, "document") == 1 and looks(app, "list") == 3  # each page shown lists them

    accepted = client.post(f"/console/workers/{worker['id']}/documents/{document.group(1)}/accept", headers=csrf)
    assert accepted.status_code == 303
    page = client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)
    assert document_rows(page) == [("health_certificate", "accepted", "未登记")] and "已通过" in page
    again = client.post(f"/console/workers/{worker['id']}/documents/{document.group(1)}/accept", headers=csrf)
    assert again.status_code == 409 and 'role="alert"' in again.get_data(as_text=True)


def test_refusing_a_document_needs_a_reason_shown_beside_it(client, console_session, make_applicant):
    worker = make_applicant()
    csrf = console_session(client, "operator")
    assert upload(client, worker, csrf, kind="id_card_front", data=JPEG, filename="id.jpg").status_code == 303
    page = client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)
    document = re.search(r"/documents/(\d+)/refuse", page).group(1)  # type: ignore[union-attr]
    refuse = f"/console/workers/{worker['id']}/documents/{document}/refuse"
    without = client.post(refuse, headers=csrf)
    assert without.status_code == 422 and 'id="error-reason"' in without.get_data(as_text=True)
    refused = client.post(refuse, data={"reason": "照片模糊"}, headers=csrf)
    assert refused.status_code == 303
    page = client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)
    assert document_rows(page) == [("id_card_front", "refused", "未登记")] and "未通过（照片模糊）" in page


def test_an_upload_refused_by_its_content_says_so_beside_the_file(client, console_session, company_worker):
    company, worker = company_worker
    csrf = console_session(client, "company_admin", company_id=company)
    wrong = upload(client, worker, csrf, data=b"GIF89a not a scan", filename="scan.pdf")
    assert wrong.status_code == 415 and 'id="error-file"' in wrong.get_data(as_text=True)
    assert "JPEG" in wrong.get_data(as_text=True)
    no_kind = client.post(
        f"/console/workers/{worker['id']}/documents",
        data={"file": upload_part(PDF, "a.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=csrf,
    )
    assert no_kind.status_code == 422 and 'id="error-kind"' in no_kind.get_data(as_text=True)
    no_file = client.post(
        f"/console/workers/{worker['id']}/documents",
        data={"kind": "health_certificate"},
        content_type="multipart/form-data",
        headers=csrf,
    )
    assert no_file.status_code == 422 and 'id="error-file"' in no_file.get_data(as_text=True)


def test_another_companys_admin_reaches_neither_the_page_nor_the_files(
    client, console_session, company_worker, make_company
):
    company, worker = company_worker
    csrf = console_session(client, "company_admin", company_id=company)
    assert upload(client, worker, csrf).status_code == 303
    page = client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)
    file_path = re.search(r"/console/workers/\d+/documents/\d+/file", page).group(0)  # type: ignore[union-attr]
    csrf = console_session(client, "company_admin", company_id=make_company()["id"])
    assert client.get(file_path).status_code == 404
    assert upload(client, worker, csrf).status_code == 404
    assert client.get(f"/console/workers/{worker['id']}/photo.jpg").status_code == 404


def test_the_photo_uploaded_is_shown_on_the_worker_page(app, client, console_session, company_worker):
    company, worker = company_worker
    csrf = console_session(client, "company_admin", company_id=company)
    assert "尚未上传照片" in client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)
    small = client.post(
        f"/console/workers/{worker['id']}/photo",
        data={"file": upload_part(image_bytes("JPEG", (40, 40)), "me.jpg")},
        content_type="multipart/form-data",
        headers=csrf,
    )
    assert small.status_code == 422 and 'id="error-file"' in small.get_data(as_text=True)
    posted = client.post(
        f"/console/workers/{worker['id']}/photo",
        data={"file": upload_part(JPEG, "me.jpg")},
        content_type="multipart/form-data",
        headers=csrf,
    )
    assert posted.status_code == 303
    page = client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)
    assert "data-photo" in page
    photo = client.get(f"/console/workers/{worker['id']}/photo.jpg")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg" and looks(app, "photo") == 1


def test_an_operator_records_a_background_check_from_paper(client, console_session, make_applicant):
    worker = make_applicant()
    csrf = console_session(client, "operator")
    form = {"kind": "criminal_record", "reference": "穗公证字2026-001", "checked_on": TODAY.isoformat()}
    wrong = client.post(f"/console/workers/{worker['id']}/checks", data=form | {"result": "in_force"}, headers=csrf)
    assert wrong.status_code == 422 and 'id="error-result"' in wrong.get_data(as_text=True)
    recorded = client.post(f"/console/workers/{worker['id']}/checks", data=form | {"result": "clear"}, headers=csrf)
    assert recorded.status_code == 303
    page = client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)
    assert "穗公证字2026-001" in page and "无犯罪记录核查" in page and "纸质证明" in page


def test_a_company_admin_ends_a_workers_employment(client, console_session, company_worker):
    company, worker = company_worker
    csrf = console_session(client, "company_admin", company_id=company)
    ended = client.post(f"/console/workers/{worker['id']}/employment/end", data={"reason": "合同到期"}, headers=csrf)
    assert ended.status_code == 303 and ended.headers["Location"] == "/console/workers"
    assert client.get(f"/console/workers/{worker['id']}").status_code == 404  # the file is theirs no more


def test_ending_an_employment_with_too_long_a_reason_is_shown_beside_it(client, console_session, company_worker):
    company, worker = company_worker
    csrf = console_session(client, "company_admin", company_id=company)
    answer = client.post(f"/console/workers/{worker['id']}/employment/end", data={"reason": "长" * 501}, headers=csrf)
    assert answer.status_code == 422 and 'id="error-reason"' in answer.get_data(as_text=True)


def test_an_operator_decides_objections_from_the_queue(client, console_session, make_issued, operator, login):
    worker = make_issued()
    event = client.post(
        f"/api/v1/workers/{worker['id']}/credit-events", json={"kind": "breach", "reason": "失信记录"}, headers=operator
    ).json
    objected = client.post(
        f"/api/v1/credit-events/{event['id']}/objections",
        data={"reason": "当天我在外地。"},  # an objection is a form: it may carry an evidence file
        content_type="multipart/form-data",
        headers=login("worker", worker_id=worker["id"]),
    )
    assert objected.status_code == 201, objected.json
    objection = objected.json["id"]
    csrf = console_session(client, "operator")
    queue = client.get("/console/objections").get_data(as_text=True)
    assert f'data-objection="{objection}" data-status="open"' in queue and "当天我在外地。" in queue
    without = client.post(f"/console/objections/{objection}/uphold", headers=csrf)
    assert without.status_code == 422 and 'id="error-reason"' in without.get_data(as_text=True)
    upheld = client.post(f"/console/objections/{objection}/uphold", data={"reason": "经核实属实"}, headers=csrf)
    assert upheld.status_code == 303
    assert f'data-objection="{objection}"' not in client.get("/console/objections").get_data(as_text=True)
    decided = client.get("/console/objections?status=upheld").get_data(as_text=True)
    assert f'data-objection="{objection}" data-status="upheld"' in decided and "经核实属实" in decided
    twice = client.post(f"/console/objections/{objection}/reject", data={"reason": "再议"}, headers=csrf)
    assert twice.status_code == 409


def test_a_company_admin_sees_their_companys_objections_only(client, console_session, make_company, operator, login):
    mine, theirs = make_company()["id"], make_company()["id"]
    for company, reason in ((mine, "本企业的异议"), (theirs, "别家的异议")):
        event = client.post(
            f"/api/v1/companies/{company}/credit-events", json={"kind": "breach", "reason": "失信"}, headers=operator
        ).json
        filed = client.post(
            f"/api/v1/credit-events/{event['id']}/objections",
            data={"reason": reason},
            content_type="multipart/form-data",
            headers=login("company_admin", company_id=company),
        )
        assert filed.status_code == 201, filed.json
    console_session(client, "company_admin", company_id=mine)
    page = client.get("/console/objections").get_data(as_text=True)
    assert "本企业的异议" in page and "别家的异议" not in page and "异议成立</button>" not in page


def test_a_file_over_the_limit_is_refused_beside_the_file_and_nothing_is_kept(
    app, client, console_session, make_applicant
):
    worker = make_applicant()
    csrf = console_session(client, "operator")
    limit = app.config["DOCUMENT_MAX_BYTES"]
    just_over = upload(client, worker, csrf, data=b"%PDF-" + b"0" * limit)
    assert just_over.status_code == 413 and 'id="error-file"' in just_over.get_data(as_text=True)
    far_over = upload(client, worker, csrf, data=b"%PDF-" + b"0" * (limit + 200_000))
    assert far_over.status_code == 413 and "文件超过" in far_over.get_data(as_text=True)  # a page, in Chinese
    assert document_rows(client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)) == []
