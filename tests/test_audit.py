"""The audit trail is append-only in the database, and the auditor can search it."""
import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from grid.audit.models import AuditEntry
from grid.audit.services import record_audit
from grid.extensions import db
from tests.factories import csrf_from, log_in, make_user


@pytest.mark.parametrize("statement", [
    update(AuditEntry).values(result="success"),
    delete(AuditEntry),
    text("TRUNCATE audit_entry"),
])
def test_database_refuses_to_change_audit_rows(ctx, statement):
    record_audit("test.entry", result="failure", actor_name="x")
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(statement)
    assert db.session.scalar(select(AuditEntry.result).where(AuditEntry.action == "test.entry")) == "failure"


def test_orm_cannot_edit_an_entry_either(ctx):
    entry = record_audit("test.entry", actor_name="x")
    db.session.commit()
    entry.result = "changed"
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.flush()


def test_auditor_lists_and_filters_entries(client):
    make_user("worker", "auditor")
    make_user("aud", "auditor")
    log_in(client, "worker", "wrong-wrong", address="192.0.2.10")
    log_in(client, "worker", address="192.0.2.10")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/audit").get_data(as_text=True))})
    log_in(client, "aud")
    assert "<select" in client.get("/audit").get_data(as_text=True)  # the full page, with its filters

    def rows(url):  # the htmx fragment: entries only, no filter options
        return client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)

    page = rows("/audit?actor=worker")
    assert "登录失败" in page and "登录成功" in page and "已退出登录" in page
    assert "192.0.2.10" in page and "原因：password" in page
    failures = rows("/audit?actor=worker&result=failure")
    assert "登录失败" in failures and "登录成功" not in failures
    fragment = client.get("/audit?action=logout", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "已退出登录" in body and "登录成功" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    assert "登录成功" not in rows("/audit?since=2000-01-01&until=2000-01-02")


def test_user_changes_read_as_before_and_after(client):
    from tests.factories import make_district

    units = make_district()
    make_user("boss", "admin")
    target = make_user("w", "grid_worker", [units["A1a"]])
    make_user("aud", "auditor")
    log_in(client, "boss")
    url = f"/admin/users/{target.id}"
    client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), "full_name": "w",
                           "role": "grid_worker", "scope": [units["A1b"].id], "department": "0",
                           "is_enabled": "y", "version": str(target.version)})
    auditor = client.application.test_client()
    log_in(auditor, "aud")
    page = auditor.get("/audit?action=user.update", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "修改用户" in page and "负责区域：T010101 → T010102" in page
