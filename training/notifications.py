"""What a worker is told about their training by WeChat subscribe message (README lists the
template keys): the place they waited for is theirs. Sent to the account bound to the worker (a
live `worker` role grant), queued in the caller's transaction, so a rolled-back cancellation
tells no one."""

from flask import current_app
from sqlalchemy import select

from accounts.models import WORKER, RoleGrant
from app.extensions import db
from training.models import Enrolment
from wechat.messages import queue_subscribe_message

# WeChat refuses a `thing` value longer than 20 characters (errcode 47003).
THING_LIMIT = 20


def tell_of_place(enrolment: Enrolment) -> None:
    """training_place: the waiting enrolment now holds a place in its class."""
    training_class = enrolment.training_class
    data = {
        "thing1": training_class.title[:THING_LIMIT],
        "phrase2": "候补转正",
        "thing3": "名额已为您保留，请按时参加",
    }
    page = f"{current_app.config['WECHAT_TRAINING_PAGE']}?id={training_class.id}"
    for user_id in db.session.scalars(
        select(RoleGrant.user_id).where(
            RoleGrant.role == WORKER, RoleGrant.worker_id == enrolment.worker_id, RoleGrant.revoked_at.is_(None)
        )
    ):
        queue_subscribe_message(user_id, "training_place", data, page=page)
