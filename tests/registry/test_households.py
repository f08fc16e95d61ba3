"""Households and residents against PostGIS: grid from the point, scope, IDs."""
import pytest
from sqlalchemy import select

from grid.audit.models import AuditEntry
from grid.errors import FieldErrors
from grid.extensions import db
from grid.registry import services
from grid.registry.models import Household, HouseholdMove, Resident
from grid.places.services import import_boundaries
from tests.factories import (box, log_in, make_district, make_household, make_resident, make_user, sql_statements,
                             valid_id)
from tests.test_boundary_import import DISTRICT, collection, feature


@pytest.fixture
def units(ctx):
    return make_district()


@pytest.fixture
def community(units):
    return make_user("c", "community_staff", [units["A1"]])


def test_grid_comes_from_the_point(units, community):
    household = make_household(community, 120.115, 30.21)
    assert household.grid_id == units["A1b"].id


def test_a_point_on_a_shared_edge_goes_to_the_smaller_code(units, community):
    on_edge = make_household(community, 120.11, 30.21)
    assert on_edge.grid_id == units["A1a"].id  # T010101 < T010102


def test_grid_cannot_be_typed_by_hand(units, community):
    household = make_household(community, 120.105, 30.21)
    household.grid_id = units["B1a"].id
    db.session.commit()
    db.session.refresh(household)
    assert household.grid_id == units["A1a"].id


def test_point_outside_the_users_grids_is_refused(units):
    worker = make_user("w", "grid_worker", [units["A1a"]])
    with pytest.raises(FieldErrors) as caught:
        make_household(worker, 120.115, 30.21)
    assert "location" in caught.value.errors
    with pytest.raises(FieldErrors) as caught:
        make_household(worker, 121.5, 31.2)
    assert "location" in caught.value.errors


def test_moving_a_household_records_the_move(units, community):
    household = make_household(community, 120.105, 30.21)
    data = services.HouseholdInput(address="新址", lon=120.115, lat=30.21)
    services.update_household(household=household, version=household.version, data=data, by=community)
    move = db.session.scalar(select(HouseholdMove))
    assert (move.from_grid_id, move.to_grid_id, move.reason) == (units["A1a"].id, units["A1b"].id, "relocated")


def test_regridding_moves_households_and_the_report_counts_them(ctx):
    # The boundary import works on the same codes as the factory district.
    import_boundaries(data=collection(*DISTRICT), filename="v1.geojson")
    from grid.places.models import Unit

    g1 = db.session.scalar(select(Unit).where(Unit.code == "G1"))
    staff = make_user("c2", "community_staff", [g1.parent])
    west, east = make_household(staff, 120.1020, 30.21), make_household(staff, 120.1080, 30.21)
    assert west.grid.code == east.grid.code == "G1"
    moved = [feature("G1", "grid", "C1", box(120.10, 30.20, 120.105, 30.22)),
             feature("G2", "grid", "C1", box(120.105, 30.20, 120.12, 30.22))]
    report = import_boundaries(data=collection(*moved), filename="regrid.geojson")
    assert report.followups == {"households_moved": 1}
    db.session.expire_all()
    assert db.session.get(Household, east.id).grid.code == "G2"
    move = db.session.scalar(select(HouseholdMove).where(HouseholdMove.reason == "regrid"))
    assert move.household_id == east.id and move.boundary_import_id == report.import_id


def test_id_number_is_validated_normalised_and_sealed(units, community):
    household = make_household(community, 120.105, 30.21)
    number = valid_id("19450312", "123")
    spaced = " ".join([number[:6], number[6:14], number[14:]]).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    resident = make_resident(community, household, id_number=spaced, relation="head")
    assert resident.gender == "male" and str(resident.birth_date) == "1945-03-12"
    assert resident.id_number_masked == number[:6] + "********" + number[-4:]
    stored = db.session.execute(select(Resident.id_number_sealed)).scalar()
    assert number.encode() not in bytes(stored)  # sealed, not plain text
    with pytest.raises(FieldErrors) as caught:
        make_resident(community, household, id_number=number[:-1] + ("0" if number[-1] != "0" else "1"))
    assert "id_number" in caught.value.errors


