"""Logging in with WeChat: the mini-program sends wx.login()'s code, gets our session token."""

import pytest
from sqlalchemy import select

from accounts.models import User
from app.extensions import db
from tests.factories import make_wechat_app, unique
from tests.wechat.stub import closed_port_url


def users(wechat_app):
    with wechat_app.app_context():
        return db.session.scalars(select(User).order_by(User.id)).all()


def test_a_first_login_creates_the_user_and_gives_a_working_session_token(api, stub, wechat_app):
    stub.accept_login("login-code-1", openid="o-first-login", unionid="u-union-1")
    response = api.post("/api/v1/auth/wechat/login", json={"code": "login-code-1"})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["new_user"] is True and body["has_phone"] is False and body["token_type"] == "Bearer"
    assert "session_key" not in response.get_data(as_text=True)
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json["id"] == body["user_id"] and me.json["roles"] == ["resident"]
    [user] = users(wechat_app)
    assert (user.openid, user.unionid) == ("o-first-login", "u-union-1")


def test_logging_in_again_finds_the_same_user_and_replaces_the_session_key(api, stub, wechat_app, isolated):
    stub.accept_login("code-monday", openid="o-returning", session_key="a2V5LW9mLW1vbmRheQ==")
    stub.accept_login("code-tuesday", openid="o-returning", session_key="a2V5LW9mLXR1ZXNkYXk=")
    first = api.post("/api/v1/auth/wechat/login", json={"code": "code-monday"}).json
    stored_monday = bytes(isolated.exec_driver_sql("SELECT wechat_session_key FROM users").scalar_one())
    second = api.post("/api/v1/auth/wechat/login", json={"code": "code-tuesday"}).json
    stored_tuesday = bytes(isolated.exec_driver_sql("SELECT wechat_session_key FROM users").scalar_one())
    assert second["user_id"] == first["user_id"] and second["new_user"] is False
    assert second["token"] != first["token"]
    [user] = users(wechat_app)
    assert user.wechat_session_key == "a2V5LW9mLXR1ZXNkYXk="
    assert stored_tuesday != stored_monday
    for stored in (stored_monday, stored_tuesday):  # ciphertext, not the key
        assert b"a2V5" not in stored and b"key-of" not in stored


def test_the_unionid_is_kept_when_a_later_login_has_none(api, stub, wechat_app):
    stub.accept_login("with-union", openid="o-union", unionid="u-kept")
    stub.accept_login("without-union", openid="o-union")
    api.post("/api/v1/auth/wechat/login", json={"code": "with-union"})
    api.post("/api/v1/auth/wechat/login", json={"code": "without-union"})
    assert users(wechat_app)[0].unionid == "u-kept"


