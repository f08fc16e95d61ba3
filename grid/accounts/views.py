"""Login, logout, password change, and the administrator's user pages."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from grid.accounts import queries, services
from grid.accounts.access import roles_required
from grid.accounts.forms import ChangePasswordForm, LoginForm, ResetPasswordForm, UserFilterForm, UserForm
from grid.accounts.models import User
from grid.accounts.roles import SCOPE_LEVEL, Role
from grid.errors import DomainError, FieldErrors
from grid.extensions import db
from grid.htmx import render
from grid.i18n import safe_next

bp = Blueprint("accounts", __name__)

# The roles whose form shows the scope units (the others have no geographic scope).
SCOPED_ROLES = " ".join(role.value for role, level in SCOPE_LEVEL.items() if level)

# Pages a user who must change the password can still reach.
OPEN_DURING_PASSWORD_CHANGE = {"accounts.password", "accounts.logout", "i18n.set_locale", "static"}


@bp.before_app_request
def require_password_change():
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in OPEN_DURING_PASSWORD_CHANGE):
        return redirect(url_for("accounts.password"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("places.home"))
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            user = services.log_in(username=form.username.data, password=form.password.data)
        except services.LoginRefused as refused:
            error, status = refused.message, refused.status
        else:
            locale = session.get("locale")
            session.clear()  # nothing from before the login survives into the new session
            if locale:
                session["locale"] = locale
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    services.log_out(user=current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(user=current_user, current=form.current.data, new=form.password.data)
        except DomainError as error:
            form_error(form, error, default_field="password")
        else:
            login_user(current_user)  # store the new session identifier in the cookie
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("places.home"))
    return render_template("accounts/password.html", form=form)


@bp.get("/admin/users")
@roles_required(Role.ADMIN)
def users():
    form = UserFilterForm(request.args)
    page = db.paginate(queries.search_users(q=form.q.data or "", role=form.role.data or ""),
                       per_page=50, error_out=False)
    return render("accounts/users.html", "accounts/_user_rows.html", form=form, page=page)


def fill_user_form(form: UserForm) -> None:
    form.scope.choices = [SelectChoice(u.id, u.name) for u in queries.scope_choices()]
    form.department.choices = [SelectChoice(0, "—")] + [SelectChoice(d.id, d.name) for d in queries.departments()]


def user_form_values(form: UserForm) -> dict:
    department_id = form.department.data or 0
    return {
        "full_name": form.full_name.data or "",
        "role": Role(form.role.data),
        "units": queries.units_by_ids(form.scope.data or []),
        "department": queries.department_by_id(department_id),
    }


def form_error(form, error: DomainError, *, default_field: str) -> int:
    """Show a service's errors under their fields; the status tells scripts and htmx it failed."""
    errors = error.errors if isinstance(error, FieldErrors) else {error.field or default_field: error.message}
    for name, message in errors.items():
        field = form[name] if name in form else form[default_field]
        field.errors = [*field.errors, message]
    return error.status


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user():
    form = UserForm()
    fill_user_form(form)
    status = 200
    if form.validate_on_submit():
        try:
            user = services.create_user(username=form.username.data or "", password=form.password.data or "",
                                        by=current_user, **user_form_values(form))
        except DomainError as error:
            status = form_error(form, error, default_field="username")
        else:
            flash(_("User %(u)s created. They must change the password at first login.", u=user.username), "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render_template("accounts/user_form.html", form=form, user=None, units=queries.scope_choices(),
                           scoped_roles=SCOPED_ROLES), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    fill_user_form(form)
    if request.method == "GET":
        form.scope.data = [u.id for u in user.scope_units]
        form.department.data = user.department_id or 0
        form.version.data = user.version
    status = 200
    if form.validate_on_submit():
        try:
            services.update_user(user=user, version=int(form.version.data or 0), is_enabled=form.is_enabled.data,
                                 by=current_user, **user_form_values(form))
        except DomainError as error:
            status = form_error(form, error, default_field="full_name")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render_template("accounts/user_form.html", form=form, user=user, units=queries.scope_choices(),
                           scoped_roles=SCOPED_ROLES, reset_form=ResetPasswordForm(),
                           locked=services.locked_until(user.username, user, services.now())), status


@bp.post("/admin/users/<int:user_id>/reset-password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user=user, password=form.password.data, by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Temporary password set; %(u)s must change it at next login.", u=user.username), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/unlock")
@roles_required(Role.ADMIN)
def unlock_user(user_id: int):
    user = db.get_or_404(User, user_id)
    services.unlock_user(user=user, by=current_user)
    flash(_("Failed logins of %(u)s cleared.", u=user.username), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))
