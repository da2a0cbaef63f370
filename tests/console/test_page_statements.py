"""The console's long lists cost the same SQL statements on their first page as on a deep one:
the page's rows are picked by key, then read with what they show, never one query per row."""

ROWS = 25


def statements_of(client, count_statements, path) -> int:
    with count_statements() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def test_any_page_of_the_workers_and_of_the_review_queue_is_three_statements(
    client, console_session, count_statements, make_applicant
):
    """The caller's session, the count and the page (its keys picked in a subquery), each worker's
    certificate and company joined to it and only its own numbers decrypted."""
    names = [f"工人{n:02d}" for n in range(ROWS)]
    for name in names:
        make_applicant(name=name)
    console_session(client, "operator")
    pages = {
        (path, page): statements_of(client, count_statements, f"/console/{path}per_page=10&page={page}")
        for path in ("workers?", "certificates?state=applied&")
        for page in (1, 3)
    }
    assert set(pages.values()) == {3}
    last = client.get("/console/certificates?state=applied&per_page=10&page=3").get_data(as_text=True)
    assert [name for name in names if f">{name}</a>" in last] == names[20:]


def test_a_list_longer_than_the_cap_says_more_than_it_and_pages_on_by_next(
    app, client, console_session, count_statements, make_applicant, monkeypatch
):
    """The worker list counts up to LIST_COUNT_CAP (10,000 in the city, 10 here): past it, the page
    says "10 条以上" with no page count, and offers the next page while rows follow; the
    statements stay three. The API's own total stays exact."""
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 10)
    names = [f"工人{n:02d}" for n in range(ROWS)]
    for name in names:
        make_applicant(name=name)
    console_session(client, "operator")
    first = client.get("/console/workers?per_page=10&page=1").get_data(as_text=True)
    assert "共 10 条以上，第 1 页" in first and "/ 3 页" not in first
    assert "page=2" in first and "下一页" in first
    second = client.get("/console/workers?per_page=10&page=2").get_data(as_text=True)
    assert "上一页" in second and "下一页" in second
    last = client.get("/console/workers?per_page=10&page=3").get_data(as_text=True)
    assert [name for name in names if f">{name}</a>" in last] == names[20:]
    assert "共 10 条以上，第 3 页" in last and "上一页" in last and "下一页" not in last
    assert statements_of(client, count_statements, "/console/workers?per_page=10&page=3") == 3
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 100)
    exact = client.get("/console/workers?per_page=10&page=3").get_data(as_text=True)
    assert "共 25 条，第 3 / 3 页" in exact and "下一页" not in exact


def test_the_apis_worker_list_counts_every_worker(app, client, operator, make_applicant, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 10)
    for n in range(ROWS):
        make_applicant(name=f"工人{n:02d}")
    answer = client.get("/api/v1/workers?per_page=10", headers=operator).json
    assert answer["total"] == ROWS and "total_is_lower_bound" not in answer
