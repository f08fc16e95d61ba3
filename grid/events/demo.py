"""Demo events: about sixty events of the last six weeks, made through the real
services (report_event and act) at back-dated moments in office hours, so that
as of now every state, every traffic light and every demo inbox has something
in it. The moment each event's running clock started is worked out from the
deadline policy and the working calendar, not guessed; the mix is checked
before anything is written and again afterwards."""
from __future__ import annotations

import bisect
import io
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from PIL import Image, ImageDraw
from sqlalchemy import select, text

from grid import workdays
from grid.accounts.models import Department, User
from grid.events import deadlines, services
from grid.events.models import Event, EventCategory
from grid.events.sweep import sweep_deadlines
from grid.events.workflow import OPEN_STATES
from grid.extensions import db

SEED = 2026
HISTORY_DAYS = 42
COMMUNITY = "330199001001"
# Candidate moments are a quarter of an office hour apart, 7 minutes into each
# quarter (never on the edge of a period); 28 make an office day.
STEP_HOURS = 0.25
OFFSET = timedelta(minutes=7)
PER_DAY = 28
# Overdue events are overdue by at most about two weeks of office time.
RED_WINDOW = 10 * PER_DAY
# Working time between two actions of an event, in candidate moments.
GAPS = (1, 2, 3, 4, 6, 8, 12, 20, 28, 40)
LIGHTS = ("red", "yellow", "green")
RANK = {light: n for n, light in enumerate(LIGHTS)}

# Who takes each action: the community (shequ), the street office (jiedao),
# the department the event went to, or the grid user who verifies.
C, S, D, V = "shequ", "jiedao", "department", "verifier"
# A grid's event goes up step by step; the street office sends what it takes
# in itself (a hotline complaint) straight on to a department.
TO_STREET = [(C, "sign"), (C, "escalate"), (S, "sign")]
TO_DEPARTMENT = TO_STREET + [(S, "dispatch"), (D, "sign")]
DISPATCHED = [(S, "dispatch"), (D, "sign")]
ROUTES = {
    "on_spot": [],
    # A grid's event waits for the community to sign; a community's or a street
    # office's own event is being handled there.
    "reported": [],
    "handling@community": [(C, "sign")],
    "returned@community": [(C, "sign"), (C, "escalate"), (S, "return")],
    "reopened@community": [(C, "sign"), (C, "report_result"), (V, "reopen")],
    "refused@community": [(C, "sign"), (C, "request_extension"), (S, "refuse_extension")],
    "extension@community": [(C, "sign"), (C, "request_extension")],
    "to_verify@community": [(C, "sign"), (C, "report_result")],
    "standing@community": [(C, "sign"), (C, "shelve")],
    "closed@community": [(C, "sign"), (C, "report_result"), (V, "verify_close")],
    "closed_reopened@community": [(C, "sign"), (C, "report_result"), (V, "reopen"), (C, "report_result"),
                                  (V, "verify_close")],
    "closed@own": [(C, "report_result"), (V, "verify_close")],
    "to_sign@street": [(C, "sign"), (C, "escalate")],
    "handling@street": TO_STREET,
    "standing@street": TO_STREET + [(S, "shelve")],
    "closed@street": TO_STREET + [(S, "report_result"), (V, "verify_close")],
    "to_sign@department": TO_STREET + [(S, "dispatch")],
    "handling@department": TO_DEPARTMENT,
    "extension@department": TO_DEPARTMENT + [(D, "request_extension")],
    "to_verify@department": TO_DEPARTMENT + [(D, "report_result")],
    "closed@department": TO_DEPARTMENT + [(D, "report_result"), (V, "verify_close")],
    "dispatched": [(S, "dispatch")],
    "dispatched_handling": DISPATCHED,
    "dispatched_extension": DISPATCHED + [(D, "request_extension")],
    "dispatched_extended": DISPATCHED + [(D, "request_extension"), (S, "approve_extension")],
    "dispatched_standing": DISPATCHED + [(D, "shelve")],
    "dispatched_closed": DISPATCHED + [(D, "report_result"), (V, "verify_close")],
    "dispatched_closed_extended": DISPATCHED + [(D, "request_extension"), (S, "approve_extension"),
                                                (D, "report_result"), (V, "verify_close")],
}
# The clock an action starts (a report by a grid starts signing; by a community
# or street office, handling).
STARTS = {"report": "sign", "report_own": "handle", "sign": "handle", "escalate": "sign", "dispatch": "sign",
          "return": "handle", "reopen": "handle", "report_result": "verify", "request_extension": "decide"}


