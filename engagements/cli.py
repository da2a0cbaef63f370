"""`flask engagements demo`: demo engagements in several states (never in production)."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from engagements.demo import load_demo

engagements_cli = AppGroup("engagements", help="Manage long and live-in engagements.")


@engagements_cli.command("demo")
def demo_command():
    """Load labelled demo engagements: requested, proposed, interviewing, signed, in service, completed."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("The demo set is never loaded in production.")
    loaded = load_demo()
    db.session.commit()
    click.echo(f"{len(loaded)} demo engagements loaded" if loaded else "demo engagements already loaded")
