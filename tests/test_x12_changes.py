from datetime import date, datetime
from pathlib import Path

import pytest

from claimbook.model import Status
from claimbook.x12 import (
    COLUMNS,
    Change,
    apply_plan,
    parse_277,
    parse_835,
    plan_277,
    plan_835,
    plan_file,
    read_payer_file,
)

DATA = Path(__file__).parent / "data" / "x12"


def row(claim_id: str, **values) -> dict[str, object]:
    base: dict[str, object] = {c: None for c in COLUMNS}
    base.update({"Claim ID": claim_id, "Payer": "Acme", "Status": "Submitted", "Notes": "", "Order": "Primary"})
    base.update({k.replace("_", " "): v for k, v in values.items()})
    return base


def tracker(*ids: str, **values) -> dict[str, dict[str, object]]:
    return {cid: row(cid, **values) for cid in ids}


def summary(plan) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for ch in plan.changes:
        out.setdefault(ch.claim_id, {})[ch.column] = ch.new
    return out


def assert_idempotent(plan_fn, parsed, current):
    plan = plan_fn(parsed, current)
    after = apply_plan(plan, current)
    again = plan_fn(parsed, after)
    assert again.changes == []
    return plan, after


REMIT = date(2024, 3, 15)


def test_835_denials_partial_and_patient_resp():
    remit = parse_835(DATA / "era_denials.835")
    current = tracker(*(f"CLM-100{i}" for i in range(1, 8)), Paid=None, Patient_Resp=None)
    plan, _ = assert_idempotent(plan_835, remit, current)
    got = summary(plan)

    def expect(paid, resp, codes, status, icn):
        d = {"Paid": paid, "Patient Resp": resp, "Remit Date": REMIT, "Status": status, "Notes": f"Payer claim # {icn}"}
        if codes:
            d["Denial Codes"] = codes
        return d

    assert got == {
        "CLM-1001": expect(150.0, 20.0, "PR-3", Status.PAID, "ICN1001"),
        "CLM-1002": expect(0.0, 0.0, "CO-50 N115", Status.DENIED, "ICN1002"),
        "CLM-1003": expect(0.0, 0.0, "CO-29", Status.DENIED, "ICN1003"),
        "CLM-1004": expect(0.0, 0.0, "OA-18", Status.DENIED, "ICN1004"),
        "CLM-1005": expect(0.0, 0.0, "CO-16 MA130", Status.DENIED, "ICN1005"),
        "CLM-1006": expect(180.0, 120.0, "PR-1; PR-2; PR-3", Status.PAID, "ICN1006"),
        "CLM-1007": expect(250.0, 50.0, "PR-2; CO-97 M15", Status.PARTIALLY_PAID, "ICN1007"),
    }
    for status in (c.new for c in plan.changes if c.column == "Status"):
        assert isinstance(status, Status)
    # Every change says where it came from.
    assert all(isinstance(c, Change) and "835 from ACME HEALTH PLAN" in c.reason for c in plan.changes)
    # The claim not in the tracker is listed, not applied.
    assert [(u.claim_id, u.reason, u.record.paid) for u in plan.unmatched] == [("CLM-9999", "not in the tracker", 72.0)]
    # PLB: reported only, never spread over claims.
    assert [(p.reason, p.amount) for p in plan.provider_adjustments] == [("WO", 25.5), ("L6", -1.25)]
    assert any("WO (overpayment recovery) 25.50 withheld" in n for n in plan.notes)
    assert all(c.claim_id.startswith("CLM-100") for c in plan.changes)
    assert (plan.claims_in_file, plan.claims_matched, plan.claims_changed) == (8, 7, 7)


