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
