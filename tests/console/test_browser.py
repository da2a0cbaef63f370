"""The console in a real browser (Debian's Chromium through Playwright) against a real server on
PostgreSQL: each role's day end to end, log-in by a code approved through the API as the
mini-program would, CSRF and another station's booking refused, the public 安心碼 page at a
phone's size, no serious accessibility violation (axe-core), a screenshot of each main page in
test-artifacts/console/."""

import logging
import re
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.clock import BEIJING, today_in_beijing
from app.extensions import db
from booking.hours import seed_defaults
from tests.factories import (
    GREEN_CHECKS,
    LIFECYCLE_TO_ISSUE,
    PDF,
    POSTGRES_URL,
    STATION_A,
    STATION_B,
    bearer,
    booking_body,
    build_app,
    key_header,
    make_user,
    new_credit_code,
    new_id_number,
    recreate_postgres_database,
    token_of,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server():
    """The app served by werkzeug from a thread on 127.0.0.1, on a PostgreSQL database of its own
    (its writes are committed for real, as a browser's are)."""
    url = POSTGRES_URL + "_browser"
    recreate_postgres_database(url)
    application = build_app(url)
    with application.app_context():
        seed_defaults()
        db.session.commit()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    http = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield application, f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def world(server):
    """An operator, a company with a green worker offering 保洁 (issued, its background check
    and policy on file), and a booking for tomorrow at
    station A, made through the API."""
    application, _ = server
    api = application.test_client()
    with application.app_context():
        operator = bearer(make_user("operator"))
        resident = bearer(make_user(phone="13900000001"))
    company = api.post(
        "/api/v1/companies",
        headers=operator,
        json={"name": "羊城好帮手家政服务有限公司", "credit_code": new_credit_code(), "district_code": "440106"},
    ).json
    worker = new_worker(api, operator, company["id"], "李秀英")
    for action, body in LIFECYCLE_TO_ISSUE:
        answer = api.post(f"/api/v1/workers/{worker['id']}/certificate/{action}", json=body, headers=operator)
        assert answer.status_code == 200, answer.json
    record_green_checks(api, operator, worker["id"])
    booking = api.post("/api/v1/bookings", json=booking_body(), headers=resident | key_header()).json
    return {"api": api, "operator": operator, "company": company, "booking": booking}


PHOTO = "https://example.org/photos/7.jpg"


def record_green_checks(api, operator, worker_id):
    """A clear background check and a policy in force, recorded from paper: green needs both."""
    for body in GREEN_CHECKS:
        answer = api.post(f"/api/v1/workers/{worker_id}/checks", json=body, headers=operator)
        assert answer.status_code == 201, answer.json


def new_worker(api, headers, company_id, name):
    body = {
        "name": name,
        "id_number": new_id_number(),
        "service_types": ["cleaning"],
        "company_id": company_id,
        "photo_url": PHOTO,
    }
    answer = api.post("/api/v1/workers", json=body, headers=headers)
    assert answer.status_code == 201, answer.json
    return answer.json


def user_headers(server, role, **scope):
    application, _ = server
    with application.app_context():
        return bearer(make_user(role, **scope))


def log_in(new_context, server, world, headers, *, check_login_page=False, **context_args):
    """The log-in page's code approved through the API with the person's mini-program session,
    as the mini-program does; the page then finds itself logged in."""
    _, base = server
    page = new_context(base_url=base, bypass_csp=True, locale="zh-CN", **context_args).new_page()
    page.goto("/console/login")
    if check_login_page:
        no_serious_violations(page)
        screenshot(page, "login")
    ticket = page.locator("[data-ticket]").inner_text()
    assert world["api"].post(f"/api/v1/auth/web-tickets/{ticket}/approve", headers=headers).status_code == 200
    page.wait_for_url(re.compile(r"/console/(desk|workers|dashboard)"), timeout=6000)
    return page


def screenshot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_serious_violations(page):
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    serious = [
        (v["id"], v["help"], [node["target"] for node in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


def test_station_staff_confirm_assign_start_complete_and_follow_up(new_context, server, world):
    clerk = user_headers(server, "station_staff", station_code=STATION_A)
    page = log_in(new_context, server, world, clerk, check_login_page=True)
    no_serious_violations(page)
    booking = world["booking"]["id"]
    page.goto(f"/console/desk?date={booking_day(world)}")
    row = page.locator(f"#booking-{booking}")
    expect(row).to_contain_text("待接单")
    screenshot(page, "station-desk")

    row.get_by_role("button", name="确认接单").click()
    expect(row).to_contain_text("已接单")
    worker = row.locator("option", has_text="李*英").get_attribute("value")
    row.get_by_label("服务人员（星级高者在前）").select_option(worker)
    row.get_by_role("button", name="派单").click()
    expect(row).to_contain_text("已派单")
    row.get_by_role("button", name="开始服务").click()
    expect(row).to_contain_text("服务中")
    row.get_by_role("button", name="完成服务").click()
    expect(row).to_contain_text("已完成")
    row.get_by_label("满意", exact=True).check()
    row.get_by_label("回访记录").fill("服务准时，家中整洁")
    row.get_by_role("button", name="记录回访").click()
    expect(row).to_contain_text("回访已记录")
    no_serious_violations(page)

    page.goto(f"/console/day-sheet?date={booking_day(world)}")
    expect(page.locator("table")).to_contain_text("李*英")
    screenshot(page, "station-day-sheet")


def booking_day(world) -> str:
    return world["booking"]["starts_at"][:10]


def test_a_refused_step_shows_the_apis_reason_beside_it(new_context, server, world):
    api, operator = world["api"], world["operator"]
    resident = user_headers(server, None, phone="13900000002")
    other = api.post("/api/v1/bookings", json=booking_body(), headers=resident | key_header()).json
    page = log_in(new_context, server, world, user_headers(server, "station_staff", station_code=STATION_A))
    page.goto(f"/console/desk?date={booking_day(world)}&status=pending")
    row = page.locator(f"#booking-{other['id']}")
    assert api.post(f"/api/v1/bookings/{other['id']}/confirm", headers=operator).status_code == 200  # someone quicker
    row.get_by_role("button", name="确认接单").click()
    expect(row.get_by_role("alert")).to_contain_text("已接单")  # the API's 409, in Chinese, naming the status


def test_a_write_without_the_csrf_token_is_refused(new_context, server, world):
    page = log_in(new_context, server, world, user_headers(server, "station_staff", station_code=STATION_A))
    for other_page in (
        "/console/complaints",
        "/console/opening-hours",
        "/console/follow-ups",
        "/console/station-figures",
    ):
        page.goto(other_page)
        no_serious_violations(page)
    expect(page.locator(".charts")).to_have_attribute("data-drawn", "true")
    screenshot(page, "station-figures")
    refused = page.request.post(f"/console/bookings/{world['booking']['id']}/confirm")
    assert refused.status == 403
    assert "此表单已过期或并非来自控制台" in refused.text()


def test_another_stations_booking_is_not_reachable_by_its_url(new_context, server, world):
    page = log_in(new_context, server, world, user_headers(server, "station_staff", station_code=STATION_B))
    answer = page.goto(f"/console/bookings/{world['booking']['id']}")
    assert answer.status == 404
    expect(page.get_by_role("alert")).to_contain_text(f"没有编号为 {world['booking']['id']} 的预约")


def test_a_company_admin_registers_a_worker(new_context, server, world):
    admin = user_headers(server, "company_admin", company_id=world["company"]["id"])
    page = log_in(new_context, server, world, admin)
    page.goto("/console/workers/new")
    page.get_by_label("姓名").fill("黄丽娟")
    page.get_by_label("身份证号").fill("440106198506120000")  # a wrong check character
    page.get_by_role("button", name="登记").click()
    expect(page.locator("#error-id_number")).to_be_visible()
    page.get_by_label("身份证号").fill(new_id_number())
    page.get_by_label("保洁").check()
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("heading", name="黄丽娟")).to_be_visible()
    expect(page.locator("[data-certificate-state]")).to_have_text("已申请")
    worker_page = page.url

    upload = page.locator("[data-form=upload_document]")
    upload.get_by_label("材料", exact=True).select_option("health_certificate")
    upload.get_by_label("文件（JPEG、PNG 或 PDF）").set_input_files(
        {"name": "体检.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    upload.get_by_role("button", name="上传", exact=True).click()
    row = page.locator("[data-kind=health_certificate]")
    expect(row).to_contain_text("待审核")
    expect(row.get_by_role("button", name="通过")).to_have_count(0)  # an operator's to review
    no_serious_violations(page)
    screenshot(page, "company-worker-documents")
    page.goto("/console/workers")
    expect(page.locator("table")).to_contain_text("黄丽娟")
    no_serious_violations(page)
    screenshot(page, "company-workers")
    for other_page in ("/console/expiring", "/console/objections"):
        page.goto(other_page)
        no_serious_violations(page)
    page.goto("/console/company")
    screenshot(page, "company-grade")

    operator = log_in(new_context, server, world, world["operator"])
    operator.goto(worker_page)
    row = operator.locator("[data-kind=health_certificate]")
    expect(row).to_contain_text("健康证有效期至")  # the fact it proves, beside it
    with operator.expect_popup() as opened:
        row.get_by_role("link", name="健康证/体检证明").click()
    assert opened.value.url.endswith("/file")
    no_serious_violations(operator)
    screenshot(operator, "operator-worker-documents")
    row.get_by_role("button", name="通过", exact=True).click()
    expect(operator.locator("[data-kind=health_certificate]")).to_contain_text("已通过")
    operator.goto("/console/objections")
    no_serious_violations(operator)


def test_an_operator_issues_a_certificate_then_suspends_it_and_the_scan_turns_red(new_context, server, world):
    _, base = server
    applicant = new_worker(world["api"], world["operator"], world["company"]["id"], "周美玲")
    record_green_checks(world["api"], world["operator"], applicant["id"])
    page = log_in(new_context, server, world, world["operator"])
    expect(page.locator(".charts")).to_have_attribute("data-drawn", "true")
    screenshot(page, "operator-dashboard")
    no_serious_violations(page)
    for other_page in ("/console/staff", "/console/roles", "/console/companies", "/console/messages"):
        page.goto(other_page)
        no_serious_violations(page)
    page.goto("/console/certificates")
    page.get_by_role("link", name="周美玲").click()
    screenshot(page, "operator-review")

    documents = page.locator("[data-step=documents]")
    documents.get_by_label("已核对身份证原件").check()
    documents.get_by_label("健康证有效期至").fill(f"{today_in_beijing().year + 1}-06-30")
    documents.get_by_label("技能或培训证书（名称与编号）").fill("家政服务员 四级 No.4401-2024-0007")
    documents.get_by_label("信用信息授权书签署日").fill(today_in_beijing().isoformat())
    documents.get_by_role("button", name="审核三证一书").click()
    training = page.locator("[data-step=training]")
    training.get_by_label("学时").fill("40")
    training.get_by_label("培训日期").fill(today_in_beijing().isoformat())
    training.get_by_role("button", name="登记岗前培训").click()
    exam = page.locator("[data-step=exam]")
    exam.get_by_label("分数").fill("88")
    exam.get_by_label("通过", exact=True).check()
    exam.get_by_role("button", name="登记考核").click()
    page.locator("[data-step=identity]").get_by_label("相符").check()
    page.locator("[data-step=identity]").get_by_role("button", name="人证合一核验").click()
    page.locator("[data-step=issue]").get_by_role("button", name="发证").click()
    expect(page.locator("[data-certificate-state]")).to_contain_text("有效")
    # Green also needs a clear background check and a policy in force, read from paper.
    today = today_in_beijing()
    for kind, reference, result, valid in (
        ("criminal_record", "穗公(天)无犯证字〔2026〕0007号", "clear", None),
        ("insurance", "PICC-ZR-2026-0007", "in_force", (today - timedelta(days=30), today + timedelta(days=335))),
    ):
        check = page.locator("[data-form=record_check]")
        check.get_by_label("核查", exact=True).select_option(kind)
        check.get_by_label("证明或保单编号").fill(reference)
        check.get_by_label("核查/出具日期").fill(today.isoformat())
        if valid:
            check.get_by_label("有效期起").fill(valid[0].isoformat())
            check.get_by_label("有效期至", exact=True).fill(valid[1].isoformat())
        check.get_by_label("结果").select_option(result)
        check.get_by_role("button", name="登记").click()
        expect(page.locator("[data-checks]")).to_contain_text(reference)
    no_serious_violations(page)

    token = token_of({"certificate": {"scan_url": page.locator("[data-scan-url]").inner_text()}})
    phone = new_context(base_url=base, viewport=PHONE, is_mobile=True, bypass_csp=True).new_page()
    phone.goto(f"/q/{token}")
    expect(phone.locator(".banner")).to_have_class(re.compile("green"))
    expect(phone.get_by_text("周*玲")).to_be_visible()
    expect(phone.get_by_alt_text("家政服务员照片")).to_have_attribute("src", PHOTO)
    expect(phone.locator(".reasons")).to_have_count(0)
    expect(phone.get_by_text("服务类型")).to_be_visible()
    expect(phone.locator("dd", has_text="保洁")).to_have_text("保洁")  # the service's name, not its code
    screenshot(phone, "scan-green-phone")

    suspend = page.locator("[data-step=suspend]")
    suspend.get_by_role("button", name="暂停").click()
    expect(suspend.locator("#error-reason")).to_be_visible()  # the API's 422: a reason is required
    suspend.get_by_label("理由").fill("健康证核查中")
    suspend.get_by_role("button", name="暂停").click()
    expect(page.locator("[data-certificate-state]")).to_contain_text("暂停")
    expect(page.locator("[data-history]")).to_contain_text("健康证核查中")

    phone.reload()
    expect(phone.locator(".banner")).to_have_class(re.compile("red"))
    expect(phone.locator(".reasons [data-code=certificate_suspended]")).to_be_visible()
    no_serious_violations(phone)
    screenshot(phone, "scan-red-phone")
    assert applicant["id"]


def test_an_operator_opens_a_class_and_shows_its_check_in_code_to_the_room(new_context, server, world):
    page = log_in(new_context, server, world, world["operator"])
    page.goto("/console/training/classes")
    course = page.locator("form", has=page.get_by_role("heading", name="新建课程"))
    course.get_by_label("课程名称").fill("母婴护理岗前培训")
    course.get_by_label("育婴").check()
    course.get_by_label("学时").fill("24")
    course.get_by_label("合格分").fill("80")
    course.get_by_role("button", name="新建课程").click()
    no_serious_violations(page)
    screenshot(page, "operator-training-classes")

    now = datetime.now(BEIJING)
    start, end = (
        max(now - timedelta(minutes=20), now.replace(hour=0, minute=0)),
        min(now + timedelta(hours=2), now.replace(hour=23, minute=59)),
    )
    new_class = page.locator("form", has=page.get_by_role("heading", name="开设班次"))
    new_class.get_by_label("课程", exact=True).select_option(label="母婴护理岗前培训")
    new_class.get_by_label("班次名称").fill("海珠冬季班")
    new_class.get_by_label("所在区").select_option(label="海珠区")
    new_class.get_by_label("地址（线下）").fill("海珠区江南大道中 1 号")
    new_class.get_by_label("名额（线下）").fill("30")
    new_class.get_by_label("课次", exact=False).fill(f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}")
    new_class.get_by_role("button", name="开设班次").click()
    expect(page.get_by_role("heading", name="海珠冬季班")).to_be_visible()
    expect(page.locator(".check-in-code svg")).to_be_visible()  # fetched by htmx, renewed each minute
    no_serious_violations(page)
    screenshot(page, "operator-training-class")


def test_an_operator_reads_the_figures_and_publishes_a_grade_list_with_its_printable_page(new_context, server, world):
    page = log_in(new_context, server, world, world["operator"])
    errors: list = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto("/console/dashboard?district=天河区")
    expect(page.locator(".charts")).to_have_attribute("data-drawn", "true")
    charts = page.locator(".chart[data-chart]")
    assert charts.count() >= 12
    for index in range(charts.count()):
        expect(charts.nth(index).locator("canvas")).to_have_count(1)  # each chart drawn by ECharts
    page.get_by_label("标记颜色按").select_option("complaint_rate")
    expect(page.get_by_label("区", exact=True)).to_have_value("440106")
    no_serious_violations(page)
    screenshot(page, "operator-dashboard-district")
    assert not errors, errors

    title = f"{today_in_beijing().year}年度广州市家政服务企业信用等级名单（浏览器）"
    page.goto("/console/publications")
    page.get_by_label("名单标题").fill("名")
    page.get_by_role("button", name="发布名单").click()
    expect(page.locator("#error-title")).to_be_visible()  # the API's 422, beside the field
    page.get_by_label("名单标题").fill(title)
    page.get_by_role("button", name="发布名单").click()
    row = page.locator("tr.just-published")
    expect(row).to_contain_text(title)
    no_serious_violations(page)
    screenshot(page, "operator-publications")
    with page.expect_popup() as opened:
        row.get_by_role("link", name=re.compile("打印页")).click()
    printable = opened.value
    expect(printable.get_by_role("heading", name=title)).to_be_visible()
    expect(printable.locator("table")).to_contain_text(world["company"]["name"])
    no_serious_violations(printable)
    screenshot(printable, "publication-printable")

    page.goto("/console/publications/candidates")
    expect(page.locator(f"[data-company='{world['company']['id']}'] [data-criterion=grade]")).to_contain_text("要求")
    no_serious_violations(page)
    screenshot(page, "operator-demonstration-candidates")


def test_an_operator_opens_a_case_a_second_upholds_the_listing_and_the_scan_turns_red(new_context, server, world):
    _, base = server
    api, operator = world["api"], world["operator"]
    worker = new_worker(api, operator, world["company"]["id"], "郑小红")
    for action, body in LIFECYCLE_TO_ISSUE:
        assert api.post(f"/api/v1/workers/{worker['id']}/certificate/{action}", json=body, headers=operator).json
    record_green_checks(api, operator, worker["id"])
    scan = token_of(api.get(f"/api/v1/workers/{worker['id']}", headers=operator).json)
    phone = new_context(base_url=base, viewport=PHONE, is_mobile=True, bypass_csp=True).new_page()
    phone.goto(f"/q/{scan}")
    expect(phone.locator(".banner")).to_have_class(re.compile("green"))

    page = log_in(new_context, server, world, operator)
    page.get_by_role("link", name="失信惩戒").click()
    opening = page.locator("[data-form=open_case]")
    opening.get_by_label("服务人员编号").fill(str(worker["id"]))
    opening.get_by_label("失信类别").select_option("forged_certificate")
    opening.get_by_label("事实").fill("提交的健康证经核查系伪造。")
    opening.get_by_label("拟处理措施").select_option("listing")
    opening.get_by_label("期限").fill("180")
    no_serious_violations(page)
    screenshot(page, "operator-sanction-cases")
    opening.get_by_role("button", name="立案").click()
    expect(page.locator("[data-status]")).to_have_text("待陈述申辩")
    page.get_by_label("证据文件").set_input_files(
        {"name": "核查报告.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="上传证据").click()
    expect(page.locator("[data-evidence] a")).to_have_text(re.compile("立案证据"))
    case_url = page.url

    # The worker states their case in the mini-program; the operator who opened the case is refused.
    worker_headers = user_headers(server, "worker", worker_id=worker["id"])
    case_id = case_url.rsplit("/", 1)[1]
    stated = api.post(
        f"/api/v1/sanctions/cases/{case_id}/statement",
        data={"statement": "证书系中介代办，本人不知情。"},
        content_type="multipart/form-data",
        headers=worker_headers,
    )
    assert stated.status_code == 200, stated.json
    page.reload()
    decision = page.locator("[data-form=decision]")
    decision.get_by_label("维持拟处理措施").check()
    decision.get_by_label("理由").fill("经复核，事实清楚")
    decision.get_by_role("button", name="作出决定").click()
    expect(page.locator("[data-form=decision] .problem")).to_have_text("立案的运营人员不能决定同一案件。")
    no_serious_violations(page)

    second = log_in(new_context, server, world, user_headers(server, "operator"))
    second.goto(case_url)
    expect(second.locator("[data-statement]")).to_have_text("证书系中介代办，本人不知情。")
    decision = second.locator("[data-form=decision]")
    decision.get_by_label("维持拟处理措施").check()
    decision.get_by_label("理由").fill("经复核，事实清楚")
    decision.get_by_role("button", name="作出决定").click()
    expect(second.locator("[data-status]")).to_have_text("维持处理")
    expect(second.locator("[data-audit] [data-action=listing_started]")).to_be_visible()
    no_serious_violations(second)
    screenshot(second, "operator-sanction-case")
    second.get_by_role("link", name="返回案件列表").click()
    second.get_by_role("link", name="失信名单").click()
    expect(second.locator("tbody")).to_contain_text("郑*红")
    no_serious_violations(second)
    screenshot(second, "operator-sanction-listings")
    for other_page in ("/console/sanctions/repairs", "/console/sanctions/worker-checks"):
        second.goto(other_page)
        no_serious_violations(second)

    phone.reload()
    expect(phone.locator(".banner")).to_have_class(re.compile("red"))
    expect(phone.locator(".reasons [data-code=blacklisted]")).to_be_visible()
    no_serious_violations(phone)
    screenshot(phone, "scan-red-listed-phone")


def maternity_worker(world, company_id, name):
    """A green worker offering 月嫂 (maternity), made as the operator's desk would."""
    api, operator = world["api"], world["operator"]
    body = {"name": name, "id_number": new_id_number(), "service_types": ["maternity"], "company_id": company_id}
    worker = api.post("/api/v1/workers", json=body, headers=operator)
    assert worker.status_code == 201, worker.json
    for action, step in LIFECYCLE_TO_ISSUE:
        answer = api.post(f"/api/v1/workers/{worker.json['id']}/certificate/{action}", json=step, headers=operator)
        assert answer.status_code == 200, answer.json
    record_green_checks(api, operator, worker.json["id"])
    return worker.json


def test_staff_propose_two_candidates_and_see_the_family_choose_one(new_context, server, world):
    api, operator = world["api"], world["operator"]
    company = api.post(
        "/api/v1/companies",
        headers=operator,
        json={"name": "羊城月嫂之家家政有限公司", "credit_code": new_credit_code(), "district_code": "440106"},
    ).json
    first, second = (maternity_worker(world, company["id"], name) for name in ("周美玲", "吴桂香"))
    family = user_headers(server, None, phone="13900000077")
    body = {
        "service_code": "maternity",
        "station_code": STATION_A,
        "start_day": (today_in_beijing() + timedelta(days=40)).isoformat(),
        "length": 26,
        "length_unit": "days",
        "live_in": True,
        "address": "天河区五山路 1 号 2 栋 301",
    }
    engagement = api.post("/api/v1/engagements", json=body, headers=family)
    assert engagement.status_code == 201, engagement.json
    engagement_id = engagement.json["id"]

    page = log_in(new_context, server, world, user_headers(server, "station_staff", station_code=STATION_A))
    page.get_by_role("link", name="长期服务", exact=True).click()
    row = page.locator(f"#engagement-{engagement_id}")
    expect(row).to_contain_text("待推荐")
    no_serious_violations(page)
    screenshot(page, "station-engagements")
    row.get_by_role("link", name=f"#{engagement_id}").click()
    proposal = page.locator("#proposal")
    proposal.get_by_label("周*玲").check()
    proposal.get_by_label("吴*香").check()
    no_serious_violations(page)
    proposal.get_by_role("button", name="推荐给居民").click()
    candidates = page.locator("#candidates tbody tr")
    expect(candidates).to_have_count(2)
    expect(page.locator("#engagement")).to_contain_text("已推荐")
    screenshot(page, "station-engagement-proposed")

    shown = api.get(f"/api/v1/engagements/{engagement_id}", headers=family).json
    by_worker = {candidate["worker"]["id"]: candidate["id"] for candidate in shown["candidates"]}
    assert set(by_worker) == {first["id"], second["id"]}
    chosen = api.post(
        f"/api/v1/engagements/{engagement_id}/choose", json={"candidate_id": by_worker[second["id"]]}, headers=family
    )
    assert chosen.status_code == 200, chosen.json

    page.reload()
    expect(page.locator("#engagement")).to_contain_text("已选定")
    expect(page.locator("#chosen-worker")).to_contain_text("吴*香")
    expect(page.locator(f"#candidate-{by_worker[second['id']]}")).to_contain_text("居民已选定")
    expect(page.locator(f"#candidate-{by_worker[first['id']]}")).not_to_contain_text("居民已选定")
    expect(page.get_by_role("heading", name="代服务人员确认")).to_be_visible()
    no_serious_violations(page)
    screenshot(page, "station-engagement-chosen")


def test_staff_book_on_behalf_of_a_phone_caller(new_context, server, world):
    clerk = user_headers(server, "station_staff", station_code=STATION_A)
    page = log_in(new_context, server, world, clerk)
    page.goto("/console/desk")
    expect(page.locator('[data-count="unconfirmed"]')).to_have_text(re.compile(r"\d+"))
    body = booking_body(datetime.combine(today_in_beijing() + timedelta(days=2), datetime.min.time(), BEIJING))
    form = page.locator("form.on-behalf")
    form.get_by_label("服务", exact=True).select_option("cleaning")
    form.get_by_label("时段开始时间").fill(f"{body['starts_at'][:10]}T12:00")
    form.get_by_label("服务地址").fill(body["address"])
    form.get_by_label("纬度").fill(str(body["location"]["lat"]))
    form.get_by_label("经度").fill(str(body["location"]["lng"]))
    form.get_by_label("来电人姓名").fill("陈伯")
    form.get_by_label("手机号").fill("13912345678")
    form.get_by_label("电话预约").check()
    form.get_by_role("button", name="代客预约").click()
    # Without the caller's consent the API refuses, beside the checkbox; what was typed stays.
    expect(page.locator("#error-consent")).to_contain_text("来电人须同意保留其姓名和电话")
    expect(page.get_by_label("来电人姓名")).to_have_value("陈伯")
    no_serious_violations(page)
    screenshot(page, "station-on-behalf-refused")

    page.get_by_label("来电人同意本站保存其姓名、电话和地址用于本次预约").check()
    page.get_by_role("button", name="代客预约").click()
    page.wait_for_url(re.compile(r"/console/bookings/\d+"))
    expect(page.get_by_role("table", name="预约列表")).to_contain_text("代客预约：陈* 139****5678（电话）")
    expect(page.locator("body")).not_to_contain_text("13912345678")
    no_serious_violations(page)
    screenshot(page, "station-on-behalf-booked")
