"""Operators create courses and their classes: offline ones at a place with sessions and a
capacity, online ones with lessons; a class missing what its mode needs is refused naming it."""

from tests.factories import STATION_A, offline_class_body, online_class_body


def test_an_operator_creates_a_pre_job_course_read_with_its_names(client, operator, make_course, login):
    course = make_course()
    assert course | {"id": 0} == {
        "id": 0,
        "title": "保洁岗前培训",
        "description": None,
        "service_types": ["cleaning"],
        "services": [{"code": "cleaning", "name": "保洁"}],
        "kind": "theory",
        "kind_name": "理论",
        "purpose": "pre_job",
        "purpose_name": "岗前培训",
        "required_hours": 8,
        "pass_mark": 80,
        "required_after_complaint": False,
    }
    listed = client.get("/api/v1/training/courses?purpose=pre_job", headers=login("company_admin", company_id=1))
    assert course["id"] in [item["id"] for item in listed.json["items"]]


def test_an_offline_class_at_a_station_takes_its_district_and_shows_its_places(make_class):
    training_class = make_class(offline_class_body(capacity=12))
    assert training_class["station_code"] == STATION_A
    assert training_class["district_code"] == "440106"
    assert (training_class["capacity"], training_class["enrolled"], training_class["places_left"]) == (12, 0, 12)
    assert len(training_class["sessions"]) == 1
    assert training_class["sessions"][0]["starts_at"].endswith("+08:00")


def test_an_online_class_lists_its_lessons_in_order(make_class):
    training_class = make_class(online_class_body(10, 25))
    assert [(lesson["position"], lesson["required_minutes"]) for lesson in training_class["lessons"]] == [
        (1, 10),
        (2, 25),
    ]
    assert training_class["capacity"] is None


def test_a_class_missing_what_its_mode_needs_is_refused_naming_it(client, operator, make_course):
    course = make_course()
    url = f"/api/v1/training/courses/{course['id']}/classes"
    cases = [
        (offline_class_body() | {"sessions": []}, "sessions_required", "sessions"),
        ({k: v for k, v in offline_class_body().items() if k != "capacity"}, "capacity_required", "capacity"),
        (offline_class_body() | {"station_code": None}, "place_required", "station_code"),
        (online_class_body() | {"capacity": 5}, "online_has_no_place", "capacity"),
        (
            online_class_body() | {"lessons": [{"title": "空课", "required_minutes": 5}]},
            "material_required",
            "lessons.0",
        ),
        (offline_class_body() | {"station_code": "440106999999"}, "unknown_station", "station_code"),
    ]
    for body, code, field in cases:
        body = {key: value for key, value in body.items() if value is not None}
        response = client.post(url, json=body, headers=operator)
        assert response.status_code == 422, (body, response.json)
        assert (response.json["code"], list(response.json["errors"])) == (code, [field])


def test_a_session_ending_before_it_starts_is_refused(client, operator, make_course):
    course = make_course()
    body = offline_class_body(
        sessions=[{"starts_at": "2026-12-10T12:00:00+08:00", "ends_at": "2026-12-10T09:00:00+08:00"}]
    )
    response = client.post(f"/api/v1/training/courses/{course['id']}/classes", json=body, headers=operator)
    assert response.status_code == 422
    assert response.json["code"] == "ends_before_start"
