"""The long lists (companies, workers) page by cursor: following `next` from the first page, and
`previous` back, reads every row once in the list's order, ties, NULL scores and a sort in either
direction included, as deep as the list goes; a cursor the list did not give is a 422 naming it."""

import pytest

from app.errors import Invalid
from app.extensions import db
from app.paging import encode_cursor
from credit import registry
from tests.factories import new_credit_code, new_id_number

# (grade, score): grades and scores tied, some scores not yet known (NULL), districts shared.
COMPANIES = [("3A", 80.0), ("3A", 80.0), ("5A", None), ("A", 40.0), ("3A", None), ("5A", 95.5), ("A", 40.0)]
COMPANIES = COMPANIES * 2


@pytest.fixture
def companies(app, isolated):
    with app.app_context():
        for n, (grade, score) in enumerate(COMPANIES):
            company = registry.create_company(
                {
                    "name": f"家政{n % 3}",
                    "credit_code": new_credit_code(),
                    "district_code": ["440106", "440104"][n % 2],
                },
                None,
            )
            company.grade, company.credit_score = grade, score
        db.session.commit()


def walk(app, order: str, per_page: int) -> tuple[list[int], list[int]]:
    """The ids of every page by `next` from the first page, and of every page by `previous` back."""
    forward, pages = [], []
    with app.app_context():
        page = registry.list_companies(None, None, 1, per_page, order=order)
        pages.append(page)
        while page.next:
            page = registry.list_companies(None, None, 1, per_page, cursor=page.next, order=order)
            pages.append(page)
        forward = [company.id for listed in pages for company in listed.items]
        backward = [company.id for company in page.items]
        while page.previous:
            page = registry.list_companies(None, None, 1, per_page, cursor=page.previous, order=order)
            backward = [company.id for company in page.items] + backward
    return forward, backward


@pytest.mark.parametrize("order", sorted(registry.COMPANY_ORDERS))
@pytest.mark.parametrize("per_page", [1, 3])
def test_following_the_cursors_reads_every_company_once_in_its_order(app, companies, order, per_page):
    with app.app_context():
        every = [company.id for company in registry.list_companies(None, None, 1, 200, order=order).items]
    assert len(every) == len(COMPANIES)
    forward, backward = walk(app, order, per_page)
    assert forward == every and backward == every


# Workers' stars: tied, and not yet known (NULL, listed after every rated worker).
STARS = [4, None, 5, 4, None, 3, 5, 4, None]


@pytest.fixture
def workers(app, isolated):
    with app.app_context():
        for n, stars in enumerate(STARS):
            worker = registry.create_worker({"name": f"工人{n % 4}", "id_number": new_id_number()}, None)
            worker.stars = stars
        db.session.commit()


@pytest.mark.parametrize("order", sorted(registry.WORKER_ORDERS))
def test_following_the_cursors_reads_every_worker_once_in_its_order(app, workers, order):
    """The console's worker list by id, by name (姓名) or by stars, unrated workers last: 下一页
    from the first page and 上一页 back read each worker once, in the order of the whole list."""
    with app.app_context():
        every = [worker.id for worker in registry.list_workers(None, None, 1, 200, order=order).items]
        pages = [registry.list_workers(None, None, 1, 2, order=order)]
        while pages[-1].next:
            pages.append(registry.list_workers(None, None, 1, 2, cursor=pages[-1].next, order=order))
        forward = [worker.id for page in pages for worker in page.items]
        page = pages[-1]
        backward = [worker.id for worker in page.items]
        while page.previous:
            page = registry.list_workers(None, None, 1, 2, cursor=page.previous, order=order)
            backward = [worker.id for worker in page.items] + backward
    assert len(every) == len(STARS) and forward == every and backward == every


def test_the_public_list_answers_the_cursor_of_its_next_page_with_the_same_filters(client, companies):
    first = client.get("/api/v1/companies", query_string={"per_page": 3, "grade": "3A"}).json
    assert first["page"] == 1 and first["previous"] is None and first["next"]
    second = client.get("/api/v1/companies", query_string={"per_page": 3, "grade": "3A", "cursor": first["next"]}).json
    assert second["page"] is None and second["previous"] and second["next"] is None
    assert {c["grade"] for c in first["items"] + second["items"]} == {"3A"} and len(second["items"]) == 3
    shallow = client.get("/api/v1/companies", query_string={"per_page": 3, "grade": "3A", "page": 2}).json
    assert shallow["items"] == second["items"] and shallow["next"] is None


@pytest.mark.parametrize(
    "query, field",
    [
        ({"cursor": "v1.not-base64!"}, "cursor"),
        ({"cursor": "v1.WyJncmFkZSIsImFmdGVyIl0"}, "cursor"),  # ["grade","after"]: no key
        ({"cursor": "v1.WyJpZCIsImFmdGVyIiwzXQ"}, "cursor"),  # ["id","after",3]: another order's
        ({"cursor": "v1.WyJncmFkZSIsImFmdGVyIiwiNSIsODAsM10"}, "cursor"),  # ["grade","after","5",80,3]
        ({"cursor": "v1." + "A" * 300}, "cursor"),
    ],
)
def test_a_cursor_the_list_did_not_give_is_a_422_naming_it(client, companies, query, field):
    answer = client.get("/api/v1/companies", query_string=query)
    assert answer.status_code == 422 and answer.json["code"] == "invalid_cursor"
    assert list(answer.json["errors"]) == [field]


def test_page_numbers_reach_only_the_first_thousand_rows_and_never_beside_a_cursor(client, companies):
    assert client.get("/api/v1/companies", query_string={"page": 50, "per_page": 20}).status_code == 200
    deep = client.get("/api/v1/companies", query_string={"page": 51, "per_page": 20})
    assert deep.status_code == 422 and list(deep.json["errors"]) == ["page"]
    first = client.get("/api/v1/companies", query_string={"per_page": 2}).json
    both = client.get("/api/v1/companies", query_string={"page": 1, "cursor": first["next"]})
    assert both.status_code == 422 and list(both.json["errors"]) == ["cursor"]


@pytest.mark.parametrize(
    "sort, key",
    [("name", ["家政\x00", 3]), ("id", [2**63]), ("score", ["80", 3]), ("district", [None, 80.0, 3])],
)
def test_a_key_no_column_of_the_order_holds_is_refused_before_the_database_reads_it(app, companies, sort, key):
    """A NUL in a name, an id past 64 bits, a score as text, a NULL district: 422, not a 500."""
    with app.test_request_context(), pytest.raises(Invalid) as refused:
        registry.list_companies(None, None, 1, 20, cursor=encode_cursor([sort, "after", *key]), order=sort)
    assert refused.value.problem_code == "invalid_cursor" and list(refused.value.data["errors"]) == ["cursor"]
