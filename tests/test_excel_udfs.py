"""The worksheet functions (``claimbook.excel.udfs``) as plain Python: on Linux ``@xw.func`` does nothing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from types import SimpleNamespace

import pytest

from claimbook import table
from claimbook.engine import evaluate
from claimbook.excel import udfs
from claimbook.pipeline import Block, run_blocks
from claimbook.rules.loader import default_rules_dir, load_rules
from claimbook.sample import sample_claims
from tests.xlwings_openpyxl.tracker import claim_row

AS_OF = dt.date(2026, 11, 23)
D = dt.datetime
FUNCTIONS = (udfs.CB_AGING_BUCKET, udfs.CB_TF_DEADLINE, udfs.CB_TF_RISK, udfs.CB_FOLLOWUP_DATE, udfs.CB_NEXT_ACTION)


@pytest.fixture(scope="module")
def rules():
    return load_rules(default_rules_dir())


def _caller(workbook_path):
    """What xlwings passes as ``caller`` on Windows, as far as the functions use it."""
    return SimpleNamespace(sheet=SimpleNamespace(book=SimpleNamespace(fullname=str(workbook_path))))


def test_one_cell_in_one_answer_out():
    assert udfs.CB_TF_DEADLINE("Medicare", D(2026, 1, 5)) == dt.date(2027, 1, 5)
    assert udfs.CB_AGING_BUCKET(D(2026, 1, 5), None, D(2026, 11, 23)) == "120+"
    assert udfs.CB_AGING_BUCKET(D(2026, 11, 1), None, "11/23/2026") == "0-30"


def test_cells_are_read_like_the_claims_table():
    serial = (dt.date(2026, 1, 5) - dt.date(1899, 12, 30)).days  # a date Excel computed arrives as a float
    assert udfs.CB_TF_DEADLINE("Medicare", float(serial)) == dt.date(2027, 1, 5)
    assert udfs.CB_TF_DEADLINE("Medicare", "1/5/26") == dt.date(2027, 1, 5)
    assert udfs.CB_TF_RISK("Medicare", "1/5/26", "billed", "1/6/26", None, None, "11/23/2026") == \
        udfs.CB_TF_RISK("Medicare", "1/5/26", "Submitted", "1/6/26", None, None, "11/23/2026")


def test_a_column_in_a_column_out_and_single_values_are_repeated():
    payers = [["Medicare"], ["Aetna"], ["Cigna"]]  # a range arrives as a list of rows
    dos = [[D(2026, 1, 5)], [D(2026, 6, 1)], [None]]
    out = udfs.CB_TF_RISK(payers, dos, "Pending", None, None, None, D(2026, 11, 23))
    assert isinstance(out, list) and len(out) == 3 and all(len(r) == 1 for r in out)
    assert out[0] == [udfs.CB_TF_RISK("Medicare", D(2026, 1, 5), "Pending", as_of=D(2026, 11, 23))]
    flat = udfs.CB_TF_DEADLINE(["Medicare", "Aetna"], [D(2026, 1, 5), D(2026, 6, 1)])  # a 1-D range
    assert flat[0] == [dt.date(2027, 1, 5)]


def test_ranges_of_different_sizes_give_a_message_not_an_exception():
    out = udfs.CB_TF_DEADLINE(["Medicare", "Aetna", "Cigna"], ["1/1/26", "2/1/26"])
    assert out.startswith("claimbook: DOS has 2 cells but another argument has 3")


def test_column_answers_match_what_refresh_writes(rules):
    claims = sample_claims(AS_OF, 80)
    header = [c.header for c in table.INPUT_COLUMNS]
    rows = [claim_row(c, header) for c in claims]
    computed = run_blocks(Block(header, rows), None, rules, AS_OF).computed
    col = {name: [r[table.COMPUTED_COLUMNS.index(name)] for r in computed] for name in table.COMPUTED_COLUMNS}

    def column(name):
        i = header.index(name)
        return [[r[i]] for r in rows]

    as_of = D(2026, 11, 23)
    assert [r[0] for r in udfs.CB_AGING_BUCKET(column("DOS"), column("Submitted"), as_of,
                                                                column("Claim Type"), column("DOS Through"))] == col["Aging Bucket"]
    assert [r[0] for r in udfs.CB_TF_DEADLINE(column("Payer"), column("DOS"), column("Network"),
                                              column("Claim Type"), column("Order"),
                                              column("Primary EOB Date"), column("DOS Through"), column("Status"),
                                              column("Remit Date"), column("Denial Codes"))] == col["TF Deadline"]
    # Risk, follow-up and next action also depend on inputs the functions don't take (denials, remits...):
    # for claims where those are empty, the answers must agree.
    simple = [i for i, c in enumerate(claims) if not c.denial_codes and not c.remit_date and not c.docs_due
              and not c.appeal_filed and not c.primary_eob_date and c.paid == 0
              and c.status.value in ("Not Submitted", "Submitted", "Accepted", "Pending", "Rejected")]
    assert len(simple) > 10
    risk = udfs.CB_TF_RISK(column("Payer"), column("DOS"), column("Status"), column("Submitted"),
                           column("Accepted"), column("Network"), as_of)
    follow = udfs.CB_FOLLOWUP_DATE(column("Payer"), column("DOS"), column("Status"), column("Submitted"),
                                   column("Accepted"), column("Last Contact"), column("Remit Date"), as_of,
                                   column("Channel"))
    checked = 0
    for i in simple:
        if claims[i].network.value == "In" and claims[i].claim_type.value == "Professional" \
                and claims[i].order.value == "Primary" and claims[i].dos_through is None:
            assert risk[i][0] == col["TF Risk"][i]
            assert follow[i][0] == col["Follow-up Date"][i]
            checked += 1
    assert checked >= 5


def test_next_action_for_a_denial(rules):
    expected = evaluate([sample_claims(AS_OF, 1)[0]], rules, AS_OF)  # warm the engine, shape only
    assert expected.results
    text = udfs.CB_NEXT_ACTION("Aetna", D(2026, 6, 1), "Denied", D(2026, 6, 3), D(2026, 6, 4), "CO-16 MA130",
                               None, D(2026, 11, 23))
    assert isinstance(text, str) and text and not text.startswith("claimbook:")


def test_rules_are_loaded_once_and_again_when_a_file_changes(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    book = tmp_path / "ClaimTracker.xlsm"
    first = udfs.rules_for(str(book))
    assert first.folder == str(folder.resolve())
    assert udfs.rules_for(str(book)) is first
    settings = folder / "settings.yaml"
    later = os.stat(settings).st_mtime + 10
    os.utime(settings, (later, later))
    assert udfs.rules_for(str(book)) is not first
    assert udfs.CB_TF_DEADLINE("Medicare", D(2026, 1, 5), caller=_caller(book)) == dt.date(2027, 1, 5)


def test_broken_rules_give_a_plain_message_in_the_cell(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    (folder / "settings.yaml").write_text("settings:\n  look_ahead_days: [7\n", encoding="utf-8")
    out = udfs.CB_TF_DEADLINE("Medicare", D(2026, 1, 5), caller=_caller(tmp_path / "ClaimTracker.xlsm"))
    assert out.startswith("claimbook: The rules in ") and "Traceback" not in out


def test_a_onedrive_caller_uses_the_user_or_built_in_rules():
    out = udfs.CB_TF_DEADLINE("Medicare", D(2026, 1, 5), caller=_caller("https://d.docs.live.net/x/T.xlsm"))
    assert out == dt.date(2027, 1, 5)


def test_every_function_has_wizard_text():
    for f in FUNCTIONS:
        assert f.__doc__ and len(f.__doc__.splitlines()[0]) < 255, f.__name__
    assert "Windows Excel only" in udfs.__doc__
