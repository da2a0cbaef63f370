"""The same records as JSON or CSV, and nothing personal in either: a real worker's ID number and
phone, whole or masked, never leave in the feed, nor their full name."""

import csv
import io
from datetime import date

import pytest

from app.extensions import db
from app.privacy import mask_id_number, mask_phone
from credit import certificates, checks, registry
from feed.schemas import CSV_COLUMNS
from tests.factories import DOCUMENTS, GREEN_CHECKS, new_credit_code, new_id_number
from tests.plugins.feed import FEED_PATH

PHONE = "13922334455"


@pytest.fixture
def worker_on_the_feed(app, committed_feed):
    """A worker of a company, issued, suspended, reinstated and revoked, committed for real:
    their ID number and phone."""
    id_number = new_id_number()
    with app.app_context():
        company = registry.create_company(
            {"name": "羊城诚信家政有限公司", "credit_code": new_credit_code(), "district_code": "440106"}, None
        )
        worker = registry.create_worker(
            {"name": "欧阳秀梅", "id_number": id_number, "phone": PHONE, "company_id": company.id}, None
        )
        committed_feed["companies"].append(company.id)
        committed_feed["workers"].append(worker.id)
        certificate = worker.certificate
        documents = DOCUMENTS | {
            "health_certificate_valid_until": date(2099, 1, 1),
            "authorisation_signed_on": date(2020, 1, 1),
        }
        certificates.check_documents(certificate, documents, None)
        certificates.record_training(certificate, 40, date(2020, 1, 2), None)
        certificates.record_exam(certificate, 90, True, None)
        certificates.verify_identity(certificate, True, None)
        certificates.issue(certificate, None)
        for fact in GREEN_CHECKS:
            dated = {
                k: date.fromisoformat(v) if k in ("checked_on", "valid_from", "valid_until") else v
                for k, v in fact.items()
            }
            checks.record_check(certificate, {**dated, "source": "paper"}, None)
        for action in ("suspend", "reinstate", "revoke"):
            certificates.change_standing(certificate, action, None, f"{id_number} {PHONE}")
        db.session.commit()
        number = certificate.number
    return {"id_number": id_number, "phone": PHONE, "name": "欧阳秀梅", "certificate_number": number}


def pull(app, headers, **query):
    response = app.test_client().get(FEED_PATH, query_string={"limit": 1000, **query}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_json_and_csv_hold_the_same_records_with_the_same_fields(app, committed_key, worker_on_the_feed):
    as_json = pull(app, committed_key)
    as_csv = pull(app, committed_key, format="csv")
    assert as_json.mimetype == "application/json" and as_csv.mimetype == "text/csv"
    assert as_csv.headers["Feed-Next-Cursor"] == as_json.json["next_cursor"] == as_json.headers["Feed-Next-Cursor"]
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    records = as_json.json["records"]
    assert tuple(rows[0]) == CSV_COLUMNS and set(records[0]) == set(CSV_COLUMNS)
    assert [row["id"] for row in rows] == [str(record["id"]) for record in records]
    assert [row["kind"] for row in rows] == [record["kind"] for record in records]
    steps = [r["kind"] for r in records if r["certificate_number"] == worker_on_the_feed["certificate_number"]]
    assert steps == ["certificate_issued", "certificate_suspended", "certificate_reinstated", "certificate_revoked"]
    revoked = records[[r["kind"] for r in records].index("certificate_revoked")]
    assert revoked["worker_name_masked"] == "欧**梅" and revoked["company_name"] == "羊城诚信家政有限公司"
    assert revoked["occurred_at"].endswith("+08:00")
    assert [r["kind"] for r in records if r["subject_type"] == "company"][:1] == ["company_grade_changed"]


def test_accept_text_csv_gives_csv_and_anything_else_json(app, committed_key, worker_on_the_feed):
    client = app.test_client()
    assert client.get(FEED_PATH, headers=committed_key | {"Accept": "text/csv"}).mimetype == "text/csv"
    assert client.get(FEED_PATH, headers=committed_key | {"Accept": "*/*"}).mimetype == "application/json"
    forced = client.get(FEED_PATH, query_string={"format": "json"}, headers=committed_key | {"Accept": "text/csv"})
    assert forced.mimetype == "application/json"


def test_no_id_number_or_phone_of_the_worker_is_anywhere_in_the_feed(app, committed_key, worker_on_the_feed):
    personal = [
        worker_on_the_feed["id_number"],
        mask_id_number(worker_on_the_feed["id_number"]),
        worker_on_the_feed["id_number"][-4:] + ",",
        worker_on_the_feed["phone"],
        mask_phone(worker_on_the_feed["phone"]),
        worker_on_the_feed["name"],
    ]
    for output in (pull(app, committed_key), pull(app, committed_key, format="csv")):
        text = output.get_data(as_text=True) + str(dict(output.headers))
        assert worker_on_the_feed["certificate_number"] in text
        for value in personal:
            assert value not in text
