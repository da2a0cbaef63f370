"""`flask feed add-client NAME` (prints the new API key, once) and `flask feed revoke-client NAME`."""

import click
from flask.cli import AppGroup

from app.errors import Problem
from app.extensions import db
from feed.clients import add_client, revoke_client

feed_cli = AppGroup("feed", help="Manage the platforms that pull the public-credit feed.")


@feed_cli.command("add-client")
@click.argument("name")
def add_client_command(name):
    """A receiving platform named NAME and its API key, printed here once and stored only hashed."""
    if not 1 <= len(name) <= 64:
        raise click.ClickException("NAME must be 1 to 64 characters.")
    try:
        client, key = add_client(name)
    except Problem as problem:
        raise click.ClickException(str(problem.description)) from problem
    db.session.commit()
    click.echo(f"feed client {client.name} added; its API key (shown only now): {key}")


@feed_cli.command("revoke-client")
@click.argument("name")
def revoke_client_command(name):
    """Refuse NAME's API key from now on."""
    try:
        client = revoke_client(name)
    except Problem as problem:
        raise click.ClickException(str(problem.description)) from problem
    db.session.commit()
    click.echo(f"feed client {client.name} revoked")
