"""``claimbook import`` of 835 remittances and 277/277CA status files, end to end through the command line
on real tracker files: the cells a person sees, the Import Log, the report printed, refused files."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from claimbook import table
from claimbook.cli import main
from claimbook.model import Claim, DenialCode, Network, Order, Status
from claimbook.rules.loader import load_rules
from claimbook.workbook import io
from tests.test_refresh import fill_tracker

DATA = Path(__file__).parent / "data" / "x12"
AS_OF = date(2024, 4, 1)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def claim(cid: str, **kw) -> Claim:
    base = dict(payer="Acme Health Plan", dos_from=date(2024, 2, 20), patient="Doe, Jane", submitted=date(2024, 2, 26),
                status=Status.SUBMITTED, billed=200.0, network=Network.IN, order=Order.PRIMARY)
    base.update(kw)
    return Claim(claim_id=cid, **base)


def make(tmp_path: Path, rules, claims, name="Tracker.xlsx") -> Path:
    from claimbook.workbook.layout import new_tracker

    wb = new_tracker(rules, as_of=AS_OF)
    fill_tracker(wb, claims)
    path = tmp_path / name
    wb.save(path)
    return path


def run(capsys, tracker, *files, extra=()):
    code = main(["import", *map(str, files), "--into", str(tracker), "--as-of", AS_OF.isoformat(), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def rows(path: Path) -> dict[str, dict]:
    wb = openpyxl.load_workbook(path)
    place = io.find_claims(wb)
    header = place.header()
    out = {}
    for r in io.read_block(place).rows:
        if r[0] is not None:
            out[str(r[0])] = dict(zip(header, r))
    return out


def log(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path)["Import Log"]
    return [[c.value for c in r] for r in ws.iter_rows()]


def day(v):
    return v.date() if isinstance(v, datetime) else v


DENIAL_IDS = [f"CLM-100{i}" for i in range(1, 8)]


# ------------------------------------------------------------------------------------------------ 835
def test_835_with_denials_partial_payment_plb_and_unmatched(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim(c) for c in DENIAL_IDS])
    era = DATA / "era_denials.835"

    code, out, err = run(capsys, tracker, era)

    assert code == 0, err
    assert "era_denials.835: 0 added, 7 updated" in out
    assert "not in the tracker: claim CLM-9999\n" in out
    assert "provider-level adjustment: Provider-level adjustment from ACME HEALTH PLAN: WO (overpayment " \
           "recovery) 25.50 withheld, reference ICN0777" in out
    assert "L6 (interest) 1.25 added" in out
    got = rows(tracker)
    assert "CLM-9999" not in got
    c = got["CLM-1001"]
    assert (c["Paid"], c["Patient Resp"], c["Status"], c["Denial Codes"], day(c["Remit Date"])) == \
        (150, 20, "Paid", "PR-3", date(2024, 3, 15))
    assert (got["CLM-1002"]["Status"], got["CLM-1002"]["Denial Codes"]) == ("Denied", "CO-50 N115")
    assert got["CLM-1003"]["Denial Codes"] == "CO-29"
    assert got["CLM-1004"]["Denial Codes"] == "OA-18"
    assert got["CLM-1005"]["Denial Codes"] == "CO-16 MA130"
    assert (got["CLM-1006"]["Paid"], got["CLM-1006"]["Patient Resp"], got["CLM-1006"]["Denial Codes"]) == \
        (180, 120, "PR-1; PR-2; PR-3")
    assert (got["CLM-1007"]["Paid"], got["CLM-1007"]["Status"], got["CLM-1007"]["Denial Codes"]) == \
        (250, "Partially Paid", "PR-2; CO-97 M15")
    assert "Payer claim # ICN1002" in got["CLM-1002"]["Notes"]
    # PLB is not spread over claims: the claims' Paid add up to the claim payments alone.
    assert sum(got[c]["Paid"] or 0 for c in DENIAL_IDS) == 150 + 180 + 250
    # The refresh ran: the engine's next action follows the denial.
    assert "appeal" in got["CLM-1002"]["Next Action"].lower() and got["CLM-1002"]["Appeal Deadline"] is not None
    assert "original" in got["CLM-1004"]["Next Action"].lower()
    assert "timely" in (got["CLM-1003"]["Next Action"] + got["CLM-1003"]["Why"]).lower()
    assert "new claim" in (got["CLM-1005"]["Next Action"] + got["CLM-1005"]["Why"]).lower()
    # The Import Log: file, hash, date, counts, one row per change, PLB rows, the unmatched claim.
    entries = log(tracker)
    assert entries[0] == ["Imported", "File", "SHA-256", "Kind", "Added", "Updated", "Skipped", "Claim ID", "Field",
                          "Old", "New", "Note"]
    head = entries[1]
    assert head[1] == "era_denials.835" and head[2] == hashlib.sha256(era.read_bytes()).hexdigest()
    assert head[3] == "835" and head[4:7] == [0, 7, 1] and isinstance(head[0], datetime)
    assert head[0].date() == date.today()
    changes = [r for r in entries[2:] if r[7] and r[8] != "(new claim)"]
    assert ["CLM-1002", "Status", "Submitted", "Denied"] in [r[7:11] for r in changes]
    assert ["CLM-1001", "Paid", None, 150] in [r[7:11] for r in changes]
    assert any(r[7] == "CLM-1001" and r[8] == "Remit Date" and day(r[10]) == date(2024, 3, 15) for r in changes)
    plb = [r for r in entries if r[8] == "(provider adjustment)"]
    assert len(plb) == 2 and "WO (overpayment recovery) 25.50" in plb[0][11]
    assert any(r[11] and r[11].startswith("skipped claim CLM-9999: not in the tracker") for r in entries)


def test_reversal_and_correction_are_not_double_counted(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim("CLM-2001"), claim("CLM-3001", billed=300.0)])

    assert run(capsys, tracker, DATA / "era_reversal_same_file.835")[0] == 0
    assert (rows(tracker)["CLM-2001"]["Paid"], rows(tracker)["CLM-2001"]["Patient Resp"]) == (140, 20)
    assert run(capsys, tracker, DATA / "era_original.835")[0] == 0
    assert rows(tracker)["CLM-3001"]["Paid"] == 240
    code, out, _ = run(capsys, tracker, DATA / "era_reversal_correction.835")
    assert code == 0
    c = rows(tracker)["CLM-3001"]
    assert (c["Paid"], c["Patient Resp"], c["Status"]) == (200, 40, "Paid")  # replaced, not 240 + 200
    assert day(c["Remit Date"]) == date(2024, 4, 10)
    assert "reversed and re-adjudicated" in out


def test_secondary_claim_and_forwarded_crossover(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim("CLM-4001", order=Order.SECONDARY, billed=157.0),
                                     claim("CLM-4002", billed=250.0), claim("CLM-4003", billed=100.0)])

    code, out, _ = run(capsys, tracker, DATA / "era_cob.835")

    assert code == 0
    got = rows(tracker)
    assert (got["CLM-4001"]["Paid"], got["CLM-4001"]["Patient Resp"], got["CLM-4001"]["Status"]) == (1.51, 20, "Paid")
    # CLM-4003 is the Primary row but the payer processed it as secondary: not applied, said why.
    assert got["CLM-4003"]["Paid"] in (None, 0) and got["CLM-4003"]["Status"] == "Submitted"
    assert "claim CLM-4003: ACME HEALTH PLAN processed it as secondary" in out
    # Forwarded (CLP02 19): marked on the claim, so the secondary is not billed twice.
    assert "Forwarded by ACME HEALTH PLAN to MEDIGAP SUPPLEMENT CO (crossover)" in got["CLM-4002"]["Notes"]
    assert "do not bill the secondary payer yourself" in out
    assert got["CLM-4002"]["Paid"] == 160


def _two_payer_file(tmp_path: Path) -> Path:
    """One interchange, two payers' remittances for the same claim: primary (Acme) and secondary (Beta)."""
    spec = importlib.util.spec_from_file_location("build_samples", DATA / "build_samples.py")
    bs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bs)
    a = bs.era(bs.clp("CLM-7001", "1", "200", "150", "30", "ICNA7001", bs.svc("99214", "200", "150", "20240301",
                                                                               ["CAS*CO*45*20~", "CAS*PR*2*30~"])),
               paid="150.00")
    b = bs.era(bs.clp("CLM-7001", "2", "200", "24", "6", "ICNB7001", bs.svc("99214", "200", "24", "20240301",
                                                                             ["CAS*OA*23*170~", "CAS*PR*2*6~"])),
               paid="24.00", payer="BETA SECONDARY INS", check="EFT7002", date="20240322")
    b = b.replace("*1*X*005010X221A1~", "*2*X*005010X221A1~").replace("GE*1*1~", "GE*1*2~").replace(
        "REF*2U*ACME01~", "REF*2U*BETA02~")
    a_lines, b_lines = a.splitlines(), b.splitlines()
    group_b = b_lines[1:-1]  # GS .. GE
    text = "\n".join(a_lines[:-1] + group_b + ["IEA*2*000000001~"]) + "\n"
    path = tmp_path / "two_payers.835"
    path.write_text(text)
    return path


