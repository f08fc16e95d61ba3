"""Row-by-row checks of a registry ledger, with the database questions
(points in grids, ID numbers already registered) asked once for the whole file."""
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, String, any_, literal, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import selectinload

from grid.accounts.access import may_see_child_records
from grid.extensions import db
from grid.registry import care, queries, rules, vocab
from grid.registry.ledger_schema import CHILDREN, ELDERLY, HOUSEHOLDS, RESIDENTS, split_terms
from grid.registry.messages import rule_message
from grid.registry.models import Resident
from grid.sealing import blind_index


@dataclass
class LedgerProblem:
    sheet: str
    row: int | None
    column: str
    header: str
    message: str


@dataclass
class HouseholdRow:
    row: int
    key: str
    community: object
    address: str
    lon: float
    lat: float
    housing_type: str | None
    tags: list
    phone: str | None
    notes: str | None


@dataclass
class ResidentRow:
    row: int
    key: str
    name: str
    identity: object
    gender: str | None
    birth_date: object
    ethnicity: str | None
    phone: str | None
    relation: str
    hukou: str
    tags: list
    index: str | None = None  # the ID number's blind index
    id: int | None = None


@dataclass
class CareRow:
    row: int
    data: object
    result: str | None = None
    person: ResidentRow | None = None
    existing_id: int | None = None

    def resident_id(self) -> int:
        return self.person.id if self.person else self.existing_id


