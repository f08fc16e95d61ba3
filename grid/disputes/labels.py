"""Words for the dispute vocabularies: the UI's labels (English msgids,
Chinese in the catalogue) and, next to each, the fixed Chinese term per code
(`*_ZH`) that documents use whatever the page's language — the ledger
(矛盾纠纷台账) and the printed agreement (调解协议书)."""
from flask_babel import lazy_gettext as _l

TYPES = {
    "family": _l("Marriage and family"), "neighbour": _l("Neighbours"), "housing": _l("Housing and homestead land"),
    "property": _l("Property management"), "wages": _l("Wages and labour"), "damages": _l("Damages"),
    "other": _l("Other dispute"),
}
TYPES_ZH = {"family": "婚姻家庭纠纷", "neighbour": "邻里纠纷", "housing": "房屋宅基地纠纷", "property": "物业纠纷",
            "wages": "劳资纠纷", "damages": "损害赔偿纠纷", "other": "其他纠纷"}
SOURCES = {"screening": _l("Screening"), "request": _l("Resident request"), "referral": _l("Referral"),
           "visit": _l("Found on a visit")}
SOURCES_ZH = {"screening": "排查发现", "request": "群众申请", "referral": "移交", "visit": "走访发现"}
LEVELS = {"ordinary": _l("Ordinary"), "serious": _l("Serious"), "major": _l("Major")}
LEVELS_ZH = {"ordinary": "一般", "serious": "较大", "major": "重大"}
STATES = {"registered": _l("Waiting to be accepted"), "mediating": _l("Mediating"),
          "under_review": _l("Awaiting committee review"), "follow_up": _l("Follow-up"), "archived": _l("Archived")}
STATES_ZH = {"registered": "待受理", "mediating": "调解中", "under_review": "待委员会审核", "follow_up": "回访中",
             "archived": "已归档"}
PARTY_ROLES = {"applicant": _l("Applicant"), "respondent": _l("Respondent"), "third": _l("Third party")}
PARTY_ROLES_ZH = {"applicant": "申请人", "respondent": "被申请人", "third": "第三人"}
OUTCOMES = {"agreement": _l("Agreement reached"), "partial": _l("Partly agreed"), "failed": _l("Mediation failed"),
            "referred": _l("Referred elsewhere"), "withdrawn": _l("Withdrawn"), "declined": _l("Not accepted")}
OUTCOMES_ZH = {"agreement": "达成协议", "partial": "部分达成协议", "failed": "调解不成", "referred": "移交处理",
               "withdrawn": "撤回申请", "declined": "不予受理"}
PERFORMANCE = {"fulfilled": _l("Fulfilled"), "partial": _l("Partly fulfilled"), "unfulfilled": _l("Not fulfilled")}
PERFORMANCE_ZH = {"fulfilled": "已履行", "partial": "部分履行", "unfulfilled": "未履行"}
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
    "supervise": _l("Supervise"), "regrid": _l("Moved to another grid"),
}


def label(vocabulary: dict, code: str | None) -> str:
    return str(vocabulary.get(code, code or ""))


def zh(terms: dict[str, str], code: str | None) -> str:
    """The Chinese term of a code (one of the `*_ZH` tables); an unknown code as it is."""
    return terms.get(code, code or "")
