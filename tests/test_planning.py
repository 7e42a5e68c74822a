"""The worklist she can finish: today's share at the office's pace, the backlog by kind and its clear-by day.

``claimbook.planning`` on hand-made results (exact days, weekends and holidays), the pace in settings.yaml
and on the Settings sheet, and what a user sees in real workbooks through ``claimbook refresh`` and
through the Excel button (the openpyxl-backed xlwings engine).
"""

from __future__ import annotations

import datetime as dt
import shutil
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw

from claimbook import planning, sheets as S, table
from claimbook.cli import main
from claimbook.engine import evaluate
from claimbook.model import Result
from claimbook.planning import Pace, PaceError, make_plan, parse_pace
from claimbook.rules.loader import CATEGORIES, check_rules, default_rules_dir, load_rules
from claimbook.sample import sample_claims
from tests.xlwings_openpyxl.fixtures import open_caller, xl_engine  # noqa: F401 - pytest fixtures
from tests.xlwings_openpyxl.tracker import write_tracker

AS_OF = date(2026, 11, 20)  # a Friday: the next business day is Monday 11/23
RULES_DIR = str(default_rules_dir())


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def result(rank: int, due: date, category: str = "status_check", claim_id: str | None = None) -> Result:
    return Result(
        claim_id=claim_id or f"C{rank:03d}", payer_key="aetna", payer_name="Aetna", age=40, bucket="31-60",
        next_action="Check claim status", category=category, follow_up=due, days_overdue=max(0, (AS_OF - due).days),
        tf_deadline=None, tf_risk=None, tf_days_left=None, appeal_deadline=None, appeal_days_left=None,
        underpaid=0.0, at_stake=100.0, score=10.0 - rank / 100, priority=rank, why="",
    )


# --- kinds of work -------------------------------------------------------------------------------------

def test_every_category_the_rules_and_engine_use_has_its_own_kind():
    listed = {c for k in planning.KINDS for c in k.categories}
    assert len(listed) == sum(len(k.categories) for k in planning.KINDS)  # no category in two kinds
    assert set(CATEGORIES) <= listed  # every denials.yaml category
    seen = {r.category for r in evaluate(sample_claims(AS_OF), load_rules(), AS_OF).results} - {"none"}
    assert seen <= listed, seen - listed  # every step the demo sample reaches
    assert [k.key for k in planning.KINDS] == list(planning.KIND_KEYS)
    assert planning.kind_of("escalate") == "payer_call" and planning.kind_of("something new") == "review"


# --- the pace ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, pace", [
    ("20", Pace(20, "claims")), (20.0, Pace(20, "claims")), ("20 claims", Pace(20, "claims")),
    ("1 claim a day", Pace(1, "claims")), ("90 minutes", Pace(90, "minutes")), ("90 min", Pace(90, "minutes")),
    ("2 hours", Pace(120, "minutes")), ("1.5 hours per day", Pace(90, "minutes")), ("3h", Pace(180, "minutes")),
    (" 2  Hours ", Pace(120, "minutes")), ("24 hours", Pace(1440, "minutes")),
])
def test_a_pace_is_claims_or_a_time(text, pace):
    assert parse_pace(text) == pace
    assert parse_pace(pace.cell_text()) == pace  # what a new tracker's Settings sheet shows reads back


@pytest.mark.parametrize("text", ["", "lots", "20 clams", "0", "0 hours", "25 hours", "2.5 claims", "-3",
                                  "10001 claims", True])
def test_anything_else_is_not_a_pace(text):
    with pytest.raises(PaceError):
        parse_pace(text)


def test_the_pace_reads_as_a_person_would_say_it():
    assert str(Pace(20, "claims")) == "20 claims a day"
    assert str(Pace(90, "minutes")) == "1 hour 30 minutes a day"
    assert str(Pace(120, "minutes")) == "2 hours a day" and Pace(90, "minutes").cell_text() == "90 minutes"


# --- the plan ------------------------------------------------------------------------------------------

