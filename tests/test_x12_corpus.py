"""Every public 835/277 sample in tests/data/x12 (see its README for where each comes from): the files
whose faults are not structural are read, with the values checked by hand for the ones listed in
``EXPECTED``; garbled and cut-short files are refused naming the segment and its position; planning a
file twice changes nothing; nothing crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimbook import table
from claimbook.errors import ImportFileError
from claimbook.model import Status
from claimbook.x12 import COLUMNS, Remittance, apply_plan, plan_file, read_payer_file

DATA = Path(__file__).parent / "data" / "x12"
CORPUS = DATA / "corpus"
PUBLIC = sorted([*CORPUS.iterdir(), *DATA.glob("public_*")])

# Refused, with the words that must be in the first line (segment and position, or why).
REFUSED = {
    "affect_exhaustive_sample.txt": "without its ISA/GS envelope (it starts with ST, not ISA)",
    "edi835parser_blue_cross_nc_sample.txt": "without its ISA/GS envelope (it starts with ST, not ISA)",
    # placeholder text where amounts should be ("CAS*grp_code*reason_code*amount*quantity")
    "affect_sample_835_with_interests.txt": "segment CAS (segment 23 of the file, line 23)",
    # "PLXX" for PLB: a garbled segment name
    "databricks_no_plb_sample.txt": "segment PLX (segment 47 of the file, line 47)",
    # de-identified into invalid headers and codes ("99999" as ISA12, "XX" as the SVC01 qualifier)
    "x12parser_835_DeIdent_01.dat": "segment ISA (segment 1, line 1)",
    "public_x12parser_277ca_latitude.txt": "segment ISA (segment 1, line 1)",
    "x12parser_835_WithMultipleInterchanges.txt": "segment SVC (segment 24 of the file, line 24)",
    "x12parser_ExampleFromNth.txt": "segment SVC (segment 24 of the file, line 24)",
    # GS08 "5010" (not a version), and a 4010 remittance
    "x12parser_Example1.txt": "segment GS (segment 2, line 2): transaction version 5010",
    "x12parser_Example1_GripElements.txt": "transaction version 004010X091A1",
    # stops after HL*2: no GE/IEA
    "x12parser_FromBogeyone.txt": "segment IEA (line 10)",
}

P, PP, D = Status.PAID, Status.PARTIALLY_PAID, Status.DENIED
# Checked by hand against the file: Claim ID -> (Paid, Patient Resp, Status, Denial Codes).
EXPECTED = {
    "opake_novitas_medicare.835": {
        "0011": (0.0, 0.0, D, "CO-4 M20 N519 MA130 MA15"),  # MA15 was refused by pyx12's old remark list
        "0012": (0.0, 0.0, D, "CO-151 MA01"),
        "0013": (0.0, 0.0, D, "CO-50 M25 N115 MA01"),
        "0015": (468.02, 119.39, P, "PR-2"),  # CLP02 19 crossover to UnitedHealth Group
        "0018": (708.21, 180.66, PP, "CO-B15 M80 MA01 MA18; PR-2"),  # one line denied (B15)
        "0023": (309.94, 79.07, P, "PR-2"),
    },
    "edi835parser_united_healthcare_legacy_sample.txt": {  # "HC>B4152" under ISA16 ":"
        "001-18573-358": (88.92, 105.26, P, "PR-1"),
        "001-18604-358": (261.07, 115.13, P, "PR-2; PR-1"),
    },
    "lfh_secondary-payment.835": {
        "L0004828311": (912.0, 0.0, P, "OA-23"),
        "0001000053": (310.0, 220.0, PP, "OA-23; PR-1; PR-2; CO-42"),
    },
    "lfh_managed-care.835": {  # BPR16 not a date (DTM*405 used), PER*CX missing
        "5554555444": (450.0, 300.0, PP, "CO-A2; PR-1"),
        "8765432112": (495.0, 600.0, PP, "CO-A2; PR-1"),
    },
    "databricks_sample_services.txt": {  # GE count wrong, ST03 present (Not Used)
        "ABC9001": (200.0, 5.0, P, "PR-3"),
        "ABC9002": (195.0, 10.0, P, "PR-3"),
    },
    "opake_bcbs_alabama.835": {"130": (21.0, 0.0, P, "OA-204; OA-23; PR-1; PR-2; PR-3; OA-Y3")},
    "pyx12_835_mult_loops.txt": {"2005555A": (0.0, 0.0, D, "CO-16 N14; OA-A7 N14")},
    "affect_nevada_medicaid.txt": {  # ISA fields not padded to their widths
        "77777777": (0.0, 0.0, D, "OA-147; CO-26"),
        "77777778": (0.0, 0.0, D, "OA-176"),
    },
    # 277s: Claim ID -> Status (and Paid for a finalized claim with an amount)
    "lfh_demo.277": {"SM123456": (None, None, Status.DOCS_REQUESTED, None),
                     "J0234567": (7599.0, None, P, None),  # F0 with STC05 7599.00
                     "MA345678": (None, None, D, None)},
    "imsweb_x12_277CA_accepted.txt": {"5781": (None, None, Status.ACCEPTED, None)},  # no 2200C STC
    "imsweb_x12_277CA_rejected.txt": {"3920394930203": (None, None, Status.REJECTED, None)},
    "imsweb_x12_277_x212.txt": {"12345": (None, None, "Submitted", None)},  # A1 received; STC03/STC12 Not Used
    "x12parser_FromAlexbrodsky.txt": {"3920394930203": (None, None, Status.REJECTED, None)},
}


def _tracker(parsed) -> dict[str, dict[str, object]]:
    """A row per Claim ID in the file, for the file's own payer (so the payer check passes)."""
    out: dict[str, dict[str, object]] = {}
    for c in parsed.claims:
        out[c.claim_id] = {k: None for k in COLUMNS} | {
            "Claim ID": c.claim_id, "Payer": c.payer_name, "Status": "Submitted", "Notes": "", "Order": ""}
    return out


