"""Training on the console: an operator opens a course and a class, a company admin enrols a
worker, the trainer shows the check-in code and marks a worker present by hand."""

import html
import re
from datetime import datetime, timedelta

from app.clock import BEIJING
from tests.factories import STATION_A, offline_class_body, online_class_body, session_around_now


def session_line(hours_before=0.5, hours_after=2.0) -> str:
    """A session running now, as a person writes it on the class form (minutes, Beijing time)."""
    now = datetime.now(BEIJING).replace(second=0, microsecond=0)
    starts, ends = now - timedelta(hours=hours_before), now + timedelta(hours=hours_after)
    if starts.date() != ends.date():  # the form writes one day per line; near midnight, keep to today
        starts, ends = now.replace(hour=0, minute=0), now.replace(hour=23, minute=59)
    return f"{starts:%Y-%m-%d %H:%M}-{ends:%H:%M}"


def found(pattern: str, page: str) -> str:
    match = re.search(pattern, page)
    assert match, f"the page shows no {pattern}"
    return match.group(1)


COURSE_FORM = {
    "title": "育婴员岗前培训",
    "kind": "theory",
    "purpose": "pre_job",
    "service_types": ["childcare"],
    "required_hours": "16",
    "pass_mark": "80",
}


def test_an_operator_opens_a_course_and_a_class_of_it_on_the_console(client, console_session):
    csrf = console_session(client, "operator")
    assert client.post("/console/training/courses", data=COURSE_FORM, headers=csrf).status_code == 303
    page = client.get("/console/training/classes").get_data(as_text=True)
    course_id = found(r'<option value="(\d+)">育婴员岗前培训</option>', page)

    form = {"course_id": course_id, "title": "天河冬季班", "mode": "offline", "station_code": STATION_A}
    form |= {"trainer_name": "李老师", "capacity": "20", "sessions": session_line()}
    created = client.post("/console/training/classes", data=form, headers=csrf)
    assert created.status_code == 303
    class_page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "天河冬季班" in class_page and "育婴员岗前培训" in class_page and "0 / 20" in class_page
    assert "还没有人报名" in class_page
    listed = client.get(f"/console/training/classes?course_id={course_id}").get_data(as_text=True)
    assert "天河冬季班" in listed and "共 1 条" in listed


def test_a_session_written_wrongly_is_refused_beside_its_field(client, console_session, make_course):
    course = make_course()
    csrf = console_session(client, "operator")
    form = {"course_id": str(course["id"]), "title": "天河冬季班", "mode": "offline", "station_code": STATION_A}
    form |= {"capacity": "20", "sessions": "下周二上午"}
    refused = client.post("/console/training/classes", data=form, headers=csrf)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="error-sessions"' in page
    assert "2026-12-10 09:00-12:00" in page and "下周二上午" in page  # the refusal says how to write it
    no_capacity = client.post(
        "/console/training/classes", data=form | {"capacity": "", "sessions": session_line()}, headers=csrf
    )
    assert no_capacity.status_code == 422 and "名额" in no_capacity.get_data(as_text=True)
    assert (
        client.post("/console/training/courses", data=COURSE_FORM | {"pass_mark": "120"}, headers=csrf).status_code
        == 422
    )


def test_a_company_admin_enrols_its_worker_and_cancels(client, console_session, make_company, make_trainee, make_class):
    company = make_company()["id"]
    worker = make_trainee(company_id=company, name="林晓燕")
    stranger = make_trainee(name="吴美华")
    training_class = make_class(offline_class_body(capacity=1))
    csrf = console_session(client, "company_admin", company_id=company)

    page = client.get("/console/training/enrolments").get_data(as_text=True)
    assert "林晓燕" in page and "吴美华" not in page and f'<option value="{training_class["id"]}">' in page
    form = {"worker_id": str(worker["id"]), "class_id": str(training_class["id"])}
    assert client.post("/console/training/enrolments", data=form, headers=csrf).status_code == 303
    listed = client.get("/console/training/enrolments").get_data(as_text=True)
    enrolment_id = found(r'data-enrolment="(\d+)" data-status="enrolled"', listed)

    again = client.post("/console/training/enrolments", data=form, headers=csrf)
    assert again.status_code == 409 and "已报名" in again.get_data(as_text=True)
    other = client.post("/console/training/enrolments", data=form | {"worker_id": str(stranger["id"])}, headers=csrf)
    assert other.status_code == 404  # another company's worker is not theirs to enrol
    missing = client.post("/console/training/enrolments", data={"worker_id": str(worker["id"])}, headers=csrf)
    assert missing.status_code == 422 and 'id="error-class_id"' in missing.get_data(as_text=True)

    cancelled = client.post(
        f"/console/training/enrolments/{enrolment_id}/cancel", data={"reason": "家中有事"}, headers=csrf
    )
    assert cancelled.status_code == 303
    assert 'data-status="cancelled"' in client.get("/console/training/enrolments").get_data(as_text=True)


