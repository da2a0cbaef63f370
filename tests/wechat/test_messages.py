"""Subscribe messages: queued in the caller's transaction, sent only after it commits, retried
with backoff, and never lost: each row ends sent, not_subscribed, failed (with WeChat's
errcode) or skipped."""

import time
from datetime import timedelta

import pytest
import rq
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from tests.factories import make_user
from wechat.messages import QUEUE_NAME, InProcessQueue, deliver, queue_subscribe_message
from wechat.models import SubscribeMessage

SEND = "cgi-bin/message/subscribe/send"
BOOKING_DATA = {"thing1": "日常保洁 2小时", "time2": "2026-12-01 09:00", "thing3": "沙面街道服务站"}


@pytest.fixture
def resident(wechat_app, isolated):
    with wechat_app.app_context():
        user = make_user()
        return user.id, user.openid


def queue(wechat_app, user_id, kind="booking_received", commit=True):
    with wechat_app.app_context():
        queue_subscribe_message(user_id, kind, BOOKING_DATA, page="pages/booking/detail?id=7")
        if commit:
            db.session.commit()


def messages(wechat_app):
    with wechat_app.app_context():
        return db.session.scalars(select(SubscribeMessage).order_by(SubscribeMessage.id)).all()


def test_a_committed_message_is_sent_with_its_template_data_and_page(wechat_app, outbox, stub, resident):
    user_id, openid = resident
    queue(wechat_app, user_id)
    assert outbox.drain() == 1
    assert stub.sent == [
        {
            "touser": openid,
            "template_id": "TPL-received",
            "page": "pages/booking/detail?id=7",
            "data": {key: {"value": value} for key, value in BOOKING_DATA.items()},
            "miniprogram_state": "formal",
        }
    ]
    [message] = messages(wechat_app)
    assert (message.status, message.attempts, message.last_errcode) == ("sent", 1, None)
    assert message.sent_at is not None


@pytest.mark.parametrize(("version", "state"), [("release", "formal"), ("trial", "trial"), ("develop", "developer")])
def test_a_message_opens_the_configured_version_of_the_mini_program(app, stub, isolated, resident, version, state):
    from tests.factories import make_wechat_app

    versioned = make_wechat_app(app, stub, WECHAT_ENV_VERSION=version)
    queue(versioned, resident[0])
    versioned.extensions["wechat_messages"].drain()
    assert [sent["miniprogram_state"] for sent in stub.sent] == [state]


def test_a_user_restricted_by_wechat_is_not_retried(wechat_app, outbox, stub, resident):
    stub.answer_errors(SEND, 40226)
    queue(wechat_app, resident[0])
    outbox.drain()
    [message] = messages(wechat_app)
    assert (message.status, message.attempts, message.last_errcode) == ("failed", 1, 40226)


def test_nothing_is_sent_before_the_transaction_commits(wechat_app, outbox, stub, resident):
    with wechat_app.app_context():
        queue_subscribe_message(resident[0], "booking_confirmed", BOOKING_DATA)
        assert outbox.drain() == 0
        db.session.commit()
    assert outbox.drain() == 1 and len(stub.sent) == 1


def test_a_rolled_back_transaction_sends_nothing_and_leaves_no_message(wechat_app, outbox, stub, resident):
    with wechat_app.app_context():
        queue_subscribe_message(resident[0], "booking_assigned", BOOKING_DATA)
        db.session.rollback()
    assert outbox.drain() == 0
    assert stub.sent == [] and messages(wechat_app) == []


def test_a_kind_without_a_configured_template_is_recorded_as_skipped(wechat_app, outbox, stub, resident):
    queue(wechat_app, resident[0], kind="followup_survey")
    assert outbox.drain() == 0
    [message] = messages(wechat_app)
    assert message.status == "skipped" and message.template_id is None and stub.sent == []


def test_an_unknown_kind_is_a_programming_error(wechat_app, isolated, resident):
    with wechat_app.app_context(), pytest.raises(ValueError, match="booking_received"):
        queue_subscribe_message(resident[0], "booking_cancelled", BOOKING_DATA)


def test_the_message_text_is_encrypted_at_rest(wechat_app, outbox, isolated, resident):
    queue(wechat_app, resident[0])
    raw = bytes(isolated.exec_driver_sql("SELECT data FROM wechat_messages").scalar_one())
    assert "沙面".encode() not in raw and b"thing1" not in raw


def test_a_busy_or_rate_limiting_wechat_is_retried_until_it_takes_the_message(wechat_app, outbox, stub, resident):
    stub.answer_errors(SEND, -1, 45011)
    queue(wechat_app, resident[0])
    outbox.drain()
    [message] = messages(wechat_app)
    assert (message.status, message.attempts) == ("sent", 3)
    assert stub.hits[SEND] == 3


def test_a_message_failing_every_attempt_is_recorded_failed_with_wechats_errcode(wechat_app, outbox, stub, resident):
    attempts = wechat_app.config["WECHAT_MESSAGE_ATTEMPTS"]
    stub.answer_errors(SEND, *[-1] * attempts)
    queue(wechat_app, resident[0])
    outbox.drain()
    [message] = messages(wechat_app)
    assert (message.status, message.attempts, message.last_errcode) == ("failed", attempts, -1)
    assert stub.hits[SEND] == attempts


