"""Done when: a new applicant is enrolled in the pre-job class by their company, checks in with the
session's code, passes its exam, and sees the certificate move; an operator counts the class and
its attendance the way the article does."""

from tests.factories import offline_class_body
from tests.plugins.training import QUESTIONS


def test_an_applicant_trains_passes_and_the_certificate_moves(
    client, operator, login, make_company, make_trainee, make_course, make_class
):
    company = make_company()
    admin = login("company_admin", company_id=company["id"])
    course = make_course()
    for index, (kind, options, answer, tags, difficulty) in enumerate(QUESTIONS):
        client.post(
            f"/api/v1/training/courses/{course['id']}/questions",
            json={"kind": kind, "text": f"第{index + 1}题", "options": options, "answer": answer, "tags": tags}
            | {"difficulty": difficulty},
            headers=operator,
        )
    exam = client.put(
        f"/api/v1/training/courses/{course['id']}/exam",
        json={"rules": [{"count": 5}], "duration_minutes": 30, "max_attempts": 3, "retake_wait_hours": 24},
        headers=operator,
    ).json
    training_class = make_class(offline_class_body(capacity=20), course=course)
    applicant = make_trainee(company_id=company["id"])

    enrolled = client.post(
        f"/api/v1/training/classes/{training_class['id']}/enrolments",
        json={"worker_id": applicant["id"]},
        headers=admin,
    )
    assert enrolled.json["status"] == "enrolled"
    session_id = training_class["sessions"][0]["id"]
    code = client.get(f"/api/v1/training/sessions/{session_id}/check-in-code", headers=operator).json["code"]
    checked_in = client.post(
        f"/api/v1/training/sessions/{session_id}/check-in",
        json={"worker_id": applicant["id"], "code": code},
        headers=admin,
    )
    assert checked_in.status_code == 201, checked_in.json

    attempt = client.post(
        f"/api/v1/training/exams/{exam['id']}/attempts", json={"worker_id": applicant["id"]}, headers=admin
    ).json
    right = {
        f"第{index + 1}题": [options[i] for i in answer] for index, (_, options, answer, _, _) in enumerate(QUESTIONS)
    }
    for question in attempt["questions"]:
        choices = [question["options"].index(text) for text in right[question["text"]]]
        client.put(
            f"/api/v1/training/attempts/{attempt['id']}/answers/{question['question_id']}",
            json={"choices": choices},
            headers=admin,
        )
    submitted = client.post(f"/api/v1/training/attempts/{attempt['id']}/submit", headers=admin).json
    assert submitted["passed"] is True

    certificate = client.get(f"/api/v1/workers/{applicant['id']}", headers=admin).json["certificate"]
    assert (certificate["state"], certificate["training_hours"], certificate["exam_score"]) == ("exam_passed", 8, 100)
    counted = client.get("/api/v1/training/statistics", headers=operator).json
    [row] = [row for row in counted["classes"] if row["course_id"] == course["id"]]
    assert (row["classes"], row["enrolments"], row["attendances"]) == (1, 1, 1)
