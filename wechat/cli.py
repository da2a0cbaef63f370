"""`flask wechat ...`: the subscribe-message worker, the operators' retry, and the recheck of texts
WeChat could not check when they were written; and `flask credit expiry-reminders`, which sends
subscribe messages and so lives here, above credit (wechat's init_app adds it to credit's group)."""

from datetime import timedelta

import click
import redis
import rq
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.extensions import db
from wechat.content import recheck_pending_texts
from wechat.expiry_reminders import queue_expiry_reminders
from wechat.messages import QUEUE_NAME, deliver_in_this_process, retry_failed

wechat_cli = AppGroup("wechat", help="WeChat subscribe messages and content checks.")


@wechat_cli.command("worker")
@click.option("--burst", is_flag=True, help="Deliver what is due and stop, instead of waiting for more.")
def worker(burst):
    """Deliver subscribe messages from Redis (needs REDIS_URL); retries wait in RQ's scheduler."""
    url = current_app.config["REDIS_URL"]
    if not url:
        raise click.ClickException("REDIS_URL is not set: without Redis each app process delivers its own messages.")
    # Its own connection without a read timeout: the worker blocks while it waits for jobs.
    connection = redis.Redis.from_url(url)
    # SimpleWorker runs jobs in this process, which keeps the app, its database pool and its
    # WeChat client between messages instead of forking for each one.
    rq.SimpleWorker([rq.Queue(QUEUE_NAME, connection=connection)], connection=connection).work(
        burst=burst, with_scheduler=True
    )


@wechat_cli.command("retry-failed")
@click.option(
    "--stuck-minutes",
    default=15,
    show_default=True,
    help="Also hand over again queued or sending messages untouched for this long.",
)
def retry_failed_command(stuck_minutes):
    """Try failed subscribe messages again (attempts start over), and messages whose queue was lost."""
    message_ids = retry_failed(timedelta(minutes=stuck_minutes))
    db.session.commit()
    deliver_in_this_process()
    click.echo(f"{len(message_ids)} message(s) handed to the queue again.")


@click.command("expiry-reminders")
@with_appcontext
def expiry_reminders_command():
    """Queue the subscribe message to the company admins of every health certificate, background
    check and insurance policy ending within EXPIRY_REMINDER_DAYS (Beijing time). Run it daily or
    hourly: each item is reminded once for the day it ends."""
    due = queue_expiry_reminders()
    db.session.commit()
    deliver_in_this_process()
    click.echo(f"{due} expiring item(s) reminded.")


@wechat_cli.command("recheck-texts")
@click.option("--limit", default=500, show_default=True, help="At most this many pending texts per table.")
def recheck_texts(limit):
    """Ask WeChat's content check (msgSecCheck) again about residents' texts it could not check
    when they were written: each is shown once it passes, or stays hidden. Safe to run at any
    time and as often as wanted (e.g. every few minutes from cron): only pending texts are asked
    about."""
    outcome = recheck_pending_texts(limit)
    db.session.commit()
    click.echo(f"{outcome.shown} text(s) shown, {outcome.hidden} hidden, {outcome.still_pending} still pending.")
