"""The console's long lists cost the same SQL statements on their first page as on a deep one:
the page's rows are picked by key, then read with what they show, never one query per row; the
station desk's waiting rows are read from indexes of those rows alone."""

import html
import re

from tests.factories import STATION_A, STATION_B, plan_nodes, slot_start, statements_with_parameters

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


def test_a_filtered_list_longer_than_the_cap_says_more_than_it_and_pages_on_by_next(
    app, client, console_session, count_statements, make_applicant, monkeypatch
):
    """A list filtered by a state (or a search, or a company) counts up to LIST_COUNT_CAP (1,000
    in the city, the rows its page numbers reach; 10 here): past it, the page says "10 条以上"
    with no page number, and offers 下一页 while rows follow, 上一页 and 首页 once past the first;
    the statements stay three."""
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 10)
    names = [f"工人{n:02d}" for n in range(ROWS)]
    for name in names:
        make_applicant(name=name)
    console_session(client, "operator")
    queue = "/console/certificates"
    first = client.get(queue + "?state=applied&per_page=10").get_data(as_text=True)
    assert "共 10 条以上" in first and "页" not in first.split("共 10 条以上")[1].split("<")[0]
    assert not offers(first, "上一页") and not offers(first, "首页")
    second = client.get(queue + link(first, "下一页")).get_data(as_text=True)
    assert shown(second, names) == names[10:20]
    last = client.get(queue + link(second, "下一页")).get_data(as_text=True)
    assert shown(last, names) == names[20:] and not offers(last, "下一页")
    back = client.get(queue + link(last, "上一页")).get_data(as_text=True)
    assert shown(back, names) == names[10:20] and link(back, "下一页")
    again = client.get(queue + link(back, "上一页")).get_data(as_text=True)
    assert shown(again, names) == names[:10] and not offers(again, "上一页")
    assert "state=applied" in link(last, "首页")
    assert statements_of(client, count_statements, queue + link(second, "下一页")) == 3
    searched = client.get("/console/workers?q=工人&per_page=10").get_data(as_text=True)
    assert "共 10 条以上" in searched
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 100)
    exact = client.get(queue + link(second, "下一页")).get_data(as_text=True)
    assert "共 25 条" in exact and "下一页" not in exact


def test_every_page_of_the_review_queue_is_the_same_statements_with_its_sizes_and_state_written_in(
    app, client, console_session, isolated, make_applicant, monkeypatch
):
    """Pages after any row send the same statement texts, so that the database plans them once
    for every cursor (a prepared statement's generic plan) instead of planning each page anew.
    The page's sizes (LIMIT), the count's cap and the state filtered by are written in the text,
    not sent as parameters: with them as parameters PostgreSQL priced that one plan by guessed
    rows (a tenth of the range, an average state) above planning each call at the city's size."""
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 10)
    for n in range(ROWS):
        make_applicant(name=f"工人{n:02d}")
    console_session(client, "operator")
    queue = "/console/certificates"
    second = queue + link(client.get(queue + "?state=applied&per_page=10").get_data(as_text=True), "下一页")
    third = queue + link(client.get(second).get_data(as_text=True), "下一页")
    texts = []
    for path in (second, third):
        with statements_with_parameters(isolated) as sent:
            assert client.get(path).status_code == 200
        count, shown_page = [statement for statement, _ in sent if "certificates.state" in statement]
        texts.append((count, shown_page))
    assert texts[0] == texts[1]
    count, shown_page = texts[0]
    assert "LIMIT 11" in count and "'applied'" in count  # the cap, 10, and one row more
    assert "LIMIT 11" in shown_page and "LIMIT 10" in shown_page and "'applied'" in shown_page


