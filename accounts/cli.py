"""`flask accounts grant-operator`: the first operator of a new deployment.

Operators grant every other role by invite, so the very first one cannot be invited: they log in
once with WeChat (which creates their user; `GET /api/v1/me` shows its id) and someone with shell
access to an app machine runs this command. The grant is audited like any other.
"""

import click
from flask.cli import AppGroup

from accounts.models import OPERATOR, User
from accounts.services import grant_role
from app.extensions import db

accounts_cli = AppGroup("accounts", help="Users and their roles.")


@accounts_cli.command("grant-operator")
@click.argument("user_id", type=int)
@click.option("--reason", required=True, help="Why, for the role audit trail (e.g. a ticket number).")
def grant_operator_command(user_id, reason):
    """Make USER_ID (a user who has logged in) an operator."""
    user = db.session.get(User, user_id)
    if user is None:
        raise click.ClickException(f"No user {user_id}: they must log in with WeChat once first.")
    if any(grant.role == OPERATOR for grant in user.grants):
        raise click.ClickException(f"User {user_id} is already an operator.")
    grant_role(user, OPERATOR, reason=reason)
    db.session.commit()
    click.echo(f"User {user_id} is now an operator (recorded in the role audit trail).")
