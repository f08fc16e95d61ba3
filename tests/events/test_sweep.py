"""The deadline sweep (催办): one yellow and one red reminder per step clock to
whoever holds it, a notice to the level above once a step is overdue by
EVENT_SUPERVISE_AFTER_DAYS working days, and nothing twice."""
from sqlalchemy import func, select

from grid.events import services
from grid.events.models import EventAction, EventReminder
from grid.events.sweep import SweepResult, sweep_deadlines
from grid.extensions import db
from grid.notifications.models import Notification
from tests.events.conftest import MONDAY, act, event_input, jpeg
from tests.events.support import at_community, at_department, history, minutes, notified, report, sh

# A grid worker's report on Monday 23 November 09:00: the community signs by
# Tuesday 17:30, yellow from Tuesday 14:07:30.
YELLOW, DUE = sh(2026, 11, 24, 14, 7, 30), sh(2026, 11, 24, 17, 30)


def sweep(now) -> tuple[int, int, int]:
    result = sweep_deadlines(now=now)
    assert isinstance(result, SweepResult)
    return result.yellow, result.red, result.supervise


def reminders(event) -> list[EventAction]:
    return list(db.session.scalars(select(EventAction).where(EventAction.event_id == event.id,
                                                             EventAction.action == "remind").order_by(EventAction.id)))


def test_one_yellow_then_one_red_reminder_to_the_holder(world):
    event = report(world)
    assert (event.yellow_at, event.due_at) == (YELLOW, DUE)
    version = event.version
    assert sweep(YELLOW - minutes(1)) == (0, 0, 0)
    assert notified(event, "reminder_yellow") == []
    assert sweep(YELLOW) == (1, 0, 0)
    assert notified(event, "reminder_yellow") == [world.community.id]
    assert sweep(YELLOW + minutes(30)) == (0, 0, 0)
    assert notified(event, "reminder_yellow") == [world.community.id]
    assert notified(event, "reminder_red") == []
    assert sweep(DUE) == (0, 1, 0)
    assert sweep(DUE + minutes(5)) == (0, 0, 0)
    assert notified(event, "reminder_red") == [world.community.id]
    assert notified(event, "reminder_yellow") == [world.community.id]
    rows = reminders(event)
    assert [(r.detail, r.actor_id, r.actor_unit_id, r.at, r.from_state, r.to_state) for r in rows] == [
        ({"light": "yellow"}, None, world.units["A1"].id, YELLOW, "to_sign", "to_sign"),
        ({"light": "red"}, None, world.units["A1"].id, DUE, "to_sign", "to_sign")]
    # Reminders are history, not edits: nobody's open form goes stale.
    assert event.version == version and rows[-1].version_after == version
    act(event, world.community, "sign", DUE + minutes(10))
    assert history(event) == ["report", "remind", "remind", "sign"]


def test_a_sweep_that_first_runs_after_the_deadline_sends_only_the_red_reminder(world):
    event = report(world)
    assert sweep(DUE + minutes(1)) == (0, 1, 0)
    assert sweep(DUE + minutes(2)) == (0, 0, 0)
    assert notified(event, "reminder_yellow") == [] and notified(event, "reminder_red") == [world.community.id]


def test_the_level_above_is_told_after_two_working_days_overdue(world, app):
    assert app.config["EVENT_SUPERVISE_AFTER_DAYS"] == 2
    event = report(world)
    assert sweep(DUE) == (0, 1, 0)
    assert sweep(sh(2026, 11, 25, 17, 0)) == (0, 0, 0)       # Wednesday: one working day overdue
    assert notified(event, "overdue_supervise") == []
    assert sweep(sh(2026, 11, 26, 9, 0)) == (0, 0, 1)        # Thursday: two
    assert sweep(sh(2026, 11, 27, 9, 0)) == (0, 0, 0)
    assert notified(event, "overdue_supervise") == [world.street.id]
    notice = db.session.scalar(select(Notification).where(Notification.kind == "overdue_supervise"))
    assert notice.params == {"number": event.number, "category": event.category.name_zh, "days": 2,
                             "holder": world.units["A1"].name}
    assert db.session.scalar(select(func.count()).select_from(EventReminder).where(
        EventReminder.event_id == event.id)) == 2      # red and supervise: the yellow moment was never swept


def test_overdue_days_skip_weekends(world):
    event = report(world, when=sh(2026, 11, 26, 9, 0))    # Thursday: sign by Friday 17:30
    assert event.due_at == sh(2026, 11, 27, 17, 30)
    assert sweep(sh(2026, 11, 29, 12, 0)) == (0, 1, 0)      # Sunday: red, but no working day overdue yet
    assert sweep(sh(2026, 11, 30, 12, 0)) == (0, 0, 0)      # Monday: one
    assert sweep(sh(2026, 12, 1, 12, 0)) == (0, 0, 1)       # Tuesday: two
    assert notified(event, "overdue_supervise") == [world.street.id]


def test_a_departments_overdue_step_is_reported_to_the_street_office(world):
    event = at_department(world)
    assert event.due_at == sh(2026, 11, 30, 17, 30)          # handle within 5 working days
    assert sweep(sh(2026, 12, 2, 9, 0)) == (0, 1, 1)
    assert notified(event, "reminder_red") == [world.handler.id]
    assert notified(event, "overdue_supervise") == [world.street.id]
    notice = db.session.scalar(select(Notification).where(Notification.kind == "overdue_supervise"))
    assert notice.params["holder"] == world.cg.name and notice.params["days"] == 2


