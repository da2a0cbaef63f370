"""`flask publication demo`: the demo grade list and 示范 selection (never in production)."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from publication.demo import load_demo

publication_cli = AppGroup("publication", help="Published grade lists and 示范 selections.")


@publication_cli.command("demo")
def demo_command():
    """Publish a labelled demo grade list and a demo 示范 selection, once."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("The demo lists are never published in production.")
    published = load_demo()
    db.session.commit()
    for publication in published:
        click.echo(f"published {publication.number} {publication.title}: /publications/{publication.id}/print")
    if not published:
        click.echo("demo lists already published (or no company to publish: run flask credit demo first)")
