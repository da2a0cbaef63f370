"""The application factory: configuration, extensions, blueprints, errors and commands."""

from pathlib import Path

from flask import Flask, g, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from app.blueprint import register_converters
from app.config import load_config
from app.database import configure_spatial_backend
from app.errors import ProblemApi, register_error_handlers
from app.extensions import db, migrate
from app.i18n import init_i18n
from app.observability import configure_logging, init_observability
from app.rate_limits import init_rate_limits
from app.redis import init_redis
from app.replica import init_replica
from app.security import init_security_headers
from app.storage import init_storage

MIGRATIONS_DIRECTORY = Path(__file__).resolve().parent.parent / "migrations"


class App(Flask):
    def dispatch_request(self):
        """One transaction per request: services only flush; a successful view is committed here,
        where a failing commit still reaches the error handlers (409, 503). A refusal that is itself
        on record (app.errors.recorded_problem) is committed too. Anything else is rolled back when
        the session is removed at teardown."""
        response = self.make_response(super().dispatch_request())
        keep = response.status_code < 400 or g.pop("keep_refusal_record", False)
        if keep and db.session().in_transaction():
            db.session.commit()
        return response


def create_app(overrides: dict | None = None) -> Flask:
    app = App(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(instance_path=app.instance_path))
    app.config.update(overrides or {})
    app.json.ensure_ascii = False  # Chinese names stay readable in every response
    configure_logging(app)
    # One Api per app: flask-smorest's Api keeps the document of the last app it was bound to,
    # and apps differ (the development-only login exists in one configuration only).
    api = ProblemApi()
    register_extensions(app, api)
    register_kernel_routes(app, api)
    register_features(app, api)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask, api: ProblemApi) -> None:
    db.init_app(app)
    configure_spatial_backend(app, db)
    init_replica(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIRECTORY))
    init_i18n(app)
    api.init_app(app)
    register_converters(app, api)
    init_redis(app)
    init_rate_limits(app)
    init_observability(app)
    init_security_headers(app)
    init_storage(app)


def register_features(app: Flask, api: ProblemApi) -> None:
    """The one place that knows the features: each registers its blueprints, commands and
    extensions, lower layers first (see the import-linter contract in pyproject.toml)."""
    import accounts
    import booking
    import complaints
    import console
    import credit
    import doorstep
    import engagements
    import feed
    import industry_statistics
    import publication
    import sanctions
    import stations
    import training
    import wechat

    for feature in (
        accounts,
        stations,
        credit,
        wechat,
        feed,
        booking,
        doorstep,
        training,
        complaints,
        sanctions,
        engagements,
        publication,
        industry_statistics,
        console,
    ):
        feature.init_app(app, api)


def register_kernel_routes(app: Flask, api: ProblemApi) -> None:
    from app.health import health

    app.register_blueprint(health)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})

    # Swagger UI's scripts come from a pinned package, not a CDN (which is often blocked in China).
    @app.get("/api/docs/assets/<path:filename>")
    def swagger_ui_assets(filename):
        return send_from_directory(swagger_ui_path, filename)


def register_commands(app: Flask) -> None:
    from app.keys import keys_cli

    app.cli.add_command(keys_cli)
