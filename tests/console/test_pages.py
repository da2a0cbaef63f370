"""What the console's pages show, read without a browser: the dashboard's figures, the desk's
filters and paging, the masking of the API's own schemas."""

import html
import json
import re
from datetime import timedelta

from tests.factories import STATION_A, STATION_B, TODAY, slot_start


def figures_of(page) -> dict:
    found = re.search(r'<script type="application/json" id="figures">(.*?)</script>', page, re.S)
    assert found, "the dashboard carries no figures"
    return json.loads(found.group(1))


def by_key(chart: dict) -> dict[str, dict]:
    """{series key: {label key: value}} of a chart as the page carries it."""
    return {series["key"]: dict(zip(chart["keys"], series["data"], strict=True)) for series in chart["series"]}


def test_the_dashboard_charts_the_statistics_apis_figures_for_the_period_chosen(
    client, console_session, operator, booked, make_company, make_issued
):
    booking, _ = booked()
    day = booking["starts_at"][:10]
    make_issued(company_id=make_company(district_code="440106")["id"])
    console_session(client, "operator")
    page = client.get(f"/console/dashboard?to={day}").get_data(as_text=True)
    figures = figures_of(page)
    assert f'value="{day}"' in page  # the period as the API read it: `to` chosen, `from` its default

    bookings = by_key(figures["bookings"]["by_district"])
    assert bookings["bookings"]["440106"] == 1 and sum(bookings["bookings"].values()) == 1  # 天河区's one booking
    assert by_key(figures["bookings"]["by_station"])["bookings"] == {STATION_A: 1}
    certificates = by_key(figures["certificates"]["by_district"])
    assert certificates["issued"]["440106"] == 1 and certificates["issued_at_end"]["440106"] == 1
    assert by_key(figures["certificates"]["by_month"])["issued"][TODAY.strftime("%Y-%m")] == 1
    assert figures["workers"]["total"] == 1 and sum(figures["workers"]["by_stars"]["series"][0]["data"]) == 1
    assert figures["companies"]["total"] == 1 == sum(figures["companies"]["by_grade"]["series"][0]["data"])
    # The same functions as the API's: the same answer for the same query.
    for name in ("certificates", "bookings", "complaints", "training"):
        answer = client.get(f"/api/v1/statistics/{name}", query_string={"to": day}, headers=operator)
        assert answer.json == figures[name], name
    assert client.get("/api/v1/statistics/workers", headers=operator).json == figures["workers"]

    assert len(figures["stations"]) > 150
    assert all(113 < lng < 115 and 22 < lat < 24 for lng, lat in (s["value"] for s in figures["stations"]))
    outlines = client.get("/console/districts.geojson")
    assert outlines.status_code == 200 and len(outlines.json["features"]) == 11

    tianhe = figures_of(client.get(f"/console/dashboard?to={day}&district=天河区").get_data(as_text=True))
    assert tianhe["bookings"]["by_district"]["keys"] == ["440106"]
    assert all(station["code"].startswith("440106") for station in tianhe["stations"])


def test_a_period_the_api_refuses_is_shown_beside_its_field(client, console_session):
    console_session(client, "operator")
    refused = client.get("/console/dashboard?from=2026-12-01&to=2026-01-01")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="error-from">不能晚于 to。<' in page
    assert 'id="figures"' not in page
    assert client.get("/console/dashboard?district=深圳").status_code == 422


def test_the_desk_filters_by_day_and_status_and_pages(client, console_session, booked):
    first, _ = booked()
    booked()
    console_session(client, "station_staff", station_code=STATION_A)
    day = first["starts_at"][:10]
    page = client.get(f"/console/desk?date={day}&per_page=1").get_data(as_text=True)
    assert "共 2 条" in page and page.count('data-status="pending"') == 1
    assert 'data-status="pending"' not in client.get(f"/console/desk?date={day}&status=confirmed").get_data(
        as_text=True
    )
    refused = client.get("/console/desk?per_page=5000")
    assert refused.status_code == 422 and "per_page" in refused.get_data(as_text=True)


def test_the_desk_without_a_day_pages_the_stations_history_by_next_and_back(client, console_session, booked):
    """Every booking once, latest first, by 下一页 from the first page and 上一页 back."""
    made = [booked(starts_at=slot_start(days_ahead, 8))[0]["id"] for days_ahead in (2, 1, 3)]
    console_session(client, "station_staff", station_code=STATION_A)
    shown = []

    def listed(page: str) -> list[int]:
        return [int(found) for found in re.findall(r'<tr id="booking-(\d+)"', page)]

    page = client.get("/console/desk?date=&sort=latest&per_page=1").get_data(as_text=True)
    shown += listed(page)
    while ">下一页</a>" in page:
        page = client.get("/console/desk" + pager_link(page, "下一页")).get_data(as_text=True)
        shown += listed(page)
    assert shown == [made[2], made[0], made[1]]
    back = client.get("/console/desk" + pager_link(page, "上一页")).get_data(as_text=True)
    assert listed(back) == [made[0]]
    assert "共 3 条" in back and "第" not in back.split('class="pager"')[1].split("</nav>")[0]


