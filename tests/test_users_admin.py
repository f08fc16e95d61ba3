"""Administrator pages for users, and the first-login password change."""
from sqlalchemy import select

from grid.audit.models import AuditEntry
from grid.extensions import db
from tests.factories import csrf_from, get_user, log_in, make_district, make_user


def form_token(client, url: str) -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def test_admin_creates_a_grid_worker_who_must_change_password(app, client):
    units = make_district()
    make_user("boss", "admin")
    log_in(client, "boss")
    response = client.post("/admin/users/new", data={
        "csrf_token": form_token(client, "/admin/users/new"), "username": "13900001111", "full_name": "新网格员",
        "role": "grid_worker", "scope": [units["A1a"].id], "department": "0", "password": "start-here-2026"})
    assert response.status_code == 302
    user = get_user("13900001111")
    assert user.must_change_password and [u.code for u in user.scope_units] == ["T010101"]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create")).detail["scope"] == ["T010101"]

    worker = app.test_client()
    log_in(worker, "13900001111", "start-here-2026")
    assert worker.get("/").headers["Location"] == "/password"
    assert worker.get(f"/units/{units['A1a'].id}").headers["Location"] == "/password"
    weak = worker.post("/password", data={"csrf_token": form_token(worker, "/password"),
                                          "current": "start-here-2026", "password": "password", "confirm": "password"})
    assert "常见" in weak.get_data(as_text=True)
    done = worker.post("/password", data={"csrf_token": form_token(worker, "/password"), "current": "start-here-2026",
                                          "password": "my-own-secret-77", "confirm": "my-own-secret-77"})
    assert done.status_code == 302
    assert worker.get("/tasks").status_code == 200


def test_scope_must_match_the_role_level(client):
    units = make_district()
    make_user("boss", "admin")
    log_in(client, "boss")
    response = client.post("/admin/users/new", data={
        "csrf_token": form_token(client, "/admin/users/new"), "username": "x1", "full_name": "X",
        "role": "grid_worker", "scope": [units["A1"].id], "department": "0", "password": "start-here-2026"})
    assert response.status_code == 422
    assert get_user("x1") is None
    assert units["A1"].name in response.get_data(as_text=True)


def test_stale_edit_is_refused(client):
    units = make_district()
    make_user("boss", "admin")
    target = make_user("w", "grid_worker", [units["A1a"]])
    log_in(client, "boss")
    url = f"/admin/users/{target.id}"
    token = form_token(client, url)
    common = {"csrf_token": token, "full_name": "W", "role": "grid_worker", "scope": [units["A1a"].id],
              "department": "0", "is_enabled": "y"}
    assert client.post(url, data={**common, "version": str(target.version)}).status_code == 302
    stale = client.post(url, data={**common, "full_name": "Other", "version": str(target.version)})
    assert stale.status_code == 409 and "已被他人修改" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert get_user("w").full_name == "W"


def test_disabling_from_the_admin_page_ends_the_users_sessions(app, client):
    units = make_district()
    make_user("boss", "admin")
    target = make_user("w", "grid_worker", [units["A1a"]])
    worker = app.test_client()
    log_in(worker, "w")
    assert worker.get("/tasks").status_code == 200
    log_in(client, "boss")
    url = f"/admin/users/{target.id}"
    client.post(url, data={"csrf_token": form_token(client, url), "full_name": "W", "role": "grid_worker",
                           "scope": [units["A1a"].id], "department": "0", "version": str(target.version)})
    assert worker.get("/tasks").status_code == 302
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "user.disable")) == "user.disable"


def test_user_list_filters_with_htmx(client):
    make_user("boss", "admin")
    make_user("zhang", "auditor", full_name="张三")
    log_in(client, "boss")
    fragment = client.get("/admin/users?q=zhang", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "张三" in fragment and "<html" not in fragment
    assert "张三" not in client.get("/admin/users?role=grid_worker").get_data(as_text=True)


def test_dengbao_policy_needs_three_classes(app, ctx):
    import pytest

    from grid.accounts.passwords import check_password_policy
    from grid.errors import DomainError

    app.config["PASSWORD_POLICY"] = "dengbao"
    try:
        with pytest.raises(DomainError):
            check_password_policy("lowercaseonly", username="u")
        check_password_policy("Mixed-case9", username="u")
    finally:
        app.config["PASSWORD_POLICY"] = "default"


def test_create_user_command(app):
    units = make_district()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["grid", "create-user", "--username", "13700000000", "--name", "李四",
                                 "--role", "grid_worker", "--scope", units["B1a"].code,
                                 "--password", "first-day-2026"])
    assert result.exit_code == 0, result.output
    user = get_user("13700000000")
    assert user.must_change_password and [u.code for u in user.scope_units] == ["T020101"]
    wrong_level = runner.invoke(args=["grid", "create-user", "--username", "x2", "--name", "X", "--role",
                                      "grid_worker", "--scope", units["B1"].code, "--password", "first-day-2026"])
    assert wrong_level.exit_code != 0 and get_user("x2") is None
    unknown = runner.invoke(args=["grid", "create-user", "--username", "x3", "--name", "X", "--role",
                                  "grid_worker", "--scope", "NOPE", "--password", "first-day-2026"])
    assert "NOPE" in unknown.output


def test_an_empty_new_user_form_lists_every_problem_at_once(client):
    make_user("boss", "admin")
    log_in(client, "boss")
    response = client.post("/admin/users/new", data={
        "csrf_token": form_token(client, "/admin/users/new"), "username": "", "full_name": "",
        "role": "grid_worker", "department": "0", "password": "123"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for message in ("请输入 1 至 64 个字符的用户名", "请输入姓名", "请至少选择一个该用户负责的区域", "密码"):
        assert message in body, message
