"""The whole loop on real PostGIS: report → community → street → department →
verify, with a clock per step on the working calendar."""
from datetime import timedelta

from grid.events import services
from grid.events.models import EventAction
from grid.extensions import db
from tests.events.conftest import MONDAY, act, event_input, jpeg


def test_full_loop_closes_with_satisfaction_and_history(world):
    event, created = services.report_event(data=event_input(), by=world.worker, now=MONDAY)
    assert created and event.state == "to_sign" and event.holder_unit_id == world.units["A1"].id
    assert event.number.startswith("20261123-")
    # Normal priority: sign within 1 working day, i.e. by the end of Tuesday's office hours.
    assert event.due_at.astimezone().isoformat() and event.due_at == MONDAY.replace(day=24, hour=17, minute=30)
    t = MONDAY + timedelta(hours=1)
    act(event, world.community, "sign", t)
    act(event, world.community, "escalate", t, note="需街道协调")
    assert event.state == "to_sign" and event.holder_unit_id == world.units["A"].id
    act(event, world.street, "sign", t)
    act(event, world.street, "dispatch", t, department_id=world.cg.id)
    assert event.holder_department_id == world.cg.id and event.holder_unit_id is None
    act(event, world.handler, "sign", t)
    act(event, world.handler, "report_result", t + timedelta(hours=2), note="已清理", photos=[jpeg()])
    assert event.state == "to_verify"
    act(event, world.worker, "verify_close", t + timedelta(hours=3), satisfaction="satisfied")
    assert event.state == "closed" and event.closure == "verified" and event.late_steps == 0
    actions = [a.action for a in db.session.query(EventAction).filter_by(event_id=event.id).order_by(EventAction.id)]
    assert actions == ["report", "sign", "escalate", "sign", "dispatch", "sign", "report_result", "verify_close"]
