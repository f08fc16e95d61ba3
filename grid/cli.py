"""`flask grid …` commands."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from grid.accounts.roles import Role
from grid.errors import DomainError
from grid.extensions import db

grid_cli = AppGroup("grid", help="grid administration commands.")


@grid_cli.command("seed-demo")
def seed_demo_command():
    """Create the demo district and demo users (idempotent)."""
    from grid.demo import seed_demo

    done = seed_demo()
    click.echo("demo: created " + ", ".join(done) if done else "demo: already in place")
    if not current_app.config["DEMO"]:
        click.echo("demo: GRID_DEMO is off, so demo accounts cannot log in", err=True)


@grid_cli.command("demo-accounts")
def demo_accounts_command():
    """Print the demo logins."""
    from grid.demo import DEMO_PASSWORD, DEMO_USERS

    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, full_name, role, scope, _dept in DEMO_USERS:
        click.echo(f"  {username:<12} {role.value:<19} {full_name}")


@grid_cli.command("import-boundaries")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and print the report; change nothing.")
def import_boundaries_command(file: Path, dry_run: bool):
    """Import a GeoJSON FeatureCollection of units (code, name, level, parent)."""
    from grid.places.messages import describe
    from grid.places.services import import_boundaries

    report = import_boundaries(data=file.read_bytes(), filename=file.name, dry_run=dry_run)
    for problem in report.problems:
        click.echo(f"{problem.severity.upper():7} {problem.code or '-':<18} {describe(problem)}")
    if report.errors:
        click.echo(f"{len(report.errors)} error(s): nothing imported.", err=True)
        sys.exit(1)
    verb = "would create" if dry_run else "created"
    click.echo(f"{verb} {len(report.created)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}"
               f"; {len(report.warnings)} warning(s)" + (" (dry run: nothing changed)" if dry_run else ""))


@grid_cli.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--scope", multiple=True, help="Code of a unit the user looks after (repeatable).")
@click.option("--department", help="Department code (department handlers).")
@click.password_option(help="Prompted for when not given.")
def create_user_command(username, full_name, role, scope, department, password):
    """Create a user; they must change the password at first login."""
    from grid.accounts import services
    from grid.accounts.models import Department
    from grid.places.models import Unit

    units = list(db.session.scalars(select(Unit).where(Unit.code.in_(scope))))
    missing = set(scope) - {u.code for u in units}
    if missing:
        raise click.UsageError(f"unknown unit code(s): {', '.join(sorted(missing))}")
    dept = None
    if department:
        dept = db.session.scalar(select(Department).where(Department.code == department))
        if dept is None:
            raise click.UsageError(f"unknown department code: {department}")
    try:
        user = services.create_user(username=username, full_name=full_name, role=Role(role), password=password,
                                    units=units, department=dept)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"created user {user.username} ({user.role})")


@grid_cli.command("sweep-deadlines")
def sweep_deadlines_command():
    """Send deadline reminders (催办) and overdue notices; safe to run often (cron)."""
    from grid.events.sweep import sweep_deadlines

    result = sweep_deadlines()
    click.echo(f"reminders: {result.yellow} due soon, {result.red} overdue; "
               f"{result.supervise} sent to the supervising level")


@grid_cli.command("rollup-coverage")
def rollup_coverage_command():
    """Store closed months' visit coverage for the dashboard (visits.rollup); safe to run often.

    The dashboard stores a missing month itself; run this from cron (e.g.
    daily, after 12:00) so that no dashboard request has to."""
    from datetime import datetime, timezone

    from grid.visits.rollup import roll_up

    added = roll_up(datetime.now(timezone.utc))
    click.echo(f"coverage rolled up: {', '.join(m.strftime('%Y-%m') for m in added) or 'nothing new'}")