def test_a_file_with_two_payers_for_one_claim_applies_the_payer_of_the_row(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim("CLM-7001", payer="Acme Health Plan")])

    code, out, err = run(capsys, tracker, _two_payer_file(tmp_path))

    assert code == 0, err
    c = rows(tracker)["CLM-7001"]
    assert (c["Paid"], c["Patient Resp"]) == (150, 30)  # the primary's payment, not 150 + 24
    assert "also in this file from BETA SECONDARY INS (processed as secondary)" in out


# ------------------------------------------------------------------------------------------------ 277
def test_277ca_and_277_map_to_tracker_states(tmp_path, rules, capsys):
    ids = ["CLM-5001", "CLM-5002", "CLM-5003", "CLM-5004"] + [f"CLM-60{i:02d}" for i in range(1, 11)]
    claims = [claim(c) for c in ids]
    claims[ids.index("CLM-6008")] = claim("CLM-6008", status=Status.PAID, paid=150.0, remit_date=date(2024, 3, 18))
    claims[ids.index("CLM-5004")] = claim("CLM-5004", accepted=date(2024, 3, 1), status=Status.ACCEPTED)
    tracker = make(tmp_path, rules, claims)

    code, out, err = run(capsys, tracker, DATA / "ack_277ca.277", DATA / "status_277.277")

    assert code == 0, err
    got = rows(tracker)
    assert got["CLM-5001"]["Status"] == "Accepted" and day(got["CLM-5001"]["Accepted"]) == date(2024, 3, 10)
    assert day(got["CLM-5004"]["Accepted"]) == date(2024, 3, 1)  # an accepted date is never moved
    assert got["CLM-5002"]["Status"] == "Rejected" and "Rejected by payer" in got["CLM-5002"]["Notes"]
    assert got["CLM-5003"]["Status"] == "Submitted"  # A1: received, nothing to change
    assert got["CLM-6001"]["Status"] == "Pending"
    assert got["CLM-6002"]["Status"] == "Docs Requested" and got["CLM-6003"]["Status"] == "Docs Requested"
    assert got["CLM-6004"]["Status"] == "Paid"
    assert got["CLM-6005"]["Status"] == "Denied"
    assert "no payment forthcoming" in got["CLM-6006"]["Notes"]
    assert "Not found at payer" in got["CLM-6007"]["Notes"] and "not found at the payer" in out
    assert got["CLM-6010"]["Status"] == "Accepted" and day(got["CLM-6010"]["Accepted"]) == date(2024, 3, 20)
    assert "not in the tracker: claim CLM-5999" in out
    kinds = [r[3] for r in log(tracker)[1:] if r[2]]
    assert kinds == ["277CA", "277"]


