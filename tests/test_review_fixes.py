"""Regressions found in review: redirects, stale edits, long usernames, IPv6
throttling, expired sessions in scripts, and parallel login guesses."""
import threading
import time

import pytest
from sqlalchemy import func, select, update

from grid.accounts import passwords
from grid.accounts.models import LoginAttempt, LoginSession
from grid.extensions import db
from tests.conftest import database_url, make_migrated_app
from tests.factories import PASSWORD, csrf_from, get_user, log_in, make_district, make_user


@pytest.mark.parametrize("target", ["/%09/evil.example/x", "/%0a/evil.example", "/%0d/evil.example",
                                    "//evil.example", "/\\evil.example", "https://evil.example/",
                                    "/%20/evil.example"])
def test_login_never_redirects_off_site(client, target):
    make_user("w", "auditor")
    page = client.get(f"/login?next={target}")
    response = client.post(f"/login?next={target}", data={
        "username": "w", "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/"


def test_login_keeps_a_same_site_next(client):
    units = make_district()
    make_user("w", "grid_worker", [units["A1a"]])
    page = client.get(f"/login?next=/units/{units['A1a'].id}")
    response = client.post(f"/login?next=/units/{units['A1a'].id}", data={
        "username": "w", "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == f"/units/{units['A1a'].id}"


def edit(client, user, version, **changes):
    url = f"/admin/users/{user.id}"
    data = {"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), "full_name": user.full_name,
            "role": user.role, "scope": [u.id for u in user.scope_units], "department": "0",
            "is_enabled": "y", "version": str(version), **changes}
    return client.post(url, data=data)


def test_a_scope_only_change_still_stops_a_stale_editor(client):
    units = make_district()
    make_user("boss", "admin")
    worker = make_user("w", "grid_worker", [units["A1a"]])
    seen = worker.version
    log_in(client, "boss")
    assert edit(client, worker, seen, scope=[units["A1b"].id]).status_code == 302
    stale = edit(client, worker, seen, scope=[units["A1a"].id])
    assert stale.status_code == 409
    db.session.expire_all()
    assert [u.code for u in get_user("w").scope_units] == ["T010102"]


def test_the_user_logging_in_is_not_a_conflict(app, client):
    units = make_district()
    make_user("boss", "admin")
    worker = make_user("w", "grid_worker", [units["A1a"]])
    seen = worker.version
    log_in(app.test_client(), "w")
    log_in(client, "boss")
    assert edit(client, worker, seen, full_name="新名字").status_code == 302


def test_overlong_username_is_a_plain_wrong_login(client):
    response = log_in(client, "\ufdfa" * 60, "whatever-123")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_ipv6_addresses_of_one_subscriber_share_a_throttle(app, client):
    make_user("w", "auditor")
    app.config["ADDRESS_FAILURE_LIMIT"] = 3
    try:
        for n in range(3):
            log_in(client, f"ghost{n}", "wrong-wrong", address=f"2001:db8:1:2::{n + 1}")
        assert log_in(client, "w", address="2001:db8:1:2::ffff").status_code == 429
        assert log_in(client, "w", address="2001:db8:1:3::1").status_code == 302
    finally:
        app.config["ADDRESS_FAILURE_LIMIT"] = 30


def test_expired_session_gives_scripts_a_401(client):
    units = make_district()
    make_user("s", "street_staff", [units["A"]])
    log_in(client, "s")
    db.session.execute(update(LoginSession).values(revoked_at=func.now()))
    db.session.commit()
    response = client.get(f"/units/{units['A'].id}/boundaries.geojson")
    assert response.status_code == 401 and response.get_json()["error"]["status"] == 401


def test_map_tooltips_do_not_parse_names_as_html():
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / "static" / "js" / "map.js").read_text(encoding="utf-8")
    assert "bindTooltip(document.createTextNode(" in source


@pytest.fixture(scope="module")
def committed_app():
    """A database where requests really commit, so threads race as in production."""
    app = make_migrated_app(database_url("_concurrency"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.own_database
def test_parallel_guesses_cannot_exceed_the_lockout(committed_app, monkeypatch):
    with committed_app.app_context():
        make_user("target", "auditor")
    slow_verify = passwords.verify_password

    def verify(password_hash, password):
        time.sleep(0.15)  # widen the window between counting failures and recording one
        return slow_verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", verify)
    results = []

    def guess(n):
        client = committed_app.test_client()
        results.append(log_in(client, "target", f"guess-{n}-wrong", address=f"198.51.100.{n + 1}").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with committed_app.app_context():
        outcomes = dict(db.session.execute(
            select(LoginAttempt.outcome, func.count()).where(LoginAttempt.username == "target")
            .group_by(LoginAttempt.outcome)).all())
    assert outcomes == {"failure": 5, "locked": 3}, outcomes