def pager_link(page: str, label: str) -> str:
    """The pager's link of this label: the query string the browser follows."""
    found = re.search(rf'<a href="(\?[^"]*)"[^>]*>{label}</a>', page)
    assert found, f"the page offers no {label}"
    return html.unescape(found.group(1))


HTMX = {"HX-Request": "true"}


def test_station_staff_take_a_complaint_from_accepted_to_closed(api, client, console_session, assigned):
    booking, resident, _, _ = assigned()
    # Filed where WeChat's content check (the stub) passes the text, so the station reads it.
    complaint = api.post(
        f"/api/v1/bookings/{booking['id']}/complaints", headers=resident, json={"type": "attitude", "text": "态度差"}
    ).json
    csrf = console_session(client, "station_staff", station_code=STATION_A) | HTMX
    page = client.get("/console/complaints").get_data(as_text=True)
    respond_by = complaint["respond_by"].replace("T", " ")[:16]
    assert "态度差" in page and f'<span class="waiting-on">受理期限 {respond_by}</span>' in page

    accepted = client.post(f"/console/complaints/{complaint['id']}/accept", headers=csrf)
    assert accepted.status_code == 200 and 'data-status="accepted"' in accepted.get_data(as_text=True)
    upheld = client.post(f"/console/complaints/{complaint['id']}/uphold", data={"reason": "核实属实"}, headers=csrf)
    assert "投诉成立" in upheld.get_data(as_text=True) and "核实属实" in upheld.get_data(as_text=True)
    closed = client.post(f"/console/complaints/{complaint['id']}/close", headers=csrf)
    assert 'data-status="closed"' in closed.get_data(as_text=True)

    again = client.post(f"/console/complaints/{complaint['id']}/close", headers=csrf)
    assert again.status_code == 409
    assert "已结案" in again.get_data(as_text=True)  # the API's refusal, naming the status in Chinese


def test_a_complaint_text_waiting_for_its_content_check_is_not_shown(client, console_session, assigned):
    booking, resident, _, _ = assigned()
    # This client's app has no WeChat configured, so the text waits for msgSecCheck, hidden.
    client.post(
        f"/api/v1/bookings/{booking['id']}/complaints", headers=resident, json={"type": "attitude", "text": "态度差"}
    )
    console_session(client, "station_staff", station_code=STATION_A)
    page = client.get("/console/complaints").get_data(as_text=True)
    assert "态度差" not in page and "待微信内容安全审核" in page


def test_station_staff_change_their_hours_and_close_a_day(client, console_session, booked):
    booking, _ = booked()
    csrf = console_session(client, "station_staff", station_code=STATION_A)
    hours = {"opens_at": "09:00", "closes_at": "08:00", "slot_minutes": "120", "capacity": "4", "weekdays": "12345"}

    refused = client.post("/console/opening-hours/cleaning", data=hours, headers=csrf)
    assert refused.status_code == 422 and 'id="error-closes_at">须晚于 opens_at。<' in refused.get_data(as_text=True)
    saved = client.post("/console/opening-hours/cleaning", data=hours | {"closes_at": "17:00"}, headers=csrf)
    assert saved.status_code == 303
    offers = client.get(f"/api/v1/stations/{STATION_A}/offers").json["items"]
    offer = next(offer for offer in offers if offer["service"]["code"] == "cleaning")
    assert (offer["opens_at"], offer["capacity"], offer["weekdays"]) == ("09:00:00", 4, "12345")

    busy_day = booking["starts_at"][:10]
    busy = client.post("/console/closed-days", data={"day": busy_day, "reason": "盘点"}, headers=csrf)
    assert busy.status_code == 409
    free_day = "2099-01-04"
    assert (
        client.post("/console/closed-days", data={"day": free_day, "reason": "盘点"}, headers=csrf).status_code == 303
    )
    assert free_day in client.get("/console/opening-hours").get_data(as_text=True)
    assert client.post("/console/closed-days/reopen", data={"day": free_day}, headers=csrf).status_code == 303
    assert free_day not in client.get("/console/opening-hours").get_data(as_text=True)


