"""Binding a phone number, and the access token that every call but login carries: fetched once,
shared by all processes through Redis, renewed once when WeChat stops accepting it."""

import threading

import pytest
import redis
import requests

from tests.factories import REDIS_URL, unique, wechat_settings
from tests.wechat.stub import APPID
from wechat.client import client_from_config

PHONE = "/api/v1/auth/wechat/phone"


def test_binding_a_phone_stores_it_encrypted_and_shows_it_masked(api, stub, login, isolated):
    headers = login()
    stub.accept_phone("phone-code-1", "13912345678")
    response = api.post(PHONE, json={"code": "phone-code-1"}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json == {"phone": "139****5678", "has_phone": True}
    me = api.get("/api/v1/me", headers=headers).json
    assert me["phone"] == "139****5678" and me["has_phone"] is True
    raw_phone, phone_hash = isolated.exec_driver_sql("SELECT phone, phone_hash FROM users").one()
    assert b"13912345678" not in bytes(raw_phone) and b"5678" not in bytes(raw_phone)
    assert phone_hash and "13912345678" not in phone_hash


def test_binding_a_phone_needs_a_login(api, stub):
    response = api.post(PHONE, json={"code": "phone-code-2"})
    assert response.status_code == 401
    assert stub.hits["wxa/business/getuserphonenumber"] == 0


def test_a_phone_code_wechat_rejects_is_a_422_naming_the_code(api, stub, login):
    response = api.post(PHONE, json={"code": "phone-code-unknown"}, headers=login())
    assert response.status_code == 422
    assert "40029" in response.json["errors"]["code"][0]


def test_a_phone_code_from_another_mini_program_is_refused(api, stub, login):
    stub.accept_phone("phone-code-elsewhere", appid="wx0therapp0000000")
    headers = login()
    response = api.post(PHONE, json={"code": "phone-code-elsewhere"}, headers=headers)
    assert response.status_code == 422 and "另一个小程序" in response.json["errors"]["code"][0]
    assert api.get("/api/v1/me", headers=headers).json["has_phone"] is False


def test_a_stale_access_token_is_renewed_once_and_the_call_retried(api, stub, login):
    headers = login()
    stub.accept_phone("phone-code-a")
    stub.accept_phone("phone-code-b", "13700001111")
    assert api.post(PHONE, json={"code": "phone-code-a"}, headers=headers).status_code == 200
    stub.expire_tokens()
    stub.hits.clear()
    assert api.post(PHONE, json={"code": "phone-code-b"}, headers=headers).status_code == 200
    assert stub.hits == {"cgi-bin/token": 1, "wxa/business/getuserphonenumber": 2}  # refused (40001), then again


def test_a_token_refused_again_after_renewal_is_not_retried_a_second_time(api, stub, login):
    stub.accept_phone("phone-code-c")
    headers = login()
    api.post(PHONE, json={"code": "warm-up"}, headers=headers)  # the app holds a valid token
    stub.hits.clear()
    stub.answer_errors("wxa/business/getuserphonenumber", 40001, 42001)
    response = api.post(PHONE, json={"code": "phone-code-c"}, headers=headers)
    assert response.status_code == 503
    assert stub.hits["wxa/business/getuserphonenumber"] == 2


def test_the_token_is_fetched_once_and_reused(stub):
    client = client_from_config(wechat_settings(stub))
    assert client.access_token == client.access_token
    assert stub.hits["cgi-bin/token"] == 1


def new_process(stub, appid, timeout=2.0):
    """What a second app process has: its own client, the same Redis."""
    return client_from_config(
        wechat_settings(stub, WECHAT_APPID=appid, WECHAT_TIMEOUT_SECONDS=timeout), redis.Redis.from_url(REDIS_URL)
    )


def test_processes_share_one_token_through_redis(stub):
    appid = unique("wx")
    first, second = new_process(stub, appid), new_process(stub, appid)
    assert first.access_token == second.access_token
    assert stub.hits["cgi-bin/token"] == 1


def test_processes_asking_at_the_same_moment_fetch_the_token_once(stub):
    appid = unique("wx")
    stub.token_answer_gate.clear()  # WeChat holds its answer until both processes are asking
    tokens, both_asking = [], threading.Barrier(2)

    def ask():
        client = new_process(stub, appid)
        both_asking.wait()
        tokens.append(client.access_token)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    stub.release.wait(0.3)  # long enough for the second process to be waiting on the lock
    stub.token_answer_gate.set()
    for thread in threads:
        thread.join(5)
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert stub.hits["cgi-bin/token"] == 1


def test_a_process_renewing_a_stale_token_takes_the_one_another_process_already_renewed(stub):
    appid = unique("wx")
    first, second = new_process(stub, appid), new_process(stub, appid)
    stale = first.access_token
    renewed = first.renew_access_token(stale=stale)
    assert second.renew_access_token(stale=stale) == renewed
    assert stub.hits["cgi-bin/token"] == 2


def test_fetching_the_token_is_bounded_by_the_configured_timeout(stub):
    stub.hang("cgi-bin/token")
    with pytest.raises(requests.Timeout):
        _ = new_process(stub, unique("wx"), timeout=0.2).access_token


def test_without_redis_each_process_keeps_its_own_token(stub):
    first = client_from_config(wechat_settings(stub, WECHAT_APPID=APPID))
    second = client_from_config(wechat_settings(stub, WECHAT_APPID=APPID))
    assert first.access_token != second.access_token
