from datetime import date
from pathlib import Path

import pytest

from claimbook.errors import ImportFileError
from claimbook.x12 import ClaimPayment, parse_277, parse_835, read_payer_file
from claimbook.x12.reader import read_x12

DATA = Path(__file__).parent / "data" / "x12"
VALID = ["era_denials.835", "era_reversal_same_file.835", "era_original.835", "era_reversal_correction.835",
         "era_reversal_only.835", "era_cob.835", "ack_277ca.277", "status_277.277",
         "public_edi835parser_sample_835.txt"]


@pytest.mark.parametrize("name", VALID)
def test_handmade_and_public_files_are_valid_per_pyx12(name):
    doc = read_x12(DATA / name)
    assert doc.segments[0].seg_id == "ISA" and doc.segments[-1].seg_id == "IEA"


def _by_id(remit) -> dict[str, ClaimPayment]:
    return {c.claim_id: c for c in remit.claims}


def test_835_claim_fields():
    remit = parse_835(DATA / "era_denials.835")
    claims = _by_id(remit)
    assert len(remit.claims) == 8
    c = claims["CLM-1001"]
    assert (c.status_code, c.charge, c.paid, c.patient_resp, c.payer_claim_number) == ("1", 200.0, 150.0, 20.0, "ICN1001")
    assert c.allowed == 170.0  # sum of AMT*B6 (no AMT*AU)
    assert [(a.group, a.carc, a.amount, a.level) for a in c.adjustments] == [
        ("CO", "45", 30.0, "service"), ("PR", "3", 20.0, "service")]
    assert c.remit_date == date(2024, 3, 15)
    assert c.payer_name == "ACME HEALTH PLAN" and c.payer_id == "ACME01" and c.check_number == "EFT1001"
    assert c.patient_name == "DOE, JANE"
    assert c.service_lines[0].procedure == "HC:99214" and c.service_lines[0].service_date == date(2024, 3, 1)
    assert claims["CLM-1005"].service_lines[0].rarcs == ("MA130",)
    assert claims["CLM-1005"].all_rarcs == ("MA130",)
    six = claims["CLM-1006"]
    assert [(a.group, a.carc, a.amount, a.quantity) for a in six.adjustments][1:] == [
        ("PR", "1", 50.0, 1.0), ("PR", "2", 40.0, 1.0), ("PR", "3", 30.0, None)]
    plb = remit.provider_adjustments
    assert [(p.reason, p.reference, p.amount, p.fiscal_date) for p in plb] == [
        ("WO", "ICN0777", 25.5, date(2024, 12, 31)), ("L6", "", -1.25, date(2024, 12, 31))]
    assert claims["CLM-1001"].segment > 0 and claims["CLM-1001"].line > 0


def test_835_public_sample():
    remit = parse_835(DATA / "public_edi835parser_sample_835.txt")
    assert [c.claim_id for c in remit.claims] == [f"patient_control_number{i}" for i in range(6)]
    two = _by_id(remit)["patient_control_number2"]
    assert (two.status_code, two.charge, two.paid, two.patient_resp, two.allowed) == ("1", 157.0, 132.81, 20.0, 152.81)
    assert two.remit_date == date(2022, 1, 11)  # BPR16
    assert two.payer_name == "WSFG - BENEFITS"
    one = _by_id(remit)["patient_control_number1"]
    assert [(a.group, a.carc, a.amount) for a in one.adjustments] == [("PR", "2", 21.0), ("PR", "23", -13.65), ("OA", "23", 97.65)]


def test_835_reversal_and_forwarded_records():
    rev = parse_835(DATA / "era_reversal_same_file.835")
    assert [(c.status_code, c.paid, c.is_reversal) for c in rev.claims] == [
        ("1", 160.0, False), ("22", -160.0, True), ("1", 140.0, False)]
    cob = _by_id(parse_835(DATA / "era_cob.835"))
    fwd = cob["CLM-4002"]
    assert fwd.is_forwarded and fwd.processed_as == "primary"
    assert fwd.crossover_payer == "MEDIGAP SUPPLEMENT CO" and fwd.rarcs == ("MA18",)
    assert cob["CLM-4001"].processed_as == "secondary"


