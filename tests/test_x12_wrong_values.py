"""The wrong values of issue 10, end to end through ``claimbook import`` on real tracker files: what the
office manager sees in the cells, the report and the Import Log. Each of these failed before the fix."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from claimbook.model import Order
from tests.test_import_x12 import _era, _file, _samples, claim, day, log, make, rows, run

DATA = Path(__file__).parent / "data" / "x12"
CORPUS = DATA / "corpus"
HAS_COB_ENGINE = importlib.util.find_spec("claimbook.engine.cob") is not None


@pytest.fixture(scope="module")
def rules():
    from claimbook.rules.loader import load_rules

    return load_rules()


# ------------------------------------------------------------------------------ order of remittances
def _reversal_files(tmp_path: Path) -> tuple[Path, Path]:
    """The original payment (88.92, patient 105.26) and a later file with its reversal and the corrected
    payment (100.00, patient 93.18) under a new payer claim number."""
    bs = _samples()
    original = _era(tmp_path, "original.835", bs.clp(
        "CLM-9001", "1", "300", "88.92", "105.26", "ICN-A",
        bs.svc("99214", "300", "88.92", "20240220", ["CAS*CO*45*105.82~", "CAS*PR*1*105.26~"])),
        paid="88.92", date="20240315", check="EFT-A")
    later = _era(tmp_path, "later.835", bs.flat(
        bs.clp("CLM-9001", "22", "-300", "-88.92", "-105.26", "ICN-A",
               bs.svc("99214", "-300", "-88.92", "20240220", ["CAS*CO*45*-105.82~", "CAS*PR*1*-105.26~"])),
        bs.clp("CLM-9001", "1", "300", "100", "93.18", "ICN-B",
               bs.svc("99214", "300", "100", "20240220", ["CAS*CO*45*106.82~", "CAS*PR*2*93.18~"]))),
        paid="11.08", date="20240405", check="EFT-B")
    return original, later


def _money(tracker: Path) -> tuple:
    c = rows(tracker)["CLM-9001"]
    return c["Paid"], c["Patient Resp"], c["Status"], c["Denial Codes"], day(c["Remit Date"])


TRUTH = (100, 93.18, "Paid", "PR-2", date(2024, 4, 5))


@pytest.mark.parametrize("order", ["later first", "original first", "one command, later first",
                                   "one command, original first"])
def test_reversal_and_repayment_give_the_same_money_whatever_the_order(tmp_path, rules, capsys, order):
    """Was: the reversal-and-repayment file imported before the original left Paid 188.92 and Patient Resp
    198.44 (the original added on top of the correction)."""
    tracker = make(tmp_path, rules, [claim("CLM-9001", billed=300.0)])
    original, later = _reversal_files(tmp_path)
    if order == "later first":
        assert run(capsys, tracker, later)[0] == 0
        code, out, err = run(capsys, tracker, original)
    elif order == "original first":
        assert run(capsys, tracker, original)[0] == 0
        code, out, err = run(capsys, tracker, later)
    elif order == "one command, later first":
        code, out, err = run(capsys, tracker, later, original)
    else:
        code, out, err = run(capsys, tracker, original, later)
    assert code == 0, err
    assert _money(tracker) == TRUTH
    # The payment history the next import reads: one line per remittance claim, on the Payments sheet.
    ws = openpyxl.load_workbook(tracker)["Payments"]
    lines = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert sorted((ln[1], ln[2], ln[4], ln[5]) for ln in lines) == [
        ("ICN-A", "1", 88.92, 105.26), ("ICN-A", "22", -88.92, -105.26), ("ICN-B", "1", 100, 93.18)]
    # Either file again changes nothing, and adds nothing to the history.
    for f in (original, later):
        code, out, _ = run(capsys, tracker, f, extra=["--again"])
        assert code == 0 and f"{f.name}: 0 added, 0 updated (0 changes)" in out
    assert _money(tracker) == TRUTH
    assert openpyxl.load_workbook(tracker)["Payments"].max_row == 4


def test_the_note_agrees_with_the_row_after_a_reversal(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim("CLM-9001", billed=300.0)])
    original, later = _reversal_files(tmp_path)
    run(capsys, tracker, later)
    code, out, _ = run(capsys, tracker, original)
    c = rows(tracker)["CLM-9001"]
    assert "Payer claim # ICN-B" in c["Notes"] and "Payment reversed by payer (claim # ICN-A)" in c["Notes"]
    assert "Paid is the corrected amount 100.00, Patient Resp 93.18." in out


# ------------------------------------------------------------------------------------------ crossover
def test_a_medicare_crossover_is_marked_and_read_from_a_real_novitas_era(tmp_path, rules, capsys):
    """Was: the real Novitas ERA was refused over MOA MA15 (a remark code newer than pyx12's list); the
    crossover claim (CLP02 19, NM1*TT, MA18) then ended "Bill the patient $119.39"."""
    claims = [claim("0015", payer="Medicare", billed=8739.0, dos_from=date(2017, 7, 13), submitted=date(2017, 7, 20)),
              claim("0011", payer="Medicare", billed=19172.0, dos_from=date(2017, 6, 30), submitted=date(2017, 7, 5))]
    tracker = make(tmp_path, rules, claims)
    code, out, err = run(capsys, tracker, CORPUS / "opake_novitas_medicare.835")
    assert code == 0, err
    got = rows(tracker)
    c = got["0015"]
    assert (c["Paid"], c["Patient Resp"], c["Status"]) == (468.02, 119.39, "Paid")
    assert "Forwarded by NOVITAS SOLUTIONS, INC. to UNITEDHEALTH GROUP (crossover)" in c["Notes"]
    assert "Claim 0015 processed as primary by NOVITAS SOLUTIONS, INC. and forwarded to UNITEDHEALTH GROUP " \
           "(crossover) — do not bill the secondary payer yourself" in out
    assert got["0011"]["Status"] == "Denied" and got["0011"]["Denial Codes"] == "CO-4 M20 N519 MA130 MA15"
    if HAS_COB_ENGINE:  # the engine side (issue 11) reads the crossover note
        assert "bill the patient" not in c["Next Action"].lower()


# ------------------------------------------------------------------------------------ 277 finalized
def test_a_277_finalized_with_a_paid_amount_records_the_payment(tmp_path, rules, capsys):
    """Was: F0 with a paid amount (STC05) left the row Submitted, TF Risk Expired, "confirm acceptance"."""
    bs = _samples()
    body = ["BHT*0010*08*STATUS0001*20240320*1200*DG~",
            "HL*1**20*1~", "NM1*PR*2*ACME HEALTH PLAN*****PI*ACME01~",
            "HL*2*1*21*1~", "NM1*41*2*SMALL FAMILY PRACTICE*****46*SUB01~",
            "HL*3*2*19*1~", "NM1*1P*2*SMALL FAMILY PRACTICE*****XX*1234567893~",
            *bs.st_claim(4, "CLM-7001", "STC*F0:3*20240320**200*150*20240318**20240319*EFT7001~", icn="ICN7001")]
    status = _file(tmp_path, "final.277", bs.envelope("HN", "005010X212", "277", body, st_version=True))
    tracker = make(tmp_path, rules, [claim("CLM-7001", submitted=date(2023, 2, 21), dos_from=date(2023, 2, 20))])
    code, out, err = run(capsys, tracker, status)
    assert code == 0, err
    c = rows(tracker)["CLM-7001"]
    assert (c["Status"], c["Paid"], day(c["Accepted"]), day(c["Remit Date"])) == \
        ("Paid", 150, date(2024, 3, 18), date(2024, 3, 19))
    assert "acceptance" not in c["Next Action"].lower()
    assert c["TF Risk"] != "Expired"


# ------------------------------------------------------------------------- several patients, one ID
def _three_patients(tmp_path: Path) -> Path:
    bs = _samples()
    clps = []
    for n, (name, member, paid) in enumerate((("DOE*JANE", "M111", "50"), ("ROE*RICHARD", "M222", "70"),
                                              ("POE*EDGAR", "M333", "90")), start=1):
        clps += [f"CLP*CLM-9101*1*100*{paid}*0*12*ICN-P{n}*11*1~", f"NM1*QC*1*{name}****MI*{member}~",
                 *bs.svc("99213", "100", paid, "20240220", [f"CAS*CO*45*{100 - int(paid)}~"])]
    return _era(tmp_path, "three.835", clps, paid="210")


def test_different_patients_under_one_claim_id_are_not_merged(tmp_path, rules, capsys):
    """Was: three CLPs with the same CLP01 and three member IDs became one row, Paid 210.00 (the sum), and
    the note quoted only the last one's amounts."""
    tracker = make(tmp_path, rules, [claim("CLM-9101", billed=100.0, patient="Doe, Jane")])
    code, out, err = run(capsys, tracker, _three_patients(tmp_path))
    assert code == 0, err
    c = rows(tracker)["CLM-9101"]
    assert (c["Paid"], c["Status"], c["Notes"]) == (50, "Paid", "Payer claim # ICN-P1")
    assert "Claim CLM-9101: the remittance has 3 different patients under this Claim ID; only the tracker row's " \
           "patient was applied" in out
    notes = [r[11] for r in log(tracker) if r[7] == "CLM-9101" and r[11]]
    assert any("ROE, RICHARD member ID M222" in n for n in notes)  # named on the Import Log, not printed
    assert "RICHARD" not in out

    # When the row's patient cannot be told, nothing is applied and the report says why.
    tracker = make(tmp_path, rules, [claim("CLM-9101", billed=100.0, patient="")], name="T2.xlsx")
    code, out, err = run(capsys, tracker, _three_patients(tmp_path))
    assert code == 0, err
    assert rows(tracker)["CLM-9101"]["Paid"] is None
    assert "skipped claim CLM-9101: 3 different patients under this Claim ID in the remittance" in out


def test_emedny_sample_same_claim_id_three_member_ids_and_payer_nysdoh(tmp_path, rules, capsys):
    """eMedNY's own sample: payer NYSDOH (now known as New York Medicaid), three CLPs under one CLP01
    with three member IDs and the same name: not merged, not applied."""
    tracker = make(tmp_path, rules, [claim("PATIENT ACCOUNT NUMBER", payer="New York Medicaid",
                                           patient="Submitted Last, Submitted First")])
    code, out, err = run(capsys, tracker, CORPUS / "edi835parser_emedny_sample.txt")
    assert code == 0, err
    assert rows(tracker)["PATIENT ACCOUNT NUMBER"]["Paid"] is None
    assert "3 different patients under this Claim ID" in out
    assert "is from NYSDOH, not the payer on the tracker row" not in out


def test_nysdoh_is_new_york_medicaid(tmp_path, rules, capsys):
    """Was: "not applied — the remittance is from NYSDOH, not the payer on the tracker row"."""
    bs = _samples()
    era = _era(tmp_path, "ny.835", bs.clp("CLM-9201", "1", "100", "80", "0", "ICN-NY",
                                           bs.svc("99213", "100", "80", "20240220", ["CAS*CO*45*20~"])),
               paid="80", payer="NYSDOH")
    tracker = make(tmp_path, rules, [claim("CLM-9201", payer="New York Medicaid", billed=100.0)])
    code, out, err = run(capsys, tracker, era)
    assert code == 0, err
    assert (rows(tracker)["CLM-9201"]["Paid"], rows(tracker)["CLM-9201"]["Status"]) == (80, "Paid")


# ------------------------------------------------------------------------------------------ balancing
def test_bpr_that_does_not_balance_is_a_warning_in_the_report_and_the_log(tmp_path, rules, capsys):
    """Was: a BCBS Alabama ERA (BPR02 0.00, CLP04 21.00) imported without a word. Also indented (tabs),
    a wrong SE count and a trailing separator: read anyway, each a warning."""
    tracker = make(tmp_path, rules, [claim("130", payer="Blue Cross Blue Shield of Alabama", billed=115.0,
                                           order=Order.SECONDARY)])
    code, out, err = run(capsys, tracker, CORPUS / "opake_bcbs_alabama.835")
    assert code == 0, err
    assert "warning: segment BPR (segment 4 of the file, line 5): the payment (BPR02 0.00) is not the claims' " \
           "paid amounts (CLP04 total 21.00) minus the provider-level adjustments (PLB total 0.00)" in out
    warnings = [r[11] for r in log(tracker) if r[8] == "(warning)"]
    assert any("BPR02 0.00" in w for w in warnings) and any("SE count" in w for w in warnings)
    assert rows(tracker)["130"]["Paid"] == 21


# --------------------------------------------------------------------------------------- the ribbon
def test_the_ribbon_message_lists_refused_files_first(tmp_path):
    from claimbook.imports import ImportReport, summary

    good = ImportReport("good.835", "x", "835", [], ["CLM-1"], [], [], [])
    bad = ImportReport("bad.835", "", "(refused)", [], [], [], [],
                       ["bad.835: refused, nothing was imported — segment CLP (segment 9 of the file, line 9): "
                        "the file ends in the middle of this segment"])
    text = summary([good, bad])
    lines = text.splitlines()
    assert lines[0] == ("bad.835 — REFUSED, nothing was imported from it: refused, nothing was imported — "
                        "segment CLP (segment 9 of the file, line 9): the file ends in the middle of this segment")
    assert "good.835 — remittance (835): 1 claim updated" in lines[1]
    assert "1 of 2 files refused: the other files were imported." in text


def test_an_835_without_its_envelope_says_so(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim("CLM-1")])
    code, _, err = run(capsys, tracker, CORPUS / "edi835parser_blue_cross_nc_sample.txt")
    assert code == 2
    assert "without its ISA/GS envelope (it starts with ST, not ISA)" in err


def test_unknown_codes_are_recorded_as_sent(tmp_path, rules, capsys):
    """A CARC and a RARC no list knows (N9999 is not a real remark code) are kept, never a refusal."""
    bs = _samples()
    era = _era(tmp_path, "new-codes.835", bs.clp(
        "CLM-9301", "4", "100", "0", "0", "ICN-X", bs.svc("99213", "100", "0", "20240220", ["CAS*CO*Z99*100~"],
                                                         lq=["N9999"])), paid="0")
    tracker = make(tmp_path, rules, [claim("CLM-9301", billed=100.0)])
    code, out, err = run(capsys, tracker, era)
    assert code == 0, err
    c = rows(tracker)["CLM-9301"]
    assert (c["Status"], c["Denial Codes"]) == ("Denied", "CO-Z99 N9999")
    assert c["Next Action"] == "Look up the reason code on the remittance and decide whether to correct, appeal or " \
                               "write off"  # denials.yaml's unknown_code action
    assert "Denial code CO-Z99 is not in denials.yaml: the general action for unknown codes applies" in c["Data Issues"]
