"""Login, server-side sessions, lockout and throttling."""
from datetime import timedelta

from sqlalchemy import select, update

from grid.accounts.models import LoginSession
from grid.audit.models import AuditEntry
from grid.extensions import db
from tests.factories import PASSWORD, get_user, log_in, make_district, make_user


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("grid_session")
    return cookie.value if cookie else None


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_login_succeeds_and_lands_on_home(client):
    units = make_district()
    make_user("worker", "grid_worker", [units["A1a"]], full_name="张伟")
    response = log_in(client, "worker")
    assert response.status_code == 302
    home = client.get("/", follow_redirects=True)   # a grid worker's home is the task list
    assert home.status_code == 200
    assert units["A1a"].name in home.get_data(as_text=True)
    assert "login.success" in actions()


def test_username_is_case_and_width_insensitive(client):
    make_user("13800001234", "auditor")
    # Full-width digits, as some Chinese keyboards type them.
    assert log_in(client, "１３８００００１２３４").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(client):
    make_user("worker", "auditor")
    wrong_password = log_in(client, "worker", "nope-nope-nope")
    unknown_user = log_in(client, "nobody", "nope-nope-nope")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert "用户名或密码错误" in wrong_password.get_data(as_text=True)
    assert "用户名或密码错误" in unknown_user.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_session_identifier_changes_at_login(client):
    make_user("worker", "auditor")
    client.get("/login")
    before = session_cookie(client)
    log_in(client, "worker")
    after_first = session_cookie(client)
    client.post("/logout", data={"csrf_token": _token(client)})
    log_in(client, "worker")
    after_second = session_cookie(client)
    assert before != after_first != after_second
    tokens = db.session.scalars(select(LoginSession.token_hash)).all()
    assert len(set(tokens)) == 2


def _token(client) -> str:
    from tests.factories import csrf_from

    return csrf_from(client.get("/password").get_data(as_text=True))


def test_cookie_replayed_after_logout_is_refused(app, client):
    make_user("worker", "auditor")
    log_in(client, "worker")
    stolen = session_cookie(client)
    assert client.get("/audit").status_code == 200
    client.post("/logout", data={"csrf_token": _token(client)})
    thief = app.test_client()
    thief.set_cookie("grid_session", stolen)
    response = thief.get("/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "logout" in actions()


def test_disabling_a_user_revokes_their_session(app, client):
    make_user("worker", "auditor")
    log_in(client, "worker")
    assert client.get("/audit").status_code == 200
    user = get_user("worker")
    user.is_enabled = False
    db.session.commit()
    assert client.get("/audit").status_code == 302


def test_idle_session_expires_by_role(app, client):
    make_user("desk", "auditor")
    log_in(client, "desk")
    db.session.execute(update(LoginSession).values(last_seen_at=LoginSession.last_seen_at - timedelta(minutes=31)))
    db.session.commit()
    response = client.get("/audit")
    assert response.status_code == 302
    revoked = db.session.scalar(select(LoginSession))
    assert revoked.revoked_reason == "idle"
    assert "一段时间未操作" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_field_roles_get_the_longer_idle_timeout(client):
    units = make_district()
    make_user("worker", "grid_worker", [units["A1a"]])
    log_in(client, "worker")
    db.session.execute(update(LoginSession).values(last_seen_at=LoginSession.last_seen_at - timedelta(minutes=120)))
    db.session.commit()
    assert client.get("/tasks").status_code == 200


def test_account_locks_after_five_failures_even_with_the_right_password(client):
    make_user("worker", "auditor")
    for _ in range(4):
        assert "用户名或密码错误" in log_in(client, "worker", "wrong-wrong").get_data(as_text=True)
    fifth = log_in(client, "worker", "wrong-wrong").get_data(as_text=True)
    assert "已锁定" in fifth
    assert "已锁定" in log_in(client, "worker", PASSWORD).get_data(as_text=True)
    assert "login.lockout" in actions()


def test_unknown_usernames_lock_the_same_way(client):
    for _ in range(5):
        last = log_in(client, "ghost", "wrong-wrong")
    assert "已锁定" in last.get_data(as_text=True)


def test_admin_unlock_clears_the_lock(app, client):
    make_user("worker", "auditor")
    admin = make_user("boss", "admin")
    for _ in range(5):
        log_in(client, "worker", "wrong-wrong")
    from grid.accounts import services

    with app.test_request_context():
        services.unlock_user(user=get_user("worker"), by=admin)
    assert log_in(client, "worker").status_code == 302


def test_one_address_cannot_lock_out_every_worker(app, client):
    """Past the per-address limit, attempts are refused before any account is charged,
    so one attacker locks at most limit / threshold accounts per window."""
    app.config["ADDRESS_FAILURE_LIMIT"] = 12
    try:
        for n in range(4):
            make_user(f"w{n}", "auditor")
        for n, tries in ((0, 5), (1, 5), (2, 2)):
            for _ in range(tries):
                log_in(client, f"w{n}", "wrong-wrong", address="203.0.113.9")
        refused = log_in(client, "w3", PASSWORD, address="203.0.113.9")
        assert refused.status_code == 429
        assert "请在 15 分钟后再试" in refused.get_data(as_text=True) or "15" in refused.get_data(as_text=True)
        # w3 was never charged: from the worker's own phone it logs in at once.
        assert log_in(app.test_client(), "w3", PASSWORD, address="198.51.100.7").status_code == 302
        assert "login.throttled" in actions()
    finally:
        app.config["ADDRESS_FAILURE_LIMIT"] = 30


def test_demo_accounts_cannot_log_in_outside_demo_mode(app, client):
    make_user("demo", "auditor", is_demo=True)
    app.config["DEMO"] = False
    try:
        assert "已停用" in log_in(client, "demo").get_data(as_text=True)
    finally:
        app.config["DEMO"] = True


def test_per_role_idle_override(app, client):
    units = make_district()
    make_user("leader", "grid_leader", [units["A1a"]])
    log_in(client, "leader")
    db.session.execute(update(LoginSession).values(last_seen_at=LoginSession.last_seen_at - timedelta(minutes=61)))
    db.session.commit()
    app.config["IDLE_MINUTES_BY_ROLE"] = {"grid_leader": 60}
    try:
        assert client.get("/").status_code == 302
    finally:
        app.config["IDLE_MINUTES_BY_ROLE"] = {}


def test_dengbao_mode_forces_a_change_after_90_days(app, client):
    user = make_user("old", "auditor")
    user.password_changed_at = user.password_changed_at - timedelta(days=91)
    db.session.commit()
    app.config["PASSWORD_POLICY"] = "dengbao"
    try:
        log_in(client, "old")
        assert client.get("/audit").headers["Location"] == "/password"
    finally:
        app.config["PASSWORD_POLICY"] = "default"
    db.session.expire_all()
    assert get_user("old").must_change_password
