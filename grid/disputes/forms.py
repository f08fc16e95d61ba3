"""The posted registration form as a service input. Numbers that do not parse
become None (or an id nobody has), and the service names the field."""
import re

from werkzeug.datastructures import MultiDict

from grid.disputes.services import MAX_PARTIES, DisputeInput, PartyInput

PARTY_FIELDS = ("role", "resident_id", "name", "gender", "id_number", "phone", "address")
# A party row counts when any of these was filled in (the role always has a value).
PARTY_CONTENT = ("resident_id", "name", "gender", "id_number", "phone", "address")
MAX_ID = 2**31 - 1
PARTY_KEY = re.compile(r"^party-(\d+)-")


def whole(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value.isdigit():
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def number(value: str | None) -> float | None:
    try:
        return float(value) if value and value.strip() else None
    except ValueError:
        return None


def party_rows(form: MultiDict) -> list[tuple[int, PartyInput]]:
    """(row number, party) for every row the user filled in, in row order."""
    rows = []
    for n in range(MAX_PARTIES):
        row = {name: form.get(f"party-{n}-{name}") or "" for name in PARTY_FIELDS}
        if not any(row[name].strip() for name in PARTY_CONTENT):
            continue
        resident_id = row.pop("resident_id").strip()
        if resident_id:
            row["id_number"] = ""   # a linked resident's number is the registry's (the field is hidden then)
        # A junk resident id becomes 0, which no resident has: the service names the row.
        rows.append((n, PartyInput(resident_id=(whole(resident_id) or 0) if resident_id else None, **row)))
    return rows


def dispute_input(form: MultiDict) -> DisputeInput:
    problem = form.get("problem")
    return DisputeInput(
        uuid=form.get("uuid", ""), type=form.get("type", ""), source=form.get("source", "request"),
        level=form.get("level", "ordinary"), lat=number(form.get("lat")), lon=number(form.get("lon")),
        grid_id=whole(form.get("grid_id")), address=form.get("address", ""),
        people_involved=whole(form.get("people_involved")), facts=form.get("facts", ""),
        claims=form.get("claims", ""), parties=[party for _n, party in party_rows(form)],
        stability_owner_id=whole(form.get("stability_owner_id")),
        # A value that is not an id stays in the list as 0, which no user has: the service names the field.
        mediator_ids=[whole(v) or 0 for v in form.getlist("mediator_ids") if v.strip()],
        other_mediators=form.get("other_mediators", ""), supervisor_name=form.get("supervisor_name", ""),
        visit_problem_id=(whole(problem) or 0) if problem else None)


def row_errors(errors: dict, rows: list[tuple[int, PartyInput]]) -> dict:
    """The service numbers parties 0, 1, 2… as they came; the form skipped empty
    rows, so party-i-… becomes party-N-… of the row the user typed it in."""
    numbers = [n for n, _party in rows]
    mapped = {}
    for key, message in errors.items():
        found = PARTY_KEY.match(key)
        if found and int(found.group(1)) < len(numbers):
            key = f"party-{numbers[int(found.group(1))]}-{key[found.end():]}"
        mapped[key] = message
    return mapped


def shown_rows(form: MultiDict) -> list[int]:
    """The party rows a re-shown form had (empty ones too), at least two."""
    rows = {n for n in range(MAX_PARTIES) if any(f"party-{n}-{name}" in form for name in PARTY_FIELDS)}
    n = 0
    while len(rows) < 2:
        rows.add(n)
        n += 1
    return sorted(rows)
