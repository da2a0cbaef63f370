"""Workers, companies, the 安心服務證 certificate, credit levels and the 安心碼 scan."""


def init_app(app, api) -> None:
    from credit.cli import credit_cli
    from credit.pages import pages
    from credit.routes import blp

    api.register_blueprint(blp)
    app.register_blueprint(pages)
    app.cli.add_command(credit_cli)
