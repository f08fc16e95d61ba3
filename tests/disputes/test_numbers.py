"""Dispute numbers per unit and period on real PostGIS: what each number
counts (against a hand-worked fixture), the resolution rate's definition,
overdue and due follow-ups as of now, by type, scope and a constant number
of statements."""
import re
from datetime import date, datetime, timedelta

import pytest

from grid.disputes import ledger_views, services, stats
from grid.unit_numbers import period_bounds
from tests.disputes.conftest import IN_B1A, MONDAY, act, add_agreement, register
from tests.factories import log_in, sql_statements

IN_A1B = (120.115, 30.21)
FRIDAY = MONDAY + timedelta(days=4)                                   # 27 November 2026, 09:00 in Shanghai
NOVEMBER = period_bounds("month", FRIDAY)
OCTOBER_20 = datetime(2026, 10, 20, 9, 0, tzinfo=MONDAY.tzinfo)
OCTOBER_1 = datetime(2026, 10, 1, 9, 0, tzinfo=MONDAY.tzinfo)


def concluded(world, dispute, outcome, *, outcome_at, approved_at, deadline=date(2026, 12, 31)):
    """Record the outcome (an agreement first when it needs one) and have the committee approve it."""
    if outcome in ("agreement", "partial"):
        add_agreement(dispute, world.community, outcome_at, deadline=deadline)
    act(dispute, world.community, "record_outcome", outcome_at, outcome=outcome, note="结果说明")
    act(dispute, world.committee, "approve", approved_at)
    return dispute


def a1_cases(world):
    """Community A1's cases, worked out by hand in the tests below.

    grid A1a                                    grid A1b
    c1 neighbour 11-23, agreement ✓ 11-26,     c3 wages 10-20, failed ✓ 11-24 (concluded after its limit)
       follow-up date 11-26 (due)              c4 neighbour 10-20, mediating: past its 11-19 limit
    c2 family 11-23, partly agreed ✓ 11-26     c7 family 10-01, agreement ✓ 10-20, follow-up 10-25 (due)
    c5 housing 11-24, waiting to be accepted   c8 other 11-25, not accepted
    c6 neighbour 11-23, withdrawn ✓ 11-25
    """
    staff = {"by": world.community}
    in_b = {"point": IN_A1B, "stability_owner_id": world.worker_b.id}
    c1 = concluded(world, register(world, **staff), "agreement", outcome_at=MONDAY + timedelta(days=2),
                   approved_at=MONDAY + timedelta(days=3), deadline=date(2026, 11, 26))
    concluded(world, register(world, type="family", **staff), "partial", outcome_at=MONDAY + timedelta(days=2),
              approved_at=MONDAY + timedelta(days=3))
    concluded(world, register(world, type="wages", when=OCTOBER_20, **staff, **in_b),
              "failed", outcome_at=MONDAY, approved_at=MONDAY + timedelta(days=1))
    c4 = register(world, when=OCTOBER_20, **staff, **in_b)
    c5 = register(world, type="housing", when=MONDAY + timedelta(days=1))
    concluded(world, register(world, **staff), "withdrawn", outcome_at=MONDAY + timedelta(days=1),
              approved_at=MONDAY + timedelta(days=2))
    c7 = concluded(world, register(world, type="family", when=OCTOBER_1, **staff, **in_b),
                   "agreement", outcome_at=OCTOBER_20 - timedelta(days=2), approved_at=OCTOBER_20,
                   deadline=date(2026, 10, 25))
    c8 = register(world, type="other", when=MONDAY + timedelta(days=2), by=world.worker_b, **in_b)
    act(c8, world.community, "decline", MONDAY + timedelta(days=2, hours=1), note="不属于人民调解范围")
    assert (c1.follow_up_on, c7.follow_up_on) == (date(2026, 11, 26), date(2026, 10, 25))
    # Another community's case never counts for A1.
    register(world, by=world.community_b, point=IN_B1A, stability_owner_id=world.community_b.id,
             mediator_ids=[world.community_b.id])
    return {"c1": c1, "c4": c4, "c5": c5, "c7": c7}


