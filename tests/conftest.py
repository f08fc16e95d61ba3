"""Real PostGIS for every test: the schema is built once per run by the
migrations; each test runs inside an outer transaction that is rolled back,
with the app's commits turned into savepoints."""
import contextvars
import os

import flask_migrate
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from flask.testing import FlaskClient

from grid import create_app, workdays
from grid.config import normalise_database_url
from grid.extensions import db

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "DEMO": True,
    # Cheap hashing keeps hundreds of logins fast; production cost is in config.py.
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_KIB": 8,
    "ARGON2_PARALLELISM": 1,
}


def database_url(suffix: str):
    """GRID_TEST_DATABASE_URL, or the GRID_DATABASE_URL server with a `_test` database."""
    explicit = os.environ.get("GRID_TEST_DATABASE_URL")
    base = explicit or os.environ.get("GRID_DATABASE_URL")
    if not base:
        pytest.exit("GRID_DATABASE_URL is not set: run `make test`", returncode=2)
    url = make_url(normalise_database_url(base))
    return url.set(database=(url.database if explicit else url.database + "_test") + suffix)


def recreate_database(url, *, create: bool = True) -> None:
    """Drop the database at `url` (connections and all) and, unless told not to, create it empty."""
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        if create:
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


def drop_database(url) -> None:
    recreate_database(url, create=False)


def make_migrated_app(url, **overrides):
    recreate_database(url)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url.render_as_string(hide_password=False), **overrides})
    with app.app_context():
        flask_migrate.upgrade()
    return app


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: without this Flask
    reuses the test's app context, so `g` (Flask-Login's cached user, Babel's
    translations) and the database session would leak from request to request."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app():
    app = make_migrated_app(database_url(""))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Bind every session of the app to one connection inside a transaction that
    the test's end rolls back (browser and concurrency tests use their own
    committed databases instead)."""
    if request.node.get_closest_marker("own_database"):
        yield
        return
    with app.app_context():
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        try:
            yield
        finally:
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()
            # Calendar corrections live in the process too: the rolled-back
            # rows must not outlive the test there.
            workdays.set_overrides({}, confirmed_years=())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    """An app context for tests that call services directly."""
    with app.test_request_context():
        yield
