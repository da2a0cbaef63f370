"""The map of grassroots domestic-service stations, one per street (街道) and town (镇)."""


def init_app(app, api) -> None:
    from stations.cli import stations_cli
    from stations.routes import blp

    api.register_blueprint(blp)
    app.cli.add_command(stations_cli)
