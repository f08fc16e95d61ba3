"""Configuration: defaults in code, overridden by GRID_* environment variables
(GRID_DATABASE_URL, GRID_LOCKOUT_THRESHOLD=3, ...; values are parsed as JSON
when they can be), then by the mapping passed to create_app (tests)."""
import os
import secrets
from pathlib import Path

from flask import Flask

from grid import sealing

DEFAULTS = {
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    # 32 random bytes, base64: seals ID numbers at rest. Generated into
    # var/instance/data_key on first start; back it up, data sealed with a lost
    # key cannot be read.
    "DATA_KEY": None,
    # Demo accounts can log in only in demo mode (`make run` turns it on).
    "DEMO": False,
    # Login protection: an account locks after LOCKOUT_THRESHOLD failures for
    # LOCKOUT_MINUTES; one address may fail ADDRESS_FAILURE_LIMIT times per
    # ADDRESS_WINDOW_MINUTES, so one attacker can lock only a handful of accounts.
    "LOCKOUT_THRESHOLD": 5,
    "LOCKOUT_MINUTES": 30,
    "ADDRESS_FAILURE_LIMIT": 30,
    "ADDRESS_WINDOW_MINUTES": 15,
    # "default": length + not a common password; "dengbao" (等保 2.0): also three
    # of four character classes and expiry after PASSWORD_MAX_AGE_DAYS.
    "PASSWORD_POLICY": "default",
    "PASSWORD_MIN_LENGTH": 8,
    "PASSWORD_MAX_AGE_DAYS": 90,
    # argon2id cost; tests lower it to keep the suite fast.
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_KIB": 65536,
    "ARGON2_PARALLELISM": 4,
    # Idle timeout in minutes: desk roles vs roles that work outdoors on phones,
    # and per-role overrides, e.g. GRID_IDLE_MINUTES_BY_ROLE='{"grid_leader": 120}'.
    "IDLE_MINUTES_DESKTOP": 30,
    "IDLE_MINUTES_FIELD": 480,
    "IDLE_MINUTES_BY_ROLE": {},
    # Boundary imports.
    "MAX_IMPORT_BYTES": 20 * 1024 * 1024,
    "MAX_IMPORT_VERTICES": 500_000,
    # Visits: "at the household" within this many metres of it (tower blocks
    # and indoor GPS are poor); photos larger than this are refused.
    "PRESENCE_TOLERANCE_M": 200,
    "MAX_PHOTO_BYTES": 10 * 1024 * 1024,
    # Registry ledgers (.xlsx).
    "MAX_LEDGER_BYTES": 30 * 1024 * 1024,
    "CONTAINMENT_TOLERANCE_M": 5.0,
    "OVERLAP_TOLERANCE_M2": 1.0,
    "GAP_TOLERANCE_M2": 1.0,
    # Base map: none by default, so no tile server is ever contacted unless set.
    # BASEMAP is one of none, tianditu (needs TIANDITU_KEY), osm, gaode, tencent
    # (both GCJ-02: our WGS84 geometry is shifted for display only) or custom
    # (BASEMAP_URL and BASEMAP_ATTRIBUTION; BASEMAP_CRS wgs84 or gcj02).
    "BASEMAP": "none",
    "TIANDITU_KEY": "",
    "BASEMAP_URL": "",
    "BASEMAP_ATTRIBUTION": "",
    "BASEMAP_CRS": "wgs84",
    # Maps: at most this many features in one point-layer response; beyond it
    # (or zoomed out) points are aggregated into counts.
    "MAP_POINT_CAP": 2000,
    # OGC API - Features: default and largest page size; personal tokens for
    # GIS tools expire after this many days.
    "OGC_DEFAULT_LIMIT": 100,
    "OGC_MAX_LIMIT": 5000,
    "API_TOKEN_DAYS": 365,
    # Number of reverse proxies in front of the app whose X-Forwarded-For to trust.
    "PROXY_COUNT": 0,
    "PAGE_SIZE": 50,
    # Office hours (Asia/Shanghai) for limits counted in working hours.
    "OFFICE_HOURS": "08:30-12:00,14:00-17:30",
    # Events: a step turns yellow when this share of its working time is used;
    # the supervising level is told when a step is this many working days late.
    "EVENT_YELLOW_SHARE": 0.75,
    "EVENT_SUPERVISE_AFTER_DAYS": 2,
    # Disputes: the community accepts a registered case within this many
    # working days, the committee reviews an outcome within this many; an
    # agreement without a performance deadline is followed up this many
    # calendar days after approval. The case's own time limit per level is a
    # table administrators edit (default: 30 calendar days, people's mediation).
    "DISPUTE_ACCEPT_DAYS": 3,
    "DISPUTE_REVIEW_DAYS": 5,
    "DISPUTE_FOLLOW_UP_DAYS": 15,
    "DISPUTE_YELLOW_SHARE": 0.75,
    # Screening cadence per level: half_month or month (DOMAIN: grids and
    # communities every half month, street offices monthly).
    "SCREENING_CADENCE": {"grid": "half_month", "community": "half_month", "street": "month"},
}

FIXED = {
    # hide_parameters: a logged database error must not carry names, phones or
    # health notes from the statement's bound values.
    # jit=off: PostgreSQL's JIT compiles any plan it estimates as costly, which
    # for the correlated visit-coverage query costs ~0.9 s per call to save
    # nothing (coverage by grid of the demo street: 946 ms with JIT, 25 ms without).
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True,
                                  "connect_args": {"options": "-c jit=off"}},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "grid_session",
    "REMEMBER_COOKIE_DURATION": 0,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the login session
    "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
}


def load(app: Flask, overrides: dict | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(FIXED)
    app.config.from_prefixed_env("GRID")
    if overrides:
        app.config.from_mapping(overrides)
    cfg = app.config
    if not cfg["DATABASE_URL"]:
        raise RuntimeError("GRID_DATABASE_URL is not set (make run / make test set it for the private cluster)")
    cfg["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(cfg["DATABASE_URL"])
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = instance_secret(Path(app.instance_path), "secret_key", lambda: secrets.token_hex(32))
    if not cfg["DATA_KEY"]:
        cfg["DATA_KEY"] = instance_secret(Path(app.instance_path), "data_key", sealing.new_master_key)
    cfg["DATA_MASTER_KEY"] = sealing.decode_master_key(cfg["DATA_KEY"])
    # Uploads: the largest accepted import plus room for the form around it.
    if cfg.get("MAX_CONTENT_LENGTH") is None:
        # The largest of: a boundary file, a ledger, a visit with six photos.
        cfg["MAX_CONTENT_LENGTH"] = max(cfg["MAX_IMPORT_BYTES"], cfg["MAX_LEDGER_BYTES"],
                                        6 * cfg["MAX_PHOTO_BYTES"]) + 256 * 1024


def normalise_database_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret(instance: Path, name: str, make) -> str:
    """A per-installation secret kept in var/instance, made on first start.
    Written to a temporary file and linked into place, so two workers starting
    together agree on one secret and never read a half-written file."""
    path = instance / name
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        temporary = instance / f".{name}.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
        try:
            os.link(temporary, path)  # fails if another worker won the race
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()
