"""Courses, classes and applicants ready for training, made through the API as an operator would."""

import pytest

from tests.factories import DOCUMENTS, PRE_JOB_COURSE


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
