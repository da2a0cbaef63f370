"""Courses, classes and applicants ready for training, made through the API as an operator would."""

import pytest

from tests.factories import DOCUMENTS, PRE_JOB_COURSE, offline_class_body


@pytest.fixture
def make_course(client, operator):
    def make(**fields):
        response = client.post("/api/v1/training/courses", json=PRE_JOB_COURSE | fields, headers=operator)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def make_class(client, operator, make_course):
    """make_class(body, course=None) -> the class, of a new pre-job course unless one is given."""

    def make(body, course=None):
        course = course or make_course()
        response = client.post(f"/api/v1/training/courses/{course['id']}/classes", json=body, headers=operator)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def make_trainee(make_applicant, step):
    """An applicant whose 三证一书 are checked: the next certificate step is training."""

    def make(**fields):
        worker = make_applicant(**fields)
        response = step(worker["id"], "documents", DOCUMENTS)
        assert response.status_code == 200, response.json
        return response.json

    return make


@pytest.fixture
def enrol(client, operator):
    """enrol(class, worker, headers=None) -> the response."""

    def post(training_class, worker, headers=None):
        return client.post(
            f"/api/v1/training/classes/{training_class['id']}/enrolments",
            json={"worker_id": worker["id"]},
            headers=headers or operator,
        )

    return post


QUESTIONS = [
    # (kind, options, answer, tags, difficulty)
    ("single", ["A", "B", "C", "D"], [2], ["safety"], 1),
    ("single", ["A", "B", "C"], [0], ["safety"], 2),
    ("multiple", ["A", "B", "C", "D"], [0, 3], ["ethics"], 2),
    ("true_false", ["对", "错"], [1], ["ethics"], 1),
    ("true_false", ["对", "错"], [0], ["safety"], 3),
]


@pytest.fixture
def exam_ready(client, operator, make_course, make_class, make_trainee, enrol):
    """exam_ready(**settings) -> (exam, worker): a pre-job course with a five-question bank and an
    exam of all five, and an applicant who has completed its class (certificate at 已培训)."""

    def make(**settings):
        course = make_course()
        for index, (kind, options, answer, tags, difficulty) in enumerate(QUESTIONS):
            body = {"kind": kind, "text": f"第{index + 1}题", "options": options, "answer": answer, "tags": tags}
            response = client.post(
                f"/api/v1/training/courses/{course['id']}/questions",
                json=body | {"difficulty": difficulty},
                headers=operator,
            )
            assert response.status_code == 201, response.json
        exam_body = {
            "rules": [{"tag": "safety", "count": 3}, {"tag": "ethics", "count": 2}],
            "duration_minutes": 30,
            "max_attempts": 3,
            "retake_wait_hours": 24,
        } | settings
        exam = client.put(f"/api/v1/training/courses/{course['id']}/exam", json=exam_body, headers=operator)
        assert exam.status_code == 200, exam.json
        training_class = make_class(offline_class_body(), course=course)
        worker = make_trainee()
        enrol(training_class, worker)
        marked = client.post(
            f"/api/v1/training/sessions/{training_class['sessions'][0]['id']}/attendance",
            json={"worker_id": worker["id"], "reason": "现场签到"},
            headers=operator,
        )
        assert marked.status_code == 201, marked.json
        return exam.json, worker

    return make
