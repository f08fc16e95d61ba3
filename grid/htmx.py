"""One URL, page or fragment: the full page includes the fragment template."""
from flask import Flask, make_response, render_template, url_for
from htmx_flask import request


def wants_fragment() -> bool:
    # A history-restore request needs the whole page back.
    return bool(request.htmx) and not request.htmx.history_restore_request


def render(page: str, fragment: str, /, *, status: int = 200, **context):
    """Render `fragment` for htmx requests, otherwise `page`; cached per HX-Request."""
    template = fragment if wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def page_url(number: int) -> str:
    """The current list's URL with its filters kept and another page number."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": number}
    return url_for(request.endpoint, **args)


def form_list(values, name: str) -> list:
    """A multi-valued field from a posted form (MultiDict) or a record's values (dict)."""
    if hasattr(values, "getlist"):
        return values.getlist(name)
    value = values.get(name) or []
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["form_list"] = form_list