@dataclass
class FileChecks:
    sheets: dict
    user: object
    scope_communities: dict
    households: list = field(default_factory=list)
    residents: list = field(default_factory=list)
    elderly: list = field(default_factory=list)
    children: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"households": len(self.households), "residents": len(self.residents),
                "elderly": len(self.elderly), "children": len(self.children)}

    def problem(self, sheet, row: int, field_name: str, message: str) -> None:
        rows = self.sheets[sheet.name]
        header = next((c.header for c in sheet.columns if c.field == field_name), "")
        self.problems.append(LedgerProblem(sheet.name, row, rows.column_of.get(field_name, ""), header, message))

    def term(self, sheet, row, name, vocabulary, value) -> str | None:
        if value in (None, ""):
            return None
        code = vocab.code_for(vocabulary, str(value))
        if code is None:
            self.problem(sheet, row, name, _("“%(v)s” is not one of: %(options)s.", v=value,
                                             options="、".join(t.zh for t in vocabulary.values())))
        return code

    def terms(self, sheet, row, name, vocabulary, value) -> list[str]:
        codes = [self.term(sheet, row, name, vocabulary, part) for part in split_terms(value)]
        return [c for c in codes if c]

    def phone(self, sheet, row, name, value) -> str | None:
        if not value:
            return None
        try:
            return rules.parse_phone(str(value))
        except rules.RuleError as error:
            self.problem(sheet, row, name, rule_message(error))
            return None

    def run(self) -> list:
        if not any(rows.rows for rows in self.sheets.values()):
            self.problems.append(LedgerProblem(HOUSEHOLDS.name, None, "", "", _("The file has no rows to import.")))
            return self.problems
        self.check_households()
        self.check_residents()
        if ELDERLY.name in self.sheets:
            self.check_care(ELDERLY, self.elderly, self.elderly_row)
        if CHILDREN.name in self.sheets and self.sheets[CHILDREN.name].rows:
            if may_see_child_records(self.user):
                self.check_care(CHILDREN, self.children, self.child_row)
            else:
                # Not even a dry run may answer questions about children's records.
                self.problem(CHILDREN, self.sheets[CHILDREN.name].rows[0][0], "id_number",
                             _("Your role cannot import children's records; remove the sheet 困境儿童."))
        return self.problems

    def check_households(self) -> None:
        seen: dict[str, int] = {}
        for row, v in self.sheets[HOUSEHOLDS.name].rows:
            key = v.get("key")
            if key in seen:
                self.problem(HOUSEHOLDS, row, "key", _("The same 户编号 is used in row %(n)s.", n=seen[key]))
            seen.setdefault(key, row)
            community = self.scope_communities.get(str(v.get("community") or ""))
            if v.get("community") and community is None:
                self.problem(HOUSEHOLDS, row, "community",
                             _("No community %(c)s in your area.", c=v.get("community")))
            household = HouseholdRow(
                row, key, community, v.get("address") or "", v.get("lon"), v.get("lat"),
                self.term(HOUSEHOLDS, row, "housing_type", vocab.HOUSING_TYPES, v.get("housing_type")),
                self.terms(HOUSEHOLDS, row, "tags", vocab.HOUSEHOLD_TAGS, v.get("tags")),
                self.phone(HOUSEHOLDS, row, "phone", v.get("phone")), v.get("notes"))
            self.households.append(household)
        self.check_points([h for h in self.households if h.community and h.lon is not None and h.lat is not None])

    def check_points(self, households: list) -> None:
        """One query for every point: inside its community? in which grid?"""
        if not households:
            return
        rows = db.session.execute(text("""
            SELECT t.n, ST_Covers(u.boundary, p.pt), grid_for_point(p.pt)
              FROM unnest(CAST(:n AS int[]), CAST(:lon AS float8[]), CAST(:lat AS float8[]), CAST(:unit AS int[]))
                   AS t(n, lon, lat, unit)
              JOIN unit u ON u.id = t.unit,
                   LATERAL (SELECT ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326) AS pt) p"""),
            {"n": list(range(len(households))), "lon": [h.lon for h in households],
             "lat": [h.lat for h in households], "unit": [h.community.id for h in households]})
        my_grids = queries.grid_ids_in_scope(self.user)
        for n, inside, grid_id in rows:
            household = households[n]
            if not inside:
                self.problem(HOUSEHOLDS, household.row, "lon",
                             _("The point %(lon)s, %(lat)s is outside community %(c)s.", lon=household.lon,
                               lat=household.lat, c=household.community.name))
            elif grid_id is None:
                self.problem(HOUSEHOLDS, household.row, "lon", _("This location is outside every grid."))
            elif grid_id not in my_grids:
                self.problem(HOUSEHOLDS, household.row, "lon", _("This location is in a grid you do not look after."))

    def check_residents(self) -> None:
        keys = {h.key for h in self.households}
        heads: dict[str, int] = {}
        by_index: dict[str, int] = {}
        today = care.today()
        key = current_app.config["DATA_MASTER_KEY"]
        for row, v in self.sheets[RESIDENTS.name].rows:
            if v.get("key") and v.get("key") not in keys:
                self.problem(RESIDENTS, row, "key", _("No household with 户编号 %(k)s in sheet 户.", k=v.get("key")))
            gender = self.term(RESIDENTS, row, "gender", vocab.GENDERS, v.get("gender"))
            identity = None
            if v.get("id_number"):
                try:
                    identity = rules.parse_id_number(str(v["id_number"]), today=today)
                    rules.check_id_consistency(identity, birth_date=v.get("birth_date"), gender=gender)
                except rules.RuleError as error:
                    name = {"id_birth_mismatch": "birth_date", "id_gender_mismatch": "gender"}.get(error.kind, "id_number")
                    self.problem(RESIDENTS, row, name, rule_message(error))
                    identity = None
            elif v.get("birth_date") and v["birth_date"] > today:
                self.problem(RESIDENTS, row, "birth_date", _("The birth date is in the future."))
            index = None
            if identity is not None:
                index = blind_index(identity.value, key)
                if index in by_index:
                    self.problem(RESIDENTS, row, "id_number", _("The same ID number is in row %(n)s.", n=by_index[index]))
                by_index.setdefault(index, row)
            relation = self.term(RESIDENTS, row, "relation", vocab.RELATIONS, v.get("relation"))
            if relation == "head":
                if v.get("key") in heads:
                    self.problem(RESIDENTS, row, "relation", _("Household %(k)s already has a head in row %(n)s.",
                                                                k=v.get("key"), n=heads[v.get("key")]))
                heads.setdefault(v.get("key"), row)
            self.residents.append(ResidentRow(
                row, v.get("key"), v.get("name") or "", identity,
                identity.gender if identity else gender, identity.birth_date if identity else v.get("birth_date"),
                v.get("ethnicity"), self.phone(RESIDENTS, row, "phone", v.get("phone")), relation or "other",
                self.term(RESIDENTS, row, "hukou", vocab.HUKOU, v.get("hukou")) or "consistent",
                self.terms(RESIDENTS, row, "tags", vocab.RESIDENT_TAGS, v.get("tags")), index))
        self.check_registered({index: row for index, row in by_index.items()})

    def registered(self, indexes: list[str]) -> dict[str, Resident]:
        """Residents with these blind indexes, households loaded, in two queries."""
        if not indexes:
            return {}
        # One array parameter: an IN list of 125,000 values is past the protocol's 65,535 parameters.
        found = db.session.scalars(db.select(Resident)
                                   .where(Resident.id_number_index == any_(literal(indexes, ARRAY(String))))
                                   .options(selectinload(Resident.household)))
        return {r.id_number_index: r for r in found}

    def check_registered(self, rows_by_index: dict[str, int]) -> None:
        """ID numbers already in the system: one query for the whole sheet."""
        my_grids = queries.grid_ids_in_scope(self.user)
        for index, resident in self.registered(list(rows_by_index)).items():
            where = (_("already registered: %(name)s, %(address)s.", name=resident.name,
                       address=resident.household.address) if resident.household.grid_id in my_grids
                     else _("already registered in another grid."))
            self.problem(RESIDENTS, rows_by_index[index], "id_number", _("This ID number is %(where)s", where=where))

    def check_care(self, sheet, records: list, make_row) -> None:
        key = current_app.config["DATA_MASTER_KEY"]
        in_file = {p.identity.value: p for p in self.residents if p.identity}
        parsed = []
        for row, v in self.sheets[sheet.name].rows:
            try:
                number = rules.parse_id_number(str(v.get("id_number") or ""), today=care.today()).value
            except rules.RuleError as error:
                self.problem(sheet, row, "id_number", rule_message(error))
                continue
            parsed.append((row, v, number))
        existing = self.registered([blind_index(n, key) for _r, _v, n in parsed if n not in in_file])
        model = care.ElderlyRecord if sheet is ELDERLY else care.ChildRecord
        already_open = set(db.session.scalars(db.select(model.resident_id).where(
            model.resident_id == any_(literal([r.id for r in existing.values()], ARRAY(Integer))), model.status == "open")))
        my_grids = queries.grid_ids_in_scope(self.user)
        seen: dict[str, int] = {}
        for row, v, number in parsed:
            person = in_file.get(number)
            stored = existing.get(blind_index(number, key)) if person is None else None
            if stored is not None and stored.household.grid_id not in my_grids:
                stored = None
            if person is None and stored is None:
                self.problem(sheet, row, "id_number", _("No resident with this ID number in sheet 居民 or in your area."))
                continue
            if number in seen:
                self.problem(sheet, row, "id_number", _("The same person is in row %(n)s.", n=seen[number]))
            seen.setdefault(number, row)
            subject = Resident(name=person.name if person else stored.name,
                               birth_date=person.birth_date if person else stored.birth_date)
            record = make_row(row, v, subject)
            record.person, record.existing_id = person, stored.id if stored else None
            if stored is not None and stored.id in already_open:
                self.problem(sheet, row, "id_number", _("%(name)s already has an open record of this kind.",
                                                        name=stored.name))
            records.append(record)

    def field_problems(self, sheet, row, errors: dict) -> None:
        first_self_care = "self_care_eating"
        for name, message in errors.items():
            if message:
                column = {"resident": "id_number", "self_care": first_self_care}.get(name, name)
                self.problem(sheet, row, column, message)

    def elderly_row(self, row, v, subject) -> CareRow:
        data = care.ElderlyInput(
            categories=tuple(self.terms(ELDERLY, row, "categories", vocab.ELDERLY_CATEGORIES, v.get("categories"))),
            risk_tier=self.term(ELDERLY, row, "risk_tier", vocab.RISK_TIERS, v.get("risk_tier")) or "",
            living_arrangement=self.term(ELDERLY, row, "living_arrangement", vocab.LIVING_ARRANGEMENTS,
                                         v.get("living_arrangement")),
            children_count=v.get("children_count"), children_whereabouts=v.get("children_whereabouts") or "",
            self_care={item: self.term(ELDERLY, row, f"self_care_{item}", vocab.SELF_CARE_LEVELS,
                                       v.get(f"self_care_{item}")) or "" for item in vocab.SELF_CARE_ITEMS},
            chronic_illness=v.get("chronic_illness") or "",
            allowances=tuple(self.terms(ELDERLY, row, "allowances", vocab.ALLOWANCES, v.get("allowances"))),
            emergency_contact_name=v.get("emergency_contact_name") or "",
            emergency_contact_phone=str(v.get("emergency_contact_phone") or ""),
            care_arrangements=v.get("care_arrangements") or "", needs=v.get("needs") or "")
        errors, result = care.check_elderly(data, subject)
        self.field_problems(ELDERLY, row, errors)
        return CareRow(row, data, result)

    def child_row(self, row, v, subject) -> CareRow:
        data = care.ChildInput(
            category=self.term(CHILDREN, row, "category", vocab.CHILD_CATEGORIES, v.get("category")) or "",
            risk_tier=self.term(CHILDREN, row, "risk_tier", vocab.RISK_TIERS, v.get("risk_tier")) or "",
            guardian_name=v.get("guardian_name") or "", guardian_relation=v.get("guardian_relation") or "",
            guardian_phone=str(v.get("guardian_phone") or ""),
            entrusted_guardianship_confirmed=bool(v.get("entrusted_guardianship_confirmed")),
            father_situation=self.term(CHILDREN, row, "father_situation", vocab.PARENT_SITUATIONS,
                                       v.get("father_situation")),
            mother_situation=self.term(CHILDREN, row, "mother_situation", vocab.PARENT_SITUATIONS,
                                       v.get("mother_situation")),
            school=v.get("school") or "", grade=str(v.get("grade") or ""), boarding=bool(v.get("boarding")),
            dropped_out=bool(v.get("dropped_out")), health=v.get("health") or "",
            disability=v.get("disability") or "", living_allowance=v.get("living_allowance"),
            receives_dibao=bool(v.get("receives_dibao")),
            guardianship_quality=self.term(CHILDREN, row, "guardianship_quality", vocab.GUARDIANSHIP_QUALITY,
                                           v.get("guardianship_quality")))
        self.field_problems(CHILDREN, row, care.check_child(data, subject))
        return CareRow(row, data)
