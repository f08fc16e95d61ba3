"""CSRF on every write (htmx too), security headers, cookies, redirects."""
from tests.factories import csrf_from, log_in, make_user


def test_login_without_csrf_token_is_refused(client):
    make_user("w", "auditor")
    response = client.post("/login", data={"username": "w", "password": "x"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)


def test_htmx_write_without_token_is_refused_with_a_fragment(client):
    make_user("w", "auditor")
    log_in(client, "w")
    response = client.post("/logout", headers={"HX-Request": "true"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'role="alert"' in body
    assert client.get("/audit").status_code == 200  # still logged in


def test_htmx_write_with_token_header_is_accepted(client):
    make_user("w", "auditor")
    log_in(client, "w")
    token = csrf_from(client.get("/audit").get_data(as_text=True))
    response = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302
    assert client.get("/audit").status_code == 302


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" in response.headers["Cache-Control"]


def test_pages_have_no_inline_script(client):
    make_user("w", "auditor")
    log_in(client, "w")
    body = client.get("/audit").get_data(as_text=True)
    assert "<script>" not in body and " onclick=" not in body


def test_session_cookie_flags(client, app):
    make_user("w", "auditor")
    log_in(client, "w")
    cookie = client.get_cookie("grid_session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    secure_client = app.test_client()
    page = secure_client.get("/login", base_url="https://grid.example")
    secure_client.post("/login", base_url="https://grid.example",
                       data={"username": "w", "password": "correct-horse-42",
                             "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert secure_client.get_cookie("grid_session", domain="grid.example").secure


def test_next_parameter_cannot_redirect_off_site(client):
    make_user("w", "auditor")
    page = client.get("/login?next=//evil.example/x")
    response = client.post("/login?next=//evil.example/x", data={
        "username": "w", "password": "correct-horse-42", "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/"


def test_json_404_for_geojson(client):
    make_user("a", "admin")
    log_in(client, "a")
    response = client.get("/units/424242/boundaries.geojson")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_locale_switch_to_english_and_back(client):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    assert "登录" in page.get_data(as_text=True)
    client.post("/locale", data={"locale": "en", "next": "/login", "csrf_token": token})
    english = client.get("/login").get_data(as_text=True)
    assert "Log in" in english and 'lang="en"' in english