def test_a_277_never_undoes_what_the_835_said(tmp_path, rules, capsys):
    """A status response that is older than the remittance (P1 "in process" for a claim the 835 paid)."""
    tracker = make(tmp_path, rules, [claim("CLM-6001"), claim("CLM-6009")])
    era = tmp_path / "paid.835"
    era.write_text((DATA / "era_original.835").read_text().replace("CLM-3001", "CLM-6001"))
    assert run(capsys, tracker, era)[0] == 0
    assert rows(tracker)["CLM-6001"]["Status"] == "Paid"

    assert run(capsys, tracker, DATA / "status_277.277")[0] == 0

    got = rows(tracker)
    assert got["CLM-6001"]["Status"] == "Paid" and got["CLM-6001"]["Paid"] == 240
    assert got["CLM-6009"]["Status"] == "Pending"


# ------------------------------------------------------------------------------------- twice / refused
def test_the_same_file_twice_changes_nothing_also_with_again(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim(c) for c in DENIAL_IDS])
    era = DATA / "era_denials.835"
    assert run(capsys, tracker, era)[0] == 0
    claims_after, bytes_after = rows(tracker), tracker.read_bytes()

    code, out, _ = run(capsys, tracker, era)
    assert code == 0 and "already imported" in out and "was not changed" in out
    assert tracker.read_bytes() == bytes_after

    code, out, _ = run(capsys, tracker, era, extra=["--again"])
    assert code == 0 and "era_denials.835: 0 added, 0 updated (0 changes)" in out
    assert rows(tracker) == claims_after
    summaries = [r for r in log(tracker)[1:] if r[2]]
    assert len(summaries) == 2 and summaries[1][5] == 0


@pytest.mark.parametrize("name, segment", [("malformed_truncated.835", "segment"),
                                           ("malformed_bad_amount.835", "segment CLP"),
                                           ("malformed_bad_stc.277", "segment STC")])
def test_a_bad_file_is_refused_whole(tmp_path, rules, capsys, name, segment):
    """Alone, a bad file changes nothing (exit 2); in a batch, the good files are imported and the bad one
    is listed with its reason (exit 3)."""
    tracker = make(tmp_path, rules, [claim(c) for c in DENIAL_IDS])
    before = tracker.read_bytes()

    code, out, err = run(capsys, tracker, DATA / name)
    assert code == 2
    assert name in err and "refused" in err and segment in err and "line" in err
    assert tracker.read_bytes() == before
    assert not list(tmp_path.glob("*.backup-*"))

    code, out, err = run(capsys, tracker, DATA / "era_denials.835", DATA / name)
    assert code == 3, err
    assert f"{name}: REFUSED, nothing imported from it" in out and segment in out and "line" in out
    assert "1 of 2 files refused (listed above); the others were imported." in out
    assert rows(tracker)["CLM-1001"]["Status"] == "Paid"  # the good file was imported
    refused = [r for r in log(tracker)[1:] if r[1] == name]
    assert len(refused) == 1 and refused[0][2] is None and refused[0][3] == "(refused)" and segment in refused[0][11]


def test_a_refused_x12_file_does_not_block_a_claims_csv_in_the_same_batch(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim(c) for c in DENIAL_IDS])
    bad = tmp_path / "era.txt"
    bad.write_text("ISA*00*          *00*~")
    good = tmp_path / "fine.csv"
    good.write_text("Claim ID,Payer,DOS\nQ-1,Aetna,1/1/2024\n")
    code, out, err = run(capsys, tracker, bad, good)
    assert code == 3, err
    assert "era.txt: REFUSED, nothing imported from it" in out and "fine.csv: 1 added" in out
    assert "Q-1" in rows(tracker)


