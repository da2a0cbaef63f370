"""失信惩戒 as a procedure: cases against a worker or a company with the party's statement
(陈述申辩) and a second operator's decision, the measures through credit's own rows and lifecycle,
the 失信名单 with its public look-up, credit repair (信用修复), and the signals listing_started and
listing_ended (sanctions.measures), which the public-credit feed records (sanctions.public_record)."""


def init_app(app, api) -> None:
    import sanctions.public_record  # noqa: F401 (connects the feed's receivers)
    from sanctions.cli import sanctions_cli
    from sanctions.routes import blp

    api.register_blueprint(blp)
    app.cli.add_command(sanctions_cli)
