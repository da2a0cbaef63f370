"""Complaints of every kind (about a station booking, a door entry, an engagement): one vocabulary and one
StateTable, a severity with its response and resolution deadlines, the list of complaints due,
escalation to operators, and a serious complaint suspending the worker pending review. The
features that take complaints register their kind (complaints.kinds)."""


def init_app(app, api) -> None:
    from complaints.cli import complaints_cli
    from complaints.routes import blp

    api.register_blueprint(blp)
    app.cli.add_command(complaints_cli)
