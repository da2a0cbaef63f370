"""`flask statistics roll-up` (scheduled every few minutes; safe to repeat or overlap)."""

import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.extensions import db
from industry_statistics.rollups import roll_up

statistics_cli = AppGroup("statistics", help="行业报告: the rollups its figures are read from.")


@statistics_cli.command("roll-up")
def roll_up_command():
    """Count again the booking days changed since the last run (every day, the first time) and add
    the certificate moves and the training recorded since then, so that each figure reads the
    rollup and counts live only what changed after it."""
    done = roll_up(utcnow())
    db.session.commit()
    click.echo(
        f"booking days counted: {done['booking_days']}  certificate counts changed: {done['certificate_counts']}"
        f"  training counts changed: {done['training_counts']}"
    )