def test_the_trainer_shows_the_check_in_code_and_marks_a_worker_present(
    client, console_session, make_trainee, make_class, enrol
):
    worker = make_trainee(name="何丽芳")
    training_class = make_class(offline_class_body())
    assert enrol(training_class, worker).status_code == 201
    session_id = training_class["sessions"][0]["id"]
    csrf = console_session(client, "operator")

    page = client.get(f"/console/training/classes/{training_class['id']}").get_data(as_text=True)
    assert "何丽芳" in page and f"/console/training/sessions/{session_id}/check-in-code" in page
    code = client.get(f"/console/training/sessions/{session_id}/check-in-code", headers={"HX-Request": "true"})
    assert code.status_code == 200 and "<svg" in code.get_data(as_text=True)

    no_reason = client.post(
        f"/console/training/sessions/{session_id}/attendance", data={"worker_id": str(worker["id"])}, headers=csrf
    )
    assert no_reason.status_code == 422
    marked = client.post(
        f"/console/training/sessions/{session_id}/attendance",
        data={"worker_id": str(worker["id"]), "reason": "手机没电，现场核对身份证"},
        headers=csrf,
    )
    assert marked.status_code == 303
    page = client.get(f"/console/training/classes/{training_class['id']}").get_data(as_text=True)
    assert "已到" in page and "1 人" in page
    twice = client.post(
        f"/console/training/sessions/{session_id}/attendance",
        data={"worker_id": str(worker["id"]), "reason": "再点一次"},
        headers=csrf,
    )
    assert twice.status_code == 409

    figures = client.get("/console/training/statistics").get_data(as_text=True)
    assert "保洁岗前培训" in figures and "李老师" in figures


def test_the_training_figures_page_costs_the_same_statements_for_one_class_as_for_many(
    client, console_session, count_statements, make_class, make_course
):
    """The caller's session; the courses' figures of the month (the rollup's mark, then, the job
    not having run, the month's rows in one statement and its exam results in one, the courses'
    titles); the count of the month's classes, its page of them and their counts in one statement."""
    course = make_course()
    make_class(offline_class_body(), course)
    console_session(client, "operator")
    counted = []
    for _ in range(2):
        with count_statements() as statements:
            page = client.get("/console/training/statistics")
        assert page.status_code == 200
        counted.append(len(statements))
        for _ in range(3):
            make_class(offline_class_body(), course)
    assert counted[0] == counted[1] == 8


def test_the_training_figures_page_shows_the_chosen_months_classes_and_refuses_a_period_ending_before_it_starts(
    client, console_session, make_class, make_trainee, enrol
):
    then = session_around_now(hours_before=24 * 60 + 1, hours_after=-24 * 60)
    old = make_class(offline_class_body(sessions=[then]) | {"title": "两个月前的班"})
    enrol(make_class(offline_class_body() | {"title": "本月的班"}), make_trainee())
    console_session(client, "operator")

    this_month = client.get("/console/training/statistics").get_data(as_text=True)
    month = then["starts_at"][:7]
    that_month = client.get(f"/console/training/statistics?month_from={month}&month_to={month}")
    backwards = client.get("/console/training/statistics?month_from=2026-05&month_to=2026-04")

    assert "本月的班" in this_month and "两个月前的班" not in this_month and "共 1 条" in this_month
    assert "<td>保洁岗前培训</td><td>1</td>" in this_month  # the course's one enrolment made this month
    assert "两个月前的班" in that_month.get_data(as_text=True) and f"/classes/{old['id']}" in that_month.get_data(
        as_text=True
    )
    assert backwards.status_code == 422 and 'id="error-month_to"' in backwards.get_data(as_text=True)


def test_the_classes_page_on_from_the_newest_by_next_and_back_by_previous(
    client, console_session, make_class, make_course
):
    """The class list is paged by cursor: 下一页 goes on from the last class shown, keeping the
    course chosen, 上一页 goes back; no page number is offered."""
    course = make_course()
    ids = [make_class(offline_class_body(), course)["id"] for _ in range(3)]
    make_class(offline_class_body())  # another course's
    console_session(client, "operator")
    newest = client.get(f"/console/training/classes?per_page=2&course_id={course['id']}").get_data(as_text=True)
    assert re.findall(r'data-class="(\d+)"', newest) == [str(ids[2]), str(ids[1])] and "页" not in found(
        r"(共 3 条[^<]*)<", newest
    )
    onwards = html.unescape(found(r'<a href="(\?[^"]*)" rel="next">下一页</a>', newest))
    oldest = client.get(f"/console/training/classes{onwards}").get_data(as_text=True)
    assert re.findall(r'data-class="(\d+)"', oldest) == [str(ids[0])] and "下一页" not in oldest
    back = html.unescape(found(r'<a href="(\?[^"]*)" rel="prev">上一页</a>', oldest))
    again = client.get(f"/console/training/classes{back}").get_data(as_text=True)
    assert re.findall(r'data-class="(\d+)"', again) == [str(ids[2]), str(ids[1])]


def test_the_classes_page_shows_each_classs_sessions_and_lessons_by_the_same_statements_for_one_class_as_for_many(
    client, isolated, console_session, count_statements, make_class, make_course
):
    """A page's sessions and lessons are read by one statement each whose text does not change
    with the classes on the page, so that PostgreSQL plans it once for every page (with one
    parameter per class, it planned the lessons anew on almost every page of the city's). SQLite
    plans every statement anew whatever its text."""
    course = make_course()
    tomorrow = session_around_now(hours_before=-24, hours_after=26)
    make_class(offline_class_body(sessions=[session_around_now(), tomorrow]), course)
    console_session(client, "operator")
    client.get("/console/training/classes")  # the session's look-up warmed
    pages = []
    for _ in range(2):
        with count_statements() as statements:
            page = client.get(f"/console/training/classes?course_id={course['id']}").get_data(as_text=True)
        pages.append((page, sorted(statements)))
        make_class(online_class_body(10, 20, 30), course)
        make_class(offline_class_body(), course)
    (one, read_for_one), (three, read_for_three) = pages
    assert re.findall(r"共 (\d+) 节|(\d+) 课", one) == [("2", "")]
    assert sorted(re.findall(r"共 (\d+) 节|(\d+) 课", three)) == [("", "3"), ("1", ""), ("2", "")]
    assert len(read_for_one) == len(read_for_three)
    if isolated.dialect.name == "postgresql":
        assert read_for_one == read_for_three
