"""Operators count classes (班次), enrolments (人次) and attendances by month, district, course and
kind, pass rates per exam and per class, and each trainer's classes."""

from app.clock import today_in_beijing


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
    [class_rate] = [rate for rate in counted.json["class_pass_rates"] if rate["course_id"] == exam["course_id"]]
    assert (class_rate["sat"], class_rate["passed"]) == (1, 0)
    assert {"trainer_name": "李老师", "classes": 1, "attendances": 1} in counted.json["trainers"]


def test_a_month_range_leaves_out_classes_outside_it(client, operator, exam_ready):
    exam_ready()
    counted = client.get("/api/v1/training/statistics", query_string={"month_to": "2000-01"}, headers=operator)
    assert counted.json["classes"] == []
    bad = client.get("/api/v1/training/statistics", query_string={"month_from": "2026-13"}, headers=operator)
    assert bad.status_code == 422
