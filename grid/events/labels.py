"""Words for the workflow's codes (states, actions, steps…), in one place for
pages, messages and exports."""
from flask_babel import lazy_gettext as _l

STATE_LABELS = {
    "to_sign": _l("To sign for"), "handling": _l("Being handled"), "extension": _l("Extension requested"),
    "to_verify": _l("To verify"), "standing": _l("Standing list"), "closed": _l("Case closed"),
}
ACTION_LABELS = {
    "report": _l("Reported"), "report_resolved": _l("Resolved on the spot"), "sign": _l("Sign for it"),
    "resolve": _l("Resolved on the spot"), "escalate": _l("Escalate"), "dispatch": _l("Dispatch to a department"),
    "return": _l("Return"), "request_extension": _l("Request an extension"),
    "approve_extension": _l("Approve the extension"), "refuse_extension": _l("Refuse the extension"),
    "report_result": _l("Report the result"), "shelve": _l("Put on the standing list"),
    "resume": _l("Take off the standing list"), "verify_close": _l("Verified: close"),
    "reopen": _l("Not fixed: reopen"), "supervise": _l("Supervise (督办)"), "remind": _l("Reminder (催办)"),
    "regrid": _l("Moved to another grid"),
}
STEP_LABELS = {"sign": _l("sign for it"), "handle": _l("handle it"), "verify": _l("verify it"),
               "decide": _l("decide the extension")}
SOURCE_LABELS = {"patrol": _l("Grid patrol"), "resident": _l("Resident"), "hotline": _l("12345 hotline"),
                 "visit": _l("Household visit")}
PRIORITY_LABELS = {"normal": _l("Normal"), "urgent": _l("Urgent")}
SATISFACTION_LABELS = {"satisfied": _l("Satisfied"), "basic": _l("Basically satisfied"),
                       "dissatisfied": _l("Dissatisfied"), "unreached": _l("Could not be reached")}
REASON_LABELS = {"incomplete": _l("Information incomplete or unclear"),
                 "misrouted": _l("Not ours: wrongly routed, please re-dispatch")}
LIGHT_LABELS = {"green": _l("On time"), "yellow": _l("Due soon"), "red": _l("Overdue"),
                "paused": _l("Clock stopped")}
UNIT_LABELS = {"working_hours": _l("working hours"), "working_days": _l("working days"), "hours": _l("hours")}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