def test_a_grid_holding_a_returned_event_is_reminded_and_its_community_told(world):
    event = report(world)
    act(event, world.community, "return", MONDAY + minutes(10), note="位置描述不清", reason="incomplete")
    assert sweep(sh(2026, 12, 3, 9, 0)) == (0, 1, 1)
    assert notified(event, "reminder_red") == sorted([world.worker.id, world.leader.id])
    assert notified(event, "overdue_supervise") == [world.community.id]


def test_verification_reminders_go_to_the_verifier(world):
    event = at_community(world)
    act(event, world.community, "report_result", MONDAY + minutes(30), note="已清理")
    assert event.due_at == sh(2026, 11, 25, 17, 30)           # verify within 2 working days
    assert sweep(sh(2026, 11, 27, 17, 0)) == (0, 1, 1)
    assert notified(event, "reminder_red") == [world.worker.id]
    assert notified(event, "overdue_supervise") == [world.community.id]


def test_a_waiting_extension_reminds_the_decider_not_the_holder(world):
    event = report(world, by=world.community)
    act(event, world.community, "request_extension", MONDAY + minutes(30), note="需协调", days=3)
    assert event.due_at == sh(2026, 11, 24, 17, 30)           # decide within 1 working day
    assert sweep(sh(2026, 11, 24, 17, 30)) == (0, 1, 0)
    assert notified(event, "reminder_red") == [world.street.id]
    assert sweep(sh(2026, 11, 26, 9, 0)) == (0, 0, 1)
    assert notified(event, "overdue_supervise") == [world.admin.id]


def test_an_overdue_decision_of_the_district_does_not_break_the_sweep(world):
    """The administrator decides a street office's extension; there is no
    level above the district to tell, and the other events are still swept."""
    event = report(world, by=world.street)
    act(event, world.street, "request_extension", MONDAY + minutes(30), note="需区级协调", days=3)
    other = report(world)
    late = sh(2026, 11, 27, 9, 0)
    assert sweep(late) == (0, 2, 1)
    assert notified(event, "reminder_red") == [world.admin.id]
    assert notified(event, "overdue_supervise") == []
    assert notified(other, "reminder_red") == [world.community.id]
    assert notified(other, "overdue_supervise") == [world.street.id]
    assert sweep(late + minutes(60)) == (0, 0, 0)


def test_closed_and_standing_events_are_skipped(world):
    closed, _ = services.report_event(data=event_input(on_spot=True, resolution="已当场清理", photos=[jpeg()]),
                                      by=world.worker, now=MONDAY)
    verified = at_community(world)
    act(verified, world.community, "report_result", MONDAY + minutes(30), note="已清理")
    act(verified, world.worker, "verify_close", MONDAY + minutes(60), satisfaction="satisfied")
    standing = at_community(world)
    act(standing, world.community, "shelve", MONDAY + minutes(30), note="历史遗留问题")
    running = report(world)
    assert sweep(sh(2026, 12, 31, 9, 0)) == (0, 1, 1)
    for quiet in (closed, verified, standing):
        assert reminders(quiet) == []
        assert notified(quiet, "reminder_yellow") == notified(quiet, "reminder_red") == []
        assert notified(quiet, "overdue_supervise") == []
    assert notified(running, "reminder_red") == [world.community.id]


def test_a_new_step_clock_is_reminded_again(world):
    event = report(world)
    assert sweep(YELLOW) == (1, 0, 0)
    assert sweep(DUE) == (0, 1, 0)
    act(event, world.community, "sign", DUE + minutes(15))        # handle by Tuesday 1 December 17:30
    assert event.due_at == sh(2026, 12, 1, 17, 30)
    assert sweep(DUE + minutes(20)) == (0, 0, 0)
    assert sweep(event.yellow_at) == (1, 0, 0)
    assert sweep(event.due_at) == (0, 1, 0)
    assert notified(event, "reminder_yellow") == [world.community.id] * 2
    assert notified(event, "reminder_red") == [world.community.id] * 2
    assert [r.detail["light"] for r in reminders(event)] == ["yellow", "red", "yellow", "red"]


def test_after_an_extension_decision_the_holder_is_reminded_of_the_moved_deadline(world):
    event = report(world, by=world.community)                     # handle by Monday 30 November 17:30
    assert event.yellow_at == sh(2026, 11, 27, 14, 7, 30)
    assert sweep(event.yellow_at) == (1, 0, 0)
    act(event, world.community, "request_extension", sh(2026, 11, 27, 15, 0), note="需协调", days=2)
    act(event, world.street, "approve_extension", sh(2026, 11, 27, 16, 0))
    assert event.due_at == sh(2026, 12, 3, 9, 30)                 # + 1 working hour waited + 2 working days
    assert event.yellow_at == sh(2026, 12, 1, 9, 22, 30)
    assert sweep(sh(2026, 11, 30, 9, 0)) == (0, 0, 0)
    assert sweep(event.yellow_at) == (1, 0, 0)
    assert notified(event, "reminder_yellow") == [world.community.id] * 2


def test_the_cli_command_sweeps_and_reports_what_it_sent(app, world):
    """`flask grid sweep-deadlines` runs at the real time: an event from
    March 2026 is long overdue whenever this runs."""
    event = report(world, when=sh(2026, 3, 2, 9, 0))
    result = app.test_cli_runner().invoke(args=["grid", "sweep-deadlines"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "reminders: 0 due soon, 1 overdue; 1 sent to the supervising level"
    assert notified(event, "reminder_red") == [world.community.id]
    assert notified(event, "overdue_supervise") == [world.street.id]
    again = app.test_cli_runner().invoke(args=["grid", "sweep-deadlines"])
    assert again.output.strip() == "reminders: 0 due soon, 0 overdue; 0 sent to the supervising level"