def test_277ca_records():
    report = parse_277(DATA / "ack_277ca.277")
    assert report.transaction == "277CA"
    got = [(c.claim_id, c.category, [str(s) for s in c.statuses], c.effective_date, c.payer_claim_number)
           for c in report.claims]
    assert got == [
        ("CLM-5001", "A2", ["A2:20:PR"], date(2024, 3, 10), "PAYER5001"),
        ("CLM-5002", "A7", ["A7:562:85"], date(2024, 3, 10), ""),
        ("CLM-5003", "A1", ["A1:19:PR"], date(2024, 3, 10), ""),
        ("CLM-5004", "A2", ["A2:20:PR"], date(2024, 3, 10), "PAYER5004"),
        ("CLM-5999", "A2", ["A2:20:PR"], date(2024, 3, 10), ""),
    ]
    assert report.claims[0].payer_name == "ACME HEALTH PLAN" and report.claims[0].charge == 200.0


def test_277_records_use_ref_ej_as_claim_id():
    report = parse_277(DATA / "status_277.277")
    assert report.transaction == "277"
    first = report.claims[0]
    assert first.claim_id == "CLM-6001" and first.trace_number == "TRACE-CLM-6001"
    paid = {c.claim_id: c for c in report.claims}["CLM-6004"]
    assert (paid.category, paid.charge, paid.paid, paid.adjudication_date, paid.check_date, paid.check_number) == (
        "F1", 200.0, 160.0, date(2024, 3, 18), date(2024, 3, 19), "EFT6004")
    assert paid.service_date == date(2024, 3, 1) and paid.payer_claim_number == "ICN6004"


