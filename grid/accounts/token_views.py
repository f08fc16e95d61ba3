"""Personal API tokens for GIS tools: the owner's list, making one (its
plaintext shown once, in the response to the POST, never stored, put in the
session or in a URL) and revoking one."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grid.accounts import tokens
from grid.accounts.access import roles_required
from grid.errors import DomainError, FieldErrors

bp = Blueprint("api_tokens", __name__)


def render_page(*, created=None, plaintext: str | None = None, name: str = "", error: str | None = None,
                status: int = 200):
    return render_template("accounts/tokens.html", tokens=tokens.tokens_of(current_user), created=created,
                           plaintext=plaintext, name=name, error=error, is_active=tokens.is_active,
                           ogc_url=url_for("ogc.landing", _external=True)), status


@bp.get("/account/tokens")
@roles_required(*tokens.API_ROLES)
def index():
    return render_page()


@bp.post("/account/tokens")
@roles_required(*tokens.API_ROLES)
def create():
    name = request.form.get("name", "")
    try:
        token, plaintext = tokens.create_token(user=current_user, name=name)
    except FieldErrors as error:
        return render_page(name=name, error=error.errors["name"], status=422)
    except DomainError as error:
        return render_page(name=name, error=error.message, status=422)
    # Rendered, not redirected: a redirect would have to carry the plaintext
    # in the URL or the (readable) session cookie.
    return render_page(created=token, plaintext=plaintext, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
@roles_required(*tokens.API_ROLES)
def revoke(token_id: int):
    token = tokens.token_of(current_user, token_id)
    if token is None:
        abort(404)
    tokens.revoke_token(token=token, by=current_user)
    flash(_("The token “%(name)s” was revoked. Programs using it can no longer sign in.", name=token.name),
          "success")
    return redirect(url_for(".index"))
