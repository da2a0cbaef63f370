"""行业报告: the figures the city publishes from platform data, for operators to chart
(certificates, workers, companies, bookings, complaint handling, training), each counted by the
database (GROUP BY, COUNT, percentiles), never by loading the rows.

Not called `statistics`: a top-level package of that name would shadow the standard library's
module of that name (which bench/ imports) for every program run from the project's root."""


def init_app(app, api) -> None:
    from industry_statistics.cli import statistics_cli
    from industry_statistics.routes import blp

    api.register_blueprint(blp)
    app.cli.add_command(statistics_cli)