def test_835_old_values_and_no_change_when_already_posted():
    remit = parse_835(DATA / "era_denials.835")
    current = {"CLM-1001": row("CLM-1001", Paid="$150.00", Patient_Resp=20, Status="paid",
                               Denial_Codes="pr-3", Remit_Date=datetime(2024, 3, 15, 0, 0),
                               Notes="called payer 3/1; Payer claim # ICN1001")}
    assert plan_835(remit, current).changes == []
    current["CLM-1001"]["Paid"] = 100
    plan = plan_835(remit, current)
    assert [(c.column, c.old, c.new) for c in plan.changes] == [("Paid", 100, 150.0)]


def test_notes_append_once_to_existing_text():
    remit = parse_835(DATA / "era_denials.835")
    current = {"CLM-1002": row("CLM-1002", Notes="sent records 2/2")}
    plan, after = assert_idempotent(plan_835, remit, current)
    assert after["CLM-1002"]["Notes"] == "sent records 2/2; Payer claim # ICN1002"


def test_reversal_and_correction_in_the_same_file():
    remit = parse_835(DATA / "era_reversal_same_file.835")
    current = tracker("CLM-2001")
    plan, after = assert_idempotent(plan_835, remit, current)
    assert summary(plan)["CLM-2001"] == {
        "Paid": 140.0, "Patient Resp": 20.0, "Denial Codes": "PR-3", "Remit Date": date(2024, 3, 20),
        "Status": Status.PAID, "Notes": "Payer claim # ICN2001B; Payment reversed by payer (claim # ICN2001)",
    }
    assert any("reversed and re-adjudicated" in n for n in plan.notes)


def test_reversal_and_correction_in_a_later_file_does_not_double_count():
    first = parse_835(DATA / "era_original.835")
    later = parse_835(DATA / "era_reversal_correction.835")
    current = tracker("CLM-3001")
    _, after_first = assert_idempotent(plan_835, first, current)
    assert after_first["CLM-3001"]["Paid"] == 240.0
    plan, after = assert_idempotent(plan_835, later, after_first)
    assert summary(plan)["CLM-3001"] == {
        "Paid": 200.0, "Patient Resp": 40.0, "Denial Codes": "PR-2", "Remit Date": date(2024, 4, 10),
        # The reversed payment is noted, so a later remittance knows it no longer stands.
        "Notes": "Payer claim # ICN3001; Payer claim # ICN3001C; Payment reversed by payer (claim # ICN3001)",
    }
    assert after["CLM-3001"]["Status"] == Status.PAID
    # Re-importing the first file afterwards goes back to its numbers: files are applied in date order.


def test_reversal_alone_then_correction():
    current = tracker("CLM-3001", Paid=240.0, Status="Paid", Notes="Payer claim # ICN3001")
    only = parse_835(DATA / "era_reversal_only.835")
    plan, after = assert_idempotent(plan_835, only, current)
    assert summary(plan)["CLM-3001"] == {
        "Paid": 0.0, "Patient Resp": 0.0, "Status": Status.PENDING, "Remit Date": date(2024, 4, 5),
        "Notes": "Payer claim # ICN3001; Payment reversed by payer (claim # ICN3001)",
    }
    later = parse_835(DATA / "era_reversal_correction.835")
    _, final = assert_idempotent(plan_835, later, after)
    assert (final["CLM-3001"]["Paid"], final["CLM-3001"]["Status"]) == (200.0, Status.PAID)


def test_secondary_claim_and_forwarded_claim():
    remit = parse_835(DATA / "era_cob.835")
    current = {
        "CLM-4001": row("CLM-4001", Order="Secondary"),
        "CLM-4002": row("CLM-4002", Order="Primary"),
        "CLM-4003": row("CLM-4003", Order="Primary"),  # processed as secondary: row conflict
    }
    plan, _ = assert_idempotent(plan_835, remit, current)
    got = summary(plan)
    assert got["CLM-4001"] == {
        "Paid": 1.51, "Patient Resp": 20.0, "Denial Codes": "PR-3; OA-23", "Remit Date": REMIT,
        "Status": Status.PAID, "Notes": "Payer claim # ICN4001",
    }
    assert got["CLM-4002"] == {
        "Paid": 160.0, "Patient Resp": 40.0, "Denial Codes": "PR-2", "Remit Date": REMIT, "Status": Status.PAID,
        "Notes": "Payer claim # ICN4002; Forwarded by ACME HEALTH PLAN to MEDIGAP SUPPLEMENT CO (crossover)",
    }
    assert any("CLM-4002 processed as primary" in n and "do not bill the secondary" in n for n in plan.notes)
    assert "CLM-4003" not in got
    assert [(u.claim_id, "Primary claim" in u.reason) for u in plan.unmatched] == [("CLM-4003", True)]


