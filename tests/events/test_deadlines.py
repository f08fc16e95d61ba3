"""Step deadlines on the Chinese working calendar (office hours 08:30–12:00 and
14:00–17:30, Asia/Shanghai), with every `now` explicit. The seeded policy:
normal sign 1 / handle 5 / verify 2 / decide 1 working days; urgent sign 1
working hour, handle 24 plain hours; consultation 3, complaint 13 working days."""
from datetime import date, timedelta

import chinese_calendar
import pytest
from sqlalchemy import delete

from grid import workdays
from grid.events import deadlines
from grid.events.models import DeadlinePolicy, EventCategory
from grid.extensions import db
from tests.events.conftest import MONDAY, act, category
from tests.events.support import at_community, last_action, report, sh

HOUR = timedelta(hours=1)


def test_normal_sign_by_for_a_friday_afternoon_report_is_monday_end_of_office(world):
    event = report(world, when=sh(2026, 11, 27, 15, 0))
    assert (event.step, event.limit_unit, event.step_started_at) == ("sign", "working_days", sh(2026, 11, 27, 15))
    assert event.due_at == sh(2026, 11, 30, 17, 30)
    # 75 % of 9.5 working hours (Friday 2.5 h, Monday 7 h) = 7 h 7.5 min: Monday 15:07:30.
    assert event.yellow_at == sh(2026, 11, 30, 15, 7, 30)


def test_the_make_up_saturday_of_national_day_2026_counts(world):
    saturday = date(2026, 10, 10)
    assert saturday.weekday() == 5 and chinese_calendar.is_workday(saturday) and workdays.is_working_day(saturday)
    event = report(world, when=sh(2026, 10, 9, 15, 0))
    assert event.due_at == sh(2026, 10, 10, 17, 30)
    urgent = report(world, when=sh(2026, 10, 9, 17, 0), priority="urgent")
    assert urgent.due_at == sh(2026, 10, 10, 9, 0)      # 30 min on Friday, 30 min on the Saturday


def test_the_make_up_sunday_before_national_day_2026_counts(world):
    sunday = date(2026, 9, 20)
    assert sunday.weekday() == 6 and chinese_calendar.is_workday(sunday)
    event = report(world, when=sh(2026, 9, 18, 15, 0))
    assert event.due_at == sh(2026, 9, 20, 17, 30)


def test_the_national_day_week_is_skipped(world):
    assert [chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, 9)] == [False] * 7 + [True]
    event = report(world, when=sh(2026, 9, 30, 15, 0))
    assert event.due_at == sh(2026, 10, 8, 17, 30)
    urgent = report(world, when=sh(2026, 9, 30, 17, 15), priority="urgent")
    assert urgent.due_at == sh(2026, 10, 8, 9, 15)
    # Signed on the eve: 5 working days are 8, 9, 10 (Saturday, make-up), 12 and 13 October.
    act(event, world.community, "sign", sh(2026, 9, 30, 16, 0))
    assert event.due_at == sh(2026, 10, 13, 17, 30)


def test_a_report_on_a_holiday_is_due_at_the_end_of_the_first_working_day(world):
    event = report(world, when=sh(2026, 10, 3, 10, 0))
    assert event.due_at == sh(2026, 10, 8, 17, 30)


def test_urgent_sign_within_one_working_hour_spans_the_lunch_break(world):
    event = report(world, when=MONDAY.replace(hour=11, minute=50), priority="urgent")
    assert (event.limit_unit, event.due_at) == ("working_hours", MONDAY.replace(hour=14, minute=50))
    assert event.yellow_at == MONDAY.replace(hour=14, minute=35)    # 45 of the 60 working minutes


def test_urgent_handling_runs_24_plain_hours_through_the_weekend(world):
    event = report(world, when=sh(2026, 11, 27, 11, 50), priority="urgent")
    act(event, world.community, "sign", sh(2026, 11, 27, 16, 0))
    assert (event.step, event.limit_unit) == ("handle", "hours")
    assert event.due_at == sh(2026, 11, 28, 16, 0)                  # Saturday
    assert event.yellow_at == sh(2026, 11, 28, 10, 0)               # 18 of 24 hours


