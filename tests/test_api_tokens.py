"""Personal API tokens: made (shown once, only a hash kept, audited), used
(Bearer or Basic, on the OGC API only, no session), refused when revoked,
expired or the owner disabled, and the owner's page to make and revoke them."""
import base64
import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from grid.accounts import tokens
from grid.accounts.models import ApiToken
from grid.audit.models import AuditEntry
from grid.errors import DomainError, FieldErrors
from grid.extensions import db
from tests.factories import csrf_from, log_in, make_district, make_user


@pytest.fixture
def street_staff(ctx):
    units = make_district()
    return make_user("jd_token", "street_staff", [units["A"]])


def basic(username: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def bearer(plaintext: str) -> dict:
    return {"Authorization": f"Bearer {plaintext}"}


def test_a_new_token_is_random_prefixed_and_stored_only_as_its_hash(app, street_staff):
    token, plaintext = tokens.create_token(user=street_staff, name="  QGIS   office ")
    other, second = tokens.create_token(user=street_staff, name="GDAL")
    assert plaintext.startswith("grid_") and len(plaintext) >= 40 and plaintext != second
    assert token.name == "QGIS office"
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert token.prefix == plaintext[:12] and plaintext not in (token.token_hash, token.prefix)
    lifetime = token.expires_at - token.created_at
    assert lifetime == timedelta(days=app.config["API_TOKEN_DAYS"])
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.create",
                                                       AuditEntry.object_id == str(token.id)))
    assert entry.actor_id == street_staff.id and entry.detail["name"] == "QGIS office"
    assert plaintext not in str(entry.detail) and entry.detail["prefix"] == token.prefix


def test_authenticate_finds_the_owner_and_notes_the_use_at_most_once_a_minute(street_staff):
    token, plaintext = tokens.create_token(user=street_staff, name="QGIS")
    assert token.last_used_at is None
    assert tokens.authenticate(plaintext) == street_staff
    first_use = token.last_used_at
    assert first_use is not None
    assert tokens.authenticate(plaintext) == street_staff and token.last_used_at == first_use
    token.last_used_at = first_use - timedelta(minutes=2)
    db.session.commit()
    tokens.authenticate(plaintext)
    assert token.last_used_at > first_use - timedelta(minutes=2)