def test_public_sample_secondary_zero_pay_is_not_a_denial():
    remit = parse_835(DATA / "public_edi835parser_sample_835.txt")
    ids = [c.claim_id for c in remit.claims]
    current = {cid: row(cid, Payer="WSFG - Benefits", Order="Secondary" if cid != "patient_control_number2" else "Primary")
               for cid in ids}
    plan, after = assert_idempotent(plan_835, remit, current)
    assert after["patient_control_number1"]["Status"] == Status.PAID  # paid 0, PR-2 + OA-23 only
    assert after["patient_control_number1"]["Patient Resp"] == 7.35
    assert after["patient_control_number2"]["Status"] == Status.PAID
    assert after["patient_control_number2"]["Denial Codes"] == "PR-3"


def test_277ca_acknowledgments():
    report = parse_277(DATA / "ack_277ca.277")
    current = {
        "CLM-5001": row("CLM-5001", Status="Submitted"),
        "CLM-5002": row("CLM-5002", Status="Submitted"),
        "CLM-5003": row("CLM-5003", Status="Submitted"),
        "CLM-5004": row("CLM-5004", Status="Paid", Accepted=date(2024, 3, 1)),
    }
    plan, _ = assert_idempotent(plan_277, report, current)
    assert summary(plan) == {
        "CLM-5001": {"Accepted": date(2024, 3, 10), "Status": Status.ACCEPTED},
        "CLM-5002": {"Status": Status.REJECTED, "Notes": "Rejected by payer on 2024-03-10 (277CA A7:562:85)"},
    }
    assert [u.claim_id for u in plan.unmatched] == ["CLM-5999"]
    assert any("CLM-5002 was rejected" in n for n in plan.notes)


def test_277_status_categories():
    report = parse_277(DATA / "status_277.277")
    ids = [f"CLM-60{i:02d}" for i in range(1, 11)]
    current = tracker(*ids, Status="Accepted")
    current["CLM-6008"]["Status"] = "Partially Paid"  # already richer from an 835
    current["CLM-6009"]["Status"] = "Appealed"
    current["CLM-6010"]["Status"] = "Not Submitted"
    plan, _ = assert_idempotent(plan_277, report, current)
    on = "on 2024-03-20"
    assert summary(plan) == {
        "CLM-6001": {"Status": Status.PENDING},
        "CLM-6002": {"Status": Status.DOCS_REQUESTED, "Notes": f"Payer requested information {on} (277 P3:21:QC)"},
        "CLM-6003": {"Status": Status.DOCS_REQUESTED, "Notes": f"Payer requested information {on} (277 R4:294)"},
        "CLM-6004": {"Paid": 160.0, "Status": Status.PAID, "Accepted": date(2024, 3, 18),
                     "Remit Date": date(2024, 3, 19),  # STC06 adjudication date, STC08 check date
                     "Notes": f"Paid 160.00 as reported by the 277 status file {on}; post the ERA for the details"},
        "CLM-6005": {"Status": Status.DENIED},
        "CLM-6006": {"Notes": f"Adjudication complete, no payment forthcoming {on} (277 F4:65)"},
        "CLM-6007": {"Notes": f"Not found at payer {on} (277 A4:35)"},
        "CLM-6010": {"Accepted": date(2024, 3, 20), "Status": Status.ACCEPTED},
    }
    assert plan.unmatched == []