@dataclass(frozen=True)
class Plan:
    reporter: str
    grid: str                       # the grid's number in the demo community
    category: str
    route: str
    light: str | None = None        # the light the running clock shows now (None: whatever it is)
    priority: str = "normal"
    source: str = "patrol"
    satisfaction: str = ""
    supervise: bool = False
    department: str = "CG"


W1, W2, GL = "wanggeyuan", "wanggeyuan2", "wanggezhang"
PLANS = [
    # Closed on the spot by the grid worker, with a photo.
    Plan(W1, "001", "sanitation_rubbish", "on_spot"),
    Plan(W1, "001", "fire_escape", "on_spot"),
    Plan(W2, "002", "fire_ebike", "on_spot"),
    Plan(W2, "003", "sanitation_rubbish", "on_spot"),
    Plan(GL, "002", "other", "on_spot"),
    Plan(W1, "001", "fire_escape", "on_spot"),
    Plan(W2, "003", "other", "on_spot"),
    Plan(GL, "001", "sanitation_rubbish", "on_spot"),
    Plan(W1, "001", "fire_ebike", "on_spot"),
    Plan(W2, "003", "sanitation_rubbish", "on_spot", source="resident"),
    # Closed after verification, with the resident's satisfaction.
    Plan(W1, "001", "sanitation_rubbish", "closed@community", satisfaction="satisfied"),
    Plan(W2, "002", "fire_escape", "closed@community", satisfaction="satisfied"),
    Plan(W1, "001", "safety_gas", "closed@community", priority="urgent", satisfaction="satisfied"),
    Plan(W2, "003", "welfare_consult", "closed@community", source="resident", satisfaction="basic"),
    Plan(W1, "001", "welfare_complaint", "closed@community", source="hotline", satisfaction="dissatisfied"),
    Plan(W2, "002", "other", "closed@community", satisfaction="unreached"),
    Plan(W2, "002", "fire_escape", "closed_reopened@community", satisfaction="satisfied"),
    Plan(C, "003", "welfare_consult", "closed@own", source="resident", satisfaction="satisfied"),
    Plan(W1, "001", "safety_building", "closed@street", satisfaction="satisfied"),
    Plan(W2, "003", "construction", "closed@department", satisfaction="dissatisfied"),
    Plan(S, "002", "sanitation_sewage", "dispatched_closed", source="hotline", satisfaction="satisfied"),
    Plan(S, "001", "construction", "dispatched_closed_extended", source="hotline", satisfaction="basic"),
    # Waiting for the community to sign.
    Plan(W1, "001", "sanitation_rubbish", "reported", "green"),
    Plan(W2, "002", "fire_escape", "reported", "green", priority="urgent"),
    Plan(W2, "003", "safety_building", "reported", "yellow"),
    Plan(GL, "002", "sanitation_sewage", "reported", "red"),
    Plan(W1, "001", "welfare_consult", "reported", "red", source="resident"),
    Plan(GL, "001", "other", "reported", "green"),
    # Being handled by the community.
    Plan(W1, "001", "fire_ebike", "handling@community", "green"),
    Plan(W2, "003", "sanitation_rubbish", "handling@community", "yellow", supervise=True),
    Plan(W2, "002", "safety_gas", "handling@community", "red", priority="urgent", supervise=True),
    Plan(W1, "001", "welfare_complaint", "handling@community", "green", source="hotline"),
    Plan(W1, "001", "fire_escape", "handling@community", "red"),
    Plan(W2, "002", "sanitation_rubbish", "returned@community", "yellow"),
    Plan(W1, "001", "sanitation_sewage", "reopened@community", "green"),
    Plan(C, "005", "welfare_consult", "reported", "green", source="resident"),
    Plan(C, "006", "safety_building", "reported", "red"),
    Plan(W2, "003", "safety_building", "refused@community"),
    # At the street office.
    Plan(W1, "001", "construction", "to_sign@street", "green"),
    Plan(W2, "002", "safety_building", "to_sign@street", "red"),
    Plan(W2, "003", "sanitation_sewage", "handling@street", "yellow"),
    Plan(W1, "001", "safety_building", "handling@street", "red"),
    Plan(S, "004", "order", "reported", "green", source="hotline"),
    # At a department: passed up from a grid, or sent on by the street office.
    Plan(W1, "001", "sanitation_sewage", "to_sign@department", "yellow"),
    Plan(S, "005", "construction", "dispatched", "green", source="hotline"),
    Plan(S, "007", "order", "dispatched", "green", source="hotline", department="PCS"),
    Plan(W1, "001", "construction", "handling@department", "green"),
    Plan(S, "006", "construction", "dispatched_handling", "yellow", source="hotline"),
    Plan(S, "004", "fire_ebike", "dispatched_handling", "red", source="hotline", supervise=True),
    # Extensions: waiting for the street office's decision, and one granted.
    Plan(W1, "001", "construction", "extension@department", "red"),
    Plan(S, "007", "construction", "dispatched_extension", "green", source="hotline"),
    Plan(W2, "003", "welfare_complaint", "extension@community", "yellow", source="hotline"),
    Plan(S, "006", "sanitation_sewage", "dispatched_extended", source="hotline"),
    # Fixed, waiting for the grid worker to verify on site.
    Plan(W1, "001", "sanitation_rubbish", "to_verify@community", "green"),
    Plan(W1, "001", "fire_escape", "to_verify@community", "yellow"),
    Plan(W1, "001", "construction", "to_verify@department", "red"),
    Plan(W2, "002", "fire_escape", "to_verify@community", "green"),
    # The standing list (挂账).
    Plan(W2, "003", "safety_building", "standing@community"),
    Plan(W1, "001", "sanitation_sewage", "standing@community", supervise=True),
    Plan(W2, "002", "construction", "standing@street"),
    Plan(S, "005", "construction", "dispatched_standing", source="hotline"),
]

