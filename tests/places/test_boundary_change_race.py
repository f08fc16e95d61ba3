"""Two tabs apply the same boundary change at the same moment, on a database
where requests really commit: one applies it, the other gets a conflict."""
import threading

import pytest
from sqlalchemy import func, select

from grid.extensions import db
from grid.places import proposals
from grid.places.models import BoundaryImport, BoundaryProposal
from grid.registry.models import HouseholdMove
from tests.conftest import database_url, make_migrated_app
from tests.factories import csrf_from, log_in, make_district, make_household, make_user
from tests.places.conftest import IN_STRIP, moved_edge


@pytest.fixture(scope="module")
def committed_app():
    app = make_migrated_app(database_url("_boundary_race"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.own_database
def test_two_tabs_applying_at_once_apply_it_once(committed_app):
    with committed_app.test_request_context():
        units = make_district()
        admin = make_user("adm", "admin")
        make_household(make_user("c", "community_staff", [units["A1"]]), *IN_STRIP)
        proposal, _report = proposals.propose_change(community_id=units["A1"].id, data=moved_edge(),
                                                     filename="A1.geojson", by=admin)
        url, version = f"/admin/boundary-changes/{proposal.id}/apply", proposal.version
    tabs = []
    for _n in range(2):
        client = committed_app.test_client()
        log_in(client, "adm")
        tabs.append((client, csrf_from(client.get("/admin/boundary-changes").get_data(as_text=True))))
    start = threading.Barrier(len(tabs))
    statuses = []

    def apply(client, token):
        start.wait()
        statuses.append(client.post(url, data={"csrf_token": token, "version": str(version)}).status_code)

    threads = [threading.Thread(target=apply, args=tab) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303, 409]
    with committed_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BoundaryImport)) == 1
        assert db.session.scalar(select(func.count()).select_from(HouseholdMove)) == 1
        assert db.session.scalar(select(BoundaryProposal.status)) == "applied"
