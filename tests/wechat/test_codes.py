"""Mini-program codes: a station's for its posters, a worker's 安心碼 for the card; each made
once by WeChat and then served from the cache."""

import re

from tests.factories import make_wechat_app, token_of

STATION = "440106001000"
CODE_PATH = "wxa/getwxacodeunlimit"


def code_requests(stub):
    return [body for path, _, body in stub.requests if path == CODE_PATH]


def test_a_station_code_is_a_png_whose_scene_is_the_station_code(api, stub, wechat_app):
    response = api.get(f"/api/v1/stations/{STATION}/wxacode.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png" and response.data.startswith(b"\x89PNG")
    [asked] = code_requests(stub)
    assert asked["scene"] == STATION and asked["page"] == wechat_app.config["WECHAT_STATION_PAGE"]


def test_a_code_is_made_once_then_served_from_the_cache(api, stub):
    first = api.get("/api/v1/stations/440103001000/wxacode.png")
    second = api.get("/api/v1/stations/440103001000/wxacode.png")
    assert first.data == second.data
    assert stub.hits[CODE_PATH] == 1


def test_with_redis_every_process_uses_the_code_one_of_them_made(app, stub, redis_wechat_app, clean_redis, isolated):
    other_process = make_wechat_app(app, stub, REDIS_URL=redis_wechat_app.config["REDIS_URL"])
    first = redis_wechat_app.test_client().get("/api/v1/stations/440103002000/wxacode.png")
    second = other_process.test_client().get("/api/v1/stations/440103002000/wxacode.png")
    assert first.data == second.data and first.data.startswith(b"\x89PNG")
    assert stub.hits[CODE_PATH] == 1


def test_an_unknown_station_has_no_code(api, stub):
    response = api.get("/api/v1/stations/440106999999/wxacode.png")
    assert response.status_code == 404 and response.json["code"] == "unknown_station"
    assert stub.hits[CODE_PATH] == 0


def test_wechat_refusing_to_make_a_code_is_a_503(api, stub):
    stub.answer_errors(CODE_PATH, 41030)  # e.g. the page is not published
    response = api.get("/api/v1/stations/440106002000/wxacode.png")
    assert response.status_code == 503 and "41030" in response.json["detail"]


def test_a_workers_code_has_a_short_scene_that_opens_their_public_profile(api, stub, wechat_app, make_issued, operator):
    worker = make_issued()
    response = api.get(f"/api/v1/workers/{worker['id']}/wxacode.png", headers=operator)
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
    assert response.headers["Cache-Control"] == "private, no-store"
    [asked] = code_requests(stub)
    scene = asked["scene"]
    assert len(scene) <= 32 and re.fullmatch(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]+", scene)
    assert token_of(worker) not in scene and asked["page"] == wechat_app.config["WECHAT_WORKER_PAGE"]
    profile = api.get(f"/api/v1/wechat/scan/{scene}")
    assert profile.status_code == 200
    assert profile.json["certificate_number"] == worker["certificate"]["number"] and profile.json["name"] == "张*梅"


def test_rotating_the_anxin_code_retires_the_workers_mini_program_code(api, client, stub, make_issued, operator):
    worker = make_issued()
    api.get(f"/api/v1/workers/{worker['id']}/wxacode.png", headers=operator)
    old_scene = code_requests(stub)[-1]["scene"]
    client.post(f"/api/v1/workers/{worker['id']}/certificate/rotate-code", json={}, headers=operator)
    old = api.get(f"/api/v1/wechat/scan/{old_scene}")
    assert old.status_code == 404 and old.json["code"] == "unknown_scene"
    api.get(f"/api/v1/workers/{worker['id']}/wxacode.png", headers=operator)
    new_scene = code_requests(stub)[-1]["scene"]
    assert new_scene != old_scene and api.get(f"/api/v1/wechat/scan/{new_scene}").status_code == 200


def test_a_made_up_scene_opens_nothing(api, stub, make_issued, operator):
    worker = make_issued()
    api.get(f"/api/v1/workers/{worker['id']}/wxacode.png", headers=operator)
    real = code_requests(stub)[-1]["scene"]
    prefix = real.split(".")[0]
    forged = f"{prefix}.{'0' * (31 - len(prefix))}"
    for scene in (forged, real[:-1], "440106001000", prefix, "w99999.abcdef0123456789abcd"):
        assert api.get(f"/api/v1/wechat/scan/{scene}").status_code == 404, scene


def test_a_company_admin_gets_the_code_of_its_own_workers_only(api, stub, login, make_company, make_issued):
    ours, theirs = make_company(), make_company()
    our_worker, their_worker = make_issued(company_id=ours["id"]), make_issued(company_id=theirs["id"])
    admin = login("company_admin", company_id=ours["id"])
    assert api.get(f"/api/v1/workers/{our_worker['id']}/wxacode.png", headers=admin).status_code == 200
    assert api.get(f"/api/v1/workers/{their_worker['id']}/wxacode.png", headers=admin).status_code == 404


def test_residents_staff_and_strangers_get_no_workers_code(api, stub, login, make_issued):
    worker = make_issued()
    url = f"/api/v1/workers/{worker['id']}/wxacode.png"
    assert api.get(url).status_code == 401
    assert api.get(url, headers=login()).status_code == 403
    assert api.get(url, headers=login("station_staff", station_code=STATION)).status_code == 403
    assert stub.hits[CODE_PATH] == 0


def test_a_worker_without_an_issued_certificate_has_no_code(api, stub, make_applicant, operator):
    applicant = make_applicant()
    response = api.get(f"/api/v1/workers/{applicant['id']}/wxacode.png", headers=operator)
    assert response.status_code == 404 and response.json["code"] == "certificate_not_issued"
