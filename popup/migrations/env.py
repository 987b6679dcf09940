"""Alembic environment: the app's engine, GeoAlchemy2's helpers for spatial columns."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

from popup import geo

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    from popup.types import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("import popup.types")
        return "popup.types.UTCDateTime()"
    return alembic_helpers.render_item(type_, obj, autogen_context)


def process_revision_directives(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")
        return
    alembic_helpers.writer.process_revision_directives(context_, revision, directives)


def configure_args() -> dict:
    return {
        "target_metadata": target_db.metadata,
        "include_object": geo.include_object,
        "render_item": render_item,
        "process_revision_directives": process_revision_directives,
        "compare_type": True,
    }


def run_migrations_offline():
    context.configure(url=str(target_db.engine.url), literal_binds=True, **configure_args())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = target_db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            render_as_batch=connection.dialect.name == "sqlite",
            **configure_args(),
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
