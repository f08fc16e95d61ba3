"""Registering a dispute through the real app: the phone form, party rows and
registry search, visit problems, idempotency, CSRF, and disputes on the task list."""
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from grid.accounts.models import Department
from grid.disputes import services, tasks
from grid.disputes.models import Dispute, DisputeParty
from grid.extensions import db
from grid.registry.rules import mask_id_number
from grid.visits import services as visit_services
from grid.visits.models import VisitProblem
from tests.disputes.conftest import IN_A1A, IN_B1A, act, add_agreement, register
from tests.factories import csrf_from, log_in, make_household, make_resident, make_user, valid_id

TYPED_ID = valid_id("19750505", "235")


@pytest.fixture
def residents(world):
    """李梅 in grid A1a (the worker's), 李梅花 in grid B1a (another community)."""
    home = make_household(world.community, *IN_A1A, address="朝晖路8号")
    other = make_household(world.community_b, *IN_B1A, address="潮王路99号")
    return {"mine": make_resident(world.community, home, name="李梅", id_number=valid_id("19800101", "124")),
            "other": make_resident(world.community_b, other, name="李梅花", id_number=valid_id("19820202", "246"))}


def client_of(app, username):
    client = app.test_client()
    log_in(client, username)
    return client


def open_form(client, url="/disputes/new"):
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return html, {"csrf_token": csrf_from(html), "uuid": re.search(r'name="uuid" value="([^"]+)"', html).group(1)}


def form(world, hidden, **changes):
    data = {**hidden, "type": "neighbour", "source": "request", "level": "ordinary",
            "lon": str(IN_A1A[0]), "lat": str(IN_A1A[1]), "address": "", "people_involved": "2",
            "facts": "楼上漏水损坏楼下吊顶", "claims": "楼下要求赔偿维修费3000元",
            "party-0-role": "applicant", "party-0-name": "李梅", "party-0-phone": "13812345678",
            "party-1-role": "respondent", "party-1-name": "王强",
            "party-2-role": "respondent",   # a row added and left empty: skipped
            "stability_owner_id": str(world.worker.id), "mediator_ids": [str(world.community.id)]}
    data.update(changes)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_form_offers_the_workers_area_and_is_hidden_from_other_roles(world, app):
    html, _hidden = open_form(client_of(app, "w"))
    assert 'name="party-0-role"' in html and 'name="party-1-role"' in html and 'name="party-2-role"' not in html
    # The worker keeps it stable by default; mediators come from the grid, community and street office.
    assert re.search(rf'<option value="{world.worker.id}" selected>', html)
    for person in (world.worker, world.leader, world.community, world.committee, world.street):
        assert f'name="mediator_ids" value="{person.id}"' in html
    for stranger in (world.worker_b, world.community_b, world.street_b, world.director):
        assert f'name="mediator_ids" value="{stranger.id}"' not in html
    # Street staff mediate but are not offered as the responsible person.
    owners = html[html.index('id="stability_owner_id"'):html.index("</select>", html.index('id="stability_owner_id"'))]
    assert f'value="{world.community.id}"' in owners and f'value="{world.street.id}"' not in owners
    # Without a fix the worker's only grid stands in.
    assert world.units["A1a"].name in html and world.units["A1b"].name not in html
    handler = make_user("dh", "department_handler", department=Department(code="TD1", name="城管"))
    assert handler.id
    for username in ("cd", "dh"):
        assert client_of(app, username).get("/disputes/new").status_code == 404


def test_registering_saves_the_case_with_a_linked_and_a_typed_party(world, app, residents):
    client = client_of(app, "w")
    _html, hidden = open_form(client)
    resident = residents["mine"]
    response = client.post("/disputes/new", data=form(
        world, hidden, **{"party-0-name": "", "party-0-phone": "", "party-0-resident_id": str(resident.id),
                          "party-1-id_number": TYPED_ID}))
    assert response.status_code == 302
    dispute = db.session.scalar(select(Dispute))
    assert response.headers["Location"].endswith(f"/disputes/{dispute.id}")
    assert (dispute.grid_id, dispute.stability_owner_id, [m.id for m in dispute.mediators]) == (
        world.units["A1a"].id, world.worker.id, [world.community.id])
    linked, typed = db.session.scalars(select(DisputeParty).order_by(DisputeParty.position)).all()
    # The linked party reads the registry: no copy of the number.
    assert (linked.role, linked.resident_id, linked.name) == ("applicant", resident.id, "李梅")
    assert linked.id_number_sealed is None and linked.id_number_masked == resident.id_number_masked
    assert (typed.role, typed.name, typed.id_number_masked) == ("respondent", "王强", mask_id_number(TYPED_ID))
    assert TYPED_ID.encode() not in typed.id_number_sealed and TYPED_ID[6:14].encode() not in typed.id_number_sealed
    assert services.party_id_number(typed) == TYPED_ID and typed.gender == "male"