DESCRIPTIONS = {
    "fire_escape": ["3单元楼道堆放纸箱杂物，堵塞消防通道", "小区消防车通道被私家车长期占用",
                    "地下车库消防通道堆放废旧家具", "楼梯间停放多辆自行车，影响疏散"],
    "fire_ebike": ["居民从五楼拉电线给电动车充电（飞线充电）", "电动车推进楼道内充电", "车棚充电桩损坏，居民改为入户充电"],
    "safety_gas": ["沿街餐饮店燃气软管老化开裂，有异味", "老旧小区户外燃气管道锈蚀严重", "居民反映楼道内有燃气味"],
    "safety_building": ["老楼外墙瓷砖松动脱落，存在高空坠物隐患", "阳台雨棚支架锈蚀，有坠落风险", "小区围墙出现裂缝并向外倾斜"],
    "sanitation_rubbish": ["垃圾分类点垃圾满溢，未及时清运", "绿化带内有人倾倒装修垃圾", "小区门口堆放旧沙发、床垫等大件垃圾",
                           "垃圾桶破损，周边异味明显"],
    "sanitation_sewage": ["小区雨污井冒水，污水漫到路面", "沿街餐饮店油污直排雨水井", "化粪池满溢，污水外流"],
    "construction": ["顶楼住户私自搭建阳光房", "底商私自扩建雨棚占用人行道", "小区绿地内违规搭建板房",
                     "一楼住户破墙开门改作商铺"],
    "order": ["夜间烧烤摊噪音扰民", "小区内有陌生人上门推销可疑保健品", "群租房人员进出频繁，存在安全隐患"],
    "welfare_consult": ["独居老人咨询高龄津贴申领手续", "居民咨询居住证办理所需材料", "残疾人家属咨询护理补贴政策"],
    "welfare_complaint": ["居民投诉物业长期不处理电梯故障", "投诉楼下餐饮店油烟扰民", "投诉小区停车收费不合理"],
    "other": ["路灯不亮，夜间出行不便", "人行道井盖缺失，存在安全隐患", "小区健身器材损坏"],
}
RESULTS = {
    "fire_escape": "已督促住户清理杂物，通道恢复畅通",
    "fire_ebike": "已拆除飞线，劝导居民到集中充电点充电",
    "safety_gas": "已联系燃气公司更换软管，检测无泄漏",
    "safety_building": "已设置警示围挡，并联系物业拆除松动部分",
    "sanitation_rubbish": "已联系环卫清运，现场清理干净",
    "sanitation_sewage": "已联系排水公司疏通管道，路面已冲洗",
    "construction": "已下达整改通知书，违建部分已拆除",
    "order": "已联系派出所处置，现场秩序恢复",
    "welfare_consult": "已上门说明办理流程，并协助准备材料",
    "welfare_complaint": "已约谈物业，问题已整改并回访居民",
    "other": "已报修，现已修复",
}
NOTES = {
    "escalate": ["超出社区处置能力，需街道协调", "涉及多个产权单位，请街道统筹处理"],
    "dispatch": ["请依法处置并反馈结果", "属部门职责，请尽快处置"],
    "return": ["属社区自治事项，请社区自行处置"],
    "request_extension": ["需等待产权单位出具意见，申请延期", "施工队排期较满，申请延期处理"],
    "approve_extension": ["同意延期，请按新期限完成"],
    "refuse_extension": ["问题影响居民出行，请按原期限完成"],
    "shelve": ["涉及历史遗留产权问题，暂无法解决，纳入挂账管理", "需纳入明年老旧小区改造计划统一解决"],
    "reopen": ["现场核查仍未整改到位，请继续处理"],
    "supervise": ["请于本周内处置到位并反馈", "居民多次反映，请加快处理"],
}
DISSATISFIED = "居民认为处理不彻底，问题仍有反复"
NAMES = ["李建国", "陈秀英", "赵明", "黄丽华", "周海燕", "吴志强", "郑桂兰"]