def test_a_complaint_reported_before_new_year_runs_into_the_provisional_2027_calendar(world):
    complaint = category("welfare_complaint")
    event = report(world, by=world.community, when=sh(2026, 12, 24, 10, 0), category_id=complaint.id)
    assert (event.state, event.step, event.limit_unit) == ("handling", "handle", "working_days")
    # 25, 28–31 December (5), 4–8 January (10), 11–13 January (13): 1 January 2027 is a holiday.
    assert event.due_at == sh(2027, 1, 13, 17, 30)
    assert workdays.is_provisional(event.due_at.date()) and not workdays.is_provisional(date(2026, 12, 24))
    assert not workdays.is_working_day(date(2027, 1, 1))
    assert event.yellow_at is not None and event.step_started_at < event.yellow_at < event.due_at


def test_a_consultation_has_three_working_days(world):
    event = report(world, by=world.community, category_id=category("welfare_consult").id)
    assert event.due_at == sh(2026, 11, 26, 17, 30)


def test_yellow_comes_when_three_quarters_of_the_working_time_is_used(world, app):
    assert app.config["EVENT_YELLOW_SHARE"] == 0.75
    event = report(world)       # Monday 09:00, sign by Tuesday 17:30: 13.5 working hours
    assert event.due_at == sh(2026, 11, 24, 17, 30)
    # 10.125 h: Monday's 6.5 h, Tuesday morning's 3.5 h, then 7.5 min after lunch.
    assert event.yellow_at == sh(2026, 11, 24, 14, 7, 30)
    just_before = event.yellow_at - timedelta(seconds=1)
    assert deadlines.light(event.due_at, event.yellow_at, just_before) == "green"
    assert deadlines.light(event.due_at, event.yellow_at, event.yellow_at) == "yellow"
    assert deadlines.light(event.due_at, event.yellow_at, event.due_at) == "red"


def test_clock_takes_the_share_and_measures_plain_hours_plainly(ctx):
    half = deadlines.clock(MONDAY, 1, "working_days", share=0.5)
    assert (half.due_at, half.yellow_at) == (sh(2026, 11, 24, 17, 30), sh(2026, 11, 24, 8, 45))
    plain = deadlines.clock(MONDAY, 10, "hours", share=0.5)
    assert (plain.due_at, plain.yellow_at, plain.unit) == (MONDAY + 10 * HOUR, MONDAY + 5 * HOUR, "hours")
    assert deadlines.clock(MONDAY, 1, "working_hours").due_at == MONDAY + HOUR
    with pytest.raises(ValueError):
        deadlines.due_after(MONDAY, 1, "fortnights")


# --- extensions ------------------------------------------------------------------

def extension_requested(world, when=sh(2026, 11, 24, 9, 0), days=3):
    """The community's own event (Monday 09:00, handle by Monday 30 November
    17:30) with an extension of `days` requested at `when`."""
    event = report(world, by=world.community)
    assert event.due_at == sh(2026, 11, 30, 17, 30)
    act(event, world.community, "request_extension", when, note="需协调物业", days=days)
    return event


def test_while_waiting_the_holders_clock_stops_and_the_deciders_runs(world):
    event = extension_requested(world)
    assert (event.state, event.step, event.limit_unit) == ("extension", "decide", "working_days")
    assert event.paused_due_at == sh(2026, 11, 30, 17, 30) and event.paused_at == sh(2026, 11, 24, 9, 0)
    assert event.paused_step_started_at == MONDAY
    assert event.due_at == sh(2026, 11, 25, 17, 30)      # the street office decides within 1 working day
    assert deadlines.light(event.due_at, event.yellow_at, sh(2026, 12, 9), paused=True) == "paused"


def test_an_approved_extension_moves_the_deadline_by_the_wait_and_the_days_granted(world):
    event = extension_requested(world)
    act(event, world.street, "approve_extension", sh(2026, 11, 25, 9, 0))
    # Waited Tuesday 09:00 → Wednesday 09:00: 7 working hours, one working day.
    assert event.paused_working == 7 * HOUR
    # 30 Nov 17:30 + 7 working hours = 1 Dec 17:30; + 3 working days = 4 Dec 17:30.
    assert (event.state, event.step, event.step_started_at) == ("handling", "handle", MONDAY)
    assert event.due_at == sh(2026, 12, 4, 17, 30)
    # Yellow at 75 % of the 69.5 working hours from Monday 09:00: Wednesday 2 December 14:07:30.
    assert event.yellow_at == sh(2026, 12, 2, 14, 7, 30)
    act(event, world.community, "report_result", sh(2026, 12, 3, 9, 0), note="已协调解决")
    row = last_action(event)
    # 56 working hours since Monday 09:00, less the 7 spent waiting.
    assert (row.ended_step, row.ended_late, row.ended_working) == ("handle", False, 49 * HOUR)
    assert event.late_steps == 0