def test_todays_share_is_the_first_claims_in_priority_order():
    # Ranks 1..5 due on different days; 2 claims a day; the look-ahead lets all of them in today.
    results = [result(3, AS_OF - timedelta(3)), result(1, AS_OF), result(5, AS_OF - timedelta(1)),
               result(2, AS_OF + timedelta(2)), result(4, AS_OF - timedelta(10))]
    plan = make_plan(results, AS_OF, 7, Pace(2), {})
    assert [results[i].priority for i in plan.today] == [1, 2]
    assert plan.waiting == 3
    # Day 2 is Monday 11/23 (ranks 3, 4), day 3 Tuesday 11/24 (rank 5): two business days after today.
    assert plan.waiting_last_day == date(2026, 11, 24) and plan.waiting_days == 2
    assert plan.coming_due == 1  # rank 2 is due on Sunday 11/22


def test_work_due_later_joins_the_queue_on_its_day_and_takes_its_turn_by_priority():
    results = [result(2, AS_OF - timedelta(5)), result(3, AS_OF - timedelta(5)),
               result(1, AS_OF + timedelta(10))]  # rank 1, but due beyond the 0-day look-ahead
    plan = make_plan(results, AS_OF, 0, Pace(1), {})
    assert [results[i].priority for i in plan.today] == [2]
    total = plan.backlog_total
    assert total.due_now == 2 and total.cleared_by == date(2026, 11, 23) and total.days == 2


def test_with_minutes_each_claim_counts_the_minutes_of_its_kind():
    results = [result(1, AS_OF, "appeal"), result(2, AS_OF, "submit"), result(3, AS_OF, "status_check"),
               result(4, AS_OF, "escalate")]
    plan = make_plan(results, AS_OF, 7, Pace(60, "minutes"), {"appeal": 40, "submit": 5})
    assert [results[i].priority for i in plan.today] == [1, 2, 3]  # 40 + 5 + 10 minutes; the 25-minute call waits
    assert plan.today_minutes == 55
    rows = {r.key: r for r in plan.backlog}
    assert rows["appeal"].minutes_each == 40 and rows["payer_call"].minutes_each == 25  # built-in minutes
    assert rows["payer_call"].cleared_by == date(2026, 11, 23) and rows["payer_call"].days == 2
    assert rows["send_records"].due_now == 0 and rows["send_records"].cleared_by is None


def test_a_claim_longer_than_a_day_still_gets_a_day_of_its_own():
    results = [result(1, AS_OF, "appeal"), result(2, AS_OF, "appeal")]
    plan = make_plan(results, AS_OF, 7, Pace(30, "minutes"), {"appeal": 45})
    assert [results[i].priority for i in plan.today] == [1]
    assert plan.waiting_last_day == date(2026, 11, 23)


def test_weekends_and_holidays_are_not_work_days():
    results = [result(k, AS_OF - timedelta(1)) for k in range(1, 4)]
    plan = make_plan(results, AS_OF, 7, Pace(1), {}, holidays=frozenset({date(2026, 11, 23)}))
    # Friday 11/20 (today), Monday 11/23 is a holiday: Tuesday 11/24, Wednesday 11/25.
    assert plan.backlog_total.cleared_by == date(2026, 11, 25) and plan.backlog_total.days == 3


def test_work_beyond_a_year_is_said_plainly():
    results = [result(k, AS_OF - timedelta(1)) for k in range(1, 30)]
    plan = make_plan(results, AS_OF, 7, Pace(1), {}, max_days=10)
    assert plan.backlog_total.cleared_by is None and plan.waiting_last_day is None
    assert "take more than a year, so raise Follow-up work per day" in planning.waiting_sentence(plan)
    assert planning.backlog_rows(plan)[-1][4] == "over a year"


def test_nothing_due_is_said_plainly():
    plan = make_plan([result(1, AS_OF + timedelta(30))], AS_OF, 7, Pace(10), {})
    assert plan.today == () and plan.waiting == 0
    assert planning.worklist_status(plan) == "As of 11/20/2026: nothing to work today: no follow-up is due by 11/27/2026."
    assert planning.worklist_footer(plan) == ""


# --- settings.yaml -------------------------------------------------------------------------------------

def rules_copy(tmp_path: Path, replace: tuple[str, str] | None = None) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    if replace:
        settings = folder / "settings.yaml"
        text = settings.read_text()
        assert replace[0] in text
        settings.write_text(text.replace(replace[0], replace[1]))
    return folder


