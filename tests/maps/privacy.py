"""What a map response must never contain: every personal value in the
database (names, ID numbers, phones, addresses and the free texts that carry
them), and a fast search for them in a response."""
from sqlalchemy import select

from grid.accounts.models import User
from grid.disputes.models import Dispute, DisputeParty
from grid.events.models import Event
from grid.extensions import db
from grid.places.models import Unit
from grid.registry.care_models import ChildRecord, ElderlyRecord
from grid.registry.models import Household, Resident
from grid.sealing import unseal


def personal_values(app) -> set[str]:
    key = app.config["DATA_MASTER_KEY"]
    found: set[str] = set()

    def add(*values):
        found.update(v.strip() for v in values if v and len(v.strip()) >= 2)

    for r in db.session.scalars(select(Resident)):
        add(r.name, r.phone, r.id_number_masked, r.id_number(key))
    for h in db.session.scalars(select(Household)):
        add(h.address, h.phone)
    for e in db.session.scalars(select(Event)):
        add(e.requester_name, e.requester_phone, e.address, e.description)
    for d in db.session.scalars(select(Dispute)):
        add(d.address, d.facts, d.claims)
    for p in db.session.scalars(select(DisputeParty)):
        add(p.name, p.phone, p.address, p.id_number_masked,
            unseal(p.id_number_sealed, key) if p.id_number_sealed else None)
    for c in db.session.scalars(select(ChildRecord)):
        add(c.guardian_name, c.guardian_phone)
    for e in db.session.scalars(select(ElderlyRecord)):
        add(e.emergency_contact_name, e.emergency_contact_phone)
    # Staff and unit names are shown on purpose (the panel lists a grid's
    # workers); a resident who shares a name with one is not a leak.
    shown = set(db.session.scalars(select(User.full_name))) | set(db.session.scalars(select(Unit.name)))
    return found - shown


def pairs(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def leaks(values: set[str], text: str) -> list[str]:
    """The values found in `text`. A value can only be there if each of its
    character pairs is, which rules out almost all of them at once."""
    present = pairs(text)
    return sorted(v for v in values if pairs(v) <= present and v in text)
