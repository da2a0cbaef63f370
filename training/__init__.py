"""培训考核: courses, classes online and offline, enrolment with a waiting list, attendance (a
signed rotating check-in code for sessions, paced heartbeats for lessons), and completion of a
pre-job course moving the certificate's training step through credit's own lifecycle."""


def init_app(app, api) -> None:
    from training.cli import training_cli
    from training.routes import blp

    api.register_blueprint(blp)
    app.cli.add_command(training_cli)