def test_a_claims_status_is_its_most_decisive_stc_not_the_first():
    """A1 (received) then A7 (rejected): the claim is rejected, as of the rejection's date; STC10/STC11 count."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_samples", DATA / "build_samples.py")
    bs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bs)
    body = ["BHT*0085*08*BATCH0001*20240310*1200*TH~",
            "HL*1**20*1~", "NM1*PR*2*ACME HEALTH PLAN*****PI*ACME01~", "TRN*1*BATCH0001~",
            "DTP*050*D8*20240310~", "DTP*009*D8*20240310~",
            "HL*2*1*21*1~", "NM1*41*2*SMALL FAMILY PRACTICE*****46*SUB01~", "TRN*2*FILE0001~",
            "STC*A1:19*20240310*WQ*1000~", "QTY*90*3~", "AMT*YU*600~",
            "HL*3*2*19*1~", "NM1*85*2*SMALL FAMILY PRACTICE*****XX*1234567893~", "TRN*1*0~",
            "STC*A1:19:85**WQ*1000~", "QTY*QA*3~", "AMT*YU*600~"]
    claims = [("CLM-1", ["STC*A1:19:PR*20240310*WQ*200~", "STC*A7:562:85*20240311*U*210~"]),
              ("CLM-2", ["STC*A1:19:PR*20240310*WQ*200~", "STC*A2:20:PR*20240312*WQ*200~"]),
              ("CLM-3", ["STC*A1:19:PR*20240310*WQ*200******A3:21:85*A6:35:QC~"]),
              ("CLM-4", ["STC*A1:19:PR*20240310*WQ*200~"])]
    for hl, (pcn, stcs) in enumerate(claims, start=4):
        body += [f"HL*{hl}*3*PT~", "NM1*QC*1*DOE*JANE****MI*MEMBER01~", f"TRN*2*{pcn}~", *stcs, "DTP*472*D8*20240220~"]
    text = bs.envelope("HN", "005010X214", "277", body, st_version=True)
    report = parse_277("ack.277", text=text)
    got = [(c.claim_id, c.category, [str(s) for s in c.deciding_statuses], c.effective_date, c.charge)
           for c in report.claims]
    assert got == [
        ("CLM-1", "A7", ["A7:562:85"], date(2024, 3, 11), 210.0),
        ("CLM-2", "A2", ["A2:20:PR"], date(2024, 3, 12), 200.0),
        ("CLM-3", "A3", ["A3:21:85", "A6:35:QC"], date(2024, 3, 10), 200.0),
        ("CLM-4", "A1", ["A1:19:PR"], date(2024, 3, 10), 200.0),
    ]
    assert [str(s) for s in report.claims[0].statuses] == ["A1:19:PR", "A7:562:85"]


@pytest.mark.parametrize(
    "name, segment, words",
    [
        ("malformed_truncated.835", "segment CLP", "cut off"),
        ("malformed_bad_amount.835", "segment CLP", '"Total Claim Charge Amount" must be a number'),
        ("malformed_missing_clp01.835", "segment CLP", "CLP01"),
        ("malformed_bad_stc.277", "segment STC", "not a valid date"),
        ("public_x12parser_277ca_latitude.txt", "segment ISA", "Version Number"),
    ],
)
def test_malformed_files_are_refused_naming_the_segment(name, segment, words):
    with pytest.raises(ImportFileError) as info:
        read_payer_file(DATA / name)
    message = str(info.value)
    assert message.startswith(name)
    first = message.splitlines()[0]
    assert segment in first and words in first
    assert "line" in first
    assert "3O0" not in message and "20241340" not in message and "CLM-1003*4*180" not in message  # no values


@pytest.mark.parametrize("name, warning", [
    ("malformed_bad_se_count.835", "segment SE (segment 67 of the file, line 67): SE count"),
    ("public_x12parser_277ca_deidentified_nth.txt", "segments are indented"),
])
def test_non_structural_faults_are_warnings_and_the_file_is_read(name, warning):
    """A wrong SE count or an indented file is a warning: the file is read (findings.py)."""
    parsed = read_payer_file(DATA / name)
    assert parsed.claims
    assert any(w.startswith(warning) or warning in w for w in parsed.warnings), parsed.warnings


def test_refusal_gives_position():
    with pytest.raises(ImportFileError) as info:
        parse_835(DATA / "malformed_bad_amount.835")
    err = info.value
    assert err.segment == "CLP" and err.segment_number == 23 and err.line == 23
    assert "segment CLP (segment 23 of the file, line 23)" in str(err)


def test_truncated_anywhere_is_refused(tmp_path):
    text = (DATA / "era_denials.835").read_text()
    for cut in (len(text) // 3, len(text) // 2, len(text) - 30, len(text) - 12):
        p = tmp_path / "cut.835"
        p.write_text(text[:cut])
        with pytest.raises(ImportFileError):
            parse_835(p)


def test_single_line_file_reports_line_1(tmp_path):
    text = (DATA / "era_denials.835").read_text().replace("\n", "").replace("CLP*CLM-1002*4*300*", "CLP*CLM-1002*4*3X0*")
    p = tmp_path / "one.835"
    p.write_text(text)
    with pytest.raises(ImportFileError) as info:
        parse_835(p)
    assert "line 1)" in str(info.value).splitlines()[0]


def test_wrong_kind_and_not_x12(tmp_path):
    with pytest.raises(ImportFileError, match="not an 835"):
        parse_835(DATA / "status_277.277")
    with pytest.raises(ImportFileError, match="not a 277"):
        parse_277(DATA / "era_cob.835")
    with pytest.raises(ImportFileError, match="CSV"):
        read_payer_file(DATA / "malformed_not_x12.835")
    p = tmp_path / "837.txt"
    p.write_text((DATA / "era_cob.835").read_text().replace("005010X221A1", "005010X222A1"))
    with pytest.raises(ImportFileError, match="segment GS"):
        read_x12(p)
