"""The quick-start job: ``claimbook demo`` on the built-in sample, as an office manager would see it."""

from __future__ import annotations

import re
import zipfile
from datetime import date

import openpyxl

from claimbook.cli import main
from claimbook.engine import evaluate
from claimbook.model import Status
from claimbook.rules.loader import load_rules
from claimbook.sample import sample_claims

AS_OF = date(2026, 11, 23)


def test_sample_is_deterministic_and_covers_every_status_payer_and_denial_category():
    claims = sample_claims(AS_OF)
    assert claims == sample_claims(AS_OF) and 250 <= len(claims) <= 350
    assert {c.status for c in claims} == set(Status)
    rules = load_rules()
    results = evaluate(claims, rules, AS_OF).results
    assert {r.payer_key for r in results} == {p.key for p in rules.payers} | {"default"}
    categories = {r.category for r in results}
    for main_category in ("appeal", "correct_resubmit", "status_check", "escalate", "timely_filing", "auth",
                          "bundling", "cob", "records_request", "underpayment", "bill_patient", "submit",
                          "resubmit", "send_docs", "appeal_status", "none"):
        assert main_category in categories, main_category


def test_demo_prints_todays_share_numbered_from_1_and_the_backlog(capsys):
    assert main(["demo", "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    start = lines.index("Today's share of the work at 3 hours a day, in the order to work it (settings.yaml: workload)")
    header = lines[start + 1]
    for column in ("#", "Claim", "Payer", "Next action", "Due", "Days late", "At stake", "TF risk"):
        assert column in header
    rows = []
    for line in lines[start + 3:]:
        if not (line[:3].strip().isdigit() and line[3:5] == "  "):
            break
        rows.append(line)
    assert [int(line.split()[0]) for line in rows] == list(range(1, len(rows) + 1)) and len(rows) >= 3
    # The claims are the most urgent among those due by the as-of date + 7 look-ahead days, in that order.
    results = evaluate(sample_claims(AS_OF), load_rules(), AS_OF).results
    due = sorted((r for r in results if r.priority and r.follow_up <= date(2026, 11, 30)), key=lambda r: r.priority)
    assert [line.split()[1] for line in rows] == [r.claim_id for r in due[:len(rows)]]
    # Dates in the tracker's order (month first, as the backlog table below), never ISO.
    assert all(re.search(r"\b\d{2}/\d{2}/\d{4}\b", line) and not re.search(r"\d{4}-\d{2}-\d{2}", line)
               for line in rows)
    waiting = lines[start + 3 + len(rows)]
    assert waiting.startswith(f"{len(due) - len(rows)} more claims due by 11/30/2026 wait their turn: at this pace "
                              "they come up over the next ")
    backlog = lines.index("Follow-up backlog: work due today or earlier, and when it is cleared at 3 hours a day")
    assert lines[backlog + 1].split() == ["Kind", "of", "work", "Claims", "due", "Minutes", "each", "Hours", "of",
                                          "work", "Cleared", "by", "Business", "days"]
    total = next(line for line in lines[backlog:] if line.startswith("All follow-up work due now"))
    overdue_or_today = [r for r in due if r.follow_up <= AS_OF]
    assert total.split()[5] == str(len(overdue_or_today))
    # The Dashboard's AR matrix (billed claims), not a second table of its own.
    aging = lines.index("Open AR by payer and age, as on the Dashboard (dollars owed on billed claims, claim count)")
    assert all(b in lines[aging + 1] for b in ("0-30", "31-60", "61-90", "91-120", "120+", "Total"))
    assert any(line.startswith("All payers") for line in lines[aging:])
    assert "Medicare (Part A and B)" in out and "Cigna" in out


def test_demo_out_writes_a_refreshed_macro_tracker(tmp_path, capsys):
    out = tmp_path / "demo.xlsm"
    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        assert {"xl/vbaProject.bin", "customUI/customUI.xml"} <= set(z.namelist())
    wb = openpyxl.load_workbook(out)
    header = [c.value for c in wb["Claims"][1]]
    first = dict(zip(header, [c.value for c in wb["Claims"][2]]))
    assert first["Claim ID"] == "C26000" and first["Next Action"] and first["Why"]
    # Numbered from 1 for the reader: the most urgent claim due by the look-ahead comes first.
    assert (wb["Worklist"]["A4"].value, wb["Worklist"]["B4"].value) == (1, top_priority_due())


def top_priority_due() -> str:
    """The Claim ID of the best-ranked sample claim due within the Worklist's look-ahead (7 days)."""
    from datetime import timedelta

    results = evaluate(sample_claims(AS_OF), load_rules(), AS_OF).results
    return min((r.priority, r.claim_id) for r in results if r.priority and r.follow_up <= AS_OF + timedelta(days=7))[1]


def test_demo_out_never_replaces_a_file_without_force(tmp_path, capsys):
    real = tmp_path / "ClaimTracker.xlsm"
    real.write_bytes(b"the practice's real tracker")
    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(real)]) == 2
    out = capsys.readouterr()
    assert out.out == ""  # refused before the worklist is printed
    assert out.err.strip() == (f"claimbook: {real} already exists and claimbook demo does not replace it: it may be "
                               "a tracker with your claims. Give a new file name, or add --force to replace it "
                               "(the old file is then kept as ClaimTracker.backup-1.xlsm).")
    assert real.read_bytes() == b"the practice's real tracker"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ClaimTracker.xlsm"]

    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(real), "--force"]) == 0
    out = capsys.readouterr().out
    assert f"Demo tracker written to {real}" in out
    assert "The file that was there is kept as ClaimTracker.backup-1.xlsm." in out
    assert (tmp_path / "ClaimTracker.backup-1.xlsm").read_bytes() == b"the practice's real tracker"
    assert openpyxl.load_workbook(real)["Worklist"]["B4"].value == top_priority_due()


