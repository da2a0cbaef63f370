"""The console's long lists cost the same SQL statements on their first page as on a deep one:
the page's rows are picked by key, then read with what they show, never one query per row."""

import html
import re

ROWS = 25


def statements_of(client, count_statements, path) -> int:
    with count_statements() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def link(page: str, label: str) -> str:
    """The pager's link of this label (下一页, 上一页, 首页): the query string the browser follows."""
    found = re.search(rf'<a href="(\?[^"]*)"[^>]*>{label}</a>', page)
    assert found, f"the page offers no {label}"
    return html.unescape(found.group(1))


def offers(page: str, label: str) -> bool:
    return f">{label}</a>" in page


def shown(page: str, names: list[str]) -> list[str]:
    return [name for name in names if f">{name}</a>" in page]


def test_any_page_of_the_workers_and_of_the_review_queue_is_three_statements(
    client, console_session, count_statements, make_applicant
):
    """The caller's session, the count and the page (its keys picked from the cursor's row in a
    subquery), each worker's certificate and company joined to it and only its own numbers
    decrypted: the third page, reached by 下一页 twice, costs what the first does."""
    names = [f"工人{n:02d}" for n in range(ROWS)]
    for name in names:
        make_applicant(name=name)
    console_session(client, "operator")
    for path, query in (("/console/workers", "?per_page=10"), ("/console/certificates", "?state=applied&per_page=10")):
        second = path + link(client.get(path + query).get_data(as_text=True), "下一页")
        third = path + link(client.get(second).get_data(as_text=True), "下一页")
        assert statements_of(client, count_statements, path + query) == 3
        assert statements_of(client, count_statements, third) == 3
        last = client.get(third).get_data(as_text=True)
        assert shown(last, names) == names[20:] and not offers(last, "下一页")
        assert "state=applied" in third or path == "/console/workers"  # the filter is kept from page to page


def test_a_list_longer_than_the_cap_says_more_than_it_and_pages_on_by_next(
    app, client, console_session, count_statements, make_applicant, monkeypatch
):
    """The worker list counts up to LIST_COUNT_CAP (10,000 in the city, 10 here): past it, the page
    says "10 条以上" with no page number, and offers 下一页 while rows follow, 上一页 and 首页 once
    past the first; the statements stay three. The API's own total stays exact."""
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 10)
    names = [f"工人{n:02d}" for n in range(ROWS)]
    for name in names:
        make_applicant(name=name)
    console_session(client, "operator")
    first = client.get("/console/workers?per_page=10").get_data(as_text=True)
    assert "共 10 条以上" in first and "页" not in first.split("共 10 条以上")[1].split("<")[0]
    assert not offers(first, "上一页") and not offers(first, "首页")
    second = client.get("/console/workers" + link(first, "下一页")).get_data(as_text=True)
    assert shown(second, names) == names[10:20]
    last = client.get("/console/workers" + link(second, "下一页")).get_data(as_text=True)
    assert shown(last, names) == names[20:] and not offers(last, "下一页")
    back = client.get("/console/workers" + link(last, "上一页")).get_data(as_text=True)
    assert shown(back, names) == names[10:20] and link(back, "下一页")
    again = client.get("/console/workers" + link(back, "上一页")).get_data(as_text=True)
    assert shown(again, names) == names[:10] and not offers(again, "上一页")
    assert link(last, "首页") == "?per_page=10"
    assert statements_of(client, count_statements, "/console/workers" + link(second, "下一页")) == 3
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 100)
    exact = client.get("/console/workers" + link(second, "下一页")).get_data(as_text=True)
    assert "共 25 条" in exact and "下一页" not in exact


def test_a_cursor_that_the_list_did_not_give_is_refused_naming_it(client, console_session, make_applicant):
    """A cursor mistyped, of another order, or with a key of the wrong kind is a 422 page
    (invalid_cursor), never a server error; a page by number reaches only the first rows."""
    for name in ("工人甲", "工人乙"):
        make_applicant(name=name)
    console_session(client, "operator")
    by_name = link(client.get("/console/workers?sort=name&per_page=1").get_data(as_text=True), "下一页")
    assert by_name and client.get(f"/console/workers{by_name}").status_code == 200
    # ["id","after",35] of another version; ["id","after","35"]: a string for the id
    for cursor in ("v1.garbage", "v2.WyJpZCIsImFmdGVyIiwzNV0", "v1.WyJpZCIsImFmdGVyIiwiMzUiXQ"):
        refused = client.get(f"/console/workers?cursor={cursor}")
        assert refused.status_code == 422 and "invalid_cursor" in refused.get_data(as_text=True), cursor
    by_id = client.get(f"/console/workers{by_name.replace('sort=name', 'sort=id')}")
    assert by_id.status_code == 422 and "invalid_cursor" in by_id.get_data(as_text=True)
    assert client.get("/console/workers?page=51").status_code == 422


def test_the_apis_worker_list_counts_every_worker(app, client, operator, make_applicant, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 10)
    for n in range(ROWS):
        make_applicant(name=f"工人{n:02d}")
    answer = client.get("/api/v1/workers?per_page=10", headers=operator).json
    assert answer["total"] == ROWS and "total_is_lower_bound" not in answer
