"""Controlled vocabularies of the registry. Records store the code; people see
the Chinese term (which is also what Excel ledgers use) or its English label."""
from dataclasses import dataclass

from grid.i18n import DEFAULT_LOCALE, select_locale


@dataclass(frozen=True)
class Term:
    code: str
    zh: str
    en: str


def terms(*rows: tuple[str, str, str]) -> dict[str, Term]:
    return {code: Term(code, zh, en) for code, zh, en in rows}


HOUSEHOLD_TAGS = terms(
    ("dibao", "低保户", "Minimum-income household"),
    ("tekun", "特困户", "Extremely poor household"),
    ("low_income", "低收入户", "Low-income household"),
    ("disabled_family", "残疾人家庭", "Family with a disabled member"),
    ("family_planning_special", "计生特殊家庭", "Family-planning special family"),
    ("entitled_groups", "优抚对象", "Entitled groups (veterans' families)"),
)
HOUSING_TYPES = terms(
    ("owned", "自有住房", "Owned"),
    ("rented", "租赁住房", "Rented"),
    ("public_rental", "公租房", "Public rental"),
    ("dormitory", "单位宿舍", "Dormitory"),
    ("other", "其他", "Other"),
)
RELATIONS = terms(
    ("head", "户主", "Head of household"),
    ("spouse", "配偶", "Spouse"),
    ("child", "子女", "Child"),
    ("parent", "父母", "Parent"),
    ("grandchild", "孙子女", "Grandchild"),
    ("sibling", "兄弟姐妹", "Sibling"),
    ("other", "其他", "Other"),
)
# Registered (户籍) versus actual residence.
HUKOU = terms(
    ("consistent", "人户一致", "Lives where registered"),
    ("registered_elsewhere", "人在户不在", "Lives here, registered elsewhere"),
    ("living_elsewhere", "户在人不在", "Registered here, lives elsewhere"),
)
GENDERS = terms(("male", "男", "Male"), ("female", "女", "Female"))
RESIDENT_TAGS = terms(
    ("party_member", "党员", "Party member"),
    ("veteran", "退役军人", "Veteran"),
    ("disabled", "残疾人", "Person with disability"),
    ("migrant", "流动人口", "Migrant"),
    ("volunteer", "志愿者", "Volunteer"),
)
ELDERLY_CATEGORIES = terms(
    ("living_alone", "独居", "Living alone"),
    ("empty_nest", "空巢", "Empty nest"),
    ("left_behind", "留守", "Left behind"),
    ("disabled", "失能", "Disabled (cannot care for self)"),
    ("semi_disabled", "半失能", "Partly disabled"),
    ("severe_disability", "重残", "Severe disability (grade 1–2)"),
    ("oldest_old", "高龄", "Aged 80+"),
    ("extreme_poverty", "特困", "Extremely poor"),
    ("lost_only_child", "失独", "Lost only child"),
)
LIVING_ARRANGEMENTS = terms(
    ("alone", "独居", "Alone"),
    ("with_spouse", "与配偶同住", "With spouse"),
    ("with_children", "与子女同住", "With children"),
    ("with_carer", "与护工同住", "With a carer"),
    ("institution", "养老机构", "In a care home"),
    ("other", "其他", "Other"),
)
ALLOWANCES = terms(
    ("dibao", "低保", "Minimum income (dibao)"),
    ("old_age", "高龄津贴", "Old-age allowance"),
    ("tekun_support", "特困供养", "Support for the extremely poor"),
    ("disability", "残疾人补贴", "Disability subsidy"),
    ("care", "护理补贴", "Care subsidy"),
)
SELF_CARE_ITEMS = terms(
    ("eating", "吃饭", "Eating"),
    ("dressing", "穿衣", "Dressing"),
    ("transfer", "上下床", "Getting in and out of bed"),
    ("toilet", "如厕", "Using the toilet"),
    ("walking", "室内走动", "Walking indoors"),
    ("bathing", "洗澡", "Bathing"),
)
SELF_CARE_LEVELS = terms(("able", "能", "Can"), ("needs_help", "需帮助", "Needs help"), ("unable", "不能", "Cannot"))
SELF_CARE_RESULTS = terms(
    ("independent", "自理", "Self-caring"),
    ("partially_dependent", "部分丧失", "Partly dependent"),
    ("fully_dependent", "完全丧失", "Fully dependent"),
)
RISK_TIERS = terms(("high", "高风险", "High risk"), ("key", "重点", "Key"), ("general", "一般", "General"))
CHILD_CATEGORIES = terms(
    ("orphan", "孤儿", "Orphan"),
    ("de_facto_unsupported", "事实无人抚养", "De facto unsupported"),
    ("left_behind", "留守儿童", "Left-behind child"),
    ("poverty", "困境-家庭贫困", "In difficulty: family poverty"),
    ("disability", "困境-自身残疾或重病", "In difficulty: own disability or illness"),
    ("guardianship", "困境-监护缺失或不当", "In difficulty: missing or poor guardianship"),
    ("prisoner_child", "服刑人员子女", "Child of a prisoner"),
    ("other", "其他", "Other"),
)
PARENT_SITUATIONS = terms(
    ("at_home", "在家", "At home"),
    ("working_away", "外出务工", "Working away"),
    ("imprisoned", "服刑", "In prison"),
    ("missing", "失联", "Missing"),
    ("severely_ill", "重病", "Severely ill"),
    ("disabled", "重残", "Severely disabled"),
    ("deceased", "死亡", "Deceased"),
    ("divorced_away", "离异不在身边", "Divorced, away"),
    ("other", "其他", "Other"),
)
GUARDIANSHIP_QUALITY = terms(("good", "好", "Good"), ("fair", "一般", "Fair"), ("poor", "差", "Poor"),
                             ("none", "无人监护", "No guardian"))
CLOSE_REASONS = terms(
    ("moved_away", "迁出", "Moved away"),
    ("aged_out", "年满18周岁", "Turned 18"),
    ("died", "死亡", "Died"),
    ("no_longer_eligible", "不再符合条件", "No longer eligible"),
    ("duplicate", "重复登记", "Duplicate"),
    ("other", "其他", "Other"),
)


def label(vocabulary: dict[str, Term], code: str | None) -> str:
    """The term in the current locale (Chinese unless the user chose English)."""
    if not code:
        return ""
    term = vocabulary.get(code)
    if term is None:
        return code
    return term.zh if select_locale() == DEFAULT_LOCALE else term.en


def code_for(vocabulary: dict[str, Term], text: str) -> str | None:
    """The code for a Chinese term, an English label or a code (Excel cells)."""
    text = (text or "").strip()
    for term in vocabulary.values():
        if text in (term.code, term.zh, term.en):
            return term.code
    return None
