"""The production app (wsgi.py) plus the two baseline pages of the HTTP
benchmark, served by the same gunicorn so they share its configuration:

- /bench/hello: a static answer (the framework and server floor, baseline a);
- /bench/rows: one indexed 20-row query rendered by a Jinja template
  (baseline b: what any database page costs before it does its own work).

Neither is in wsgi.py: production never serves them."""
from flask import render_template, request
from sqlalchemy import text

from wsgi import app
from grid.extensions import db

ROWS = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>住户</title></head>
<body><table>{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.address }}</td></tr>{% endfor %}</table></body>
</html>"""
# Compiled once, as a template file would be.
ROWS_TEMPLATE = app.jinja_env.from_string(ROWS)


@app.get("/bench/hello")
def bench_hello():
    return "hello"


@app.get("/bench/rows")
def bench_rows():
    rows = db.session.execute(text("SELECT id, address FROM household WHERE id > :after ORDER BY id LIMIT 20"),
                              {"after": request.args.get("after", 0, type=int)}).all()
    return render_template(ROWS_TEMPLATE, rows=rows)
