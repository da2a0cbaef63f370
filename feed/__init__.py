"""公共信用资源数据目录: the public-credit feed. Company grade changes and the certificate's issue,
suspension, reinstatement, revocation, expiry and renewal are written to an outbox of public
records in the transaction that makes them (credit's signals), and the city's platform pulls them
in pages with an API key of its own (docs/public-credit-feed.md)."""


def init_app(app, api) -> None:
    from credit.certificates import certificate_moved
    from credit.ledger import company_level_changed
    from feed.cli import feed_cli
    from feed.clients import API_KEY_SCHEME
    from feed.records import on_certificate_moved, on_company_level_changed
    from feed.routes import blp

    company_level_changed.connect(on_company_level_changed)
    certificate_moved.connect(on_certificate_moved)
    api.spec.components.security_scheme("feedApiKey", API_KEY_SCHEME)
    api.register_blueprint(blp)
    app.cli.add_command(feed_cli)
