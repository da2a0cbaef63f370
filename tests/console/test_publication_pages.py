"""信用公示 on the console: an operator publishes a dated grade list and a 示范 selection through
the console's forms, sees them listed with their public printable page and CSV, and reads the
API's refusals beside the fields."""

import re

TITLE = "2026年度广州市家政服务企业信用等级名单"


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.S)
    assert match, f"no {pattern}"
    return match.group(1)


def listed_row(page: str, publication_id: str) -> str:
    return found(rf'<tr data-publication="{publication_id}"[^>]*>(.*?)</tr>', page)


def test_an_operator_publishes_a_grade_list_and_opens_its_printable_page(client, console_session, make_company):
    make_company(name="穗好家政服务有限公司")
    csrf = console_session(client, "operator")
    refused = client.post("/console/publications/grade-lists", data={"title": "名"}, headers=csrf)
    assert refused.status_code == 422 and 'id="error-title"' in refused.get_data(as_text=True)

    published = client.post("/console/publications/grade-lists", data={"title": TITLE, "year": "2025"}, headers=csrf)
    assert published.status_code == 303
    publication_id = found(r"published=(\d+)", published.headers["Location"])
    page = client.get(published.headers["Location"]).get_data(as_text=True)
    row = listed_row(page, publication_id)
    assert TITLE in row and "穗家信〔2025〕" in row and "信用等级名单" in row and "已发布" in page
    printable = found(r'href="(/publications/\d+/print)"', row)
    assert "穗好家政服务有限公司" in client.get(printable).get_data(as_text=True)
    csv_link = found(r'href="(/api/v1/publications/\d+/entries.csv)"', row)
    assert "穗好家政服务有限公司" in client.get(csv_link).get_data(as_text=True)
    assert client.get("/api/v1/publications").json["items"][0]["title"] == TITLE  # the API lists it first too


def test_a_grade_list_with_no_company_at_its_minimum_grade_is_refused_beside_it(client, console_session, make_company):
    make_company()
    csrf = console_session(client, "operator")
    refused = client.post("/console/publications/grade-lists", data={"title": TITLE, "min_grade": "5A"}, headers=csrf)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and 'id="error-min_grade"' in page and "没有" in page
    assert f'value="{TITLE}"' in page  # what was typed is kept
    assert "还没有发布名单" in page


def test_an_operator_ticks_candidates_and_publishes_them_as_a_selection(client, console_session, make_company):
    chosen, other = make_company(name="甲家政服务有限公司"), make_company(name="乙家政服务有限公司")
    csrf = console_session(client, "operator")
    page = client.get("/console/publications/candidates").get_data(as_text=True)
    row = found(rf'<tr data-company="{chosen["id"]}" data-eligible="false">(.*?)</tr>', page)
    assert "甲家政服务有限公司" in row
    grade = found(r'data-criterion="grade" data-met="false">(.*?)</td>', row)
    assert "A（要求 ≥ 4A）" in grade  # the value beside the threshold
    assert 'data-criterion="green_workers" data-met="false"' in row
    eligible = client.get("/console/publications/candidates?eligible=true").get_data(as_text=True)
    assert "甲家政服务有限公司" not in eligible and "没有候选企业" in eligible

    title = "2026年度诚信示范企业"
    refused = client.post("/console/publications/selections", data={"title": title}, headers=csrf)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="error-company_ids"' in page and f'value="{title}"' in page
    unknown = client.post(
        "/console/publications/selections", data={"title": title, "company_ids": ["999999"]}, headers=csrf
    )
    assert unknown.status_code == 422 and "999999" in unknown.get_data(as_text=True)

    published = client.post(
        "/console/publications/selections", data={"title": title, "company_ids": [str(chosen["id"])]}, headers=csrf
    )
    assert published.status_code == 303
    publication_id = found(r"published=(\d+)", published.headers["Location"])
    listed = listed_row(client.get(published.headers["Location"]).get_data(as_text=True), publication_id)
    assert title in listed and "诚信示范企业名单" in listed and "穗家示〔" in listed
    entries = client.get(f"/api/v1/publications/{publication_id}/entries").json["items"]
    assert [entry["company_id"] for entry in entries] == [chosen["id"]] and other["id"] != chosen["id"]
    only_selections = client.get("/console/publications?kind=demonstration").get_data(as_text=True)
    assert title in only_selections
