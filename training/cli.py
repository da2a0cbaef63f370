"""`flask training demo`: the demo course and its classes (never in production)."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from training.demo import load_demo

training_cli = AppGroup("training", help="Manage training courses and classes.")


@training_cli.command("demo")
def demo_command():
    """Load a labelled demo pre-job course with an online and an offline class."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("The demo set is never loaded in production.")
    course = load_demo()
    db.session.commit()
    click.echo(f"demo course {course.id} loaded" if course else "demo course already loaded")