def test_the_shipped_settings_give_the_pace_and_the_minutes_of_every_kind(rules):
    assert rules.settings.work_per_day == Pace(180, "minutes")
    assert {k for k, _ in rules.settings.minutes_per_action} == set(planning.KIND_KEYS)


def _line_of(folder: Path, text: str) -> int:
    return next(i for i, line in enumerate((folder / "settings.yaml").read_text().splitlines(), 1) if text in line)


def test_a_mistyped_pace_is_reported_with_file_and_line(tmp_path):
    folder = rules_copy(tmp_path, ("per_day: 3 hours", "per_day: 3 hourz"))
    (problem,) = check_rules(folder)
    assert str(problem) == (
        f"settings.yaml:{_line_of(folder, 'per_day:')}: 'per_day' is '3 hourz', which is not an amount of work "
        "for a day. Expected a number of claims or a time, such as '20 claims', '90 minutes' or '2 hours': from 1 "
        "to 10000 claims, or at most 24 hours. Write a number followed by claims, minutes or hours.")


def test_a_mistyped_kind_of_work_or_minutes_is_reported_with_file_and_line(tmp_path):
    folder = rules_copy(tmp_path, ("  payer_call: 25", "  payer_cal: 25\n  patient: lots"))
    problems = [str(p) for p in check_rules(folder)]
    assert any(p.startswith(f"settings.yaml:{_line_of(folder, 'payer_cal:')}: 'payer_cal' is not a setting in "
                            "minutes_per_action. Did you mean 'payer_call'?") for p in problems), problems
    assert any(p.startswith(f"settings.yaml:{_line_of(folder, 'patient: lots')}: 'patient' is 'lots', which is not "
                            "a number of minutes.") for p in problems), problems


def test_settings_yaml_pace_reaches_the_worklist(tmp_path, rules):
    folder = rules_copy(tmp_path, ("per_day: 3 hours", "per_day: 4 claims"))
    out = tmp_path / "demo.xlsx"
    assert main(["demo", "--as-of", "2026-11-23", "--out", str(out), "--rules", str(folder)]) == 0
    ws = openpyxl.load_workbook(out)["Worklist"]
    assert [ws.cell(r, 1).value for r in range(4, 9)] == [1, 2, 3, 4, None]
    assert ws["A2"].value.startswith("As of 11/23/2026: today's share is 4 claims, numbered 1 to 4 in the order "
                                     "to work them (at 4 claims a day; Settings: Follow-up work per day).")


# --- real workbooks ------------------------------------------------------------------------------------

def _tracker(tmp_path, rules, pace=None, n=60, name="ClaimTracker.xlsx") -> Path:
    path = write_tracker(tmp_path / name, rules, sample_claims(date(2026, 11, 23), n), date(2026, 11, 23), RULES_DIR)
    if pace is not None:
        wb = openpyxl.load_workbook(path)
        wb[S.SETTINGS][S.setting_cell("Follow-up work per day")].value = pace
        wb.save(path)
    return path


def _backlog(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=S.DASH_PLAN_ROW, max_row=S.DASH_PLAN_ROW + 9,
                                                            max_col=6)]