def test_a_refused_extension_moves_the_deadline_by_the_wait_only(world):
    event = extension_requested(world)
    act(event, world.street, "refuse_extension", sh(2026, 11, 25, 9, 0), note="请按时办结")
    assert event.due_at == sh(2026, 12, 1, 17, 30)
    assert (event.paused_at, event.paused_due_at, event.extension_days) == (None, None, None)


def test_waiting_over_a_weekend_costs_only_the_working_time(world):
    event = extension_requested(world, when=sh(2026, 11, 27, 17, 0))
    act(event, world.street, "refuse_extension", sh(2026, 11, 30, 9, 0), note="请按时办结")
    assert event.paused_working == HOUR                              # Friday 17:00–17:30, Monday 08:30–09:00
    assert event.due_at == sh(2026, 12, 1, 9, 30)


def test_two_waits_add_up(world):
    event = extension_requested(world, days=1)
    act(event, world.street, "refuse_extension", sh(2026, 11, 24, 10, 0), note="请按时办结")   # 1 h
    assert event.due_at == sh(2026, 12, 1, 9, 30)
    act(event, world.community, "request_extension", sh(2026, 11, 25, 9, 0), note="仍需协调", days=2)
    assert event.paused_due_at == sh(2026, 12, 1, 9, 30)
    act(event, world.street, "approve_extension", sh(2026, 11, 25, 11, 0))                    # 2 h
    assert event.paused_working == 3 * HOUR
    assert event.due_at == sh(2026, 12, 3, 11, 30)       # 1 Dec 09:30 + 2 h = 11:30, + 2 working days


def test_a_late_handling_step_counts_once_however_many_extension_steps_it_had(world):
    """Asked for just before the deadline, refused, reported late: one late
    step, and only the report of the result ends the handling step."""
    event = extension_requested(world, when=sh(2026, 11, 30, 17, 0), days=2)    # due 30 Nov 17:30
    act(event, world.street, "refuse_extension", sh(2026, 12, 1, 11, 0), note="请立即办结")
    # The 3 working hours waited (17:00–17:30, then 08:30–11:00) are given back.
    assert event.due_at == sh(2026, 12, 1, 11, 30)
    act(event, world.community, "report_result", sh(2026, 12, 1, 14, 0), note="已办结")
    assert event.late_steps == 1
    rows = {r.action: r for r in event.actions}
    assert rows["report_result"].ended_step == "handle" and rows["report_result"].ended_late is True
    assert rows["request_extension"].ended_step is None
    assert rows["refuse_extension"].ended_step == "decide" and rows["refuse_extension"].ended_late is False


def test_extended_moves_by_working_time_then_whole_working_days(ctx):
    due = sh(2026, 11, 30, 17, 30)
    days = "working_days"
    assert deadlines.extended(due, sh(2026, 11, 24, 9), sh(2026, 11, 25, 9), 0, days) == sh(2026, 12, 1, 17, 30)
    assert deadlines.extended(due, sh(2026, 11, 24, 9), sh(2026, 11, 25, 9), 3, days) == sh(2026, 12, 4, 17, 30)
    assert deadlines.extended(due, sh(2026, 11, 28, 9), sh(2026, 11, 29, 9), 0, days) == due  # a weekend costs nothing
    # Granted days skip the National Day week.
    assert deadlines.extended(sh(2026, 9, 30, 11), sh(2026, 9, 29, 17), sh(2026, 9, 29, 17), 1, days) == sh(
        2026, 10, 8, 11)


def test_a_plain_hour_deadline_moves_by_the_plain_time_waited(ctx):
    # Urgent handling (24 h) due Wednesday 09:05; an extension asked Tuesday 17:00
    # and refused Wednesday 08:45 gives back the 15 h 45 min waited, nights included.
    due = sh(2026, 11, 25, 9, 5)
    assert deadlines.extended(due, sh(2026, 11, 24, 17), sh(2026, 11, 25, 8, 45), 0, "hours") == sh(
        2026, 11, 26, 0, 50)


# --- traffic lights and time left ------------------------------------------------