# --------------------------------------------------------------------------------------- add unmatched
def test_add_unmatched_appends_remittance_claims_not_in_the_tracker(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim(c) for c in DENIAL_IDS])

    code, out, _ = run(capsys, tracker, DATA / "era_denials.835", extra=["--add-unmatched"])

    assert code == 0
    assert "era_denials.835: 1 added, 7 updated" in out
    assert "not in the tracker: claim CLM-9999 — added" in out
    new = rows(tracker)["CLM-9999"]
    assert (new["Patient"], new["Payer"], new["Billed"], new["Paid"], new["Status"]) == \
        ("DOE, JANE", "ACME HEALTH PLAN", 90, 72, "Paid")
    assert day(new["Remit Date"]) == date(2024, 3, 15) and day(new["DOS"]) == date(2024, 2, 25)
    assert new["Denial Codes"] is None and new["Next Action"]  # refreshed like any other row
    assert any(r[7] == "CLM-9999" and r[8] == "(new claim)" for r in log(tracker))


def test_add_unmatched_is_off_by_default(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim("CLM-1001")])
    run(capsys, tracker, DATA / "era_denials.835")
    assert set(rows(tracker)) == {"CLM-1001"}


# --------------------------------------------------------------------------------------- bugs fixed
def test_a_later_remittance_clears_old_denial_codes(tmp_path, rules, capsys):
    """CO-16 denial, corrected claim paid under the same patient control number: the codes go."""
    tracker = make(tmp_path, rules, [claim("CLM-3001", billed=300.0, status=Status.DENIED,
                                           denial_codes=(DenialCode("CO", "16", ("MA130",)),))])
    assert run(capsys, tracker, DATA / "era_original.835")[0] == 0
    c = rows(tracker)["CLM-3001"]
    assert (c["Status"], c["Paid"], c["Denial Codes"]) == ("Paid", 240, None)
    assert ["CLM-3001", "Denial Codes", "CO-16 MA130", None] in [r[7:11] for r in log(tracker)]


def test_claim_ids_match_as_the_tracker_matches_them(tmp_path, rules, capsys):
    """The tracker matches Claim IDs ignoring case and extra spaces; so does the remittance import."""
    tracker = make(tmp_path, rules, [claim("clm-3001", billed=300.0)])
    code, out, _ = run(capsys, tracker, DATA / "era_original.835")
    assert code == 0 and "not in the tracker" not in out
    assert rows(tracker)["clm-3001"]["Paid"] == 240


def test_an_xlsm_template_tracker(tmp_path, rules, capsys):
    """The shipped template, filled and imported into: macros and ribbon survive."""
    import zipfile

    path = tmp_path / "ClaimTracker.xlsm"
    shutil.copy(Path(__file__).resolve().parent.parent / "templates" / "ClaimTracker.xlsm", path)
    wb = io.load(path)
    fill_tracker(wb, [claim(c) for c in DENIAL_IDS])
    io.save_atomic(wb, path, 0)
    assert run(capsys, path, DATA / "era_denials.835")[0] == 0
    assert rows(path)["CLM-1002"]["Status"] == "Denied"
    with zipfile.ZipFile(path) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    assert table.claim_key(" clm-1002 ") == "CLM-1002"


# ------------------------------------------------------------------------------------- review fixes
def test_patient_names_are_never_printed_only_kept_on_the_import_log(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim(c, patient="Roe, Richard") for c in DENIAL_IDS])

    code, out, err = run(capsys, tracker, DATA / "era_denials.835")

    assert code == 0, err
    assert "not in the tracker: claim CLM-9999\n" in out
    assert "DOE" not in out.upper() and "JANE" not in out.upper() and "RICHARD" not in out.upper()
    notes = " ".join(str(r[11]) for r in log(tracker) if r[11])
    assert "DOE, JANE" in notes.upper()  # the detail stays inside the practice's own workbook


def _f1_file(tmp_path: Path, with_amount: bool) -> Path:
    text = (DATA / "status_277.277").read_text()
    if not with_amount:
        text = text.replace("STC*F1:65*20240320**200*160*20240318**20240319*EFT6004~", "STC*F1:65*20240320**200~")
    path = tmp_path / f"f1_{with_amount}.277"
    path.write_text(text)
    return path


def test_a_277_paid_without_an_amount_leaves_the_status_and_says_post_the_era(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim("CLM-6004", expected=160.0, status=Status.ACCEPTED)])

    code, out, err = run(capsys, tracker, _f1_file(tmp_path, with_amount=False))

    assert code == 0, err
    got = rows(tracker)["CLM-6004"]
    assert got["Status"] == "Accepted" and got["Paid"] is None
    assert "Payer reports paid on 2024-03-20 (277 F1:65); post the ERA" in got["Notes"]
    assert "Claim CLM-6004: the payer reports it paid (F1:65) but the status file has no amount" in out
    assert "underpayment" not in (got["Next Action"] or "").lower()