def test_a1_changes_nothing():
    report = parse_277(DATA / "ack_277ca.277")
    plan = plan_277(report, {"CLM-5003": row("CLM-5003")})
    assert plan.changes == [] and plan.claims_matched == 1


def test_sequence_of_files_is_idempotent_overall():
    current = tracker("CLM-3001")
    for name in ("era_original.835", "era_reversal_only.835", "era_reversal_correction.835"):
        parsed = read_payer_file(DATA / name)
        current = apply_plan(plan_file(parsed, current), current)
        assert plan_file(parsed, current).changes == []
    assert current["CLM-3001"]["Paid"] == 200.0


@pytest.mark.parametrize("name", ["era_denials.835", "era_cob.835", "ack_277ca.277", "status_277.277",
                                  "era_reversal_same_file.835", "public_edi835parser_sample_835.txt"])
def test_plans_touch_only_tracker_columns_and_do_not_mutate_input(name):
    parsed = read_payer_file(DATA / name)
    ids = [c.claim_id for c in parsed.claims]
    current = tracker(*ids)
    snapshot = {k: dict(v) for k, v in current.items()}
    plan = plan_file(parsed, current)
    assert current == snapshot
    assert {c.column for c in plan.changes} <= set(COLUMNS)
    for c in plan.changes:
        if c.column in ("Paid", "Patient Resp"):
            assert isinstance(c.new, float) and round(c.new, 2) == c.new
        if c.column in ("Remit Date", "Accepted"):
            assert type(c.new) is date


# ------------------------------------------------------------------------- remittance review, round 2
def _samples():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_samples", DATA / "build_samples.py")
    bs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bs)
    return bs


def _era(*clps, paid: str, date: str = "20240315", payer: str = "ACME HEALTH PLAN"):
    bs = _samples()
    return parse_835("test.835", text=bs.era(bs.flat(*clps), paid=paid, date=date, payer=payer))


def test_a_reversal_never_cancels_the_last_payment_just_because_it_is_last():
    """A correction, then the reversal of a payment from an earlier file (another payer claim number)."""
    bs = _samples()
    remit = _era(
        bs.clp("CLM-1", "1", "300", "230", "20", "ICN-B", bs.svc("99214", "300", "230", "20240220",
                                                                  ["CAS*CO*45*50~", "CAS*PR*2*20~"])),
        bs.clp("CLM-1", "22", "-300", "-250", "0", "ICN-A", bs.svc("99214", "-300", "-250", "20240220",
                                                                    ["CAS*CO*45*-50~"])),
        paid="-20")
    current = tracker("CLM-1", Paid=250.0, Status="Paid", Notes="Payer claim # ICN-A")
    plan, after = assert_idempotent(plan_835, remit, current)
    assert (after["CLM-1"]["Paid"], after["CLM-1"]["Patient Resp"], after["CLM-1"]["Status"]) == (230.0, 20.0, Status.PAID)
    # Alone (no posted payment under ICN-A on the row), the reversal still takes nothing from the correction.
    plan, after = assert_idempotent(plan_835, remit, tracker("CLM-1"))
    assert after["CLM-1"]["Paid"] == 230.0


def test_payments_under_several_payer_claim_numbers_add_up_in_any_order_and_once():
    bs = _samples()
    one = _era(bs.clp("CLM-1", "1", "200", "150", "10", "ICN-S1", bs.svc("99214", "200", "150", "20240220",
                                                                          ["CAS*CO*45*40~", "CAS*PR*2*10~"])),
               paid="150")
    two = _era(bs.clp("CLM-1", "4", "100", "0", "0", "ICN-S2", bs.svc("99213", "100", "0", "20240220",
                                                                       ["CAS*CO*97*100~"])),
               paid="0", date="20240322")
    for first, second in ((one, two), (two, one)):
        current = tracker("CLM-1", Billed=300.0)
        _, current = assert_idempotent(plan_835, first, current)
        _, current = assert_idempotent(plan_835, second, current)
        c = current["CLM-1"]
        assert (c["Paid"], c["Patient Resp"], c["Status"]) == (150.0, 10.0, Status.PARTIALLY_PAID)
        assert set(c["Denial Codes"].split("; ")) == {"PR-2", "CO-97"}
        assert plan_835(first, current).changes == []  # an older file again changes nothing