def test_operators_find_workers_by_name_or_certificate_number_masked(
    client, console_session, make_issued, make_applicant
):
    issued = make_issued(name="欧阳秀英")
    make_applicant(name="欧阳丽华")
    make_applicant(name="陈小红")
    console_session(client, "operator")

    by_name = client.get("/console/workers?q=欧阳").get_data(as_text=True)
    assert "欧阳秀英" in by_name and "欧阳丽华" in by_name and "陈小红" not in by_name
    assert issued["id_number"] in by_name  # masked as the API masks it
    number = issued["certificate"]["number"]
    by_number = client.get(f"/console/workers?q={number.lower()}").get_data(as_text=True)
    assert "欧阳秀英" in by_number and "欧阳丽华" not in by_number


def test_operators_find_companies_by_name_or_credit_code(client, console_session, make_company):
    company = make_company(name="穗好家政服务有限公司")
    make_company(name="羊城家政服务有限公司")
    console_session(client, "operator")
    assert "穗好家政" in client.get("/console/companies?q=穗好").get_data(as_text=True)
    found = client.get(f"/console/companies?q={company['credit_code']}").get_data(as_text=True)
    assert "穗好家政" in found and "羊城家政服务有限公司" not in found


def test_operators_sort_workers_and_companies_by_a_column_the_page_offers(
    client, console_session, make_applicant, make_company
):
    for name in ("王芳", "李娜", "张敏"):
        make_applicant(name=name)
    for name in ("乙家政", "甲家政"):
        make_company(name=name)
    console_session(client, "operator")
    page = client.get("/console/workers?sort=name&q=").get_data(as_text=True)
    names = re.findall(r">(王芳|李娜|张敏)</a>", page)
    assert names == sorted(names) and 'aria-sort="ascending"><a href="?sort=name"' in page
    by_id = re.findall(r">(王芳|李娜|张敏)</a>", client.get("/console/workers").get_data(as_text=True))
    assert by_id == ["王芳", "李娜", "张敏"]
    companies = client.get("/console/companies?sort=name").get_data(as_text=True)
    listed = re.findall(r">(乙家政|甲家政)</a>", companies)
    assert listed == sorted(listed) and 'aria-sort="ascending"><a href="?sort=name"' in companies
    unknown = client.get("/console/workers?sort=id_number")
    assert unknown.status_code == 422 and "unknown_sort" in unknown.get_data(as_text=True)


def test_the_demo_gives_the_development_desk_bookings_once(cli, catalogue, client, console_session, login):
    first = cli("console", "demo")
    assert first.exit_code == 0, first.output
    assert cli("console", "demo").output == first.output  # the same bookings, not three more
    console_session(client, "station_staff", station_code="440106001000")
    tomorrow = re.search(r"#(\d+)", first.output)
    assert tomorrow
    page = client.get(f"/console/bookings/{tomorrow.group(1)}").get_data(as_text=True)
    assert "【演示】陈女士" in page
    clerk = login("station_staff", station_code="440106001000")
    desk = client.get("/api/v1/stations/440106001000/desk", headers=clerk).json
    assert [row["severity"] for row in desk["complaints_due"]["items"]] == ["serious"]
    walk_in_id = re.findall(r"#(\d+)", first.output)[-1]
    walk_in = client.get(f"/api/v1/bookings/{walk_in_id}", headers=clerk).json
    assert walk_in["caller"]["channel"] == "walk_in" and walk_in["caller"]["phone"] == "199****0000"


def test_operators_invite_staff_and_remove_a_role(app, client, console_session, login):
    csrf = console_session(client, "operator")
    refused = client.post("/console/invites", data={"role": "station_staff"}, headers=csrf)
    assert refused.status_code == 422
    created = client.post("/console/invites", data={"role": "station_staff", "station_code": STATION_A}, headers=csrf)
    code = re.search(r"<code data-invite-code>([^<]+)</code>", created.get_data(as_text=True))
    assert created.status_code == 200 and code
    clerk = login()
    assert client.post("/api/v1/invites/redeem", json={"code": code.group(1)}, headers=clerk).status_code == 200

    held = client.get(f"/console/roles?station_code={STATION_A}&role=station_staff").get_data(as_text=True)
    grant = re.search(r"/console/role-grants/(\d+)/remove", held)
    assert grant
    removed = client.post(f"/console/role-grants/{grant.group(1)}/remove", data={"reason": "离职"}, headers=csrf)
    assert removed.status_code == 200 and "角色已撤销" in removed.get_data(as_text=True)
    assert "station_staff" not in client.get("/api/v1/me", headers=clerk).json["roles"]
    again = client.post(f"/console/role-grants/{grant.group(1)}/remove", headers=csrf)
    assert again.status_code == 409


