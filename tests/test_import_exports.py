"""Practice-management exports read with no setup (issue 9): presets, report layouts, the practice's own words,
payer names, and the office's corrections surviving a re-import."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import openpyxl
import pytest

from claimbook import table
from claimbook.cli import main
from claimbook.imports.memory import KEPT
from claimbook.rules.loader import check_rules, load_rules
from claimbook.workbook import io
from claimbook.workbook.importer import import_files
from tests.score_exports import AS_OF, EXPORTS, empty_tracker, read_back, run, score_tracker, truth

sys.path.insert(0, str(EXPORTS))
from make_exports import ANSWERS, SYSTEMS  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def folder(tmp_path):
    dest = tmp_path / "rules"
    shutil.copytree(REPO / "rules", dest)
    return dest


def _tracker(tmp_path, folder) -> Path:
    return empty_tracker(tmp_path / "Tracker.xlsx", load_rules(folder))


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ presets
@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_each_system_export_is_recognised_and_read_right(tmp_path, folder, system):
    """The small export written from the vendor's help pages: recognised from its headings (no --preset),
    no phantom rows, and every claim right except those carrying a practice's custom word, which are
    listed (not guessed)."""
    tracker = _tracker(tmp_path, folder)
    export = EXPORTS / f"{system}.csv"
    reports, _ = import_files([str(export)], tracker, as_of=AS_OF, rules_dir=str(folder))
    rep = reports[0]
    assert any(n.startswith("read as an export from ") and f"presets/{system}.yaml" in n for n in rep.notes)
    expected = {k: v for k, v in truth(EXPORTS / "truth.csv").items() if v["File"] == export.name}
    s = score_tracker(tracker, load_rules(folder), expected)
    assert s.phantoms == [] and s.claims == len(expected) == 10
    listed = " ".join(rep.notes)
    for wrong in s.wrong:  # only a listed word may leave a claim not right
        cid = wrong.split(":")[0]
        assert f'status word "' in listed and cid in listed, wrong
        assert any(w in listed for w in ANSWERS["statuses"])


def test_every_preset_names_its_sources_and_what_is_uncertain():
    from claimbook.imports.presets import check_presets

    presets, problems = check_presets(REPO / "rules" / "presets")
    assert problems == []
    assert {p.system for p in presets} >= {"Tebra (Kareo)", "athenaOne", "AdvancedMD", "eClinicalWorks", "DrChrono",
                                           "Office Ally", "CollaborateMD", "NextGen Office"}
    for p in presets:
        assert p.sources and all(s.startswith("https://") for s in p.sources), p.file
        assert len(p.uncertain) > 80, p.file


def test_a_word_that_depends_on_another_column(tmp_path, folder):
    """Tebra "On Hold" is Submitted with a billed date, Not Submitted without; "Settled" is Paid when insurance
    paid, Closed when not; a plain "Pending" hands over to the Payer Status column."""
    tracker = _tracker(tmp_path, folder)
    export = _csv(tmp_path / "t.csv",
                  "Claim ID,Encounter ID,Patient Name,Date of Service,Insurance Company,Last Billed Date,Charges,"
                  "Insurance Payments,Claim Status,Payer Status\n"
                  "1z9,1,\"A, B\",03/02/2026,AETNA,03/05/2026,100,0,On Hold,\n"
                  "2z9,2,\"A, B\",03/02/2026,AETNA,,100,0,On Hold,\n"
                  "3z9,3,\"A, B\",03/02/2026,AETNA,03/05/2026,100,80,Settled,\n"
                  "4z9,4,\"A, B\",03/02/2026,AETNA,03/05/2026,100,0,Settled,\n"
                  "5z9,5,\"A, B\",03/02/2026,AETNA,03/05/2026,100,0,Pending,Acknowledged\n")
    import_files([str(export)], tracker, as_of=AS_OF, rules_dir=str(folder))
    got = {c.claim_id: c.status.value for c in read_back(tracker)}
    assert got == {"1z9": "Submitted", "2z9": "Not Submitted", "3z9": "Paid", "4z9": "Closed", "5z9": "Accepted"}


def test_office_ally_pending_is_not_yet_at_the_payer(tmp_path, folder):
    tracker = _tracker(tmp_path, folder)
    export = _csv(tmp_path / "oa.csv", "OA Claim ID,Patient Control Number,Payer Name,DOS,Status\n"
                                       "4100000001,P-1,AETNA,03/02/2026,Pending\n")
    import_files([str(export)], tracker, as_of=AS_OF, rules_dir=str(folder))
    (claim,) = read_back(tracker)
    assert claim.claim_id == "P-1" and claim.status.value == "Submitted"  # not claimbook's Pending (at the payer)


# ------------------------------------------------------------------------------------------------ layouts
REPORT = ("Claim Status Report\r\n"
          "Practice: Riverside Family Medicine,,,\r\n"
          "Date Range: 01/01/2026 - 11/30/2026\r\n"
          "\r\n"
          "Claim #,Insurance,Date of Service,Charges,Status\r\n"
          "A-1,AETNA,03/02/2026,$100.00,Paid\r\n"
          ",,,,\r\n"
          "Payer: CIGNA\r\n"
          "A-2,CIGNA,03/03/2026,$50.00,Denied\r\n"
          "Subtotal for CIGNA,,,$50.00,\r\n"
          "Claim #,Insurance,Date of Service,Charges,Status\r\n"
          "A-3,CIGNA,03/04/2026,$75.00,Billed\r\n"
          ",,,$225.00,\r\n"
          "Grand Total,,,$225.00,\r\n"
          "Report Total: 3 claims\r\n"
          "Page 1 of 1\r\n"
          "Printed 11/30/2026 10:32 AM\r\n")


def test_report_layout_is_skipped_and_listed_with_no_phantom_claim(tmp_path, folder, capsys):
    tracker = _tracker(tmp_path, folder)
    export = _csv(tmp_path / "report.csv", REPORT)
    assert main(["import", str(export), "--into", str(tracker), "--as-of", AS_OF.isoformat(), "--rules", str(folder)]) == 0
    shown = capsys.readouterr().out
    assert sorted(c.claim_id for c in read_back(tracker)) == ["A-1", "A-2", "A-3"]
    for line in ("skipped rows 1, 2 and 3: report title or parameters above the column headings",
                 "skipped row 8: a heading, group or footer line (one cell of text)",
                 "skipped row 10: a subtotal or totals row",
                 "skipped row 11: the column headings again (a page break)",
                 "skipped row 13: a subtotal or totals row (amounts but no claim number)",
                 "skipped row 14: a subtotal or totals row", "skipped row 15: a subtotal or totals row",
                 "skipped row 16: a heading, group or footer line (one cell of text)",
                 "skipped row 17: a heading, group or footer line (one cell of text)",
                 "skipped rows 4 and 7: blank line"):
        assert line in shown, line
    log = openpyxl.load_workbook(tracker)["Import Log"]
    notes = [r[11] for r in log.iter_rows(min_row=2, values_only=True) if r[11]]
    assert "skipped row 13: a subtotal or totals row (amounts but no claim number)" in notes


def test_a_file_with_no_headings_says_what_was_expected_and_what_to_do(tmp_path, folder, capsys):
    tracker = _tracker(tmp_path, folder)
    export = _csv(tmp_path / "print.csv", "Riverside Family Medicine\r\nClaims\r\n\r\n1001\r\n1002\r\n")
    assert main(["import", str(export), "--into", str(tracker), "--rules", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "print.csv is not a CSV file with a header row" in err
    assert "claimbook expects the claim list as CSV, with a row of column headings" in err
    assert "Export it from your practice system as CSV" in err and "Traceback" not in err
    # Delimited, but no row of headings anywhere near the top: the same advice, from the reader.
    export = _csv(tmp_path / "print2.csv", "Riverside Family Medicine,,\r\nClaims,,\r\n1001,Paid,\r\n")
    assert main(["import", str(export), "--into", str(tracker), "--rules", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "has no Claim ID column" in err and "looked for the row of column headings in the first 40 rows" in err


# ------------------------------------------------------------------------------------- the practice's words
def test_unknown_words_are_listed_once_flagged_not_guessed_then_learned(tmp_path, folder, capsys):
    tracker = _tracker(tmp_path, folder)
    export = _csv(tmp_path / "ngo.csv",
                  "Claim ID,Claim DOS,Claim Submission,Claim Status,Claim Level,Patient Name,Claim Charge $,"
                  "Primary Payer Name\n"
                  "N1,03/02/2026,03/04/2026,Info requested from office,Primary,\"A, B\",100,AETNA\n"
                  "N2,03/02/2026,03/04/2026,Info requested from office,Primary,\"A, B\",100,AETNA\n"
                  "N3,03/02/2026,03/04/2026,Paid,Completed,\"A, B\",100,MCARE-B\n")
    args = ["import", str(export), "--into", str(tracker), "--as-of", AS_OF.isoformat(), "--rules", str(folder)]
    assert main(args) == 0
    shown = capsys.readouterr().out
    assert shown.count('status word "Info requested from office"') == 1
    assert "2 claims (N1, N2)" in shown and '"Info requested from office": STATUS   under statuses:' in shown
    assert shown.count('note: payer "MCARE-B"') == 1 and '"MCARE-B": FILE' in shown
    wb = openpyxl.load_workbook(tracker)
    block = io.read_block(io.find_claims(wb))
    cols = table.map_input_columns(block.header)
    cells = {r[cols["claim_id"]]: r[cols["status"]] for r in block.rows if r[cols["claim_id"]]}
    assert cells["N1"] == "Info requested from office"  # kept as written, not guessed into another status
    issues = {r[0]: r for r in block.rows}
    computed = table.map_computed_columns(block.header)
    row = next(r for r in block.rows if r[cols["claim_id"]] == "N1")
    assert "is not a status claimbook knows" in row[computed["Data Issues"]]
    # The practice answers once, in import.yaml; rules check accepts it; the next import reads it.
    path = folder / "import.yaml"
    path.write_text(path.read_text().replace("\nstatuses:\n", '\nstatuses:\n  "Info requested from office": Docs '
                                             'Requested\n').replace("\npayers:\n", '\npayers:\n  "MCARE-B": medicare\n'))
    assert main(["rules", "check", str(folder)]) == 0
    capsys.readouterr()
    assert main(args + ["--again"]) == 0
    assert "status word" not in capsys.readouterr().out
    got = {c.claim_id: c for c in read_back(tracker)}
    rules = load_rules(folder)
    assert got["N1"].status.value == "Docs Requested"
    assert rules.payer_for(got["N3"].payer)[0].key == "medicare"  # the payers: line counts at refresh too


def test_mistakes_in_the_practice_words_are_named_with_file_and_line(folder, capsys):
    path = folder / "import.yaml"
    path.write_text(path.read_text().replace("\nstatuses:\n", "\nstatuses:\n  Waiting: Pendng\n")
                    .replace("\npayers:\n", "\npayers:\n  BCBS TX: bcbs_texas\n"))
    assert main(["rules", "check", str(folder)]) == 1
    out = capsys.readouterr().out
    lines = path.read_text().splitlines()
    n_status = lines.index("  Waiting: Pendng") + 1
    n_payer = lines.index("  BCBS TX: bcbs_texas") + 1
    assert f"import.yaml:{n_status}: statuses: 'Pendng' is not a claimbook status. Did you mean 'Pending'?" in out
    assert f"import.yaml:{n_payer}: payers: 'bcbs_texas' is not a payer file" in out
    assert "claimbook rules add-payer" in out


def test_a_broken_preset_is_named_by_rules_check(folder, capsys):
    p = folder / "presets" / "tebra.yaml"
    p.write_text(p.read_text().replace("    Settled: {paid: Paid, else: Closed}", "    Settled: Setled"))
    assert main(["rules", "check", str(folder)]) == 1
    out = capsys.readouterr().out
    n = p.read_text().splitlines().index("    Settled: Setled") + 1
    assert f"presets/tebra.yaml:{n}: 'Setled' is not a claimbook status." in out


# ---------------------------------------------------------------------------------------------- payer names
def test_every_payer_name_claimbook_offers_matches_its_own_rules(tmp_path):
    """Meta-test: the Payer drop-down's list (Payers sheet), the Payers table and every display name in the
    rules all resolve, to their own file."""
    rules = load_rules(REPO / "rules")
    tracker = empty_tracker(tmp_path / "T.xlsx", rules)
    wb = openpyxl.load_workbook(tracker)
    from claimbook import sheets

    ws = wb[sheets.PAYERS]
    col = openpyxl.utils.column_index_from_string(sheets.PAYER_LIST_COL)
    offered = [ws.cell(r, col).value for r in range(2, ws.max_row + 1) if ws.cell(r, col).value]
    by_name = {p.name: p for p in (*rules.payers, rules.default)}
    assert set(offered) == set(by_name) and len(offered) == len(rules.payers) + 1
    for name in offered:
        payer, known = rules.payer_for(name)
        assert known and payer is by_name[name], name
        payer, known = rules.payer_for(name.upper())
        assert known and payer is by_name[name], name


@pytest.mark.parametrize("spelling, key", [
    ("MCR", "medicare"), ("MEDICARE B - NOVITAS SOLUTIONS", "medicare"), ("MEDICARE PART B OF TEXAS", "medicare"),
    ("UHC COMMUNITY PLAN", "unitedhealthcare"), ("AARP MEDICARE ADVANTAGE", "unitedhealthcare"),
    ("HUMANA GOLD PLUS", "humana_medicare_advantage"), ("NYSDOH", "new_york_medicaid"),
    ("MEDI-CAL", "california_medicaid"), ("TX MEDICAID - TMHP", "texas_medicaid"), ("EMPIRE BCBS", "anthem_bcbs"),
    ("HEALTHSPRING MEDICARE", "cigna_medicare_advantage"),
])
def test_common_practice_system_spellings_match(spelling, key):
    payer, known = load_rules(REPO / "rules").payer_for(spelling)
    assert known and payer.key == key


@pytest.mark.parametrize("name, not_suggested", [
    ("BLUE CROSS BLUE SHIELD OF TX", "bcbs_illinois"), ("WELLCARE", "medicare"),
    ("SUPERIOR HEALTHPLAN MEDICAID", "medicare"), ("MOLINA MEDICAID TX", "medicare"),
    ("AMERIGROUP MEDICAID NY", "texas_medicaid"),
])
def test_suggestions_never_cross_state_or_kind(name, not_suggested):
    from claimbook.rules.payerhint import suggest_payer, unknown_payer_message

    rules = load_rules(REPO / "rules")
    hint = suggest_payer(name, rules)
    assert hint is None or hint.key != not_suggested
    msg = unknown_payer_message(name, rules)
    assert "Illinois" not in msg and "Did you mean 'Medicare" not in msg
    if hint is None:
        assert f'claimbook rules add-payer "{name}"' in msg and f'"{name}": FILE' in msg


def test_add_payer_makes_a_file_that_passes_rules_check(folder, capsys):
    assert main(["rules", "add-payer", "BLUE CROSS BLUE SHIELD OF TX", "--like", "anthem_bcbs", "--dir",
                 str(folder)]) == 0
    made = folder / "payers" / "blue_cross_blue_shield_of_tx.yaml"
    text = made.read_text()
    assert 'name: "BLUE CROSS BLUE SHIELD OF TX"' in text and "TO FILL IN" in text and "Anthem" not in \
        text.split("timely_filing")[0].replace("anthem_bcbs.yaml", "")
    assert [p for p in check_rules(folder) if p.severity == "error"] == []
    rules = load_rules(folder)
    payer, known = rules.payer_for("Blue Cross Blue Shield of TX")
    assert known and payer.key == "blue_cross_blue_shield_of_tx"
    capsys.readouterr()
    assert main(["rules", "add-payer", "AETNA PPO", "--dir", str(folder)]) == 2
    assert "already matches payers/aetna.yaml" in capsys.readouterr().err


# ---------------------------------------------------------------------------------- corrections survive
def _set_cells(tracker: Path, claim_id: str, values: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(tracker)
    place = io.find_claims(wb)
    block = io.read_block(place)
    cols = {h: i for i, h in enumerate(block.header)}
    ws = wb[place.sheet] if hasattr(place, "sheet") else place.ws
    r = next(i for i, row in enumerate(block.rows) if row[cols["Claim ID"]] == claim_id)
    for header, v in values.items():
        ws.cell(place.header_row + 1 + r, place.first_col + cols[header]).value = v
    wb.save(tracker)


def test_the_offices_corrections_survive_reimporting_the_same_export(tmp_path, folder, capsys):
    tracker = _tracker(tmp_path, folder)
    text = ("Claim #,Insurance,Date of Service,Status\n"
            "K1,BCBS TX,03/02/2026,Billed\n"
            "K2,AETNA,03/02/2026,Billed\n")
    export = _csv(tmp_path / "e.csv", text)
    args = ["import", str(export), "--into", str(tracker), "--as-of", AS_OF.isoformat(), "--rules", str(folder)]
    assert main(args) == 0
    _set_cells(tracker, "K1", {"Payer": "Blue Cross Blue Shield of Texas", "Status": "Appealed"})
    capsys.readouterr()
    assert main(args + ["--again"]) == 0
    out = capsys.readouterr().out
    assert "kept 2 values changed on the Claims sheet since the last import" in out
    got = {c.claim_id: c for c in read_back(tracker)}
    assert got["K1"].payer == "Blue Cross Blue Shield of Texas" and got["K1"].status.value == "Appealed"
    log = list(openpyxl.load_workbook(tracker)["Import Log"].iter_rows(min_row=2, values_only=True))
    kept = [r for r in log if r[11] and str(r[11]).startswith(KEPT)]
    assert {(r[7], r[8], r[9], r[10]) for r in kept} == {("K1", "Payer", "Blue Cross Blue Shield of Texas", "BCBS TX"),
                                                         ("K1", "Status", "Appealed", "Submitted")}
    # A file bringing something new (the practice system changed the payer) still wins, and says so.
    _csv(tmp_path / "e.csv", text.replace("K1,BCBS TX", "K1,CIGNA"))
    assert main(args) == 0
    got = {c.claim_id: c for c in read_back(tracker)}
    assert got["K1"].payer == "CIGNA" and got["K1"].status.value == "Appealed"


def test_the_measured_figure(tmp_path):
    """Issue 9's acceptance, on the five exports written from the vendor pages (250 claims): no phantom rows;
    every claim not right at first is one whose word the import listed; after answering them once, 100%."""
    files = sorted((EXPORTS / "acceptance").glob("*_claims.csv"))
    first, second = run(files, EXPORTS / "acceptance" / "truth.csv", ANSWERS, tmp_path)
    assert first.claims == 250 and first.phantoms == [] and first.percent >= 95.0
    listed = " ".join(first.notes)
    for wrong in first.wrong:
        assert wrong.split(":")[0] in listed, wrong
    assert second.right == 250 and second.phantoms == []
