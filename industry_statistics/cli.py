"""`flask statistics roll-up` (scheduled every few minutes; safe to repeat or overlap) and `flask
statistics count-workers` (after a load that bypassed the database's triggers)."""

import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.extensions import db
from industry_statistics.rollups import roll_up
from industry_statistics.workers import count_workers

statistics_cli = AppGroup("statistics", help="行业报告: the rollups its figures are read from.")


@statistics_cli.command("roll-up")
def roll_up_command():
    """Count again the booking days changed since the last run (every day, the first time) and add
    the certificate moves since then, count again the months of the complaints settled since, and
    add the training recorded since, so that each figure reads the rollup and counts live only what
    changed after it."""
    done = roll_up(utcnow())
    db.session.commit()
    click.echo(
        f"booking days counted: {done['booking_days']}  certificate counts changed: {done['certificate_counts']}"
        f"  complaint months counted: {done['complaint_months']}"
        f"  training counts changed: {done['training_counts']}"
    )


@statistics_cli.command("count-workers")
def count_workers_command():
    """Count the workers again from their rows: the counts their figures read, which the database
    keeps as workers are written, after rows were loaded with its triggers off."""
    counted = count_workers()
    db.session.commit()
    click.echo(f"workers counted: {counted}")
