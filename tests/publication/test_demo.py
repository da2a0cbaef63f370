"""`flask publication demo`: this year's labelled grade list and a 示范 selection of the demo
companies, published once (make run); never in production."""

import pytest


def test_the_demo_publishes_a_grade_list_and_a_selection_once(cli, client):
    assert "no company to publish" in cli("publication", "demo").output
    assert cli("credit", "demo").exit_code == 0
    result = cli("publication", "demo")
    assert result.exit_code == 0, result.output
    published = client.get("/api/v1/publications").json
    assert sorted(p["kind"] for p in published["items"]) == ["demonstration", "grade_list"]
    assert all(p["title"].startswith("【演示】") and p["entry_count"] >= 2 for p in published["items"])
    for item in published["items"]:
        assert f"/publications/{item['id']}/print" in result.output
        assert client.get(f"/publications/{item['id']}/print").status_code == 200
    assert "already published" in cli("publication", "demo").output
    assert client.get("/api/v1/publications").json["total"] == 2


@pytest.fixture
def production_cli(app, isolated):
    app.config["APP_ENV"] = "production"
    yield app.test_cli_runner()
    app.config["APP_ENV"] = "test"


def test_the_demo_is_refused_in_production(production_cli, client):
    result = production_cli.invoke(args=["publication", "demo"])
    assert result.exit_code != 0 and "never published in production" in result.output
    assert client.get("/api/v1/publications").json["total"] == 0
