"""`flask booking defaults`: the service catalogue and default hours for every station."""

import click
from flask.cli import AppGroup

from app.extensions import db
from booking.services import seed_defaults

booking_cli = AppGroup("booking", help="Manage the service catalogue, station hours and bookings.")


@booking_cli.command("defaults")
def defaults_command():
    """Seed the catalogue and, for every station, default hours for the services it offers.
    Anything that exists already is left as it is, so running it twice changes nothing."""
    services_created, offers_created = seed_defaults()
    db.session.commit()
    click.echo(f"services created: {services_created}  station offers created: {offers_created}")
