"""A resident's text about a worker at their door passes WeChat's content check (msgSecCheck v2)
before anyone reads it: refused, it is a 422 naming the field and nothing is kept; WeChat down,
it is kept but hidden until `flask wechat recheck-texts` has it checked."""

import pytest
from sqlalchemy import select

from accounts.models import User
from app import create_app
from app.extensions import db
from doorstep.models import DoorRating
from tests.factories import UNLIMITED, token_of


@pytest.fixture
def recheck(wechat_app):
    runner = wechat_app.test_cli_runner()
    return lambda: runner.invoke(args=["wechat", "recheck-texts"])


@pytest.fixture
def let_in(api, enter, resident, green_worker):
    """A green worker let in, recorded through the app that talks to the stub WeChat."""

    def make():
        headers, worker = resident(), green_worker()
        response = enter(headers, token_of(worker), via=api)
        assert response.status_code == 201, response.json
        return response.json, headers, worker

    return make


def openid_of(app, client, headers) -> str | None:
    user_id = client.get("/api/v1/me", headers=headers).json["id"]
    with app.app_context():
        return db.session.scalar(select(User.openid).where(User.id == user_id))


def test_a_text_that_passes_is_shown_and_was_sent_as_msgseccheck_v2(app, api, stub, let_in):
    entry, headers, _ = let_in()
    rated = api.post(
        f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 5, "text": "准时细心"}, headers=headers
    )
    assert rated.status_code == 201
    assert (rated.json["text"], rated.json["text_status"]) == ("准时细心", "pass")
    [(_, _, body)] = [r for r in stub.requests if r[0] == "wxa/msg_sec_check"]
    assert body == {"openid": openid_of(app, api, headers), "scene": 2, "version": 2, "content": "准时细心"}
    [listed] = api.get("/api/v1/door-entries", headers=headers).json["items"]
    assert listed["rating"]["text"] == "准时细心"


@pytest.mark.parametrize("what", ["rating", "complaints"])
def test_a_risky_text_is_a_422_naming_the_field_and_nothing_is_kept(api, stub, let_in, operator, what):
    entry, headers, worker = let_in()
    stub.judge_text("违禁词", "risky")
    ledger_before = api.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["total"]
    url = f"/api/v1/door-entries/{entry['id']}/{what}"
    refused = api.post(
        url, json={"stars": 1, "text": "这里有违禁词"} if what == "rating" else {"text": "违禁词"}, headers=headers
    )
    assert refused.status_code == 422 and refused.json["code"] == "text_refused"
    assert list(refused.json["errors"]) == ["text"]
    assert api.get(f"/api/v1/workers/{worker['id']}/history", headers=operator).json["total"] == ledger_before
    [listed] = api.get("/api/v1/door-entries", headers=headers).json["items"]
    assert (listed["rating"], listed["complaints"]) == (None, [])
    again = api.post(
        url, json={"stars": 1, "text": "态度差"} if what == "rating" else {"text": "态度差"}, headers=headers
    )
    assert again.status_code == 201


def test_a_text_wechat_wants_reviewed_is_kept_hidden(api, stub, let_in):
    entry, headers, _ = let_in()
    stub.judge_text("可疑", "review")
    rated = api.post(
        f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 3, "text": "有点可疑"}, headers=headers
    )
    assert rated.status_code == 201
    assert (rated.json["stars"], rated.json["text"], rated.json["text_status"]) == (3, None, "review")


def test_wechat_down_keeps_the_texts_hidden_until_the_recheck_shows_or_hides_them(app, api, stub, let_in, recheck):
    entry, headers, _ = let_in()
    stub.answer_errors("wxa/msg_sec_check", -1, -1, -1)  # system busy
    rating = api.post(
        f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 4, "text": "还不错"}, headers=headers
    )
    fine = api.post(f"/api/v1/door-entries/{entry['id']}/complaints", json={"text": "迟到十分钟"}, headers=headers)
    risky = api.post(f"/api/v1/door-entries/{entry['id']}/complaints", json={"text": "违禁词投诉"}, headers=headers)
    assert rating.status_code == fine.status_code == risky.status_code == 201
    assert {r.json["text_status"] for r in (rating, fine, risky)} == {"pending"}
    assert {r.json["text"] for r in (rating, fine, risky)} == {None}

    stub.judge_text("违禁词", "risky")
    result = recheck()
    assert result.exit_code == 0 and "2 text(s) shown, 1 hidden, 0 still pending" in result.output
    [listed] = api.get("/api/v1/door-entries", headers=headers).json["items"]
    assert (listed["rating"]["text"], listed["rating"]["text_status"]) == ("还不错", "pass")
    assert [(c["text"], c["text_status"]) for c in listed["complaints"]] == [("迟到十分钟", "pass"), (None, "risky")]
    checks = stub.hits["wxa/msg_sec_check"]
    assert "0 text(s) shown, 0 hidden, 0 still pending" in recheck().output
    assert stub.hits["wxa/msg_sec_check"] == checks  # nothing pending: WeChat is not asked again


def test_a_recheck_while_wechat_is_still_down_leaves_the_texts_pending(api, stub, let_in, recheck):
    entry, headers, _ = let_in()
    stub.answer_errors("wxa/msg_sec_check", -1, 45011)
    api.post(f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 4, "text": "还行"}, headers=headers)
    assert "0 text(s) shown, 0 hidden, 1 still pending" in recheck().output
    assert "1 text(s) shown" in recheck().output


def test_a_slow_wechat_does_not_hold_the_rating(api, stub, let_in):
    entry, headers, _ = let_in()
    stub.hang("wxa/msg_sec_check")
    rated = api.post(f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 5, "text": "很好"}, headers=headers)
    assert rated.status_code == 201 and rated.json["text_status"] == "pending"


def test_without_wechat_configured_texts_wait_for_the_check_outside_development(app, client, entered):
    entry, headers, _ = entered()
    rated = client.post(f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 5, "text": "好"}, headers=headers)
    assert (rated.json["text"], rated.json["text_status"]) == (None, "pending")


@pytest.fixture(scope="module")
def development_app(app):
    development = create_app(
        {
            "TESTING": True,
            "APP_ENV": "development",
            **UNLIMITED,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    yield development
    with development.app_context():
        db.engine.dispose()


def test_in_development_without_wechat_configured_texts_pass_unchecked(development_app, isolated, entered):
    entry, headers, _ = entered()
    rated = development_app.test_client().post(
        f"/api/v1/door-entries/{entry['id']}/rating", json={"stars": 5, "text": "开发环境"}, headers=headers
    )
    assert (rated.json["text"], rated.json["text_status"]) == ("开发环境", "pass")
    with development_app.app_context():
        assert db.session.scalar(select(DoorRating.text_status).where(DoorRating.entry_id == entry["id"])) == "pass"