def test_the_whole_worker_list_says_every_worker_exactly_without_counting_them(
    app, client, console_session, count_statements, make_applicant, monkeypatch
):
    """Unfiltered, the worker list shows how many workers the platform has, exactly however many
    (past the cap too): read from the counts the database keeps of them, so that no statement
    counts the workers (100,000 in the city). A worker registered since is in the figure."""
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 10)
    for n in range(ROWS):
        make_applicant(name=f"工人{n:02d}")
    console_session(client, "operator")
    assert "共 25 条" in client.get("/console/workers?per_page=10").get_data(as_text=True)
    with count_statements() as statements:
        deep = client.get("/console/workers?sort=name&page=2&per_page=5").get_data(as_text=True)
    assert "共 25 条" in deep and len(statements) == 3
    assert not [statement for statement in statements if statement.lstrip().upper().startswith("SELECT COUNT")]
    make_applicant(name="新来的")
    assert "共 26 条" in client.get("/console/workers?per_page=10").get_data(as_text=True)


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
    """The API's total is exact, filtered or not: the console's cap is not the API's."""
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 10)
    for n in range(ROWS):
        make_applicant(name=f"工人{n:02d}")
    answer = client.get("/api/v1/workers?per_page=10", headers=operator).json
    assert answer["total"] == ROWS and "total_is_lower_bound" not in answer
    assert client.get("/api/v1/workers?per_page=10&state=applied", headers=operator).json["total"] == ROWS
    assert client.get("/api/v1/workers?per_page=10&state=issued", headers=operator).json["total"] == 0


def rows_left_behind(connection, statement: str, parameters) -> int:
    """The rows of bookings and booking complaints PostgreSQL read and threw away (by a filter,
    not an index) to answer `statement`."""
    return sum(
        node.get("Rows Removed by Filter", 0)
        for node in plan_nodes(connection, statement, parameters)
        if node.get("Relation Name") in ("bookings", "booking_complaints")
    )


def test_the_desk_reads_only_what_waits_and_the_same_statements_for_one_booking_as_for_three(
    client, console_session, count_statements, booked, act, staff, green_worker, isolated
):
    """What waits at the desk (the bookings to confirm, the complaints near their deadline) is
    read from indexes of the waiting rows of the clerk's station: not found among the station's
    other bookings, nor among the open complaints of other stations. The page's statements stay
    thirteen however many bookings wait: the session, the station and its point, a count and a
    page of each list (the day's bookings, those to confirm, the follow-ups due, the complaints
    due), the hours."""

    def complained_of(station_code: str) -> dict:
        booking, resident = booked(starts_at=slot_start(2, 8), station_code=station_code)
        assert act(booking["id"], "confirm", staff(station_code)).status_code == 200
        assert act(booking["id"], "assign", staff(station_code), {"worker_id": green_worker()["id"]}).status_code == 200
        complaint = client.post(
            f"/api/v1/bookings/{booking['id']}/complaints", json={"type": "lateness", "text": "迟到"}, headers=resident
        )
        assert complaint.status_code == 201, complaint.json
        return complaint.json

    complained_of(STATION_B)  # open, at another station
    handled = complained_of(STATION_A)
    invalidated = client.post(
        f"/api/v1/complaints/{handled['id']}/invalidate", json={"reason": "重复"}, headers=staff()
    )
    assert invalidated.status_code == 200, invalidated.json
    confirmed, _ = booked(starts_at=slot_start(1, 8))
    assert act(confirmed["id"], "confirm", staff()).status_code == 200
    booked(starts_at=slot_start(1, 10))
    console_session(client, "station_staff", station_code=STATION_A)
    desk = f"/console/desk?date={confirmed['starts_at'][:10]}"

    with count_statements() as statements, statements_with_parameters(isolated) as sent:
        page = client.get(desk).get_data(as_text=True)
    assert '<strong data-count="unconfirmed">1</strong>' in page
    assert '<strong data-count="complaints_due">0</strong>' in page
    if isolated.dialect.name == "postgresql":
        waiting = [(s, p) for s, p in sent if "'pending'" in s or "FROM booking_complaints" in s]
        assert len(waiting) == 4  # the pending bookings' count and page, the complaints due's
        assert [rows_left_behind(isolated, s, p) for s, p in waiting] == [0, 0, 0, 0]

    for hour in (12, 14):
        booked(starts_at=slot_start(1, hour))
    with count_statements() as more:
        page = client.get(desk).get_data(as_text=True)
    assert '<strong data-count="unconfirmed">3</strong>' in page
    assert len(statements) == len(more) == 13