def test_a_denial_or_reversal_is_checked_against_the_order_column():
    """A denial adjusted for a prior payer's payment (CARC 23) is a secondary payer's: not a Primary row's."""
    bs = _samples()
    remit = _era(bs.clp("CLM-1", "4", "200", "0", "0", "ICN-1", bs.svc("99214", "200", "0", "20240220",
                                                                        ["CAS*OA*23*150~", "CAS*CO*50*50~"])),
                 paid="0")
    plan = plan_835(remit, tracker("CLM-1", Order="Primary"))
    assert plan.changes == []
    assert [u.reason for u in plan.unmatched] == [
        "ACME HEALTH PLAN processed it as secondary (its remittance adjusts for a prior payer's payment, CARC 23), "
        "but the tracker row is the Primary claim — check the Order column or add a row for the secondary claim"]
    assert summary(plan_835(remit, tracker("CLM-1", Order="Secondary")))["CLM-1"]["Status"] == Status.DENIED


@pytest.fixture(scope="module")
def payer_key():
    from claimbook.rules.loader import load_rules
    from claimbook.imports import payer_key_for

    return payer_key_for(load_rules())


@pytest.mark.parametrize("row_payer, row_id, era_payer, era_id, differ", [
    ("Aetna", "60054", "ACME HEALTH PLAN", "ACME01", True),
    ("NY Medicaid", "", "ACME HEALTH PLAN", "", True),
    ("Texas Medicaid", "", "NY MEDICAID", "", True),  # both known to the rules: different payer files
    ("Aetna", "", "AETNA LIFE INSURANCE COMPANY", "", False),  # the rules' alias "Aetna*"
    ("Aetna", "", "ALIC", "60054", False),  # the rules' payer ID
    ("NY Medicaid", "", "eMedNY", "", False),
    ("Acme Health Plan, Inc.", "", "ACME HEALTH PLAN", "ACME01", False),  # case, punctuation, filler words
    ("Acme", "", "ACME HEALTH PLAN", "", False),
    ("Beta Ins", "BETA02", "BETA SECONDARY INSURANCE", "BETA02", False),
    ("Other Co", "OTH1", "NAMELESS PAYER", "OTH1", False),  # the same payer ID
    ("BCBS", "", "BLUE CROSS BLUE SHIELD OF TEXAS", "", False),  # initials
    ("", "", "ACME HEALTH PLAN", "", False),  # nothing to compare with
])
def test_payers_differ_only_when_clearly_different(payer_key, row_payer, row_id, era_payer, era_id, differ):
    from claimbook.x12 import payers_differ

    assert payers_differ(row_payer, row_id, era_payer, era_id, payer_key) is differ


def test_an_acceptance_after_a_rejection_only_when_newer():
    report = parse_277(DATA / "ack_277ca.277")
    rejected = "Rejected by payer on 2024-03-05 (277CA A7:562:85)"
    current = {"CLM-5001": row("CLM-5001", Status="Rejected", Notes=rejected),
               "CLM-5004": row("CLM-5004", Status="Rejected", Notes="Rejected by payer on 2024-03-12 (277CA A8)")}
    plan, _ = assert_idempotent(plan_277, report, current)
    assert summary(plan) == {"CLM-5001": {"Accepted": date(2024, 3, 10), "Status": Status.ACCEPTED}}
    assert any("CLM-5004: an acceptance on 2024-03-10 (277CA) is not newer than its rejection" in n for n in plan.notes)
