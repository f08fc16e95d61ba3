"""Exactly-once submissions: the form carries an id made when it was opened;
a resubmission returns what was stored, different content under the same id
is refused."""
import hashlib
import json
import uuid as uuid_module

from grid.errors import Conflict


def parse_uuid(raw: str) -> uuid_module.UUID | None:
    try:
        return uuid_module.UUID(raw)
    except (ValueError, TypeError):
        return None


def digest(canonical: dict) -> str:
    """A stable hash of what the user entered (JSON-serialisable values only)."""
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def replay(record, payload_hash: str, message: str):
    """The same submission again returns the stored record; different content
    under the same id is someone's mistake, and nothing is overwritten."""
    if record.payload_hash != payload_hash:
        raise Conflict(message)
    return record
