"""Names people read for audit codes. Each feature registers its own actions and
object types when it is imported, so the audit package depends on none of them."""
from flask_babel import lazy_gettext as _l

ACTIONS: dict[str, object] = {}
OBJECT_TYPES: dict[str, object] = {}
DETAIL_KEYS: dict[str, object] = {}
RESULTS = {"success": _l("Success"), "failure": _l("Failure"), "denied": _l("Denied")}


def register_actions(actions: dict, *, object_types: dict | None = None, detail_keys: dict | None = None) -> None:
    ACTIONS.update(actions)
    OBJECT_TYPES.update(object_types or {})
    DETAIL_KEYS.update(detail_keys or {})


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def object_label(code: str | None) -> str:
    return str(OBJECT_TYPES.get(code, code or ""))


def result_label(code: str) -> str:
    return str(RESULTS.get(code, code))


def detail_label(key: str) -> str:
    return str(DETAIL_KEYS.get(key, key))


def detail_lines(detail: dict | None) -> list[str]:
    """One readable line per detail entry; {"from": a, "to": b} becomes "a → b"."""
    lines = []
    for key, value in (detail or {}).items():
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            value = f"{show(value['from'])} → {show(value['to'])}"
        lines.append(f"{DETAIL_KEYS.get(key, key)}：{show(value)}")
    return lines


def show(value) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)