def test_a_bad_id_number_names_its_row_and_saves_nothing(world, app):
    client = client_of(app, "w")
    _html, hidden = open_form(client)
    # Row 1 left empty, the bad number typed in row 2: the error sits on row 2.
    response = client.post("/disputes/new", data=form(world, hidden, **{
        "party-1-name": "", "party-1-role": "respondent", "party-2-name": "王强", "party-2-id_number": "330106197505052350"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="party-2-id_number-error"' in html and 'id="party-1-id_number-error"' not in html
    assert 'value="王强"' in html and 'value="330106197505052350"' in html   # what was typed stays
    assert count(Dispute) == 0 and count(DisputeParty) == 0


def test_a_point_outside_the_workers_grids_is_refused_on_location(world, app):
    client = client_of(app, "w")
    _html, hidden = open_form(client)
    response = client.post("/disputes/new", data=form(world, hidden, lon=str(IN_B1A[0]), lat=str(IN_B1A[1])))
    assert response.status_code == 422 and 'id="location-error"' in response.get_data(as_text=True)
    assert count(Dispute) == 0


def test_junk_numbers_are_field_errors_not_crashes(world, app):
    client = client_of(app, "w")
    _html, hidden = open_form(client)
    # No usable fix, but the grid chosen: the people are checked against it.
    response = client.post("/disputes/new", data=form(world, hidden, people_involved="两个", lon="东经", lat="",
                                                      grid_id=str(world.units["A1a"].id),
                                                      stability_owner_id="99999999999999", mediator_ids=["abc"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("people_involved", "stability_owner_id", "mediator_ids"):
        assert f'id="{field}-error"' in html
    assert 'id="location-error"' not in html
    nowhere = client.post("/disputes/new", data=form(world, hidden, lon="nan", lat="30.21", grid_id="x"))
    assert nowhere.status_code == 422 and 'id="location-error"' in nowhere.get_data(as_text=True)
    assert count(Dispute) == 0


def test_resubmitting_the_same_form_saves_one_case(world, app):
    client = client_of(app, "w")
    _html, hidden = open_form(client)
    first = client.post("/disputes/new", data=form(world, hidden))
    again = client.post("/disputes/new", data=form(world, hidden))
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"] and count(Dispute) == 1
    # The same id with other content is a conflict; the page offers a fresh id.
    changed = client.post("/disputes/new", data=form(world, hidden, facts="另一件事"))
    html = changed.get_data(as_text=True)
    assert changed.status_code == 409 and f'value="{hidden["uuid"]}"' not in html and count(Dispute) == 1


def test_posting_without_the_csrf_token_is_refused(world, app):
    client = client_of(app, "w")
    _html, hidden = open_form(client)
    response = client.post("/disputes/new", data=form(world, {"uuid": hidden["uuid"]}))
    assert response.status_code == 400 and count(Dispute) == 0


def test_resident_search_stays_in_scope_and_masks_the_id(world, app, residents):
    client = client_of(app, "w")
    html = client.get("/disputes/new/residents", query_string={"q": "李梅", "n": 0}).get_data(as_text=True)
    mine, other = residents["mine"], residents["other"]
    assert "李梅" in html and "朝晖路8号" in html and mine.id_number_masked in html
    assert "李梅花" not in html and "潮王路" not in html
    for resident, born in ((mine, "19800101"), (other, "19820202")):
        assert born not in html
    assert "resident-match" not in client.get("/disputes/new/residents", query_string={"q": "李", "n": 0}).get_data(as_text=True)
    # Another community's staff find only their own resident.
    theirs = client_of(app, "cb").get("/disputes/new/residents", query_string={"q": "李梅", "n": 1}).get_data(as_text=True)
    assert "李梅花" in theirs and "朝晖路8号" not in theirs
    # Linking a row: the hidden id for one in scope, 404 for anyone else's.
    link = client.get("/disputes/new/party/link", query_string={"n": 0, "resident": mine.id})
    assert f'name="party-0-resident_id" value="{mine.id}"' in link.get_data(as_text=True)
    assert client.get("/disputes/new/party/link", query_string={"n": 0, "resident": other.id}).status_code == 404


def test_add_a_party_fetches_the_next_row(world, app):
    client = client_of(app, "w")
    html = client.get("/disputes/new/party", query_string={"n": 2}).get_data(as_text=True)
    assert 'name="party-2-name"' in html and 'hx-swap-oob="true"' in html and "n=3" in html
    assert client.get("/disputes/new/party", query_string={"n": 20}).status_code == 404


def visit_with_problem(world) -> VisitProblem:
    household = make_household(world.community, *IN_A1A, address="朝晖路8号")
    visit, _created = visit_services.log_visit(household=household, by=world.worker, data=visit_services.VisitInput(
        uuid=str(uuid.uuid4()), location_status="fix", lon=IN_A1A[0], lat=IN_A1A[1], accuracy_m=10.0,
        problems=[{"subject": "needs", "description": "邻居因噪音多次争吵", "urgent": False}]))
    return visit.problems[0]


def selected_source(html: str) -> list[str]:
    select_html = html[html.index('<select id="source"'):html.index("</select>", html.index('<select id="source"'))]
    return re.findall(r'<option value="([a-z_]+)" selected>', select_html)


def test_the_link_from_screening_prefills_the_source(world, app):
    client = client_of(app, "w")
    html, _hidden = open_form(client, "/disputes/new?source=screening")
    assert selected_source(html) == ["screening"]
    assert selected_source(open_form(client, "/disputes/new?source=referral")[0]) == ["referral"]
    # Without a source, or with one the form does not offer, a resident's request.
    assert selected_source(open_form(client)[0]) == ["request"]
    for junk in ("visit", "nonsense"):
        assert selected_source(open_form(client, f"/disputes/new?source={junk}")[0]) == ["request"]


def test_a_visit_problem_prefills_the_form_and_is_marked(world, app):
    problem = visit_with_problem(world)
    client = client_of(app, "w")
    visit_page = client.get(f"/visits/{problem.visit_id}").get_data(as_text=True)
    assert f"/disputes/new?problem={problem.id}" in visit_page
    html, hidden = open_form(client, f"/disputes/new?problem={problem.id}")
    assert "邻居因噪音多次争吵</textarea>" in html and f'name="problem" value="{problem.id}"' in html
    assert 'value="朝晖路8号"' in html
    data = form(world, hidden, problem=str(problem.id), facts="邻居因噪音多次争吵", address="朝晖路8号")
    assert client.post(f"/disputes/new?problem={problem.id}", data=data).status_code == 302
    dispute = db.session.scalar(select(Dispute))
    db.session.refresh(problem)
    assert (dispute.source, dispute.visit_problem_id, problem.status) == ("visit", problem.id, "dispute")
    visit_page = client.get(f"/visits/{problem.visit_id}").get_data(as_text=True)
    assert dispute.number in visit_page and f"/disputes/new?problem={problem.id}" not in visit_page
    # Another grid's worker cannot open the problem.
    assert client_of(app, "wb").get(f"/disputes/new?problem={problem.id}").status_code == 404


def test_a_due_follow_up_is_on_its_responsible_persons_task_list_only(world, app):
    now = services.now_utc()
    dispute = register(world, when=now)
    act(dispute, world.community, "accept", now)
    add_agreement(dispute, world.community, now, deadline=services.today(now) + timedelta(days=2))
    act(dispute, world.community, "record_outcome", now, outcome="agreement")
    act(dispute, world.committee, "approve", now)
    assert dispute.state == "follow_up" and dispute.stability_owner_id == world.worker.id
    mine = client_of(app, "w").get("/tasks").get_data(as_text=True)
    assert 'data-testid="dispute-tasks"' in mine and dispute.number in mine
    assert f"/disputes/{dispute.id}" in mine and 'data-testid="register-dispute"' in mine
    other = client_of(app, "wb").get("/tasks").get_data(as_text=True)
    assert dispute.number not in other and 'data-testid="dispute-tasks"' not in other


def test_the_task_list_shows_the_boards_light_with_the_steps_unit(world, app):
    waiting = register(world, when=services.now_utc())     # the community accepts it, in working days
    client = client_of(app, "c")
    with client.session_transaction() as session:
        session["locale"] = "en"
    html = client.get("/tasks").get_data(as_text=True)
    start = html.index('data-testid="dispute-tasks"')
    section = html[start:html.index("</section>", start)]
    assert waiting.number in section
    assert re.search(r'data-light="green".*?On time.*?\d+ working days left', section, re.S)


def test_task_rows_put_red_first_and_show_cases_to_accept_to_their_community(world):
    now = services.now_utc()
    follow = register(world, when=now)
    act(follow, world.community, "accept", now)
    add_agreement(follow, world.community, now, deadline=services.today(now) + timedelta(days=2))
    act(follow, world.community, "record_outcome", now, outcome="agreement")
    act(follow, world.committee, "approve", now)
    later = now + timedelta(days=10)          # the follow-up is overdue by then
    waiting = register(world, when=later)     # registered by the worker: the community accepts it
    rows = tasks.for_user(world.community, later + timedelta(minutes=1))
    assert [(t.dispute.id, t.reason, t.light) for t in rows] == [
        (follow.id, "mediator", "red"), (waiting.id, "accept", "green")]
    assert rows[0].days_left < 0
    assert tasks.for_user(world.community_b, later) == [] and tasks.for_user(world.worker_b, later) == []
    assert [t.dispute.id for t in tasks.for_user(world.worker, later)] == [follow.id]
