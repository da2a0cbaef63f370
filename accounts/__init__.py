"""Our own users, sessions and roles. WeChat proves who someone is (wechat/); we decide what they may do."""


def init_app(app, api) -> None:
    from accounts.auth import principal_for_token
    from accounts.cli import accounts_cli
    from accounts.routes import blp, development_login
    from app.access import init_access

    init_access(app, principal_for_token)
    api.register_blueprint(blp)
    if app.config["APP_ENV"] == "development":  # the only switch: no setting turns it on elsewhere
        api.register_blueprint(development_login)
    app.cli.add_command(accounts_cli)
