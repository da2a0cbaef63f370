"""WeChat's content-security check (msgSecCheck v2) of residents' free text, before anyone else
reads it.

A feature checks a text as it is written (`check_text`): WeChat's `risky` is a 422 naming the
field, and nothing is stored; `pass` is shown at once; `review` is stored and stays hidden; and
when WeChat cannot be asked (down, slow, busy, its token unavailable) the text is stored as
`pending`, hidden until `flask wechat recheck-texts` asks again. The tables that hold such texts
register with `register_checked_texts`, so the recheck finds them without knowing the features.

Without WeChat configured, under APP_ENV=development (`make run`), texts pass unchecked: there is
nobody to ask, and a development instance must never call WeChat's real address. Anywhere else
an unconfigured WeChat leaves texts pending, as when it is down.
"""

import logging
from dataclasses import dataclass

import redis
import requests
from flask import Flask, current_app
from sqlalchemy import select
from wechatpy.exceptions import WeChatClientException

from accounts.models import User
from app.errors import Invalid
from app.extensions import db
from app.i18n import _
from wechat.client import WeChatNotConfigured, wechat_client
from wechat.models import TEXT_PASSED, TEXT_PENDING, TEXT_REVIEW, TEXT_RISKY, CheckedText

log = logging.getLogger(__name__)
# msgSecCheck's scenes: 1 profile, 2 comment, 3 forum, 4 social log. Ratings and complaints are comments.
COMMENT_SCENE = 2
VERDICTS = {"pass": TEXT_PASSED, "review": TEXT_REVIEW, "risky": TEXT_RISKY}


class CheckNotDone(Exception):
    """WeChat gave no verdict: not configured, unreachable, slow, or refusing the call."""


def verdict(author: User, content: str, scene: int = COMMENT_SCENE) -> str:
    """WeChat's verdict on `content` written by `author`: pass, review or risky."""
    if not current_app.config["WECHAT_APPID"] or not current_app.config["WECHAT_SECRET"]:
        if current_app.config["APP_ENV"] == "development":
            log.info("text not checked: WeChat is not configured (development), so it passes")
            return TEXT_PASSED
    try:
        answer = wechat_client().check_text(author.openid, content, scene)
    except (WeChatNotConfigured, WeChatClientException, requests.RequestException, redis.RedisError) as error:
        log.warning("msgSecCheck not done: %s", getattr(error, "errcode", type(error).__name__))
        raise CheckNotDone from error
    suggest = (answer.get("result") or {}).get("suggest")
    if suggest not in VERDICTS:
        log.warning("msgSecCheck answered no verdict: %r", suggest)
        raise CheckNotDone
    return VERDICTS[suggest]


def check_text(author: User, content: str | None, field: str) -> str:
    """The status to store beside a text the author is writing now: pass, review or pending
    (WeChat not reached: hidden until rechecked). A risky text is refused: 422 naming `field`."""
    if not content:
        return TEXT_PASSED
    try:
        status = verdict(author, content)
    except CheckNotDone:
        return TEXT_PENDING
    if status == TEXT_RISKY:
        raise Invalid(
            _("This text cannot be published: WeChat's content check refused it. Please rewrite it."),
            code="text_refused",
            field=field,
        )
    return status


@dataclass(frozen=True)
class CheckedTable:
    """A model holding checked texts (it has CheckedText's `text_status` and a `text`), and the
    column naming each text's author."""

    model: type[CheckedText]
    author_id: str


def register_checked_texts(app: Flask, model: type[CheckedText], author_id: str) -> None:
    app.extensions.setdefault("checked_texts", []).append(CheckedTable(model, author_id))


@dataclass
class Recheck:
    shown: int = 0
    hidden: int = 0
    still_pending: int = 0


def recheck_pending_texts(limit: int = 500) -> Recheck:
    """Asks WeChat again about up to `limit` pending texts of every registered table, oldest
    first; each passes (shown), is hidden (review, risky) or stays pending. Running it again
    changes only what is still pending. Callers commit."""
    outcome = Recheck()
    for table in current_app.extensions.get("checked_texts", []):
        model = table.model
        rows = db.session.execute(
            select(model, User)
            .join(User, User.id == getattr(model, table.author_id))
            .where(model.text_status == TEXT_PENDING)
            .order_by(model.id)
            .limit(limit)
            .with_for_update(of=model, skip_locked=True)
        )
        for row, author in rows:
            try:
                row.text_status = verdict(author, row.text) if row.text else TEXT_PASSED
            except CheckNotDone:
                outcome.still_pending += 1
                continue
            if row.text_status == TEXT_PASSED:
                outcome.shown += 1
            else:
                outcome.hidden += 1
    db.session.flush()
    return outcome