def test_refresh_shows_todays_share_and_the_backlog_by_kind(tmp_path, rules, capsys):
    path = _tracker(tmp_path, rules, pace="5 claims")
    assert main(["refresh", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    ws = wb[S.WORKLIST]
    assert [ws.cell(r, 1).value for r in range(3, 10)] == ["#", 1, 2, 3, 4, 5, None]
    status = ws["A2"].value
    assert status.startswith("As of 11/23/2026: today's share is 5 claims, numbered 1 to 5 in the order to work "
                             "them (at 5 claims a day; Settings: Follow-up work per day).")
    footer = ws["A10"].value
    assert footer.startswith("That is today's share. ") and "more claims due by 11/30/2026 wait their turn: at this " \
        "pace they come up over the next " in footer and footer.endswith(
            "The Dashboard shows the backlog by kind of work and when it is cleared.")
    # The same claims, in the same order, as the engine's ranking of what is due by the look-ahead.
    results = evaluate(sample_claims(date(2026, 11, 23), 60), rules, date(2026, 11, 23)).results
    due = sorted((r for r in results if r.priority and r.follow_up <= date(2026, 11, 30)), key=lambda r: r.priority)
    assert [ws.cell(r, 2).value for r in range(4, 9)] == [r.claim_id for r in due[:5]]

    dash = wb[S.DASHBOARD]
    assert dash[f"A{S.DASH_PLAN_ROW - 1}"].value == ("Follow-up backlog: work due today or earlier, and when it is "
                                                     "cleared at 5 claims a day (Settings: Follow-up work per day)")
    rows = _backlog(dash)
    assert rows[0] == list(planning.BACKLOG_HEADER)
    assert [r[0] for r in rows[1:9]] == [k.label for k in planning.KINDS]
    total = rows[9]
    overdue_or_today = [r for r in results if r.priority and r.follow_up <= date(2026, 11, 23)]
    assert total[0] == "All follow-up work due now" and total[1] == len(overdue_or_today)
    assert sum(r[1] for r in rows[1:9]) == total[1]
    # At 5 a day, at least ceil(n / 5) business days; the date is that business day, never a weekend.
    assert total[5] >= -(-total[1] // 5) and isinstance(total[4], dt.datetime) and total[4].weekday() < 5
    assert all(r[4] == "nothing due" for r in rows[1:9] if r[1] == 0)
    assert dash[f"A{S.DASH_MONEY_ROW}"].value == "Payer" and dash[f"A{S.DASH_MONEY_ROW - 1}"].value.startswith("Open AR")


def test_a_bad_pace_on_the_settings_sheet_is_listed_and_the_rules_value_used(tmp_path, rules):
    path = _tracker(tmp_path, rules, pace="lots")
    assert main(["refresh", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    problems = [wb[S.PAYERS].cell(r, 1).value for r in range(S.PAYERS_PROBLEM_ROW, S.PAYERS_PROBLEM_ROW + 3)]
    assert ("Settings: Follow-up work per day 'lots' should be a number of claims or a time, such as '20 claims', "
            "'90 minutes' or '2 hours' (at most 24 hours); the rules' value was used") in problems
    assert "at 3 hours a day" in wb[S.WORKLIST]["A2"].value


def test_an_older_tracker_gets_the_new_settings_row(tmp_path, rules, capsys):
    path = _tracker(tmp_path, rules)
    wb = openpyxl.load_workbook(path)
    row = int(S.setting_cell("Follow-up work per day")[1:])
    wb[S.SETTINGS].delete_rows(row)
    del wb.defined_names["WorkPerDay"]
    wb.save(path)
    assert main(["refresh", str(path)]) == 0
    st = openpyxl.load_workbook(path)[S.SETTINGS]
    assert [st.cell(row, c).value for c in (1, 2)] == ["Follow-up work per day", "3 hours"]
    assert "at 3 hours a day" in openpyxl.load_workbook(path)[S.WORKLIST]["A2"].value


def test_the_excel_button_shows_the_same_share_and_backlog(tmp_path, rules, open_caller):
    path = _tracker(tmp_path, rules, pace=4, name="ClaimTracker.xlsm")
    plain = _tracker(tmp_path, rules, pace=4, name="Copy.xlsx")
    assert main(["refresh", str(plain)]) == 0
    book = open_caller(path)
    import claimbook.excel.macros as m

    m.refresh()
    wl = book.sheets[S.WORKLIST]
    assert wl["A4:A8"].value == [1, 2, 3, 4, None]
    expected = openpyxl.load_workbook(plain)
    assert wl["A2"].value == expected[S.WORKLIST]["A2"].value
    assert wl["A2"].value.startswith("As of 11/23/2026: today's share is 4 claims, numbered 1 to 4")
    assert wl["A9"].value == expected[S.WORKLIST]["A9"].value and wl["A9"].value.startswith("That is today's share.")
    dash = book.sheets[S.DASHBOARD]
    got = dash.range((S.DASH_PLAN_ROW, 1), (S.DASH_PLAN_ROW + 9, 6)).options(ndim=2, dates=dt.datetime).value
    assert got == _backlog(expected[S.DASHBOARD])
