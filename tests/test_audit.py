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
    page = client.get("/audit?actor=worker").get_data(as_text=True)
    assert "login.failure" in page and "login.success" in page and "logout" in page
    assert "192.0.2.10" in page
    failures = client.get("/audit?actor=worker&result=failure").get_data(as_text=True)
    assert "login.failure" in failures and "login.success" not in failures
    fragment = client.get("/audit?action=logout", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "logout" in fragment.get_data(as_text=True)
    assert fragment.headers["Vary"] == "HX-Request" or "HX-Request" in fragment.headers["Vary"]
    assert "login.success" not in client.get("/audit?since=2000-01-01&until=2000-01-02").get_data(as_text=True)