def test_a_code_wechat_rejects_is_a_401_naming_the_code_and_creates_no_one(api, stub, wechat_app):
    response = api.post("/api/v1/auth/wechat/login", json={"code": "never-issued-code"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "40029" in response.json["errors"]["code"][0]
    assert users(wechat_app) == []


def test_a_login_code_works_once(api, stub):
    stub.accept_login("single-use-code", openid="o-once")
    assert api.post("/api/v1/auth/wechat/login", json={"code": "single-use-code"}).status_code == 200
    assert api.post("/api/v1/auth/wechat/login", json={"code": "single-use-code"}).status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "code"),
        ({"code": ""}, "code"),
        ({"code": "含有中文"}, "code"),
        ({"code": "login-code-x", "openid": "forged"}, "openid"),
    ],
)
def test_a_malformed_login_request_is_a_422_naming_the_field(api, stub, body, field):
    response = api.post("/api/v1/auth/wechat/login", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert stub.hits["sns/jscode2session"] == 0


def test_logging_in_needs_no_access_token(api, stub):
    stub.accept_login("code-no-token", openid="o-no-token")
    api.post("/api/v1/auth/wechat/login", json={"code": "code-no-token"})
    assert stub.hits["cgi-bin/token"] == 0
    [(path, query, _)] = stub.requests
    assert path == "sns/jscode2session" and "access_token" not in query


@pytest.mark.parametrize("errcode", [-1, 45011, 40125])
def test_wechat_busy_rate_limiting_or_refusing_us_is_a_503_with_retry_after(api, stub, wechat_app, errcode):
    stub.answer_errors("sns/jscode2session", errcode)
    response = api.post("/api/v1/auth/wechat/login", json={"code": "login-code-busy"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"]
    assert str(errcode) in response.json["detail"]
    assert users(wechat_app) == []


def test_wechat_down_is_a_503_and_nothing_is_written(app, stub, isolated):
    down = make_wechat_app(app, stub, WECHAT_API_BASE_URL=closed_port_url())
    response = down.test_client().post("/api/v1/auth/wechat/login", json={"code": "login-code-down"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert users(down) == []


def test_wechat_too_slow_is_a_503_within_the_configured_timeout(app, stub, isolated):
    slow = make_wechat_app(app, stub, WECHAT_TIMEOUT_SECONDS=0.2)
    stub.hang("sns/jscode2session")
    response = slow.test_client().post("/api/v1/auth/wechat/login", json={"code": unique("slow")})
    assert response.status_code == 503
    assert "未及时响应" in response.json["detail"]


def test_the_app_secret_never_appears_in_an_answer_or_the_log(api, stub, caplog):
    stub.answer_errors("sns/jscode2session", -1)
    response = api.post("/api/v1/auth/wechat/login", json={"code": "login-code-secret"})
    assert "stub-app-secret" not in response.get_data(as_text=True)
    assert "stub-app-secret" not in caplog.text


def test_one_address_trying_logins_too_fast_gets_429_with_retry_after(api, stub, wechat_app, monkeypatch):
    monkeypatch.setitem(wechat_app.config, "LOGIN_RATE_LIMIT", "2/minute")
    for n in range(5):
        stub.accept_login(f"code-flood-{n}", openid="o-flood")

    def log_in(n, address="198.51.100.77"):
        return api.post(
            "/api/v1/auth/wechat/login", json={"code": f"code-flood-{n}"}, environ_base={"REMOTE_ADDR": address}
        )

    assert [log_in(n).status_code for n in range(3)] == [200, 200, 429]
    refused = log_in(3)
    assert refused.mimetype == "application/problem+json" and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert log_in(4, address="198.51.100.78").status_code == 200


def test_failed_wechat_calls_are_counted_for_the_operators_dashboard(api, stub):
    def failures():
        text = api.get("/metrics").get_data(as_text=True)
        line = next(
            (
                metric
                for metric in text.splitlines()
                if metric.startswith('wechat_api_errors_total{errcode="40029",path="sns/jscode2session"}')
            ),
            None,
        )
        return float(line.split()[-1]) if line else 0.0

    before = failures()
    assert api.post("/api/v1/auth/wechat/login", json={"code": "never-issued"}).status_code == 401
    assert failures() == before + 1


def test_a_user_wechat_restricts_is_told_their_account_is_restricted_not_to_try_again(api, stub, wechat_app):
    stub.answer_errors("sns/jscode2session", 40226)
    response = api.post("/api/v1/auth/wechat/login", json={"code": "login-code-risky"})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "wechat_account_restricted"
    assert "风控限制" in response.json["detail"] and "重试也无济于事" in response.json["detail"]
    assert "Retry-After" not in response.headers
    assert users(wechat_app) == []


def test_binding_the_phone_of_a_user_wechat_restricts_says_so(api, stub, login):
    stub.answer_errors("wxa/business/getuserphonenumber", 40226)
    response = api.post("/api/v1/auth/wechat/phone", json={"code": "phone-code-risky"}, headers=login())
    assert response.status_code == 403 and response.json["code"] == "wechat_account_restricted"
