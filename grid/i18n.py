"""Locales: Simplified Chinese by default, English second; the choice lives in the session."""
from urllib.parse import urlsplit

from flask import Blueprint, Flask, has_request_context, redirect, request, session, url_for
from flask_babel import Babel

LOCALES = {"zh_Hans_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_Hans_CN"

babel = Babel()
bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if not has_request_context():  # CLI commands speak the default language
        return DEFAULT_LOCALE
    chosen = session.get("locale")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def html_lang() -> str:
    return "zh-CN" if select_locale() == DEFAULT_LOCALE else select_locale()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(html_lang=html_lang, LOCALES=LOCALES, current_locale=select_locale)


@bp.post("/locale")
def set_locale():
    locale = request.form.get("locale", DEFAULT_LOCALE)
    if locale in LOCALES:
        session["locale"] = locale
    return redirect(safe_next(request.form.get("next")))


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a link send users anywhere.
    Browsers drop tabs and newlines inside URLs, so "/<TAB>/evil" would become
    "//evil": any control character or space rejects the target outright."""
    if (target and target.startswith("/") and not target.startswith(("//", "/\\"))
            and not any(ord(c) <= 0x20 or ord(c) == 0x7F or c == "\\" for c in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("places.home")
