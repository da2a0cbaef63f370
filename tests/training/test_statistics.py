"""Operators count classes (班次), enrolments (人次) and attendances by month, district, course and
kind, pass rates per exam, and each trainer's classes; and page through a period's classes, each
with its enrolments by status, attendances and pass rate."""

from app.clock import today_in_beijing
from tests.factories import offline_class_body, session_around_now


def test_statistics_count_classes_attendances_and_pass_rates(client, operator, exam_ready):
    exam, worker = exam_ready()  # one offline class of 天河区, its one session attended
    attempt = client.post(
        f"/api/v1/training/exams/{exam['id']}/attempts", json={"worker_id": worker["id"]}, headers=operator
    ).json
    client.post(f"/api/v1/training/attempts/{attempt['id']}/submit", headers=operator)  # nothing answered: failed

    month = today_in_beijing().strftime("%Y-%m")
    counted = client.get("/api/v1/training/statistics", query_string={"month_from": month}, headers=operator)

    assert counted.status_code == 200, counted.json
    [row] = [row for row in counted.json["classes"] if row["course_id"] == exam["course_id"]]
    assert row == {
        "month": month,
        "district_code": "440106",
        "course_id": exam["course_id"],
        "course_title": "保洁岗前培训",
        "kind": "theory",
        "mode": "offline",
        "classes": 1,
        "enrolments": 1,
        "completions": 1,
        "attendances": 1,
    }
    [rate] = [rate for rate in counted.json["exams"] if rate["exam_id"] == exam["id"]]
    assert (rate["sat"], rate["passed"], rate["pass_rate"]) == (1, 0, 0.0)
    assert {"trainer_name": "李老师", "classes": 1, "attendances": 1} in counted.json["trainers"]


def test_a_month_range_leaves_out_classes_outside_it(client, operator, exam_ready):
    exam_ready()
    counted = client.get("/api/v1/training/statistics", query_string={"month_to": "2000-01"}, headers=operator)
    assert counted.json["classes"] == []
    bad = client.get("/api/v1/training/statistics", query_string={"month_from": "2026-13"}, headers=operator)
    assert bad.status_code == 422


def test_a_page_of_the_months_classes_counts_each_ones_enrolments_by_status_and_its_pass_rate(
    client, operator, exam_ready, make_class, make_trainee, enrol
):
    exam, worker = exam_ready()  # its class's one worker completed it and now fails the exam
    attempt = client.post(
        f"/api/v1/training/exams/{exam['id']}/attempts", json={"worker_id": worker["id"]}, headers=operator
    ).json
    client.post(f"/api/v1/training/attempts/{attempt['id']}/submit", headers=operator)
    full = make_class(offline_class_body(capacity=1))
    held, waiting, gone = make_trainee(), make_trainee(), make_trainee()
    for trainee in (held, waiting, gone):
        enrol(full, trainee)
    [gone_enrolment] = client.get(f"/api/v1/training/workers/{gone['id']}/enrolments", headers=operator).json["items"]
    client.post(f"/api/v1/training/enrolments/{gone_enrolment['id']}/cancel", json={}, headers=operator)

    counted = client.get("/api/v1/training/statistics/classes", headers=operator)  # this month

    assert counted.status_code == 200, counted.json
    month = today_in_beijing().strftime("%Y-%m")
    figures = {row["id"]: row for row in counted.json["items"]}
    [examined] = [row for row in counted.json["items"] if row["course_id"] == exam["course_id"]]
    assert {k: examined[k] for k in ("month", "enrolled", "waiting", "completed", "cancelled", "attendances")} == {
        "month": month,
        "enrolled": 0,
        "waiting": 0,
        "completed": 1,
        "cancelled": 0,
        "attendances": 1,
    }
    assert (examined["sat"], examined["passed"], examined["pass_rate"]) == (1, 0, 0.0)
    assert {k: figures[full["id"]][k] for k in ("enrolled", "waiting", "cancelled", "sat", "pass_rate")} == {
        "enrolled": 1,
        "waiting": 1,
        "cancelled": 1,
        "sat": 0,
        "pass_rate": None,
    }
    assert [row["id"] for row in counted.json["items"]] == sorted(figures, reverse=True)  # newest first


def test_the_classes_of_other_months_are_not_on_the_period_s_pages(client, operator, make_class):
    long_ago = make_class(
        offline_class_body(sessions=[session_around_now(hours_before=24 * 60 + 1, hours_after=-24 * 60)])
    )
    this_month = [make_class(offline_class_body()) for _ in range(3)]

    first = client.get("/api/v1/training/statistics/classes", query_string={"per_page": 2}, headers=operator).json
    second = client.get(
        "/api/v1/training/statistics/classes", query_string={"per_page": 2, "page": 2}, headers=operator
    ).json

    assert (first["total"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    assert {row["id"] for row in first["items"] + second["items"]} == {c["id"] for c in this_month}
    then = long_ago["sessions"][0]["starts_at"][:7]
    earlier = client.get(
        "/api/v1/training/statistics/classes", query_string={"month_from": then, "month_to": then}, headers=operator
    ).json
    assert [row["id"] for row in earlier["items"]] == [long_ago["id"]]


def test_a_period_ending_before_it_starts_or_an_unreadable_month_is_refused_naming_the_field(client, operator):
    backwards = client.get(
        "/api/v1/training/statistics/classes",
        query_string={"month_from": "2026-05", "month_to": "2026-04"},
        headers=operator,
    )
    unreadable = client.get(
        "/api/v1/training/statistics/classes", query_string={"month_from": "2026-5"}, headers=operator
    )

    assert backwards.status_code == unreadable.status_code == 422
    assert (list(backwards.json["errors"]), list(unreadable.json["errors"])) == (["month_to"], ["month_from"])


def test_a_page_of_class_figures_costs_the_same_statements_for_one_class_as_for_many(
    client, operator, count_statements, make_class, make_course
):
    """The caller, the count, the page's classes, their counts (one statement for all of them)."""
    course = make_course()
    make_class(offline_class_body(), course)
    counted = []
    for _ in range(2):
        with count_statements() as statements:
            page = client.get("/api/v1/training/statistics/classes", headers=operator)
        assert page.status_code == 200
        counted.append(len(statements))
        for _ in range(3):
            make_class(offline_class_body(), course)
    assert counted[0] == counted[1] == 4
