"""Publication and promotion: dated grade lists (信用等级名单) and 示范 selections, published frozen
and public (JSON, CSV, a printable page); the 示范 candidates with the criteria each meets; the
workers residents choose from, best first (the order and the filter are credit.recommendation's)."""


def init_app(app, api) -> None:
    from publication.cli import publication_cli
    from publication.pages import pages
    from publication.routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages)
    app.cli.add_command(publication_cli)
