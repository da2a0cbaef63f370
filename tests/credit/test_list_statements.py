"""Every credit list costs the same number of SQL statements at 1 row as at 50: rows are loaded
with their relationships in the page's own queries, never one query per row."""

import pytest

from app.extensions import db
from credit import ledger, registry
from credit.models import Company, Worker
from tests.factories import new_credit_code, new_id_number, plan_nodes, statements_with_parameters

PAGE = {"per_page": 100}


def add_companies(app, count: int) -> None:
    with app.app_context():
        for _ in range(count):
            registry.create_company(
                {"name": "羊城好帮手家政服务有限公司", "credit_code": new_credit_code(), "district_code": "440106"},
                None,
            )
        db.session.commit()


def add_workers(app, company_id: int, count: int) -> None:
    with app.app_context():
        for _ in range(count):
            registry.create_worker(
                {"name": "张秀梅", "id_number": new_id_number(), "phone": "13812345678", "company_id": company_id}, None
            )
        db.session.commit()


def add_events(app, worker_id: int, count: int) -> None:
    with app.app_context():
        worker = db.session.get(Worker, worker_id)
        for _ in range(count):
            ledger.record_credit_event(worker, "rating", 5, None, source_ref="booking:1")
        db.session.commit()


def statements_of(client, count_statements, url, headers=None, **query):
    client.get(url, headers=headers, query_string=query)  # caches warmed (the session look-up, the scoring file)
    with count_statements() as statements:
        response = client.get(url, headers=headers, query_string=query)
    assert response.status_code == 200, response.json
    return len(statements), response.json


def first_company_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Company.id).order_by(Company.id))


def test_the_public_company_list_costs_the_same_at_1_and_50_companies(app, client, count_statements):
    add_companies(app, 1)
    one, page = statements_of(client, count_statements, "/api/v1/companies", **PAGE)
    assert len(page["items"]) == 1
    add_companies(app, 49)
    fifty, page = statements_of(client, count_statements, "/api/v1/companies", **PAGE)
    assert len(page["items"]) == 50
    assert fifty == one


def test_a_page_of_the_public_company_list_reads_only_its_own_companies(app, client, isolated):
    """A resident paging through the grade list from anywhere in it: the page's companies are read
    by their keys, never every company of the city to keep the page's (on PostgreSQL, whose
    planner hashed the page's keys against a scan of the whole table it found small)."""
    add_companies(app, 30)
    onwards = client.get("/api/v1/companies", query_string={"per_page": 5}).json["next"]
    with statements_with_parameters(isolated) as sent:
        page = client.get("/api/v1/companies", query_string={"per_page": 5, "cursor": onwards}).json
    assert len(page["items"]) == 5 and page["total"] == 30
    if isolated.dialect.name == "postgresql":
        (shown,) = [(statement, parameters) for statement, parameters in sent if "companies.name" in statement]
        # The scan of the rows shown (its keys picked in subqueries, companies_1 and _2).
        (read,) = [node["Actual Rows"] for node in plan_nodes(isolated, *shown) if node.get("Alias") == "companies"]
        assert read == 5


@pytest.mark.parametrize("caller", ["operator", "company_admin"])
def test_the_worker_list_costs_the_same_at_1_and_50_workers(caller, app, client, login, count_statements):
    add_companies(app, 1)
    company_id = first_company_id(app)
    headers = login("operator") if caller == "operator" else login("company_admin", company_id=company_id)
    add_workers(app, company_id, 1)
    one, page = statements_of(client, count_statements, "/api/v1/workers", headers, **PAGE)
    assert len(page["items"]) == 1
    add_workers(app, company_id, 49)
    fifty, page = statements_of(client, count_statements, "/api/v1/workers", headers, **PAGE)
    assert len(page["items"]) == 50
    assert {item["phone"] for item in page["items"]} == {"138****5678"}
    assert fifty == one


def test_a_companys_worker_list_reads_and_decrypts_its_page_only(app, client, login, count_statements, monkeypatch):
    """The session, the count and the page with each worker's certificate: three statements for
    any page, by number or by the `next` cursor, and only the page's ID numbers and phones are
    decrypted to be masked."""
    from app import privacy

    add_companies(app, 1)
    company_id = first_company_id(app)
    add_workers(app, company_id, 50)
    headers = login("company_admin", company_id=company_id)
    decrypted = []
    plain = privacy.decrypt

    def counted(blob: bytes) -> str:
        decrypted.append(blob)
        return plain(blob)

    monkeypatch.setattr(privacy, "decrypt", counted)
    listed = {}
    for page in (1, 3):
        decrypted.clear()
        statements, body = statements_of(client, count_statements, "/api/v1/workers", headers, page=page, per_page=20)
        listed[page] = (statements, len(body["items"]), body["total"], len(decrypted))
    onwards = client.get("/api/v1/workers", headers=headers, query_string={"per_page": 20, "page": 2}).json["next"]
    decrypted.clear()
    statements, body = statements_of(client, count_statements, "/api/v1/workers", headers, cursor=onwards, per_page=20)
    by_cursor = (statements, len(body["items"]), body["total"], len(decrypted))
    # Each page is requested twice (once to warm the caches): twice the page's two numbers each.
    assert listed == {1: (3, 20, 50, 2 * 20 * 2), 3: (3, 10, 50, 2 * 10 * 2)} and by_cursor == listed[3]


def test_a_workers_history_costs_the_same_at_1_and_50_events(app, client, operator, count_statements):
    add_companies(app, 1)
    add_workers(app, first_company_id(app), 1)
    with app.app_context():
        worker_id = db.session.scalar(db.select(Worker.id))
    url = f"/api/v1/workers/{worker_id}/history"
    one, history = statements_of(client, count_statements, url, operator)
    add_events(app, worker_id, 50)
    fifty, longer = statements_of(client, count_statements, url, operator)
    assert longer["total"] == history["total"] + 50
    assert fifty == one