def test_what_authenticate_refuses(street_staff):
    token, plaintext = tokens.create_token(user=street_staff, name="QGIS")
    assert tokens.authenticate(plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
    assert tokens.authenticate(plaintext.removeprefix("grid_")) is None
    assert tokens.authenticate("") is None
    assert tokens.authenticate(plaintext) == street_staff
    token.expires_at = tokens.now() - timedelta(seconds=1)
    db.session.commit()
    assert tokens.authenticate(plaintext) is None


@pytest.mark.parametrize("change", ["revoked", "expired", "disabled", "must_change_password", "auditor"])
def test_the_api_refuses_a_token_once_it_or_its_owner_is_no_longer_good(client, street_staff, change):
    token, plaintext = tokens.create_token(user=street_staff, name="QGIS")
    assert client.get("/ogc/collections", headers=bearer(plaintext)).status_code == 200
    if change == "revoked":
        tokens.revoke_token(token=token, by=street_staff)
    elif change == "expired":
        token.expires_at = tokens.now() - timedelta(minutes=1)
    elif change == "disabled":
        street_staff.is_enabled = False
    elif change == "must_change_password":
        street_staff.must_change_password = True  # e.g. after an administrator's reset
    else:
        street_staff.role = "auditor"
    db.session.commit()
    response = client.get("/ogc/collections", headers=bearer(plaintext))
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert client.get("/ogc/collections", headers=basic("jd_token", plaintext)).status_code == 401


def test_basic_authentication_takes_the_token_as_password(client, street_staff):
    _token, plaintext = tokens.create_token(user=street_staff, name="QGIS")
    assert client.get("/ogc/collections", headers=basic("jd_token", plaintext)).status_code == 200
    assert client.get("/ogc/collections", headers=basic("jd_token", "correct-horse-42")).status_code == 401
    assert client.get("/ogc/collections", headers={"Authorization": "Basic %%%"}).status_code == 401
    assert client.get("/ogc/collections", headers={"Authorization": f"Token {plaintext}"}).status_code == 401


def test_a_token_opens_the_ogc_api_only(client, street_staff):
    _token, plaintext = tokens.create_token(user=street_staff, name="QGIS")
    # Everywhere else the header is ignored: the app sends strangers to the login page.
    for path in ("/events", "/account/tokens", "/"):
        response = client.get(path, headers=bearer(plaintext))
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_only_area_roles_may_hold_tokens(ctx):
    units = make_district()
    for role in ("auditor", "department_handler", "children_director"):
        user = make_user(f"no_{role}", role, [units["A1"]] if role == "children_director" else [])
        with pytest.raises(DomainError):
            tokens.create_token(user=user, name="QGIS")
    for role, unit in (("grid_worker", "A1a"), ("grid_leader", "A1a"), ("community_staff", "A1"),
                       ("street_staff", "A"), ("admin", None)):
        user = make_user(f"yes_{role}", role, [units[unit]] if unit else [])
        assert tokens.create_token(user=user, name="QGIS")[1].startswith("grid_")


def test_a_name_is_needed_and_active_tokens_are_limited(street_staff):
    with pytest.raises(FieldErrors) as empty:
        tokens.create_token(user=street_staff, name="   ")
    assert empty.value.field == "name"
    with pytest.raises(FieldErrors):
        tokens.create_token(user=street_staff, name="x" * (tokens.NAME_MAX + 1))
    made = [tokens.create_token(user=street_staff, name=f"T{n}")[0] for n in range(tokens.MAX_ACTIVE_TOKENS)]
    with pytest.raises(DomainError):
        tokens.create_token(user=street_staff, name="one too many")
    tokens.revoke_token(token=made[0], by=street_staff)
    assert tokens.create_token(user=street_staff, name="after revoking one")[0].id


def test_the_page_makes_a_token_shows_it_once_and_revokes_it(client, street_staff):
    log_in(client, "jd_token")
    page = client.get("/account/tokens")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="no-tokens"' in html and 'data-testid="new-token"' not in html
    made = client.post("/account/tokens", data={"csrf_token": csrf_from(html), "name": "QGIS office"})
    assert made.status_code == 201
    shown = made.get_data(as_text=True)
    plaintext = re.search(r'value="(grid_[^"]+)"', shown).group(1)
    assert 'data-testid="ogc-url">http://localhost/ogc<' in shown
    # The GDAL commands read the token at a prompt: never on a command line (history, process list).
    command = re.search(r'data-testid="gdal-command"><code>(.*?)</code>', shown, re.S).group(1)
    assert "read -rs GRID_TOKEN" in command and "export GDAL_HTTP_HEADERS=" in command
    assert plaintext not in command and shown.count(plaintext) == 1
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == street_staff.id))
    assert token.token_hash == tokens.hash_token(plaintext)

    # The plaintext is never shown again, and works from a GIS tool.
    again = client.get("/account/tokens").get_data(as_text=True)
    assert plaintext not in again and token.prefix in again and f'data-testid="token-{token.id}"' in again
    assert client.application.test_client().get("/ogc", headers=bearer(plaintext)).status_code == 200

    revoked = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(again)})
    assert revoked.status_code == 302 and revoked.headers["Location"] == "/account/tokens"
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "api_token.revoke",
                                                               AuditEntry.object_id == str(token.id))) == \
        street_staff.id
    after = client.get("/account/tokens").get_data(as_text=True)
    assert f'data-testid="revoke-{token.id}"' not in after
    assert client.application.test_client().get("/ogc", headers=bearer(plaintext)).status_code == 401


def test_the_form_explains_a_missing_name(client, street_staff):
    log_in(client, "jd_token")
    html = client.get("/account/tokens").get_data(as_text=True)
    response = client.post("/account/tokens", data={"csrf_token": csrf_from(html), "name": ""})
    assert response.status_code == 422 and 'data-testid="token-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == street_staff.id)) is None


def test_no_one_revokes_someone_elses_token_and_posts_need_csrf(app, client, street_staff):
    other = make_user("jd_other", "street_staff", street_staff.scope_units)
    token, _plaintext = tokens.create_token(user=other, name="theirs")
    log_in(client, "jd_token")
    html = client.get("/account/tokens").get_data(as_text=True)
    assert client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_from(html)}).status_code == 404
    mine, _plaintext = tokens.create_token(user=street_staff, name="mine")
    assert client.post(f"/account/tokens/{mine.id}/revoke").status_code == 400  # no CSRF token
    assert client.post("/account/tokens", data={"name": "no csrf"}).status_code == 400
    db.session.refresh(token)
    db.session.refresh(mine)
    assert token.revoked_at is None and mine.revoked_at is None


@pytest.mark.parametrize("role", ["auditor", "department_handler"])
def test_roles_without_tokens_do_not_find_the_page(app, ctx, role):
    make_user("no_page", role)
    client = app.test_client()
    log_in(client, "no_page")
    assert client.get("/account/tokens").status_code == 404


def test_strangers_are_sent_to_log_in(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