def seed_events(now: datetime | None = None, *, seed: int = SEED) -> int:
    """Add the demo events unless there are events already (commits); returns how many.
    `now` (timezone-aware; default the real time) is the moment the lights are
    aimed at. Raises RuntimeError when green, yellow or red would show fewer
    than twice: checked on the plan before anything is written, and again on
    the events written."""
    if db.session.scalar(select(Event.id).limit(1)) is not None:
        return 0
    now = now or datetime.now(timezone.utc)
    rng = random.Random(seed)
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_([W1, W2, GL, C, S])))}
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    handler = db.session.scalar(select(User).where(User.username == "chengguan"))
    categories = {c.code: c for c in db.session.scalars(select(EventCategory).where(EventCategory.is_active))}
    missing = {p.category for p in PLANS} - set(categories)
    if missing:
        raise RuntimeError(f"demo events: no active categories {sorted(missing)}")
    moments = office_moments(now)
    clocks = Clocks(moments, now)
    timed = [schedule(plan, categories[plan.category], clocks, rng) for plan in PLANS]
    check_lights([light for light in (t[1] for t in timed) if light is not None], "planned")
    places = points([plan.grid for plan in PLANS], seed)
    # Reported in time order, so each day's event numbers run with the clock.
    order = sorted(range(len(PLANS)), key=lambda n: timed[n][0][0])
    # Every service call commits; nobody else writes meanwhile, so the loaded
    # users, units and categories need not be read again after each commit.
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        for n in order:
            plan, (indexes, _), (lon, lat, address) = PLANS[n], timed[n], places[n]
            at = [moments[i] for i in indexes]
            create(plan, at, lon, lat, address, rng, users=users, handler=handler, departments=departments,
                   category=categories[plan.category])
        sweep_deadlines(now=now)
    finally:
        session.expire_on_commit = expire
    check_lights([deadlines.light(e.due_at, e.yellow_at, now) for e in db.session.scalars(
        select(Event).where(Event.state.in_(OPEN_STATES), Event.due_at.is_not(None)))], "seeded")
    return len(PLANS)


# --- when -------------------------------------------------------------------

