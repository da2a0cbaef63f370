"""培训考核: courses, classes online and offline, enrolment with a waiting list, attendance (a
signed rotating check-in code for sessions, paced heartbeats for lessons), and completion of a
pre-job course moving the certificate's training step through credit's own lifecycle; an upheld
complaint requiring a refresher course (credit's complaint_upheld signal)."""


def init_app(app, api) -> None:
    from credit.ledger import complaint_upheld
    from training.cli import training_cli
    from training.refreshers import require_after_complaint
    from training.routes import blp

    complaint_upheld.connect(require_after_complaint)
    api.register_blueprint(blp)
    app.cli.add_command(training_cli)
