"""The mediation agreement (调解协议书): its structured form and the printable A4 page."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from grid.accounts.access import roles_required
from grid.disputes import agreement as agreements
from grid.disputes import labels, services
from grid.disputes.scope import DISPUTE_ROLES
from grid.disputes.views import dispute_or_404
from grid.errors import Conflict, DomainError, FieldErrors
from grid.registry import vocab
from grid.registry.rules import mask_phone

bp = Blueprint("dispute_agreement", __name__)


def chinese_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 30 → 三十 (the terms of an agreement, 1–99)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return ((digits[tens] if tens > 1 else "") + "十" if tens else "") + (digits[ones] if ones else "")


def day(form: MultiDict, name: str) -> date | None:
    try:
        return date.fromisoformat(form.get(name, "").strip())
    except ValueError:
        return None


def agreement_input(form: MultiDict) -> agreements.AgreementInput:
    copies = form.get("copies", "").strip()
    return agreements.AgreementInput(
        facts=form.get("facts", ""), matter=form.get("matter", ""), terms=form.get("terms", ""),
        performance_manner=form.get("performance_manner", ""), performance_place=form.get("performance_place", ""),
        performance_deadline=day(form, "performance_deadline"), made_on=day(form, "made_on"),
        mediator_names=form.get("mediator_names", ""), committee_name=form.get("committee_name", ""),
        copies=int(copies) if copies.isdigit() and len(copies) < 4 else None)


def form_values(data: agreements.AgreementInput) -> dict:
    """An input as the form's strings."""
    return {name: "" if value is None else value.isoformat() if isinstance(value, date) else value
            for name, value in vars(data).items()}


def show(dispute, *, values=None, errors=None, message=None, typed=None, status=200):
    """The form for those who may record the agreement now, else the agreement read-only."""
    agreement = dispute.agreement
    editable = services.may(current_user, dispute, "save_agreement")
    if values is None and editable:
        values = form_values(agreements.input_of(agreement) if agreement else agreements.prefill(dispute))
    return render_template("disputes/agreement_form.html", dispute=dispute, agreement=agreement, editable=editable,
                           values=values or {}, errors=errors or {}, message=message, typed=typed,
                           version=agreement.version if agreement else 0,
                           terms=agreements.term_lines(agreement.terms) if agreement else [],
                           max_terms=agreements.MAX_TERMS), status


@bp.route("/disputes/<int:dispute_id>/agreement", methods=["GET", "POST"])
@roles_required(*DISPUTE_ROLES)
def edit(dispute_id: int):
    dispute = dispute_or_404(dispute_id)
    if request.method == "GET":
        return show(dispute)
    data = agreement_input(request.form)
    try:
        agreements.save_agreement(dispute=dispute, data=data, by=current_user,
                                  version=request.form.get("version", -1, type=int))
    except FieldErrors as error:
        return show(dispute, values=request.form, errors=error.errors, status=422)
    except Conflict as error:
        # The agreement as it is now, with what this user typed kept aside to copy from.
        return show(dispute_or_404(dispute_id), message=error.message, typed=request.form, status=409)
    except DomainError as error:
        return show(dispute_or_404(dispute_id), message=error.message, status=error.status)
    flash(_("The mediation agreement was saved."), "success")
    return redirect(url_for("disputes.dispute", dispute_id=dispute.id))


@bp.route("/disputes/<int:dispute_id>/agreement/print", methods=["GET", "POST"])
@roles_required(*DISPUTE_ROLES)
def print_page(dispute_id: int):
    """GET: the page with ID numbers and phones masked. POST: the same page
    with the full numbers for the copies the parties sign, audited."""
    dispute = dispute_or_404(dispute_id)
    agreement = dispute.agreement
    if agreement is None:
        abort(404)
    full = agreements.full_numbers_for_print(dispute=dispute, by=current_user) if request.method == "POST" else None
    parties = []
    for party in dispute.parties:
        if full is not None:
            id_number, phone = full[party.id]["id_number"] or "", full[party.id]["phone"] or ""
        else:
            id_number, phone = party.id_number_masked or "", mask_phone(party.phone or "")
        # The printed agreement is a legal document in Chinese whatever the
        # screen's language: its party roles are the words of the prescribed form.
        parties.append({"role": labels.zh(labels.PARTY_ROLES_ZH, party.role), "name": party.name,
                        "gender": vocab.GENDERS[party.gender].zh if party.gender in vocab.GENDERS else "",
                        "id_number": id_number, "address": party.address or "", "phone": phone})
    return render_template("disputes/agreement_print.html", dispute=dispute, agreement=agreement, parties=parties,
                           terms=agreements.term_lines(agreement.terms), full=full is not None,
                           chinese_date=chinese_date, chinese_numeral=chinese_numeral)