def office_moments(now: datetime) -> list[datetime]:
    """Moments in office hours on working days over the last HISTORY_DAYS, up to now."""
    first = (now - timedelta(days=HISTORY_DAYS)).astimezone(workdays.SHANGHAI).date()
    moment = workdays.add_working_hours(datetime.combine(first, time(0), workdays.SHANGHAI), 0) + OFFSET
    moments = []
    while moment <= now:
        moments.append(moment)
        moment = workdays.add_working_hours(moment, STEP_HOURS)
    if len(moments) < 4 * PER_DAY:
        raise RuntimeError("demo events: too few working days in the last weeks")
    return moments


class Clocks:
    """The light a clock started at each candidate moment shows now. Lights only
    get worse the earlier a clock started, so each light is one run of moments."""

    def __init__(self, moments: list[datetime], now: datetime):
        self.moments, self.now, self.memo, self.limits = moments, now, {}, {}

    def limit(self, priority: str, category: EventCategory, step: str) -> tuple[int, str] | None:
        key = (priority, category.id, step)
        if key not in self.limits:
            self.limits[key] = deadlines.policy_limit(priority, category, step)
        return self.limits[key]

    def light(self, limit: tuple[int, str], i: int) -> str:
        key = (limit, i)
        if key not in self.memo:
            clock = deadlines.clock(self.moments[i], *limit)
            self.memo[key] = deadlines.light(clock.due_at, clock.yellow_at, self.now)
        return self.memo[key]

    def run(self, limit: tuple[int, str], light: str) -> tuple[int, int]:
        """[lo, hi): the moments whose clock shows `light` now (lo == hi: none; then
        lo is where it would be)."""
        indexes = range(len(self.moments))
        key = lambda i: RANK[self.light(limit, i)]  # noqa: E731
        return (bisect.bisect_left(indexes, RANK[light], key=key),
                bisect.bisect_right(indexes, RANK[light], key=key))


def schedule(plan: Plan, category: EventCategory, clocks: Clocks, rng: random.Random) -> tuple[list[int], str | None]:
    """The candidate moments of the report and each action (ascending), and the
    light the running clock will show now (None: no clock or not aimed at)."""
    route = ROUTES[plan.route]
    last = len(clocks.moments) - 1
    count = len(route) + 1
    step = final_step(plan, route)
    limit = clocks.limit(plan.priority, category, step) if plan.light and step else None
    if limit is None:
        # Not aimed at a light: spread over the weeks, the last action some time ago.
        gaps = [rng.choice(GAPS) for _ in route]
        span = sum(gaps)
        if span > last:
            gaps, span = [1] * len(route), len(route)
        start = rng.randrange(0, last - span + 1)
        indexes = [start]
        for gap in gaps:
            indexes.append(indexes[-1] + gap)
        light = None
    else:
        lo, hi = clocks.run(limit, plan.light)
        lo = max(lo, count - 1)
        if plan.light == "red":
            lo = max(lo, hi - RED_WINDOW)
        # None showing that light now: the nearest moment (next to the boundary).
        final = rng.randrange(lo, hi) if lo < hi else min(max(lo, count - 1), last)
        indexes = backwards(final, count - 1, rng) + [final]
        light = clocks.light(limit, final)
    if plan.supervise and indexes[-1] < last:
        indexes.append(rng.randrange(indexes[-1] + 1, last + 1))
    return indexes, light


def final_step(plan: Plan, route: list) -> str | None:
    if not route:
        return STARTS["report" if plan.reporter in (W1, W2, GL) else "report_own"]
    return STARTS.get(route[-1][1])


def backwards(final: int, count: int, rng: random.Random) -> list[int]:
    """`count` ascending moments before `final`, a random working time apart."""
    out, index = [], final
    for left in range(count, 0, -1):
        index = max(index - rng.choice(GAPS), left - 1)
        out.append(index)
    return out[::-1]


def check_lights(lights: list[str], stage: str) -> None:
    counts = {light: lights.count(light) for light in LIGHTS}
    if min(counts.values()) < 2:
        raise RuntimeError(f"demo events: the {stage} lights are {counts}; each should show at least twice")


# --- where ------------------------------------------------------------------

