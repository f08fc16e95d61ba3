from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from grid.accounts.roles import ROLE_LABELS, Role


class LoginForm(FlaskForm):
    username = StringField(_l("Username or phone"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class UserForm(FlaskForm):
    username = StringField(_l("Username or phone"), validators=[Length(max=64)])
    # Required, but checked by the service with every other field, so that one
    # submit shows all the problems.
    full_name = StringField(_l("Name"), validators=[Length(max=100)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role])
    scope = SelectMultipleField(_l("Areas looked after"), coerce=int, validate_choice=False)
    department = SelectField(_l("Department"), coerce=int, validate_choice=False)
    is_enabled = BooleanField(_l("Account enabled"), default=True)
    password = PasswordField(_l("Temporary password"), render_kw={"autocomplete": "new-password"})
    version = HiddenField()


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Temporary password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "new-password"})


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Search"))
    role = SelectField(_l("Role"), choices=[SelectChoice("", _l("All roles"))] + [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role])
