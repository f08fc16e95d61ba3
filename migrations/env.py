"""Alembic environment, wired to geoalchemy2's helpers so autogenerate neither
drops PostGIS's own tables nor creates spatial indexes twice."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

config = context.config
if config.config_file_name and not current_app.testing:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
# Tables owned by PostGIS and its extensions, never by us.
FOREIGN_TABLES = {"spatial_ref_sys", "layer", "topology"}


def get_engine():
    return target_db.engine


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table" and name in FOREIGN_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def process_revision_directives(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")
            return
    alembic_helpers.writer.process_revision_directives(context_, revision, directives)


def run_migrations_online():
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with get_engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_db.metadata,
            include_object=include_object,
            render_item=alembic_helpers.render_item,
            **conf_args,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run_migrations_online()
