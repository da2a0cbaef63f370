"""`flask console demo`: bookings for the development desk (console/demo.py)."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from console.demo import DEMO_STATION, load_demo_bookings

console_cli = AppGroup("console", help="The platform console.")


@console_cli.command("demo")
def demo_command():
    """Load a few demo bookings at 五山街道 (development only) and say how to log in."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("The demo set is never loaded in production.")
    try:
        made = load_demo_bookings()
    except LookupError as missing:
        raise click.ClickException(str(missing)) from None
    db.session.commit()
    click.echo(f"Demo bookings (演示数据) at station {DEMO_STATION}: " + ", ".join(f"#{b.id}" for b in made))
    click.echo(
        "Console: /console/login, 开发环境登录 as 服务站工作人员 with station code "
        f"{DEMO_STATION} (desk: choose tomorrow's date), 企业管理员 with a demo company's id, or 平台运营."
    )
