"""grid: grid-based community governance (网格化社区治理)."""
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` (tests) overrides defaults and GRID_* variables."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "var" / "instance"),
    )
    from grid import config as config_module

    config_module.load(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_errors(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from grid import htmx as htmx_pages
    from grid.calendar import services as calendar
    from grid import i18n
    from grid.accounts import sessions
    from grid.extensions import csrf, db, htmx, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    sessions.init_login_manager(login_manager)
    i18n.init_app(app)
    htmx_pages.init_app(app)
    calendar.init_app(app)


def register_blueprints(app: Flask) -> None:
    from grid import i18n
    from grid.accounts.views import bp as accounts_bp
    from grid.audit.views import bp as audit_bp
    from grid.places.views import bp as places_bp
    from grid.registry.care_views import bp as care_bp
    from grid.registry.ledger_views import bp as ledger_bp
    from grid.registry.views import bp as registry_bp
    from grid.calendar.views import bp as calendar_bp
    from grid.visits.views import bp as visits_bp
    from grid.events.views import bp as events_bp
    from grid.events.admin_views import bp as events_admin_bp
    from grid.events.stats_views import bp as events_stats_bp
    from grid.notifications.views import bp as notifications_bp
    from grid.disputes import admin_views as disputes_admin, agreement_views, ledger_views, review_views
    from grid.disputes import register_views, screening_views, views as disputes_views

    from grid.accounts import token_views
    from grid.places import proposal_views
    from grid.maps import dashboard_views, ogc_views, views as maps_views

    for bp in (accounts_bp, token_views.bp, places_bp, proposal_views.bp, registry_bp, care_bp, ledger_bp, visits_bp,
               events_bp, events_admin_bp, events_stats_bp, notifications_bp, calendar_bp, audit_bp, i18n.bp,
               disputes_views.bp, register_views.bp, agreement_views.bp, review_views.bp, screening_views.bp,
               ledger_views.bp, disputes_admin.bp, maps_views.bp, dashboard_views.bp, ogc_views.bp):
        app.register_blueprint(bp)


def register_security(app: Flask) -> None:
    from grid import security

    security.init_app(app)


def register_errors(app: Flask) -> None:
    from grid import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from grid.cli import grid_cli

    app.cli.add_command(grid_cli)
