"""An operator publishes the companies' grades as a dated, numbered list; anyone reads it as JSON,
CSV or a printable page; a later change of a grade, a name or a district never reaches a list
published before it, and each list keeps its own number."""

import csv
import io

from tests.factories import TODAY

TITLE = "2026年度广州市家政服务企业信用等级名单"


def entries(client, publication_id, **query):
    response = client.get(f"/api/v1/publications/{publication_id}/entries", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_a_published_list_stays_as_it_was_when_grades_change_later(
    graded_company, make_company, company_event, publish, client, operator
):
    good, other = graded_company(name="羊城好帮手家政"), make_company(name="珠江家政", district_code="440104")
    listed = publish("grade-lists", {"title": TITLE}).json
    before = entries(client, listed["id"], per_page=200)["items"]
    ours = {row["company_id"]: row for row in before}
    assert ours[good["id"]]["grade"] == client.get(f"/api/v1/companies/{good['id']}").json["grade"]

    company_event(good, "breach")
    client.patch(f"/api/v1/companies/{other['id']}", json={"contact_name": "新联系人"}, headers=operator)
    now = client.get(f"/api/v1/companies/{good['id']}").json
    assert now["grade"] == "A" and now["grade"] != ours[good["id"]]["grade"]

    assert entries(client, listed["id"], per_page=200)["items"] == before
    later = publish("grade-lists", {"title": TITLE}).json
    assert {row["company_id"]: row["grade"] for row in entries(client, later["id"], per_page=200)["items"]}[
        good["id"]
    ] == "A"
    assert later["sequence"] == listed["sequence"] + 1
    assert later["number"] == f"穗家信〔{TODAY.year}〕{later['sequence']}号"


def test_the_list_records_its_number_date_and_scoring_version_and_is_public(make_company, publish, client):
    make_company()
    response = publish("grade-lists", {"title": f"  {TITLE} ", "year": 2025})
    assert response.status_code == 201, response.json
    listed = response.json
    assert (listed["title"], listed["year"], listed["kind"], listed["kind_name"]) == (
        TITLE,
        2025,
        "grade_list",
        "信用等级名单",
    )
    assert listed["number"] == f"穗家信〔2025〕{listed['sequence']}号"
    assert listed["published_on"] == TODAY.isoformat()
    from credit.scoring import current_config

    assert listed["scoring_version"] == current_config().version and listed["criteria_version"] is None
    assert client.get(f"/api/v1/publications/{listed['id']}").json == listed
    everything = client.get("/api/v1/publications", query_string={"kind": "grade_list"}).json
    assert everything["items"][0] == listed
    assert listed["entry_count"] == entries(client, listed["id"])["total"] >= 1


def test_rows_come_best_grade_first_then_score_with_ties_in_a_stable_order(
    graded_company, make_company, company_event, publish, client
):
    best, first_tie, second_tie, capped = graded_company(), make_company(), make_company(), graded_company()
    company_event(capped, "breach")
    rows = entries(client, publish("grade-lists", {"title": TITLE}).json["id"], per_page=200)["items"]
    order = [row["company_id"] for row in rows]
    assert order.index(best["id"]) < order.index(first_tie["id"]) < order.index(second_tie["id"])
    assert order.index(second_tie["id"]) < order.index(capped["id"]), "a tie of grade and score goes by id"
    assert [row["position"] for row in rows] == list(range(1, len(rows) + 1))
    grades = ["A", "2A", "3A", "4A", "5A"]
    keys = [(-grades.index(row["grade"]), -row["credit_score"]) for row in rows]
    assert keys == sorted(keys)


def test_a_minimum_grade_leaves_out_the_companies_below_it(graded_company, make_company, publish, client):
    kept, below = graded_company(), make_company()
    assert (kept["grade"], below["grade"]) == ("3A", "A")
    rows = entries(client, publish("grade-lists", {"title": TITLE, "min_grade": "3A"}).json["id"], per_page=200)
    ids = {row["company_id"] for row in rows["items"]}
    assert kept["id"] in ids and below["id"] not in ids
    assert all(row["grade"] in ("3A", "4A", "5A") for row in rows["items"])
    nothing = publish("grade-lists", {"title": TITLE, "min_grade": "5A"})
    assert (nothing.status_code, nothing.json["code"]) == (409, "nothing_to_publish")


def test_the_csv_has_a_bom_stable_columns_and_the_same_rows(make_company, publish, client):
    make_company(name='=HYPERLINK("x")家政')
    listed = publish("grade-lists", {"title": TITLE}).json
    response = client.get(f"/api/v1/publications/{listed['id']}/entries.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="publication-{listed["id"]}.csv"')
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7,")  # BOM, then 序号
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["序号", "企业名称", "统一社会信用代码", "信用等级", "信用分", "所在区"]
    json_rows = entries(client, listed["id"], per_page=200)["items"]
    assert len(rows) - 1 == len(json_rows)
    first = json_rows[0]
    assert rows[1][0] == "1" and rows[1][2] == first["credit_code"] and rows[1][3] == first["grade"]
    assert rows[1][4] == f"{first['credit_score']:.2f}" and rows[1][5] == first["district"]
    assert any(row[1] == '\'=HYPERLINK("x")家政' for row in rows[1:]), "a formula is never run by a spreadsheet"


def test_the_printable_page_shows_the_list_in_chinese_with_a_print_style(make_company, publish, client):
    company = make_company(name="羊城好帮手家政服务有限公司")
    listed = publish("grade-lists", {"title": TITLE}).json
    page = client.get(f"/publications/{listed['id']}/print")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert TITLE in html and listed["number"] in html and "@media print" in html
    assert company["name"] in html and company["credit_code"] in html and "天河区" in html
    assert "<script" not in html
    assert client.get("/publications/999999/print").status_code == 404


def test_only_operators_publish_and_bad_input_names_the_field(make_company, publish, client, login):
    make_company()
    assert publish("grade-lists", {"title": TITLE}, headers=login("company_admin", company_id=1)).status_code == 403
    for body, field in (
        ({"title": ""}, "title"),
        ({"title": "  "}, "title"),
        ({}, "title"),
        ({"title": TITLE, "year": 1999}, "year"),
        ({"title": TITLE, "min_grade": "6A"}, "min_grade"),
        ({"title": "名" * 101}, "title"),
    ):
        response = publish("grade-lists", body)
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["errors"]
    assert client.get("/api/v1/publications", query_string={"kind": "blacklist"}).status_code == 422
    assert client.get("/api/v1/publications/999999").json["code"] == "unknown_publication"
    assert client.get("/api/v1/publications/999999/entries.csv").status_code == 404