def test_demo_out_into_a_missing_folder_says_so(tmp_path, capsys):
    target = tmp_path / "no such folder" / "demo.xlsx"
    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(target)]) == 2
    assert capsys.readouterr().err.strip() == (f"claimbook: The folder {target.parent} does not exist. Create it "
                                               "first, or give a file name in a folder that exists; nothing was "
                                               "written.")
    assert not target.parent.exists()


def test_bad_as_of_is_a_plain_message(capsys):
    assert main(["demo", "--as-of", "yesterday"]) == 2
    assert "is not a date" in capsys.readouterr().err
    assert main(["demo", "--as-of", "9999-12-31"]) == 2
    assert "out of range" in capsys.readouterr().err


def test_explain_one_claim_in_a_tracker_and_in_the_demo(tmp_path, capsys):
    out = tmp_path / "demo.xlsx"
    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(out)]) == 0
    capsys.readouterr()
    before = out.read_bytes()
    assert main(["explain", "c26005", str(out), "--as-of", AS_OF.isoformat()]) == 0  # any case of the ID
    text = capsys.readouterr().out
    assert "Claim C26005" in text and "Next action: Send the requested records by 12/04/2026" in text
    assert "Why: Documents due 12/04/2026." in text  # the cell's sentence; files and sources below it
    assert "Full reasoning and sources: Aetna (payers/aetna.yaml)" in text
    assert out.read_bytes() == before  # explain never changes the tracker
    assert main(["explain", "C26005", "--demo", "--as-of", AS_OF.isoformat()]) == 0
    assert capsys.readouterr().out == text  # the demo sample, as 'claimbook demo' made the tracker
    assert main(["explain", "NOPE", str(out)]) == 2
    assert capsys.readouterr().err.strip() == "claimbook: Claim NOPE is not in demo.xlsx: check the Claim ID column."
    assert main(["explain", "NOPE", "--demo"]) == 2
    assert capsys.readouterr().err.strip() == ("claimbook: Claim NOPE is not in the demo sample: its Claim IDs are "
                                               "those 'claimbook demo' prints, such as C26000.")
    assert main(["explain", "C26005", str(out), "--demo"]) == 2
    assert "Give a tracker or --demo, not both" in capsys.readouterr().err


def test_demo_writes_its_tracker_even_when_the_reader_stops_early(tmp_path):
    # ``claimbook demo --out x.xlsm | head -1``: the pipe closes before the report is printed.
    import subprocess
    import sys

    out = tmp_path / "piped.xlsm"
    p = subprocess.Popen([sys.executable, "-m", "claimbook.cli", "demo", "--as-of", "2026-11-23", "--out", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0 and err == b""
    assert out.exists() and zipfile.is_zipfile(out)