def points(grids: list[str], seed: int) -> list[tuple[float, float, str]]:
    """A random point in each grid (PostGIS, seeded) and the address of the
    nearest household there without its room number (the problem is at the
    building, not at that door), else "<grid name>附近"; in the order of `grids`."""
    wanted = {code: grids.count(code) for code in grids}
    rows = db.session.execute(text("""
        WITH p AS (SELECT u.id, u.name, u.code, d.path[1] AS n, d.geom
                     FROM unnest(CAST(:codes AS text[]), CAST(:counts AS int[])) AS w(code, n)
                     JOIN unit u ON u.code = w.code AND u.level = 'grid',
                          ST_Dump(ST_GeneratePoints(u.boundary, w.n + 5, :seed + CAST(right(u.code, 3) AS int))) d)
        SELECT p.code, ST_X(p.geom), ST_Y(p.geom), coalesce(regexp_replace(h.address, '[0-9]+室$', ''), p.name || '附近')
          FROM p LEFT JOIN LATERAL (SELECT address FROM household WHERE grid_id = p.id
                                     ORDER BY location <-> p.geom LIMIT 1) h ON true
         WHERE grid_for_point(p.geom) = p.id
         ORDER BY p.code, p.n"""), {"codes": [COMMUNITY + c for c in wanted], "counts": list(wanted.values()),
                                    "seed": seed}).all()
    found: dict[str, list] = {}
    for code, lon, lat, address in rows:
        found.setdefault(code[len(COMMUNITY):], []).append((lon, lat, address))
    short = [c for c, n in wanted.items() if len(found.get(c, [])) < n]
    if short:
        raise RuntimeError(f"demo events: no room for points in grids {short}")
    return [found[code].pop(0) for code in grids]


# --- what -------------------------------------------------------------------

def create(plan: Plan, at: list[datetime], lon: float, lat: float, address: str, rng: random.Random, *,
           users: dict, handler: User, departments: dict, category: EventCategory) -> Event:
    reporter = users[plan.reporter]
    requester = plan.source in ("resident", "hotline")
    on_spot = plan.route == "on_spot"
    data = services.EventInput(
        uuid=str(uuid.uuid4()), category_id=category.id, source=plan.source, priority=plan.priority,
        description=rng.choice(DESCRIPTIONS.get(plan.category, DESCRIPTIONS["other"])), address=address,
        lat=lat, lon=lon, requester_name=rng.choice(NAMES) if requester else "",
        requester_phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}" if requester else "",
        on_spot=on_spot, resolution=RESULTS.get(plan.category, RESULTS["other"]) if on_spot else "",
        photos=[photo(rng)] if on_spot or rng.random() < 0.5 else [])
    event, _ = services.report_event(data=data, by=reporter, now=at[0])
    steps = list(ROUTES[plan.route]) + ([(S, "supervise")] if len(at) > len(ROUTES[plan.route]) + 1 else [])
    verifier = reporter if plan.reporter in (W1, W2, GL) else next(
        (u for u in (users[W1], users[W2]) if event.grid_id in {g.id for g in u.scope_units}), None)
    actors = {C: users[C], S: users[S], D: handler, V: verifier}
    for (who, action), moment in zip(steps, at[1:]):
        services.act(event=event, by=actors[who], now=moment, data=action_input(
            action, event, plan, rng, department=departments[plan.department]))
    return event


def action_input(action: str, event: Event, plan: Plan, rng: random.Random, *, department) -> services.ActionInput:
    data = services.ActionInput(action=action, version=event.version)
    if action in NOTES:
        data.note = rng.choice(NOTES[action])
    if action == "dispatch":
        data.department_id = department.id
    elif action == "return":
        data.reason = "misrouted"
    elif action == "request_extension":
        data.days = rng.choice((3, 5, 10))
    elif action == "report_result":
        data.note, data.photos = RESULTS.get(plan.category, RESULTS["other"]), [photo(rng)]
    elif action == "verify_close":
        data.satisfaction = plan.satisfaction or "satisfied"
        data.note = DISSATISFIED if data.satisfaction == "dissatisfied" else ""
    return data


def photo(rng: random.Random) -> bytes:
    """A small JPEG: a coloured rectangle on a coloured ground."""
    image = Image.new("RGB", (96, 72), tuple(rng.randrange(120, 230) for _ in range(3)))
    ImageDraw.Draw(image).rectangle((20, 16, 76, 56), fill=tuple(rng.randrange(20, 160) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()