def test_a_277_paid_with_stc05_records_the_amount_as_reported(tmp_path, rules, capsys):
    tracker = make(tmp_path, rules, [claim("CLM-6004", expected=160.0, status=Status.ACCEPTED)])

    code, out, err = run(capsys, tracker, _f1_file(tmp_path, with_amount=True))

    assert code == 0, err
    got = rows(tracker)["CLM-6004"]
    assert (got["Status"], got["Paid"]) == ("Paid", 160)
    assert "Paid 160.00 as reported by the 277 status file on 2024-03-20" in got["Notes"]
    assert "dispute" not in (got["Next Action"] or "").lower()


# ------------------------------------------------------------------------------- no values in refusals
SECRET_NAME = "ZELDAQUIXOTEPRIVATESURNAME" * 3  # 78 characters: NM103 allows 60


def test_a_refusal_names_the_element_but_never_quotes_patient_data(tmp_path, rules, capsys):
    text = (DATA / "era_denials.835").read_text()
    text = text.replace("NM1*QC*1*DOE*JANE****MI*MEMBER01~", f"NM1*QC*9*{SECRET_NAME}*JANE****MI*MEMBER01~", 1)
    text = text.replace("CLP*CLM-1002*4*300*0*0*12*ICN1002*11*1~", "CLP*CLM-1002*4*3X7.25*0*0*12*SECRETICN77*11*1~")
    text = text.replace("DTM*472*20240301~", "DTM*472*20241399~", 1)
    bad = tmp_path / "phi.835"
    bad.write_text(text)
    tracker = make(tmp_path, rules, [claim(c) for c in DENIAL_IDS])
    before = tracker.read_bytes()

    code, out, err = run(capsys, tracker, bad)

    assert code == 2 and tracker.read_bytes() == before
    shown = out + err
    for value in (SECRET_NAME, "ZELDA", "3X7.25", "SECRETICN77", "20241399"):
        assert value not in shown, value
    # What is wrong, and where, is kept: segment, element id, segment number and line.
    assert "segment NM1 (segment 17 of the file, line 17): element NM103 (Patient Last Name): " \
           '"Patient Last Name" is too long: 78 characters, at most 60 allowed' in shown
    assert "element NM102 (Entity Type Qualifier): the value is not one of the codes allowed for " \
           "Entity Type Qualifier (NM102)" in shown
    assert 'segment CLP (segment 23 of the file, line 23): element CLP03 (Total Claim Charge Amount): ' \
           '"Total Claim Charge Amount" must be a number' in shown
    assert "element DTM02 (Service Date): \"Service Date\" is not a valid date (CCYYMMDD" in shown


def test_a_cut_off_file_does_not_quote_the_cut_segment(tmp_path, capsys):
    from claimbook.errors import ImportFileError
    from claimbook.x12 import read_payer_file

    text = (DATA / "era_denials.835").read_text()
    cut = text.index("NM1*QC*1*DOE*JANE") + len("NM1*QC*1*DOE*JA")
    p = tmp_path / "cut.835"
    p.write_text(text[:cut])
    with pytest.raises(ImportFileError) as info:
        read_payer_file(p)
    message = str(info.value)
    assert "segment NM1" in message and "cut off" in message and "line 17" in message
    assert "DOE" not in message and "JA" not in message.replace("JANUARY", "")


# ------------------------------------------------------------------------- remittance review, round 2
def _samples():
    spec = importlib.util.spec_from_file_location("build_samples", DATA / "build_samples.py")
    bs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bs)
    return bs


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="ascii", newline="")
    return path


def _era(tmp_path: Path, name: str, *clps, paid: str, date: str = "20240315", check: str = "EFT1001",
         payer: str = "ACME HEALTH PLAN") -> Path:
    bs = _samples()
    return _file(tmp_path, name, bs.era(bs.flat(*clps), paid=paid, date=date, check=check, payer=payer))


def _ack(tmp_path: Path, name: str, claims: list[tuple[str, list[str]]]) -> Path:
    """A 277CA: one claim loop per (patient control number, its claim-level STC segments)."""
    body = ["BHT*0085*08*BATCH0001*20240310*1200*TH~",
            "HL*1**20*1~", "NM1*PR*2*ACME HEALTH PLAN*****PI*ACME01~", "TRN*1*BATCH0001~",
            "DTP*050*D8*20240310~", "DTP*009*D8*20240310~",
            "HL*2*1*21*1~", "NM1*41*2*SMALL FAMILY PRACTICE*****46*SUB01~", "TRN*2*FILE0001~",
            "STC*A1:19*20240310*WQ*1000~", "QTY*90*5~", "AMT*YU*800~",
            "HL*3*2*19*1~", "NM1*85*2*SMALL FAMILY PRACTICE*****XX*1234567893~", "TRN*1*0~",
            "STC*A1:19:85**WQ*1000~", "QTY*QA*4~", "AMT*YU*800~"]
    for hl, (pcn, stcs) in enumerate(claims, start=4):
        body += [f"HL*{hl}*3*PT~", "NM1*QC*1*DOE*JANE****MI*MEMBER01~", f"TRN*2*{pcn}~", *stcs,
                 "DTP*472*D8*20240220~"]
    return _file(tmp_path, name, _samples().envelope("HN", "005010X214", "277", body, st_version=True))