def test_counts_of_a_community_and_its_grids_this_month(world):
    a1_cases(world)
    numbers = stats.unit_numbers(world.units["A1"], world.community, *NOVEMBER, now=FRIDAY)
    total = numbers.total
    assert (total.registered, total.concluded, total.resolved, total.overdue, total.follow_ups_due) == (5, 3, 1, 1, 2)
    assert total.resolution_rate == pytest.approx(1 / 3)
    assert total.by_type == {"family": 1, "neighbour": 2, "housing": 1, "property": 0, "wages": 0, "damages": 0,
                             "other": 1}
    assert list(total.by_type) == list(stats.TYPES)

    assert [row.name for row in numbers.children] == [world.units["A1a"].name, world.units["A1b"].name]
    a, b = (row.numbers for row in numbers.children)
    assert (a.registered, a.concluded, a.resolved, a.overdue, a.follow_ups_due) == (4, 2, 1, 0, 1)
    assert (b.registered, b.concluded, b.resolved, b.overdue, b.follow_ups_due) == (1, 1, 0, 1, 1)
    assert (a.resolution_rate, b.resolution_rate) == (0.5, 0.0)
    assert b.by_type["other"] == 1 and b.by_type["wages"] == 0

    # A grid stands for itself: its worker gets its numbers, the same as its row.
    grid = stats.unit_numbers(world.units["A1b"], world.worker_b, *NOVEMBER, now=FRIDAY)
    assert grid.total == b and [row.unit_id for row in grid.children] == [world.units["A1b"].id]


def test_other_periods_count_what_happened_in_them(world):
    a1_cases(world)
    october = stats.unit_numbers(world.units["A1"], world.community, *period_bounds("last_month", FRIDAY),
                                 now=FRIDAY).total
    # c3, c4, c7 registered; only c7 approved in October. Overdue and due follow-ups are as of now.
    assert (october.registered, october.concluded, october.resolved, october.resolution_rate) == (3, 1, 1, 1.0)
    assert (october.overdue, october.follow_ups_due) == (1, 2)
    assert october.by_type["wages"] == 1 and october.by_type["family"] == 1 and october.by_type["neighbour"] == 1
    year = stats.unit_numbers(world.units["A1"], world.community, *period_bounds("year", FRIDAY), now=FRIDAY).total
    assert (year.registered, year.concluded, year.resolved, year.resolution_rate) == (8, 4, 2, 0.5)


def test_the_rate_counts_only_full_agreements_over_what_was_concluded(world):
    """Partly agreed is concluded but not resolved; withdrawn is not concluded; nothing concluded is no rate."""
    numbers = stats.unit_numbers(world.units["A1"], world.community, *NOVEMBER, now=FRIDAY).total
    assert numbers.resolution_rate is None and numbers == stats.Numbers()
    for outcome in ("partial", "withdrawn", "referred"):
        dispute = register(world, by=world.community)
        if outcome == "referred":
            act(dispute, world.community, "record_outcome", MONDAY, outcome="referred", referral_body="区人民法院")
            act(dispute, world.committee, "approve", MONDAY + timedelta(hours=1))
        else:
            concluded(world, dispute, outcome, outcome_at=MONDAY, approved_at=MONDAY + timedelta(hours=1))
    numbers = stats.unit_numbers(world.units["A1"], world.community, *NOVEMBER, now=FRIDAY).total
    assert (numbers.concluded, numbers.resolved, numbers.resolution_rate) == (2, 0, 0.0)
    # Waiting for the committee: not concluded yet.
    waiting = register(world, by=world.community)
    add_agreement(waiting, world.community, MONDAY)
    act(waiting, world.community, "record_outcome", MONDAY, outcome="agreement")
    assert stats.unit_numbers(world.units["A1"], world.community, *NOVEMBER, now=FRIDAY).total.concluded == 2


def test_overdue_is_open_cases_past_their_time_limit_now(world):
    accepted = register(world, by=world.community)          # mediating; limit 23 December 2026, 17:30
    register(world)                                         # waiting to be accepted, same limit
    under_review = register(world, by=world.community)
    act(under_review, world.community, "record_outcome", MONDAY, outcome="failed", note="调解不成")

    def overdue(now):
        return stats.unit_numbers(world.units["A1"], world.community, *NOVEMBER, now=now).total.overdue

    limit = accepted.time_limit_at
    assert overdue(limit) == 0
    assert overdue(limit + timedelta(minutes=1)) == 2


def signed_in(client, username: str):
    other = client.application.test_client()
    log_in(other, username)
    return other


def shown_numbers(fragment: str, closing: str) -> dict[str, str]:
    found = re.findall(rf'data-number="([\w-]+)">(.*?){closing}', fragment, re.S)
    return {name: re.sub(r"<[^>]+>", "", value).strip() for name, value in found}


def numbers_on_page(html: str) -> dict[str, str]:
    start = html.index('data-testid="dispute-totals"')
    end = html.find("<table", start)
    return shown_numbers(html[start:end if end > 0 else None], "</dd>")


