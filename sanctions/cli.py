"""`flask sanctions end-listings` (scheduled, daily after midnight Beijing time; idempotent) and
`flask sanctions demo` (a case in each state and one listing, never in production)."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from credit.worker_counts import worker_counts_deferred
from sanctions.demo import load_demo
from sanctions.measures import end_due

sanctions_cli = AppGroup("sanctions", help="失信 cases, the 失信名单 and credit repair.")


@sanctions_cli.command("end-listings")
def end_listings_command():
    """End every listing and measure whose last day has passed: each end recorded once, the
    party's dates cleared, a suspension of a period reinstated. Safe to run again. Each
    reinstatement may re-star a worker: the workers' counts move once, at the end, in key order
    (no deadlock with a rating)."""
    with worker_counts_deferred():
        ended = end_due()
    db.session.commit()
    click.echo(
        f"listings ended: {ended['listings']}  measures ended: {ended['measures']}  "
        f"certificates reinstated: {ended['reinstated']}"
    )


@sanctions_cli.command("demo")
def demo_command():
    """Load labelled demo cases (one in each state) and one listing, against the credit demo's
    workers and companies (flask credit demo first)."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("The demo set is never loaded in production.")
    try:
        made = load_demo()
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"demo cases loaded: {made}" if made else "demo cases already loaded")
