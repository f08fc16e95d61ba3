"""The schema changes only through migrations: the models and the migrated
database must agree, and the migrations must run down and up again."""
import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from geoalchemy2 import alembic_helpers

from grid.extensions import db
from tests.conftest import database_url, make_migrated_app


def test_models_match_the_migrations(ctx):
    context = MigrationContext.configure(db.session.connection(), opts={
        "include_object": alembic_helpers.include_object, "compare_type": True})
    # PostGIS's own table is not ours to model.
    diff = [d for d in compare_metadata(context, db.metadata)
            if not (d[0] == "remove_table" and d[1].name == "spatial_ref_sys")]
    assert diff == []


def test_downgrade_and_upgrade_round_trip():
    app = make_migrated_app(database_url("_migrations"))
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        db.engine.dispose()
