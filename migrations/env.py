"""Alembic environment for Flask-Migrate; works on PostgreSQL + PostGIS and SQLite + SpatiaLite."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

from app.database import UtcDateTime
from app.privacy import Encrypted

config = context.config
# Migrations run inside live processes too (tests, deploy hooks): leave their loggers enabled.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option("sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def include_object(obj, name, obj_type, reflected, compare_to):
    """Leave alone tables the models do not know, such as SpatiaLite's own metadata tables."""
    if obj_type == "table" and reflected and compare_to is None:
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def render_item(type_, obj, autogen_context):
    """Encrypted columns are plain binary in the database, moments plain timestamps."""
    if type_ == "type" and isinstance(obj, Encrypted):
        return "sa.LargeBinary()"
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return alembic_helpers.render_item(type_, obj, autogen_context)


def write_revision(context, revision, directives):
    """geoalchemy2 rewrites geometry columns; an autogenerate that finds no change writes nothing."""
    alembic_helpers.writer(context, revision, directives)
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        include_object=include_object,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    with target_db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_db.metadata,
            # geoalchemy2's helpers keep SpatiaLite's and PostGIS's own tables out of autogenerate
            # and write geometry columns with the operations both backends understand.
            include_object=include_object,
            process_revision_directives=write_revision,
            render_item=render_item,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
