"""`flask training demo`: a labelled pre-job course with a question bank and its exam, an online
class and an offline class, loaded once; never in production."""

import pytest


def test_the_demo_loads_a_course_with_its_bank_exam_and_two_classes_once(cli, client, operator):
    result = cli("training", "demo")
    assert result.exit_code == 0, result.output
    [course] = client.get("/api/v1/training/courses", headers=operator).json["items"]
    assert course["title"].startswith("【演示】") and course["purpose"] == "pre_job"
    assert client.get(f"/api/v1/training/courses/{course['id']}/questions", headers=operator).json["total"] == 6
    assert client.get(f"/api/v1/training/courses/{course['id']}/exam", headers=operator).status_code == 200
    classes = client.get("/api/v1/training/classes", headers=operator).json["items"]
    assert sorted(c["mode"] for c in classes) == ["offline", "online"]
    assert "already loaded" in cli("training", "demo").output
    assert client.get("/api/v1/training/classes", headers=operator).json["total"] == 2


@pytest.fixture
def production_cli(app, isolated):
    app.config["APP_ENV"] = "production"
    yield app.test_cli_runner()
    app.config["APP_ENV"] = "test"


def test_the_demo_is_refused_in_production(production_cli, client, operator):
    result = production_cli.invoke(args=["training", "demo"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output
    assert client.get("/api/v1/training/courses", headers=operator).json["total"] == 0
