"""Words for the dispute vocabularies (English msgids, Chinese in the catalogue)."""
from flask_babel import lazy_gettext as _l

TYPES = {
    "family": _l("Marriage and family"), "neighbour": _l("Neighbours"), "housing": _l("Housing and homestead land"),
    "property": _l("Property management"), "wages": _l("Wages and labour"), "damages": _l("Damages"),
    "other": _l("Other dispute"),
}
SOURCES = {"screening": _l("Screening"), "request": _l("Resident request"), "referral": _l("Referral"),
           "visit": _l("Found on a visit")}
LEVELS = {"ordinary": _l("Ordinary"), "serious": _l("Serious"), "major": _l("Major")}
STATES = {"registered": _l("Waiting to be accepted"), "mediating": _l("Mediating"),
          "under_review": _l("Awaiting committee review"), "follow_up": _l("Follow-up"), "archived": _l("Archived")}
PARTY_ROLES = {"applicant": _l("Applicant"), "respondent": _l("Respondent"), "third": _l("Third party")}
OUTCOMES = {"agreement": _l("Agreement reached"), "partial": _l("Partly agreed"), "failed": _l("Mediation failed"),
            "referred": _l("Referred elsewhere"), "withdrawn": _l("Withdrawn"), "declined": _l("Not accepted")}
PERFORMANCE = {"fulfilled": _l("Fulfilled"), "partial": _l("Partly fulfilled"), "unfulfilled": _l("Not fulfilled")}
FOLLOW_UP_NEXT = {"again": _l("Follow up again"), "remediate": _l("Mediate again"), "archive": _l("Archive the case")}
STEPS = {"accept": _l("Accept"), "mediate": _l("Mediate"), "review": _l("Committee review"),
         "follow_up": _l("Follow-up")}
LIMIT_UNITS = {"calendar_days": _l("calendar days"), "working_days": _l("working days")}
ACTIONS = {
    "register": _l("Registered"), "accept": _l("Accept the case"), "decline": _l("Do not accept"),
    "log_session": _l("Log a mediation session"), "save_agreement": _l("Record the agreement"),
    "record_outcome": _l("Record the outcome"), "approve": _l("Approve closure"),
    "return_case": _l("Return with comments"), "follow_up": _l("Record the follow-up"),
    "assign": _l("Change mediators or responsible person"), "raise_level": _l("Raise the level"),
    "assign_leader": _l("Assign the leader in charge"), "list_supervision": _l("List for supervision"),
    "supervise": _l("Supervise"),
}


def label(vocabulary: dict, code: str | None) -> str:
    return str(vocabulary.get(code, code or ""))
