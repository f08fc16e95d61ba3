"""Domain exceptions and the one place that turns errors into responses:
a full HTML page, an htmx fragment or JSON, as the request wants."""
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from grid.extensions import db
from grid.htmx import wants_fragment


class DomainError(Exception):
    """A rule of the domain was broken; `message` is shown to the user as it is."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None, details: list | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or []


class FieldErrors(DomainError):
    """Several fields are wrong at once: `errors` maps each field to its message,
    so a form can show them all after one submit."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), field=next(iter(errors)))
        self.errors = errors


def raise_field_errors(errors: dict[str, str | None]) -> None:
    """Raise FieldErrors for the fields that have a message; do nothing if none do."""
    found = {name: message for name, message in errors.items() if message}
    if found:
        raise FieldErrors(found)


class Conflict(DomainError):
    """Someone else changed the record first (optimistic locking)."""

    status = 409


class TooManyRequests(DomainError):
    status = 429


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/geo+json"])
    return request.path.endswith(".geojson") or (best is not None and best != "text/html")


def respond(status: int, title: str, message: str, *, field: str | None = None, details=None):
    if wants_json():
        body = {"error": {"status": status, "title": title, "message": message}}
        if field:
            body["error"]["field"] = field
        return jsonify(body), status
    context = {"status": status, "title": title, "message": message, "field": field, "details": details or []}
    if wants_fragment():
        response = render_template("errors/_error.html", **context), status
        return response
    return render_template("errors/error.html", **context), status


def titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Not allowed"),
        409: _("Changed by someone else"),
        413: _("File too large"),
        422: _("Please check your input"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
    }


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain(error: DomainError):
        return respond(error.status, titles().get(error.status, ""), error.message,
                       field=error.field, details=error.details)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        return respond(400, _("Page expired"),
                       _("The security token is missing or expired. Reload the page and try again."))

    @app.errorhandler(RequestEntityTooLarge)
    def handle_too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return respond(413, titles()[413], _("The upload is larger than %(mb)s MB.", mb=limit))

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        status = error.code or 500
        messages = {
            404: _("This page does not exist or you do not have access to it."),
            405: _("This action is not available here."),
        }
        return respond(status, titles().get(status, error.name), messages.get(status, error.description or ""))

    if app.testing:
        return  # let tests see the real exception

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        # After a database error the transaction is aborted: the error page
        # (its header reads the overdue count) needs a usable session.
        db.session.rollback()
        return respond(500, titles()[500], _("The error has been logged. Please try again later."))
