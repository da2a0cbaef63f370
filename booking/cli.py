"""`flask booking defaults`: the service catalogue and default hours for every station.
`flask booking send-reminders`: the day-before reminders, for a cron job.
`flask booking expire-offers`: waiting-list offers that ran out, for a cron job every minute."""

import click
from flask.cli import AppGroup

from app.extensions import db
from booking.hours import seed_defaults
from booking.reminders import queue_reminders
from booking.waiting import expire_offers
from wechat.messages import deliver_in_this_process

booking_cli = AppGroup("booking", help="Manage the service catalogue, station hours and bookings.")


@booking_cli.command("defaults")
def defaults_command():
    """Seed the catalogue and, for every station, default hours for the services it offers.
    Anything that exists already is left as it is, so running it twice changes nothing."""
    services_created, offers_created = seed_defaults()
    db.session.commit()
    click.echo(f"services created: {services_created}  station offers created: {offers_created}")


@booking_cli.command("send-reminders")
def send_reminders_command():
    """Queue the subscribe-message reminder of every confirmed or assigned booking that starts
    tomorrow (Beijing time). Run it each evening or every hour: each booking is reminded once."""
    queued = queue_reminders()
    db.session.commit()
    deliver_in_this_process()
    click.echo(f"{queued} reminder(s) queued.")


@booking_cli.command("expire-offers")
def expire_offers_command():
    """Lapse the waiting-list offers that ran out (and entries still waiting for a slot that has
    begun), offering each held place to the next resident waiting. Run it every minute; running
    it again changes nothing."""
    lapsed = expire_offers()
    db.session.commit()
    deliver_in_this_process()
    click.echo(f"{lapsed} waiting entr(y/ies) lapsed.")