def test_a_277_uses_the_most_decisive_status_of_all_the_claims_stcs(tmp_path, rules, capsys):
    """Review 1: A1 (received) then A7 (rejected) is a rejection; A1 then A2 an acceptance; A3 in STC10 counts."""
    ids = ["CLM-A1A7", "CLM-A1A2", "CLM-STC10", "CLM-A2A1"]
    tracker = make(tmp_path, rules, [claim(c) for c in ids])
    ack = _ack(tmp_path, "ack.277", [
        ("CLM-A1A7", ["STC*A1:19:PR*20240310*WQ*200~", "STC*A7:562:85*20240311*U*200~"]),
        ("CLM-A1A2", ["STC*A1:19:PR*20240310*WQ*200~", "STC*A2:20:PR*20240311*WQ*200~"]),
        ("CLM-STC10", ["STC*A1:19:PR*20240310*WQ*200******A3:21:85~"]),
        ("CLM-A2A1", ["STC*A2:20:PR*20240310*WQ*200~", "STC*A1:19:PR*20240310*WQ*200~"]),
    ])

    code, out, err = run(capsys, tracker, ack)

    assert code == 0, err
    got = rows(tracker)
    assert got["CLM-A1A7"]["Status"] == "Rejected" and got["CLM-A1A7"]["Accepted"] is None
    assert got["CLM-A1A7"]["Notes"] == "Rejected by payer on 2024-03-11 (277CA A7:562:85)"
    assert "Claim CLM-A1A7 was rejected (A7:562:85): fix it and resubmit" in out
    assert "resubmit" in got["CLM-A1A7"]["Next Action"].lower()
    assert got["CLM-A1A2"]["Status"] == "Accepted" and day(got["CLM-A1A2"]["Accepted"]) == date(2024, 3, 11)
    assert got["CLM-STC10"]["Status"] == "Rejected" and "(277CA A3:21:85)" in got["CLM-STC10"]["Notes"]
    assert got["CLM-A2A1"]["Status"] == "Accepted"
    assert ["CLM-A1A7", "Status", "Submitted", "Rejected"] in [r[7:11] for r in log(tracker)]


def test_an_acceptance_dated_after_the_rejection_moves_the_claim_to_accepted(tmp_path, rules, capsys):
    """Review 6: a rejected claim, fixed and resubmitted, then accepted (A2) counts as filed again."""
    tracker = make(tmp_path, rules, [
        claim("CLM-R1", status=Status.REJECTED, submitted=date(2024, 3, 12),
              notes="Rejected by payer on 2024-03-05 (277CA A7:562:85)"),
        claim("CLM-R2", status=Status.REJECTED, submitted=date(2024, 3, 1)),  # a rejection typed in by hand
        claim("CLM-R3", status=Status.REJECTED, notes="Rejected by payer on 2024-03-15 (277CA A7:562:85)"),
    ])
    ack = _ack(tmp_path, "accepted.277", [(c, ["STC*A2:20:PR*20240314*WQ*200~"]) for c in ("CLM-R1", "CLM-R2", "CLM-R3")])

    code, out, err = run(capsys, tracker, ack)

    assert code == 0, err
    got = rows(tracker)
    for cid in ("CLM-R1", "CLM-R2"):
        assert got[cid]["Status"] == "Accepted" and day(got[cid]["Accepted"]) == date(2024, 3, 14)
        assert "resubmit" not in got[cid]["Next Action"].lower()
        assert f"Claim {cid}: accepted by the payer on 2024-03-14 after its rejection — it counts as filed." in out
    # An acceptance older than the rejection does not undo it.
    assert got["CLM-R3"]["Status"] == "Rejected" and got["CLM-R3"]["Accepted"] is None
    assert "Claim CLM-R3: an acceptance on 2024-03-14 (277CA) is not newer than its rejection" in out


