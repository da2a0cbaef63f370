"""Subscribe messages (预约已受理, 已确认, 已派单, 服务提醒, 回访问卷).

A feature calls queue_subscribe_message inside its own transaction. The message is a row written
in that transaction and is handed to a queue only after the commit, so a rolled-back booking sends
nothing and the request never waits for WeChat. The queue is RQ on Redis when REDIS_URL is set
(`flask wechat worker` runs it) and a thread in each app process otherwise. Delivery retries with
exponential backoff; whatever happens, the row's status and WeChat's errcode say what became of it.
"""

import functools
import heapq
import itertools
import logging
import threading
import time
from datetime import timedelta

import redis
import requests
import rq
from flask import Flask, current_app
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import defer, raiseload
from wechatpy.exceptions import WeChatClientException

from app.clock import utcnow
from app.database import after_commit
from app.extensions import db
from app.paging import Page, paginate
from wechat.client import STALE_TOKEN_ERRORS, wechat_client
from wechat.models import FAILED, MESSAGE_KINDS, NOT_SUBSCRIBED, QUEUED, SENDING, SENT, SKIPPED, SubscribeMessage

log = logging.getLogger(__name__)

QUEUE_NAME = "wechat-messages"
NOT_GRANTED = 43101  # the user has not (or no longer) granted this template: nothing to retry
# Worth trying again later: no answer at all (None), system busy, rate limited, a token that
# stayed stale after one renewal.
TRANSIENT_ERRORS = frozenset({None, -1, 45009, 45011, *STALE_TOKEN_ERRORS})
NOT_CONFIGURED = "WeChat is not configured (WECHAT_APPID, WECHAT_SECRET): not sent"


def queue_subscribe_message(user_id: int, kind: str, data: dict[str, str], page: str | None = None) -> None:
    """Sends `kind`'s template to the user once the caller's transaction commits.

    `data` maps the template's keys to values (e.g. {"thing1": "日常保洁", "time2": "2026-12-01 09:00"});
    `page` is the mini-program page the message opens. A kind without a configured template is
    recorded as skipped, and so is every message when WeChat is not configured (at delivery).
    Only flushes: the caller commits (or rolls back, and nothing is sent)."""
    if kind not in MESSAGE_KINDS:
        raise ValueError(f"unknown subscribe message kind {kind!r}; one of {', '.join(MESSAGE_KINDS)}")
    template_id = template_for(kind)
    message = SubscribeMessage(
        user_id=user_id,
        kind=kind,
        template_id=template_id,
        page=page,
        data=dict(data),
        status=QUEUED if template_id else SKIPPED,
    )
    db.session.add(message)
    db.session.flush()
    if template_id:
        after_commit(functools.partial(submit, message.id))


def template_for(kind: str) -> str | None:
    """The template configured for `kind`; None: its messages are recorded as skipped."""
    return current_app.config["WECHAT_TEMPLATES"].get(kind)


def submit_once_committed(message_ids: list[int]) -> None:
    """For queued rows that SQL wrote itself (booking.one_statement): each goes to the queue once
    the caller's transaction commits, as queue_subscribe_message's own rows do."""
    for message_id in message_ids:
        after_commit(functools.partial(submit, message_id))


def deliver_in_this_process() -> None:
    """For a command that has just queued messages: without Redis no worker will deliver them,
    so the command does before it exits. With Redis the message workers do; this does nothing."""
    queue = current_app.extensions["wechat_messages"]
    if isinstance(queue, InProcessQueue):
        queue.drain()


def submit(message_id: int, delay: float = 0.0) -> None:
    """Hands a queued message to the queue. If the queue cannot take it, the row stays queued
    for `flask wechat retry-failed`; the caller is never failed for it."""
    try:
        current_app.extensions["wechat_messages"].submit(message_id, delay)
    except redis.RedisError:
        log.error("subscribe message %s stays queued: Redis unavailable", message_id)


# ---------------------------------------------------------------- delivery


