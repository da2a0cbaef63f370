"""Mini-program codes: a station's for its posters, a worker's 安心碼 for the card; each made
once by WeChat and then served from the cache."""

import re

import pytest

from app.config import ConfigError, load_config
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


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "gif": b"GIF8", "webp": b"RIFF"}
# A station each, as the app's code cache outlives a test.
STATION_FOR = {"jpeg": "440104001000", "png": "440104010000", "gif": "440104011000", "webp": "440103020000"}


@pytest.mark.parametrize("image_format", ["jpeg", "png", "gif", "webp"])
def test_a_station_code_is_served_as_the_image_wechat_made(api, stub, image_format):
    stub.code_format = image_format
    url = f"/api/v1/stations/{STATION_FOR[image_format]}/wxacode.png"
    for response in (api.get(url), api.get(url)):  # made, then from the cache
        assert response.status_code == 200, response.json
        assert response.mimetype == f"image/{image_format}"
        assert response.data.startswith(MAGIC[image_format])
    assert stub.hits[CODE_PATH] == 1


def test_a_workers_code_is_served_as_the_jpeg_wechat_made(api, stub, make_issued, operator):
    stub.code_format = "jpeg"
    worker = make_issued()
    response = api.get(f"/api/v1/workers/{worker['id']}/wxacode.png", headers=operator)
    assert response.status_code == 200, response.json
    assert response.mimetype == "image/jpeg" and response.data.startswith(b"\xff\xd8\xff")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_with_redis_a_jpeg_code_is_shared_and_served_as_jpeg(app, stub, redis_wechat_app, clean_redis, isolated):
    stub.code_format = "jpeg"
    other_process = make_wechat_app(app, stub, REDIS_URL=redis_wechat_app.config["REDIS_URL"])
    first = redis_wechat_app.test_client().get("/api/v1/stations/440104007000/wxacode.png")
    second = other_process.test_client().get("/api/v1/stations/440104007000/wxacode.png")
    assert first.mimetype == second.mimetype == "image/jpeg" and first.data == second.data
    assert stub.hits[CODE_PATH] == 1


def test_an_answer_that_is_no_image_is_a_503_and_is_not_cached(api, stub):
    stub.code_format = b"<html>the proxy's error page</html>"
    url = "/api/v1/stations/440104003000/wxacode.png"
    response = api.get(url)
    assert response.status_code == 503 and response.json["code"] == "wechat_unavailable"
    stub.code_format = "jpeg"
    assert api.get(url).mimetype == "image/jpeg"
    assert stub.hits[CODE_PATH] == 2


def test_both_code_endpoints_document_every_image_type_they_serve(api):
    paths = api.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/stations/{code}/wxacode.png", "/api/v1/workers/{worker_id}/wxacode.png"):
        content = paths[path]["get"]["responses"]["200"]["content"]
        assert {"image/png", "image/jpeg"} <= set(content), path
        assert set(content) == {"image/png", "image/jpeg", "image/gif", "image/webp"}


def test_a_release_code_asks_wechat_to_check_that_the_page_is_published(api, stub):
    api.get("/api/v1/stations/440104004000/wxacode.png")
    [asked] = code_requests(stub)
    assert (asked["env_version"], asked["check_path"]) == ("release", True)


@pytest.mark.parametrize("version", ["trial", "develop"])
def test_a_trial_or_develop_code_opens_that_version_without_the_published_page_check(app, stub, isolated, version):
    versioned = make_wechat_app(app, stub, WECHAT_ENV_VERSION=version)
    response = versioned.test_client().get("/api/v1/stations/440104005000/wxacode.png")
    assert response.status_code == 200
    [asked] = code_requests(stub)
    assert (asked["env_version"], asked["check_path"]) == (version, False)


def test_the_mini_program_version_is_read_from_the_environment_and_checked(tmp_path):
    assert load_config({"APP_ENV": "test"}, tmp_path)["WECHAT_ENV_VERSION"] == "release"
    assert load_config({"APP_ENV": "test", "WECHAT_ENV_VERSION": "trial"}, tmp_path)["WECHAT_ENV_VERSION"] == "trial"
    with pytest.raises(ConfigError, match="WECHAT_ENV_VERSION='beta'"):
        load_config({"APP_ENV": "test", "WECHAT_ENV_VERSION": "beta"}, tmp_path)