def test_a_claim_split_over_two_remittances_adds_up_and_a_reversal_takes_off_only_its_part(tmp_path, rules, capsys):
    """Review 2: two payments under different payer claim numbers, no reversal: they add up."""
    bs = _samples()
    tracker = make(tmp_path, rules, [claim("CLM-8001", billed=300.0)])
    first = _era(tmp_path, "split1.835", bs.clp("CLM-8001", "1", "200", "150", "0", "ICN-S1",
                 bs.svc("99214", "200", "150", "20240220", ["CAS*CO*45*50~"])), paid="150", check="EFT-S1")
    second = _era(tmp_path, "split2.835", bs.clp("CLM-8001", "1", "100", "80", "0", "ICN-S2",
                  bs.svc("99213", "100", "80", "20240220", ["CAS*CO*45*20~"])), paid="80", date="20240322",
                  check="EFT-S2")

    assert run(capsys, tracker, first)[0] == 0
    code, out, err = run(capsys, tracker, second)

    assert code == 0, err
    c = rows(tracker)["CLM-8001"]
    assert (c["Paid"], c["Status"], c["Denial Codes"], day(c["Remit Date"])) == (230, "Paid", None, date(2024, 3, 22))
    assert c["Notes"] == "Payer claim # ICN-S1; Payer claim # ICN-S2"
    assert "Claim CLM-8001: payments under payer claim # ICN-S1, ICN-S2 add up to Paid 230.00, Patient Resp " \
           "0.00." in out
    assert ["CLM-8001", "Paid", 150, 230] in [r[7:11] for r in log(tracker)]
    # Either file again changes nothing.
    for f in (second, first):
        code, out, _ = run(capsys, tracker, f, extra=["--again"])
        assert code == 0 and f"{f.name}: 0 added, 0 updated (0 changes)" in out
    # The payer reverses the first part only: its 150 comes off, the 80 stands.
    reversal = _era(tmp_path, "rev1.835", bs.clp("CLM-8001", "22", "-200", "-150", "0", "ICN-S1",
                    bs.svc("99214", "-200", "-150", "20240220", ["CAS*CO*45*-50~"])), paid="-150", date="20240329",
                    check="EFT-R1")
    code, out, err = run(capsys, tracker, reversal)
    assert code == 0, err
    c = rows(tracker)["CLM-8001"]
    assert (c["Paid"], c["Status"]) == (80, "Pending")
    assert c["Notes"].endswith("Payment reversed by payer (claim # ICN-S1)")
    assert "the payer reversed its payment of 150.00 (payer claim # ICN-S1); the other payments stand, " \
           "Paid is now 80.00 — expect a corrected remittance." in out


def test_a_denied_claim_corrected_and_paid_under_a_new_claim_number_is_paid(tmp_path, rules, capsys):
    """Not a split claim: the corrected claim covers the whole bill, so it decides Status and Denial Codes."""
    bs = _samples()
    tracker = make(tmp_path, rules, [claim("CLM-8101", billed=300.0)])
    denied = _era(tmp_path, "denied.835", bs.clp("CLM-8101", "4", "300", "0", "0", "ICN-D1",
                  bs.svc("99214", "300", "0", "20240220", ["CAS*CO*16*300~"])), paid="0", check="EFT-D1")
    paid = _era(tmp_path, "paid.835", bs.clp("CLM-8101", "1", "300", "240", "0", "ICN-D2",
                bs.svc("99214", "300", "240", "20240220", ["CAS*CO*45*60~"])), paid="240", date="20240401",
                check="EFT-D2")
    assert run(capsys, tracker, denied)[0] == 0
    assert (rows(tracker)["CLM-8101"]["Status"], rows(tracker)["CLM-8101"]["Denial Codes"]) == ("Denied", "CO-16")

    assert run(capsys, tracker, paid)[0] == 0

    c = rows(tracker)["CLM-8101"]
    assert (c["Paid"], c["Status"], c["Denial Codes"]) == (240, "Paid", None)


def test_a_claim_split_in_one_remittance_into_a_paid_and_a_denied_part_is_partially_paid(tmp_path, rules, capsys):
    """Review 7."""
    bs = _samples()
    tracker = make(tmp_path, rules, [claim("CLM-8201", billed=300.0)])
    era = _era(tmp_path, "split_same.835",
               bs.clp("CLM-8201", "1", "200", "150", "0", "ICN-P1", bs.svc("99214", "200", "150", "20240220",
                                                                             ["CAS*CO*45*50~"])),
               bs.clp("CLM-8201", "4", "100", "0", "0", "ICN-P2", bs.svc("99215", "100", "0", "20240220",
                                                                          ["CAS*CO*97*100~"])),
               paid="150")

    code, out, err = run(capsys, tracker, era)

    assert code == 0, err
    c = rows(tracker)["CLM-8201"]
    assert (c["Status"], c["Paid"], c["Denial Codes"]) == ("Partially Paid", 150, "CO-97")


def test_a_correction_then_the_reversal_of_an_earlier_files_payment(tmp_path, rules, capsys):
    """Review 5: used to stop the import with an IndexError (exit 3, nothing posted)."""
    bs = _samples()
    tracker = make(tmp_path, rules, [claim("CLM-8301", billed=300.0)])
    original = _era(tmp_path, "orig.835", bs.clp("CLM-8301", "1", "300", "250", "0", "ICN-A",
                    bs.svc("99214", "300", "250", "20240220", ["CAS*CO*45*50~"])), paid="250", check="EFT-A")
    later = _era(tmp_path, "corr.835",
                 bs.clp("CLM-8301", "1", "300", "230", "20", "ICN-B", bs.svc("99214", "300", "230", "20240220",
                                                                             ["CAS*CO*45*50~", "CAS*PR*2*20~"])),
                 bs.clp("CLM-8301", "22", "-300", "-250", "0", "ICN-A", bs.svc("99214", "-300", "-250", "20240220",
                                                                               ["CAS*CO*45*-50~"])),
                 paid="-20", date="20240401", check="EFT-B")
    assert run(capsys, tracker, original)[0] == 0

    code, out, err = run(capsys, tracker, later)

    assert code == 0, err
    c = rows(tracker)["CLM-8301"]
    assert (c["Paid"], c["Patient Resp"], c["Status"], c["Denial Codes"]) == (230, 20, "Paid", "PR-2")
    assert c["Notes"] == "Payer claim # ICN-A; Payer claim # ICN-B; Payment reversed by payer (claim # ICN-A)"
    assert "Claim CLM-8301: a payment was reversed and re-adjudicated; Paid is the corrected amount 230.00, " \
           "Patient Resp 20.00." in out
    code, out, _ = run(capsys, tracker, later, extra=["--again"])
    assert code == 0 and "corr.835: 0 added, 0 updated (0 changes)" in out