class _ByKey(dict):
    def get(self, key, default=None):
        return super().get(table.claim_key(key), default)


def _plan(parsed, current, history):
    plan = plan_file(parsed, current, None, _ByKey(history))
    for p in plan.posted:
        history.setdefault(table.claim_key(p.claim_id), []).append(p)
    return plan


def test_the_corpus_is_big_enough_and_cited():
    readme = (DATA / "README.md").read_text()
    assert len(PUBLIC) >= 30
    for f in PUBLIC:
        assert f"{f.name}`" in readme, f"{f.name} is not cited in tests/data/x12/README.md"


@pytest.mark.parametrize("path", PUBLIC, ids=lambda p: p.name)
def test_every_public_file_is_read_or_refused_with_its_position(path):
    if path.name in REFUSED:
        with pytest.raises(ImportFileError) as info:
            read_payer_file(path)
        first = str(info.value).splitlines()[0]
        assert first.startswith(path.name) and REFUSED[path.name] in first, first
        return
    parsed = read_payer_file(path)
    current = _tracker(parsed)
    history: dict = {}
    plan = _plan(parsed, current, history)
    after = apply_plan(plan, current)
    again = _plan(parsed, after, history)
    assert again.changes == [] and again.posted == []  # importing it again changes nothing
    for claim_id, (paid, resp, status, codes) in EXPECTED.get(path.name, {}).items():
        row = after[claim_id]
        assert (row["Paid"], row["Patient Resp"], row["Status"], row["Denial Codes"] or None) == \
            (paid, resp, status, codes), claim_id


def test_warnings_name_the_classes_that_no_longer_refuse():
    def warnings(name):
        return "\n".join(read_payer_file(CORPUS / name).warnings)

    assert "SE count of 29 for SE02=0002 is wrong" in warnings("databricks_sample.txt")
    assert "(ST03) is marked as Not Used" in warnings("databricks_sample_services.txt")
    assert "STC03) is marked as Not Used" in warnings("imsweb_x12_277_x212.txt")
    assert "Billing Provider Status Information" in warnings("imsweb_x12_277CA_accepted.txt")  # 2200C STC
    assert "Payer Technical Contact Information" in warnings("lfh_demo.835")  # PER
    assert "TS309" in warnings("lfh_demo.835")  # TS3 Not Used fields
    assert "Payee State Code (N402)" in warnings("edi835parser_united_healthcare_legacy_sample.txt")
    assert "Claim Payment Remark Code (MOA03)" in warnings("opake_novitas_medicare.835")  # MA15: a code-list miss
    assert "Entity Identifier Code" in warnings("lfh_provider-level-status.277")
    assert "segments are indented" in warnings("opake_bcbs_alabama.835")
    assert "not padded to their fixed widths" in warnings("affect_nevada_medicaid.txt")


def _readable_835s() -> list[Path]:
    return [p for p in PUBLIC if p.name not in REFUSED and isinstance(read_payer_file(p), Remittance)]


@pytest.mark.parametrize("path", [CORPUS / "opake_novitas_medicare.835", CORPUS / "lfh_secondary-payment.835",
                                  CORPUS / "edi835parser_emedny_sample.txt", CORPUS / "lfh_demo.277",
                                  CORPUS / "databricks_sample.txt"], ids=lambda p: p.name)
def test_cut_short_anywhere_is_refused_with_its_position(tmp_path, path):
    text = path.read_bytes().decode("latin-1")
    body = text.rstrip()
    for cut in (len(body) // 4, len(body) // 2, len(body) * 3 // 4, len(body) - 25):
        if body[cut - 1] == "~" or body[cut] == "~":
            cut += 3
        short = tmp_path / f"cut{cut}.x12"
        short.write_bytes(body[:cut].encode("latin-1"))
        with pytest.raises(ImportFileError) as info:
            read_payer_file(short)
        first = str(info.value).splitlines()[0]
        assert "segment" in first and "line" in first and ("cut off" in first or "truncated" in first), first


def test_a_garbled_amount_is_refused_with_its_position(tmp_path):
    text = (CORPUS / "lfh_secondary-payment.835").read_text()
    bad = tmp_path / "garbled.835"
    bad.write_text(text.replace("CLP*0001000053*2*751.50*310.00", "CLP*0001000053*2*751.50*31O.00"))
    with pytest.raises(ImportFileError) as info:
        read_payer_file(bad)
    first = str(info.value).splitlines()[0]
    assert "segment CLP (segment 24 of the file, line 24)" in first and "must be a number" in first
    assert "31O" not in str(info.value)


def test_the_readable_835s_plan_without_crashing_in_either_order():
    """All readable remittances planned one after another, forwards and backwards: the same rows."""
    files = [read_payer_file(p) for p in _readable_835s()]
    results = []
    for order in (files, list(reversed(files))):
        current: dict = {}
        for parsed in files:
            current.update(_tracker(parsed))
        history: dict = {}
        for parsed in order:
            current = apply_plan(_plan(parsed, current, history), current)
        results.append({k: (v["Paid"], v["Patient Resp"], str(v["Status"]), v["Denial Codes"] or None)
                        for k, v in current.items()})
    assert results[0] == results[1]