def test_birth_date_must_agree_with_the_id(units, community):
    from datetime import date

    household = make_household(community, 120.105, 30.21)
    with pytest.raises(FieldErrors) as caught:
        make_resident(community, household, id_number=valid_id("19450312"), birth_date=date(1946, 3, 12))
    assert "birth_date" in caught.value.errors


def test_duplicate_id_says_where_when_visible_and_not_otherwise(units, community):
    number = valid_id("19800101", "456")
    here = make_household(community, 120.105, 30.21, address="朝晖路9号")
    make_resident(community, here, id_number=number)
    with pytest.raises(FieldErrors) as visible:
        make_resident(community, here, id_number=number)
    assert "朝晖路9号" in visible.value.errors["id_number"]
    other = make_user("c_b", "community_staff", [units["B1"]])
    there = make_household(other, 120.125, 30.21)
    with pytest.raises(FieldErrors) as hidden:
        make_resident(other, there, id_number=number)
    assert "朝晖路9号" not in hidden.value.errors["id_number"]


def test_only_one_head_per_household(units, community):
    household = make_household(community, 120.105, 30.21)
    make_resident(community, household, name="甲", relation="head")
    with pytest.raises(FieldErrors) as caught:
        make_resident(community, household, name="乙", relation="head")
    assert "relation" in caught.value.errors


def test_households_of_another_grid_are_404(client, units):
    staff = make_user("c", "community_staff", [units["A1"]])
    mine = make_user("w", "grid_worker", [units["A1a"]])
    ours = make_household(staff, 120.105, 30.21)
    theirs = make_household(staff, 120.115, 30.21)
    person = make_resident(staff, theirs, name="李四")
    log_in(client, "w")
    assert client.get(f"/households/{ours.id}").status_code == 200
    assert client.get(f"/households/{theirs.id}").status_code == 404
    assert client.get(f"/residents/{person.id}/edit").status_code == 404
    from tests.factories import csrf_from

    token = csrf_from(client.get("/households").get_data(as_text=True))
    assert client.post(f"/residents/{person.id}/reveal-id", headers={"X-CSRFToken": token}).status_code == 404
    listing = client.get("/households", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "测试路1号" in listing and listing.count('data-testid="household-row"') == 1
    assert mine


def test_auditors_and_handlers_have_no_registry(client, units):
    make_user("aud", "auditor")
    log_in(client, "aud")
    assert client.get("/households").status_code == 404


def test_revealing_an_id_number_is_audited(client, units):
    staff = make_user("c", "community_staff", [units["A1"]])
    household = make_household(staff, 120.105, 30.21)
    number = valid_id("19500101", "777")
    person = make_resident(staff, household, id_number=number)
    log_in(client, "c")
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert number not in page and person.id_number_masked in page
    from tests.factories import csrf_from

    revealed = client.post(f"/residents/{person.id}/reveal-id", headers={"HX-Request": "true",
                                                                            "X-CSRFToken": csrf_from(page)})
    assert number in revealed.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "resident.reveal_id"))
    assert entry.object_id == str(person.id) and entry.actor_name == "c"


def test_household_list_and_page_use_a_fixed_number_of_queries(client, units):
    staff = make_user("c", "community_staff", [units["A1"]])

    def statements(url):
        with sql_statements() as sent:
            assert client.get(url).status_code == 200
        return len(sent)

    log_in(client, "c")
    household = make_household(staff, 120.105, 30.21, address="第0户")
    for n in range(3):
        make_resident(staff, household, name=f"成员{n}")
    few_list, few_page = statements("/households"), statements(f"/households/{household.id}")
    for n in range(12):
        more = make_household(staff, 120.1 + 0.0005 * (n + 1), 30.205, address=f"第{n + 1}户")
        for m in range(3):
            make_resident(staff, more, name=f"人{n}-{m}")
    for n in range(10):
        make_resident(staff, household, name=f"新成员{n}")
    assert statements("/households") == few_list
    assert statements(f"/households/{household.id}") == few_page
    assert few_list <= 16 and few_page <= 16
