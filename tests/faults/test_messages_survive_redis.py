"""A resident books while Redis is down: the booking is made, and the "booking received" message
waits in the database until Redis is back, then reaches WeChat."""

import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.factories import bearer, booking_body, build_app, make_user, wechat_settings
from wechat.models import SubscribeMessage


@pytest.fixture(scope="module")
def wechat_app_on_private_servers(private_postgres, private_redis, stub):
    app = build_app(private_postgres.url, REDIS_URL=private_redis.url, REDIS_RETRY_SECONDS=0, **wechat_settings(stub))
    assert app.test_cli_runner().invoke(args=["booking", "defaults"]).exit_code == 0
    return app


def test_a_message_queued_while_redis_is_down_is_sent_once_redis_is_back(
    wechat_app_on_private_servers, private_redis, stub
):
    app = wechat_app_on_private_servers
    stub.reset()
    with app.app_context():
        resident = bearer(make_user(phone="13900001111"))
    cli = app.test_cli_runner()

    private_redis.kill()
    try:
        response = app.test_client().post(
            "/api/v1/bookings", json=booking_body(), headers=resident | {"Idempotency-Key": uuid.uuid4().hex}
        )
        assert response.status_code == 201
    finally:
        private_redis.start()

    with app.app_context():
        [message] = db.session.scalars(
            select(SubscribeMessage).where(SubscribeMessage.kind == "booking_received")
        ).all()
        assert message.status == "queued"
        db.session.remove()
    assert (
        "1 message(s) handed to the queue again"
        in cli.invoke(args=["wechat", "retry-failed", "--stuck-minutes", "0"]).output
    )
    assert cli.invoke(args=["wechat", "worker", "--burst"]).exit_code == 0

    assert [sent["template_id"] for sent in stub.sent] == ["TPL-received"]
    with app.app_context():
        assert db.session.get(SubscribeMessage, message.id).status == "sent"
