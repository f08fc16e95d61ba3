"""The mediation agreement (调解协议书): its structured fields, saved under
optimistic locking while the case is being mediated, and the full ID numbers
for a print the parties sign (audited)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from grid.audit.services import record_audit
from grid.disputes import services
from grid.disputes.models import Dispute, MediationAgreement
from grid.errors import Conflict, raise_field_errors
from grid.extensions import db
from grid.locking import claim_version

MAX_TERMS = 30
MIN_COPIES, MAX_COPIES = 2, 10
COMMITTEE_SUFFIX = "人民调解委员会"
# What people type in front of a term themselves ("1." "2、" "（3）" "四、"): the
# printed page numbers the terms, so a typed number would appear twice.
TYPED_NUMBER = re.compile(r"^\s*(?:[（(]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[.、．)）]|[一二三四五六七八九十]{1,3}\s*[、.．])\s*")


@dataclass
class AgreementInput:
    facts: str = ""                       # 纠纷主要事实
    matter: str = ""                      # 争议事项
    terms: str = ""                       # one term per line
    performance_manner: str = ""          # 履行方式
    performance_place: str = ""           # 履行地点
    performance_deadline: date | None = None
    made_on: date | None = None
    mediator_names: str = ""
    committee_name: str = ""
    copies: int | None = None


def term_lines(terms: str) -> list[str]:
    """The agreed terms, one per non-empty line, without numbers typed in front."""
    lines = (TYPED_NUMBER.sub("", line).strip() for line in terms.splitlines())
    return [line for line in lines if line]


def prefill(dispute: Dispute, now: datetime | None = None) -> AgreementInput:
    """A new agreement's starting point, from the case: its facts and claims,
    its mediators, the community's committee, today, a copy per party and one
    for the committee."""
    names = [m.full_name for m in dispute.mediators]
    if dispute.other_mediators:
        names.append(dispute.other_mediators)
    return AgreementInput(facts=dispute.facts, matter=dispute.claims, mediator_names="、".join(names),
                          committee_name=dispute.community.name + COMMITTEE_SUFFIX,
                          made_on=services.today(now), copies=len(dispute.parties) + 1)


def input_of(agreement: MediationAgreement) -> AgreementInput:
    return AgreementInput(
        facts=agreement.facts, matter=agreement.matter, terms=agreement.terms,
        performance_manner=agreement.performance_manner, performance_place=agreement.performance_place,
        performance_deadline=agreement.performance_deadline, made_on=agreement.made_on,
        mediator_names=agreement.mediator_names, committee_name=agreement.committee_name, copies=agreement.copies)


def check_agreement(dispute: Dispute, data: AgreementInput, now: datetime) -> dict[str, str | None]:
    errors: dict[str, str | None] = {}
    too_long = services.too_long

    def required(key: str, value: str, message: str, n: int) -> None:
        if not value.strip():
            errors[key] = message
        else:
            too_long(errors, key, value.strip(), n)

    required("facts", data.facts, _("Write the main facts of the dispute."), 4000)
    required("matter", data.matter, _("Write what is in dispute."), 2000)
    terms = term_lines(data.terms)
    if not terms:
        errors["terms"] = _("Write at least one agreed term, one per line.")
    elif len(terms) > MAX_TERMS:
        errors["terms"] = _("At most %(n)s terms.", n=MAX_TERMS)
    elif any(len(term) > 500 for term in terms):
        errors["terms"] = _("A term has at most %(n)s characters: split it into several lines.", n=500)
    required("performance_manner", data.performance_manner, _("Say how the agreement is to be performed."), 200)
    required("performance_place", data.performance_place, _("Say where it is to be performed."), 200)
    today = services.today(now)
    if data.made_on is None:
        errors["made_on"] = _("Enter the date of the agreement.")
    elif data.made_on > today:
        errors["made_on"] = _("The agreement cannot be dated in the future.")
    elif data.made_on < dispute.registered_on:
        errors["made_on"] = _("The agreement cannot be dated before the case was registered.")
    if data.performance_deadline is None:
        errors["performance_deadline"] = _("Enter the deadline for performance.")
    elif data.made_on is not None and data.performance_deadline < data.made_on:
        errors["performance_deadline"] = _("The deadline cannot be before the date of the agreement.")
    required("mediator_names", data.mediator_names, _("Enter the mediators' names."), 200)
    required("committee_name", data.committee_name, _("Enter the name of the people's mediation committee."), 100)
    if data.copies is None or not MIN_COPIES <= data.copies <= MAX_COPIES:
        errors["copies"] = _("Between %(low)s and %(high)s copies.", low=MIN_COPIES, high=MAX_COPIES)
    return errors


def changed_meanwhile(agreement: MediationAgreement) -> str:
    return _("%(name)s saved this agreement at %(time)s while you were editing it. Nothing of yours was saved: "
             "check the agreement as it is now and make your changes again.",
             name=agreement.updated_by.full_name, time=format_datetime(agreement.updated_at, "MM-dd HH:mm"))


def save_agreement(*, dispute: Dispute, data: AgreementInput, by, version: int,
                   now: datetime | None = None) -> MediationAgreement:
    """Record or change the case's agreement (commits). `version` is the
    agreement's version the editor saw, 0 for a new one. Raises DomainError
    when the user may not record it now (only handlers and mediators, while
    mediating), FieldErrors (every field problem at once) and Conflict when
    someone else saved the agreement first. Moves the case's version and
    writes its history."""
    now = now or services.now_utc()
    services.lock(dispute)   # an outcome recorded meanwhile closes the agreement
    services.require(by, dispute, "save_agreement")
    agreement = dispute.agreement
    if agreement is not None and agreement.version != version:
        raise Conflict(changed_meanwhile(agreement))
    if agreement is None and version != 0:
        raise Conflict(_("The agreement changed while you were editing it. Nothing of yours was saved: "
                         "check it as it is now."))
    raise_field_errors(check_agreement(dispute, data, now))
    created = agreement is None
    if created:
        agreement = MediationAgreement(dispute_id=dispute.id, version=1)
    else:
        claim_version(MediationAgreement, agreement, version,
                      message=_("Someone else saved this agreement at the same moment. Nothing of yours was "
                                "saved: check the agreement as it is now."))
    agreement.facts, agreement.matter = data.facts.strip(), data.matter.strip()
    agreement.terms = "\n".join(term_lines(data.terms))
    agreement.performance_manner = data.performance_manner.strip()
    agreement.performance_place = data.performance_place.strip()
    agreement.performance_deadline, agreement.made_on = data.performance_deadline, data.made_on
    agreement.mediator_names, agreement.committee_name = data.mediator_names.strip(), data.committee_name.strip()
    agreement.copies, agreement.updated_by_id, agreement.updated_at = data.copies, by.id, now
    if created:
        try:
            with db.session.begin_nested():
                db.session.add(agreement)
                db.session.flush()
        except IntegrityError:
            # Another editor recorded the case's first agreement at the same moment (one per case).
            db.session.rollback()
            raise Conflict(_("Someone else recorded this agreement at the same moment. Nothing of yours was "
                             "saved: check the agreement as it is now.")) from None
    services.bump_version(dispute)
    services.append(dispute, "save_agreement", by=by, at=now, from_state=dispute.state,
                    detail={"agreement": agreement.id, "agreement_version": agreement.version,
                            "terms": len(term_lines(agreement.terms))})
    db.session.commit()
    db.session.expire(dispute, ["agreement"])
    return agreement


def full_numbers_for_print(*, dispute: Dispute, by) -> dict[int, dict[str, str | None]]:
    """The parties' full ID numbers and phones for a print the parties sign,
    by party id, with one audit entry for the print (commits)."""
    record_audit("dispute.print_agreement", actor=by, object_type="dispute", object_id=dispute.id,
                 detail={"parties": [p.id for p in dispute.parties]})
    for party in dispute.parties:
        services.audit_resident_reveal(party, by, "dispute.print_agreement")
    db.session.commit()
    return {p.id: {"id_number": services.party_id_number(p), "phone": p.phone} for p in dispute.parties}
