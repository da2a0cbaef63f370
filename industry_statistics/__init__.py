"""行业报告: the figures the city publishes from platform data, for operators to chart
(certificates, workers, companies, bookings, complaint handling, training), each counted by the
database (GROUP BY, COUNT, percentiles), never by loading the rows."""


def init_app(app, api) -> None:
    from industry_statistics.routes import blp

    api.register_blueprint(blp)
