"""`flask complaints escalate`: operators hear of every serious or overdue complaint, for a cron job."""

import click
from flask.cli import AppGroup

from app.extensions import db
from complaints.escalation import escalate_due
from wechat.messages import deliver_in_this_process

complaints_cli = AppGroup("complaints", help="Escalate complaints to operators.")


@complaints_cli.command("escalate")
def escalate_command():
    """Escalate to every operator each open complaint that is serious, or past the deadline it
    waits on (a response, a decision), and was not escalated for that yet. Run it every few
    minutes: each complaint is escalated once per reason, however often it runs."""
    made = escalate_due()
    db.session.commit()
    deliver_in_this_process()
    click.echo(f"{made} escalation(s) made.")