def test_a_company_admin_sees_what_runs_out_within_30_or_60_days(
    client, console_session, operator, make_company, make_issued
):
    company = make_company()["id"]
    for name, days, company_id in (("林晓燕", 20, company), ("何丽芳", 45, company), ("吴美华", 10, None)):
        worker = make_issued(name=name, **({"company_id": company_id} if company_id else {}))
        valid_until = (TODAY + timedelta(days=days)).isoformat()
        answer = client.put(
            f"/api/v1/workers/{worker['id']}/certificate/health-certificate",
            json={"valid_until": valid_until},
            headers=operator,
        )
        assert answer.status_code == 200, answer.json
    insured = make_issued(name="陈秀英", company_id=company)
    policy = {"kind": "insurance", "reference": "PICC-2026-7", "checked_on": TODAY.isoformat(), "result": "in_force"}
    policy |= {
        "valid_from": (TODAY - timedelta(days=300)).isoformat(),
        "valid_until": (TODAY + timedelta(days=25)).isoformat(),
    }
    assert client.post(f"/api/v1/workers/{insured['id']}/checks", json=policy, headers=operator).status_code == 201
    console_session(client, "company_admin", company_id=company)

    within_30 = client.get("/console/expiring").get_data(as_text=True)
    assert "林晓燕" in within_30 and "何丽芳" not in within_30 and "吴美华" not in within_30  # another company's
    assert re.search(r'data-item="insurance"><td><a [^>]+>陈秀英</a></td><td>从业责任保险</td>', within_30)
    assert "陈秀英" not in client.get("/console/expiring?item=health_certificate").get_data(as_text=True)
    within_60 = client.get("/console/expiring?within_days=60").get_data(as_text=True)
    assert within_60.index("林晓燕") < within_60.index("何丽芳")


def test_a_company_admin_edits_a_workers_services_and_skills(client, console_session, make_company, make_applicant):
    company = make_company()["id"]
    worker = make_applicant(company_id=company)
    csrf = console_session(client, "company_admin", company_id=company)
    form = {"service_types": ["cooking", "cleaning"], "skills": "收纳整理、烹饪，育儿", "years_of_experience": "7"}
    assert client.post(f"/console/workers/{worker['id']}/edit", data=form, headers=csrf).status_code == 303
    page = client.get(f"/console/workers/{worker['id']}").get_data(as_text=True)
    assert 'value="收纳整理、烹饪、育儿"' in page and 'value="cooking" checked' in page and 'value="7"' in page
    refused = client.post(f"/console/workers/{worker['id']}/edit", data={"years_of_experience": "99"}, headers=csrf)
    assert refused.status_code == 422 and 'id="error-years_of_experience"' in refused.get_data(as_text=True)


def test_station_staff_see_their_own_stations_booking_figures(client, console_session, booked, act, staff):
    mine, _ = booked()
    assert act(mine["id"], "confirm", staff()).status_code == 200
    booked()
    day = mine["starts_at"][:10]
    console_session(client, "station_staff", station_code=STATION_B)
    other = figures_of(client.get(f"/console/station-figures?to={day}").get_data(as_text=True))
    assert other["station_code"] == STATION_B and other["by_station"]["keys"] == []  # none of station A's
    client.delete_cookie("yc_console", path="/console")
    console_session(client, "station_staff", station_code=STATION_A)
    page = client.get(f"/console/station-figures?to={day}").get_data(as_text=True)
    figures = figures_of(page)
    assert figures["station_code"] == STATION_A
    counts = by_key(figures["by_station"])
    assert (counts["bookings"], counts["completed"], counts["complained"]) == (
        {STATION_A: 2},
        {STATION_A: 0},
        {STATION_A: 0},
    )
    assert counts["completion_rate"] == {STATION_A: 0.0} and counts["satisfaction_rate"] == {STATION_A: None}
    assert re.search(r'<tr data-key="bookings"><th scope="row">[^<]+</th><td>2</td>', page)
    refused = client.get("/console/station-figures?from=tomorrow")
    assert refused.status_code == 422 and 'id="error-from"' in refused.get_data(as_text=True)


def test_an_operator_sees_only_the_steps_the_lifecycle_allows(client, console_session, make_applicant, make_issued):
    console_session(client, "operator")
    applicant = client.get(f"/console/workers/{make_applicant()['id']}").get_data(as_text=True)
    assert re.findall(r'data-step="(\w+)"', applicant) == ["documents"]
    issued = client.get(f"/console/workers/{make_issued()['id']}").get_data(as_text=True)
    assert re.findall(r'data-step="(\w+)"', issued) == ["suspend", "revoke", "expire"]