def test_a_user_who_did_not_grant_the_template_is_not_subscribed_and_not_retried(wechat_app, outbox, stub, resident):
    stub.answer_errors(SEND, 43101)
    queue(wechat_app, resident[0])
    outbox.drain()
    [message] = messages(wechat_app)
    assert (message.status, message.attempts, message.last_errcode) == ("not_subscribed", 1, 43101)
    assert stub.hits[SEND] == 1


def test_an_error_retrying_cannot_fix_fails_at_once(wechat_app, outbox, stub, resident):
    stub.answer_errors(SEND, 40037)  # invalid template id
    queue(wechat_app, resident[0])
    outbox.drain()
    [message] = messages(wechat_app)
    assert (message.status, message.attempts, message.last_errcode) == ("failed", 1, 40037)


def test_retries_wait_longer_each_time(wechat_app, outbox, stub, resident, monkeypatch):
    monkeypatch.setitem(wechat_app.config, "WECHAT_MESSAGE_BACKOFF_SECONDS", 30)
    stub.answer_errors(SEND, -1, -1, -1)
    queue(wechat_app, resident[0])
    with wechat_app.app_context():
        [message] = messages(wechat_app)
        assert [deliver(message.id) for _ in range(3)] == [30, 60, 120]


def test_wechat_unreachable_is_retried_and_recorded_without_an_errcode(app, stub, isolated, resident):
    from tests.factories import make_wechat_app
    from tests.wechat.stub import closed_port_url

    down = make_wechat_app(app, stub, WECHAT_API_BASE_URL=closed_port_url(), WECHAT_MESSAGE_ATTEMPTS=2)
    queue(down, resident[0])
    down.extensions["wechat_messages"].drain()
    [message] = messages(down)
    assert (message.status, message.attempts, message.last_errcode) == ("failed", 2, None)
    assert "unreachable" in message.last_error


def test_operators_retry_failed_messages_with_a_command(wechat_app, outbox, stub, resident):
    stub.answer_errors(SEND, 40037)
    queue(wechat_app, resident[0])
    outbox.drain()
    result = wechat_app.test_cli_runner().invoke(args=["wechat", "retry-failed"])
    assert "1 message(s)" in result.output
    [message] = messages(wechat_app)
    assert message.status == "sent" and len(stub.sent) == 1


def test_a_message_whose_queue_was_lost_is_handed_over_again(wechat_app, outbox, stub, resident):
    with wechat_app.app_context():  # queued an hour ago by a process that stopped before sending it
        db.session.add(
            SubscribeMessage(
                user_id=resident[0],
                kind="booking_reminder",
                template_id="TPL-reminder",
                data=BOOKING_DATA,
                status="queued",
                updated_at=utcnow() - timedelta(hours=1),
            )
        )
        db.session.commit()
    wechat_app.test_cli_runner().invoke(args=["wechat", "retry-failed", "--stuck-minutes", "15"])
    assert messages(wechat_app)[0].status == "sent"


def test_operators_see_failed_messages_with_their_errcode(api, wechat_app, outbox, stub, resident, login):
    stub.answer_errors(SEND, 40003)
    queue(wechat_app, resident[0])
    outbox.drain()
    listed = api.get("/api/v1/wechat/messages?status=failed", headers=login("operator"))
    assert [(m["kind"], m["last_errcode"]) for m in listed.json["items"]] == [("booking_received", 40003)]
    assert (listed.json["total"], listed.json["page"], listed.json["per_page"]) == (1, 1, 100)
    assert api.get("/api/v1/wechat/messages", headers=login()).status_code == 403


def test_with_redis_a_committed_message_goes_to_rq_and_a_worker_sends_it(
    redis_wechat_app, clean_redis, stub, isolated, resident
):
    rq_queue = rq.Queue(QUEUE_NAME, connection=clean_redis)
    with redis_wechat_app.app_context():
        queue_subscribe_message(resident[0], "booking_reminder", BOOKING_DATA)
        assert rq_queue.count == 0
        db.session.commit()
        assert rq_queue.count == 1
        rq.SimpleWorker([rq_queue], connection=clean_redis).work(burst=True)
    [message] = messages(redis_wechat_app)
    assert message.status == "sent" and stub.sent[0]["template_id"] == "TPL-reminder"


def test_with_redis_a_retry_waits_in_rqs_schedule(redis_wechat_app, clean_redis, stub, isolated, resident, monkeypatch):
    monkeypatch.setitem(redis_wechat_app.config, "WECHAT_MESSAGE_BACKOFF_SECONDS", 30)
    stub.answer_errors(SEND, -1)
    rq_queue = rq.Queue(QUEUE_NAME, connection=clean_redis)
    with redis_wechat_app.app_context():
        queue_subscribe_message(resident[0], "booking_reminder", BOOKING_DATA)
        db.session.commit()
        rq.SimpleWorker([rq_queue], connection=clean_redis).work(burst=True)
    [message] = messages(redis_wechat_app)
    assert (message.status, message.attempts, message.last_errcode) == ("queued", 1, -1)
    assert rq_queue.count == 0 and len(rq_queue.scheduled_job_registry) == 1


def test_without_redis_a_thread_of_the_app_delivers_in_the_background(wechat_app, stub, resident):
    """The embedded default: nobody drains the queue; the process's own thread sends."""
    user_id, openid = resident
    queue(wechat_app, user_id)
    [message] = messages(wechat_app)
    background = InProcessQueue(wechat_app, start_thread=True)
    background.submit(message.id, delay=0)
    deadline = time.monotonic() + 5
    while not stub.sent and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [sent["touser"] for sent in stub.sent] == [openid]