def test_light_and_time_left():
    due, yellow = sh(2026, 11, 24, 17, 30), sh(2026, 11, 24, 14, 7, 30)
    assert deadlines.light(None, None, MONDAY) is None
    assert deadlines.light(due, yellow, MONDAY) == "green"
    assert deadlines.light(due, None, due - timedelta(seconds=1)) == "green"
    assert deadlines.light(due, yellow, sh(2026, 11, 26), paused=True) == "paused"
    assert deadlines.time_left(due, MONDAY, "working_days") == timedelta(hours=13, minutes=30)
    assert deadlines.time_left(due, sh(2026, 11, 24, 12, 30), "working_days") == timedelta(hours=3, minutes=30)
    assert deadlines.time_left(due, due, "working_days") == timedelta(0)
    assert deadlines.time_left(due, sh(2026, 11, 25, 9, 0), "working_days") == -timedelta(minutes=30)
    assert deadlines.time_left(due, sh(2026, 11, 26, 9, 0), "working_hours") == -timedelta(hours=7, minutes=30)
    saturday = sh(2026, 11, 28, 16, 0)
    assert deadlines.time_left(saturday, sh(2026, 11, 28, 10, 0), "hours") == timedelta(hours=6)
    assert deadlines.time_left(saturday, sh(2026, 11, 29, 10, 0), "hours") == -timedelta(hours=18)


# --- the policy ------------------------------------------------------------------

def add_policy(code, amount, step="handle", priority="normal", unit="working_days"):
    db.session.add(DeadlinePolicy(priority=priority, category_id=category(code).id, step=step, amount=amount,
                                  unit=unit))
    db.session.commit()


def test_a_category_rule_beats_the_generic_one(ctx):
    assert deadlines.policy_limit("normal", category("welfare_complaint"), "handle") == (13, "working_days")
    assert deadlines.policy_limit("normal", category("welfare_consult"), "handle") == (3, "working_days")
    assert deadlines.policy_limit("normal", category("fire_escape"), "handle") == (5, "working_days")
    assert deadlines.policy_limit("normal", category("welfare_complaint"), "sign") == (1, "working_days")
    assert deadlines.policy_limit("urgent", category("welfare_complaint"), "handle") == (24, "hours")


def test_a_subcategory_inherits_its_parents_rule(world):
    add_policy("fire", 2)
    for code in ("fire", "fire_escape", "fire_ebike"):
        assert deadlines.policy_limit("normal", category(code), "handle") == (2, "working_days"), code
    assert deadlines.policy_limit("normal", category("sanitation_rubbish"), "handle") == (5, "working_days")
    assert deadlines.policy_limit("urgent", category("fire_escape"), "handle") == (24, "hours")
    assert deadlines.policy_limit("normal", category("fire_escape"), "sign") == (1, "working_days")
    event = report(world, by=world.community)                     # fire_escape, Monday 09:00
    assert event.due_at == sh(2026, 11, 25, 17, 30)


def test_the_nearest_ancestor_wins_down_a_deeper_tree(ctx):
    stairs = EventCategory(code="fire_escape_stairs", name_zh="楼梯间堵塞", name_en="Stairs",
                           parent=category("fire_escape"))
    db.session.add(stairs)
    db.session.commit()
    add_policy("fire", 2)
    assert deadlines.policy_limit("normal", stairs, "handle") == (2, "working_days")
    add_policy("fire_escape", 4, unit="working_hours")
    assert deadlines.policy_limit("normal", stairs, "handle") == (4, "working_hours")
    assert deadlines.policy_limit("normal", category("fire_ebike"), "handle") == (2, "working_days")


def test_a_subcategorys_own_rule_beats_its_parents(ctx):
    add_policy("welfare", 7)
    assert deadlines.policy_limit("normal", category("welfare"), "handle") == (7, "working_days")
    assert deadlines.policy_limit("normal", category("welfare_complaint"), "handle") == (13, "working_days")
    assert deadlines.policy_limit("normal", category("welfare_consult"), "handle") == (3, "working_days")


def test_without_a_rule_the_step_has_no_clock(world):
    assert deadlines.policy_limit("normal", category("fire_escape"), "no_such_step") is None
    db.session.execute(delete(DeadlinePolicy).where(DeadlinePolicy.priority == "normal",
                                                    DeadlinePolicy.step == "sign"))
    db.session.commit()
    event = report(world)
    assert (event.step, event.step_started_at, event.due_at, event.yellow_at, event.limit_unit) == (
        "sign", MONDAY, None, None, None)
    act(event, world.community, "sign", sh(2026, 11, 30, 9))      # a week later: never late without a clock
    assert event.late_steps == 0 and event.due_at == sh(2026, 12, 7, 17, 30)


def test_signing_after_the_deadline_counts_as_late(world):
    event = at_community(world)
    assert event.late_steps == 0 and last_action(event).ended_late is False
    late = report(world)
    act(late, world.community, "sign", sh(2026, 11, 24, 17, 31))
    assert late.late_steps == 1
