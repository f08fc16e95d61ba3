"""Words for registry rule errors (rules.py reports kinds and values only)."""
from flask_babel import gettext as _

from grid.registry.rules import RuleError


def rule_message(error: RuleError) -> str:
    p = error.params
    messages = {
        "id_length": lambda: (_("This is an old 15-digit ID number; enter the 18-digit one.") if p.get("old")
                              else _("An ID number has 18 characters; this one has %(n)s.", n=p.get("length"))),
        "id_characters": lambda: _("An ID number is 17 digits followed by a digit or X."),
        "id_region": lambda: _("The ID number starts with %(r)s, which is not a region code.", r=p.get("region")),
        "id_birth_date": lambda: _("The birth date in the ID number (%(v)s) is not a real date.", v=p.get("value")),
        "id_birth_future": lambda: _("The birth date in the ID number (%(v)s) is in the future.", v=p.get("value")),
        "id_check_digit": lambda: _("The last character should be %(e)s, not %(g)s: a digit is probably mistyped.",
                                    e=p.get("expected"), g=p.get("given")),
        "id_birth_mismatch": lambda: _("The birth date %(g)s contradicts the ID number (%(i)s).",
                                       g=p.get("given"), i=p.get("id_date")),
        "id_gender_mismatch": lambda: _("The gender contradicts the ID number."),
        "phone": lambda: _("Not a valid phone number: a mobile has 11 digits starting with 1; a landline starts with its area code."),
        "self_care_items": lambda: _("Assess all six daily activities."),
    }
    make = messages.get(error.kind)
    return make() if make else error.kind
