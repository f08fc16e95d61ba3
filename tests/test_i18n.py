"""Every message in code and templates has a Simplified Chinese translation."""
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "grid" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[0-9.]*[sdf]")


def catalog():
    with PO.open("rb") as f:
        return read_po(f)


def source_messages() -> set[str]:
    method_map = [("grid/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords={"_": None, "_l": None, "gettext": None,
                                                        "lazy_gettext": None, "ngettext": (1, 2)}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_source_message_is_translated():
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog() if m.id}
    missing = sorted(m for m in source_messages() if not translated.get(m))
    assert missing == [], f"run `make translations` and translate: {missing}"


def test_placeholders_survive_translation():
    for message in catalog():
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source
