"""Turn posted form fields into the services' input records. Conversion
problems (a number that is not a number) come back as field errors, to be
shown together with the services' own checks."""
import math
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from grid.registry import vocab
from grid.registry.care import ChildInput, ElderlyInput
from grid.registry.services import HouseholdInput, ResidentInput


class Parsed:
    """Reads typed values out of a form, collecting conversion errors."""

    def __init__(self, form: MultiDict):
        self.form = form
        self.errors: dict[str, str] = {}

    def text(self, name: str) -> str:
        return (self.form.get(name) or "").strip()

    def choice(self, name: str) -> str | None:
        return self.text(name) or None

    def many(self, name: str) -> tuple[str, ...]:
        return tuple(v for v in self.form.getlist(name) if v)

    def flag(self, name: str) -> bool:
        return self.form.get(name) in ("y", "on", "1", "true")

    def number(self, name: str, kind=float):
        raw = self.text(name)
        if not raw:
            return None
        try:
            value = kind(raw)
        except (ValueError, InvalidOperation):
            value = None
        # "NaN" and "inf" parse as numbers but are not amounts anyone means.
        if value is None or not math.isfinite(value):
            self.errors[name] = _("Enter a number.")
            return None
        return value

    def day(self, name: str) -> date | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = _("Enter a date like 2024-03-01.")
            return None


def household_input(form: MultiDict) -> tuple[HouseholdInput, dict]:
    p = Parsed(form)
    data = HouseholdInput(address=p.text("address"), lon=p.number("lon"), lat=p.number("lat"),
                          housing_type=p.choice("housing_type"), tags=p.many("tags"), phone=p.text("phone"),
                          notes=p.text("notes"))
    return data, p.errors


def resident_input(form: MultiDict) -> tuple[ResidentInput, dict]:
    p = Parsed(form)
    data = ResidentInput(name=p.text("name"), id_number=p.text("id_number"), gender=p.choice("gender"),
                         birth_date=p.day("birth_date"), ethnicity=p.text("ethnicity"), phone=p.text("phone"),
                         relation=p.text("relation"), hukou=p.text("hukou") or "consistent", tags=p.many("tags"))
    return data, p.errors


def elderly_input(form: MultiDict) -> tuple[ElderlyInput, dict]:
    p = Parsed(form)
    data = ElderlyInput(
        categories=p.many("categories"), living_arrangement=p.choice("living_arrangement"),
        children_count=p.number("children_count", int), children_whereabouts=p.text("children_whereabouts"),
        self_care={item: p.text(f"self_care_{item}") for item in vocab.SELF_CARE_ITEMS},
        chronic_illness=p.text("chronic_illness"), allowances=p.many("allowances"),
        emergency_contact_name=p.text("emergency_contact_name"),
        emergency_contact_phone=p.text("emergency_contact_phone"),
        care_arrangements=p.text("care_arrangements"), needs=p.text("needs"), risk_tier=p.text("risk_tier"))
    return data, p.errors


def child_input(form: MultiDict) -> tuple[ChildInput, dict]:
    p = Parsed(form)
    data = ChildInput(
        category=p.text("category"), guardian_name=p.text("guardian_name"),
        guardian_relation=p.text("guardian_relation"), guardian_phone=p.text("guardian_phone"),
        entrusted_guardianship_confirmed=p.flag("entrusted_guardianship_confirmed"),
        father_situation=p.choice("father_situation"), mother_situation=p.choice("mother_situation"),
        parents_note=p.text("parents_note"), school=p.text("school"), grade=p.text("grade"),
        boarding=p.flag("boarding"), dropped_out=p.flag("dropped_out"), health=p.text("health"),
        disability=p.text("disability"), living_allowance=p.number("living_allowance", Decimal),
        receives_dibao=p.flag("receives_dibao"), guardianship_quality=p.choice("guardianship_quality"),
        risk_tier=p.text("risk_tier"))
    return data, p.errors