def row_numbers(html: str, unit_id: int) -> dict[str, str]:
    start = html.index(f'data-unit="{unit_id}"')
    return shown_numbers(html[start:html.index("</tr>", start)], "</td>")


def test_the_fragment_shows_the_numbers_and_links_to_the_board(client, world, monkeypatch):
    monkeypatch.setattr(ledger_views, "now_utc", lambda: FRIDAY)
    monkeypatch.setattr(services, "now_utc", lambda: FRIDAY)
    cases = a1_cases(world)
    log_in(client, "c")
    with client.session_transaction() as session:
        session["locale"] = "en"
    a1 = world.units["A1"].id
    html = client.get(f"/units/{a1}/dispute-numbers").get_data(as_text=True)
    assert 'aria-pressed="true" data-period="month"' in html and "2026-11-01 – 2026-11-30" in html
    shown = numbers_on_page(html)
    assert shown == {"registered": "5", "resolved": "1", "concluded": "3", "rate": "33%", "overdue": "1",
                     "follow_ups_due": "2", "type-family": "1", "type-neighbour": "2", "type-housing": "1",
                     "type-property": "0", "type-wages": "0", "type-damages": "0", "type-other": "1"}
    assert "partly agreed cases count as not resolved" in html
    assert f'href="/disputes?unit={a1}"' in html
    assert f'href="/disputes?unit={a1}&amp;tab=follow_up"' in html
    # Overdue: the board's overdue filter, the same set (open past the time limit now).
    assert f'href="/disputes?unit={a1}&amp;overdue=1"' in html
    board = client.get(f"/disputes?unit={a1}&overdue=1").get_data(as_text=True)
    assert cases["c4"].number in board and cases["c5"].number not in board
    assert 'data-testid="board-narrowed"' in board
    board = client.get(f"/disputes?unit={a1}&tab=follow_up").get_data(as_text=True)
    assert cases["c1"].number in board and cases["c7"].number in board
    b_row = row_numbers(html, world.units["A1b"].id)
    assert (b_row["registered"], b_row["concluded"], b_row["rate"], b_row["overdue"]) == ("1", "1", "0%", "1")
    # No personal data in any link.
    assert not re.search(r'href="[^"]*(李梅|王强|138)', html)

    html = client.get(f"/units/{a1}/dispute-numbers", query_string={"period": "last_month"}).get_data(as_text=True)
    assert 'aria-pressed="true" data-period="last_month"' in html and "2026-10-01 – 2026-10-31" in html
    assert (numbers_on_page(html)["registered"], numbers_on_page(html)["rate"]) == ("3", "100%")
    html = client.get(f"/units/{a1}/dispute-numbers", query_string={"period": "x"}).get_data(as_text=True)
    assert 'aria-pressed="true" data-period="month"' in html


def test_numbers_stay_inside_the_users_scope(client, world, monkeypatch):
    monkeypatch.setattr(ledger_views, "now_utc", lambda: FRIDAY)
    a1_cases(world)
    a1, a, b1 = (f"/units/{world.units[k].id}/dispute-numbers" for k in ("A1", "A", "B1"))
    for username, url in (("cb", a1), ("c", a), ("sb", a), ("cd", a1), ("w", a1), ("c", b1)):
        assert signed_in(client, username).get(url).status_code == 404, (username, url)

    html = signed_in(client, "s").get(a).get_data(as_text=True)
    assert set(re.findall(r'<tr[^>]* data-unit="(\d+)"', html)) == {str(world.units["A1"].id)}
    assert numbers_on_page(html)["registered"] == "5"
    html = signed_in(client, "sb").get(f"/units/{world.units['B'].id}/dispute-numbers").get_data(as_text=True)
    assert numbers_on_page(html)["registered"] == "1" and numbers_on_page(html)["overdue"] == "0"
    html = signed_in(client, "adm").get(f"/units/{world.units['D'].id}/dispute-numbers").get_data(as_text=True)
    assert numbers_on_page(html)["registered"] == "6"


def test_the_numbers_take_the_same_statements_however_many_cases(client, world, monkeypatch):
    monkeypatch.setattr(ledger_views, "now_utc", lambda: FRIDAY)
    url = f"/units/{world.units['A'].id}/dispute-numbers"

    def statements():
        with sql_statements() as sent:
            assert client.get(url).status_code == 200
        return len(sent)

    log_in(client, "s")
    few = statements()
    a1_cases(world)
    for _ in range(3):
        register(world, by=world.worker_b, point=IN_A1B, stability_owner_id=world.worker_b.id)
    assert statements() == few