def deliver(message_id: int) -> float | None:
    """Sends one message; returns the delay before the next attempt, or None when done.

    Commits twice: the claim (queued → sending) before calling WeChat, so no other worker sends
    it too, and the outcome after. Without WeChat configured the message is recorded as skipped
    and nothing is sent: it was meant for now (a booking received, tomorrow's visit), so sending
    it once WeChat is set up, maybe days later, would mislead; and a queue that nothing can
    empty would look like a stopped worker on the operators' dashboard."""
    if not wechat_client().configured:
        _skip_unconfigured(message_id)
        return None
    claimed = db.session.execute(
        update(SubscribeMessage)
        .where(SubscribeMessage.id == message_id, SubscribeMessage.status == QUEUED)
        .values(status=SENDING, attempts=SubscribeMessage.attempts + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return None  # sent already, taken by another worker, or rolled back before it was committed
    message = db.session.get(SubscribeMessage, message_id)
    errcode, error = _send(message)
    delay = _record_outcome(message, errcode, error)
    db.session.commit()
    return delay


def _skip_unconfigured(message_id: int) -> None:
    db.session.execute(
        update(SubscribeMessage)
        .where(SubscribeMessage.id == message_id, SubscribeMessage.status == QUEUED)
        .values(status=SKIPPED, last_error=NOT_CONFIGURED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _send(message: SubscribeMessage) -> tuple[int | None, str | None]:
    """(errcode, error) of one send; (0, None) when WeChat took it."""
    try:
        wechat_client().send_subscribe_message(
            message.user.openid,
            message.template_id,
            {key: {"value": value} for key, value in message.data.items()},
            page=message.page,
        )
    except WeChatClientException as failure:
        return failure.errcode, str(failure.errmsg or "")[:200]
    except (requests.RequestException, redis.RedisError) as failure:
        return None, f"WeChat unreachable: {type(failure).__name__}"
    return 0, None


def _record_outcome(message: SubscribeMessage, errcode: int | None, error: str | None) -> float | None:
    message.updated_at = utcnow()
    message.last_errcode, message.last_error = (errcode or None), error
    if errcode == 0:
        message.status, message.sent_at = SENT, utcnow()
    elif errcode == NOT_GRANTED:
        message.status = NOT_SUBSCRIBED
    elif errcode in TRANSIENT_ERRORS and message.attempts < current_app.config["WECHAT_MESSAGE_ATTEMPTS"]:
        message.status = QUEUED
        return current_app.config["WECHAT_MESSAGE_BACKOFF_SECONDS"] * 2 ** (message.attempts - 1)
    else:
        message.status = FAILED
        log.warning(
            "subscribe message %s failed after %s attempt(s): errcode %s", message.id, message.attempts, errcode
        )
    return None


def run_delivery(message_id: int) -> None:
    """One delivery as a queue job; a retry goes back on the same queue after its delay."""
    delay = deliver(message_id)
    if delay is not None:
        submit(message_id, delay)


def retry_failed(stuck_after: timedelta) -> list[int]:
    """Puts failed messages back in the queue with fresh attempts, and hands over again the
    queued or sending ones that no worker has touched for `stuck_after` (their queue was lost:
    Redis or the process went away). Only flushes; the queue takes them after the commit."""
    stale = utcnow() - stuck_after
    messages = db.session.scalars(
        select(SubscribeMessage)
        .where(
            or_(
                SubscribeMessage.status == FAILED,
                SubscribeMessage.status.in_((QUEUED, SENDING)) & (SubscribeMessage.updated_at < stale),
            )
        )
        .order_by(SubscribeMessage.id)
    ).all()
    for message in messages:
        if message.status == FAILED:
            message.attempts = 0
        message.status, message.updated_at = QUEUED, utcnow()
        after_commit(functools.partial(submit, message.id))
    db.session.flush()
    return [message.id for message in messages]


def list_messages(status: str | None, kind: str | None, user_id: int | None, page: int, per_page: int) -> Page:
    """Subscribe messages, newest first, without their (encrypted) data or their users, which
    the log does not show."""
    query = (
        select(SubscribeMessage)
        .options(defer(SubscribeMessage.data), raiseload(SubscribeMessage.user))
        .order_by(SubscribeMessage.id.desc())
    )
    for column, value in (
        (SubscribeMessage.status, status),
        (SubscribeMessage.kind, kind),
        (SubscribeMessage.user_id, user_id),
    ):
        if value is not None:
            query = query.where(column == value)
    return paginate(query, page, per_page)


def messages_by_status():
    """For /metrics: messages still to send, sending and failed; a growing queue means no worker
    is delivering."""
    counts = dict(
        db.session.execute(
            select(SubscribeMessage.status, func.count())
            .where(SubscribeMessage.status.in_((QUEUED, SENDING, FAILED)))
            .group_by(SubscribeMessage.status)
        ).all()
    )
    family = GaugeMetricFamily("subscribe_messages", "Subscribe messages not (yet) sent, by status", labels=["status"])
    for status in (QUEUED, SENDING, FAILED):
        family.add_metric([status], counts.get(status, 0))
    yield family


# ---------------------------------------------------------------- the two queues


class RedisQueue:
    """RQ: any number of `flask wechat worker` processes deliver; retries wait in RQ's scheduler."""

    def __init__(self, connection: redis.Redis):
        self.queue = rq.Queue(QUEUE_NAME, connection=connection)

    def submit(self, message_id: int, delay: float) -> None:
        if delay > 0:
            self.queue.enqueue_in(timedelta(seconds=delay), run_delivery, message_id)
        else:
            self.queue.enqueue(run_delivery, message_id)


class InProcessQueue:
    """The embedded default, without Redis: a thread of this process delivers. Messages waiting
    here when the process stops remain queued in the database (`flask wechat retry-failed`)."""

    def __init__(self, app: Flask, *, start_thread: bool):
        self._app = app
        self._start_thread = start_thread
        self._due: list[tuple[float, int, int]] = []  # (due time, tie-breaker, message id)
        self._order = itertools.count()
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, message_id: int, delay: float) -> None:
        with self._condition:
            heapq.heappush(self._due, (time.monotonic() + delay, next(self._order), message_id))
            self._condition.notify()
            if self._start_thread and self._thread is None:
                self._thread = threading.Thread(target=self._work, name="wechat-messages", daemon=True)
                self._thread.start()

    def drain(self) -> int:
        """Delivers everything waiting, due or not, retries included, in the calling thread
        (tests; a process that is about to stop). Returns the number of deliveries."""
        delivered = 0
        while True:
            with self._condition:
                if not self._due:
                    return delivered
                _, _, message_id = heapq.heappop(self._due)
            self._deliver(message_id)
            delivered += 1

    def _work(self) -> None:
        while True:
            with self._condition:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._condition.wait(self._due[0][0] - time.monotonic() if self._due else None)
                _, _, message_id = heapq.heappop(self._due)
            self._deliver(message_id)

    def _deliver(self, message_id: int) -> None:
        with self._app.app_context():
            try:
                run_delivery(message_id)
            except Exception:  # the thread must outlive any one message; the row says where it stopped
                log.exception("delivering subscribe message %s", message_id)
                db.session.rollback()