def test_clp02_23_and_25_change_no_status_and_no_money(tmp_path, rules, capsys):
    """Review 4: "not our claim, forwarded" and "predetermination pricing" are no payment."""
    bs = _samples()
    tracker = make(tmp_path, rules, [claim("CLM-8401", status=Status.ACCEPTED, accepted=date(2024, 2, 28)),
                                     claim("CLM-8402", status=Status.ACCEPTED, accepted=date(2024, 2, 28))])
    era = _era(tmp_path, "info.835",
               bs.clp("CLM-8401", "23", "200", "0", "0", "ICN23", bs.svc("99214", "200", "0", "20240220"),
                      ["NM1*TT*2*OTHER HEALTH PLAN*****PI*OTH01~"]),
               bs.clp("CLM-8402", "25", "200", "0", "0", "ICN25", bs.svc("99214", "200", "0", "20240220",
                                                                          ["CAS*CO*45*50~", "CAS*PR*1*150~"])),
               paid="0")

    code, out, err = run(capsys, tracker, era)

    assert code == 0, err
    got = rows(tracker)
    for cid in ("CLM-8401", "CLM-8402"):
        c = got[cid]
        assert (c["Status"], c["Paid"], c["Patient Resp"], c["Denial Codes"], c["Remit Date"]) == \
            ("Accepted", None, None, None, None)
        assert "underpayment" not in c["Next Action"].lower()
    assert got["CLM-8401"]["Notes"] == ("Not ACME HEALTH PLAN's claim, forwarded to OTHER HEALTH PLAN "
                                        "(remittance of 2024-03-15) (CLP02 23)")
    assert got["CLM-8402"]["Notes"] == ("Predetermination only from ACME HEALTH PLAN (remittance of 2024-03-15), "
                                        "not a payment (CLP02 25)")
    assert "Claim CLM-8401: ACME HEALTH PLAN says it is not their claim and forwarded it to OTHER HEALTH PLAN " \
           "(CLP02 23) — Status and Paid not changed" in out
    assert "Claim CLM-8402: ACME HEALTH PLAN sent predetermination pricing (CLP02 25), not a payment — Status and " \
           "Paid not changed." in out
    entries = log(tracker)
    assert [r[8] for r in entries if r[7] in ("CLM-8401", "CLM-8402")] == ["Notes", "Notes"]
    assert "predetermination pricing" in entries[1][11]


def test_a_remittance_from_another_payer_is_not_applied_but_listed(tmp_path, rules, capsys):
    """Review 3: a denial (4) and a reversal (22) from the primary payer for rows of other payers."""
    bs = _samples()
    tracker = make(tmp_path, rules, [
        claim("CLM-8501", payer="Aetna", payer_id="60054", order=Order.SECONDARY, status=Status.PAID, paid=120.0,
              notes="Payer claim # AET1"),
        claim("CLM-8502", payer="NY Medicaid", order=Order.SECONDARY, status=Status.PAID, paid=100.0),
        claim("CLM-8503", payer="Acme Health Plan, Inc."),  # the same payer, written another way
    ])
    era = _era(tmp_path, "primary.835",
               bs.clp("CLM-8501", "4", "200", "0", "0", "ICN-P1", bs.svc("99214", "200", "0", "20240220",
                                                                          ["CAS*CO*50*200~"])),
               bs.clp("CLM-8502", "22", "-200", "-100", "0", "ICN-P2", bs.svc("99214", "-200", "-100", "20240220",
                                                                               ["CAS*CO*45*-100~"])),
               bs.clp("CLM-8503", "1", "200", "150", "0", "ICN-P3", bs.svc("99214", "200", "150", "20240220",
                                                                          ["CAS*CO*45*50~"])),
               paid="50")
    before = rows(tracker)

    code, out, err = run(capsys, tracker, era)

    assert code == 0, err
    got = rows(tracker)
    for cid in ("CLM-8501", "CLM-8502"):
        for col in ("Status", "Paid", "Patient Resp", "Denial Codes", "Remit Date", "Notes"):
            assert got[cid][col] == before[cid][col], (cid, col)
        assert (f"skipped claim {cid}: not applied — the remittance is from ACME HEALTH PLAN, not the payer on the "
                "tracker row; check the Payer column or add a row for this payer's claim") in out
    assert (got["CLM-8503"]["Paid"], got["CLM-8503"]["Status"]) == (150, "Paid")
    assert "primary.835: 0 added, 1 updated" in out and "2 skipped" in out
    notes = [str(r[11]) for r in log(tracker) if r[11]]
    assert any(n.startswith("claim CLM-8501: not applied") and "the tracker row's payer is Aetna, payer ID 60054" in n
               for n in notes)
    assert any(n.startswith("skipped claim CLM-8502: not applied") for n in notes)
