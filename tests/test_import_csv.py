"""``claimbook import`` of claims CSV files into a tracker: merge by Claim ID, Import Log, never a formula."""

from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from claimbook import table
from claimbook.cli import main
from claimbook.commands.import_ import import_files, load_import_settings, sniff
from claimbook.errors import ImportFileError, TrackerError
from claimbook.rules.loader import load_rules
from claimbook.workbook import io
from tests.test_refresh import AS_OF, REPO, fingerprint, make_tracker, user_cells


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def claims_rows(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    block = io.read_block(io.find_claims(wb))
    cols = table.map_input_columns(block.header)
    out = {}
    for r in block.rows:
        if r[cols["claim_id"]] is not None:
            out[str(r[cols["claim_id"]])] = {f: r[i] for f, i in cols.items()}
    return out


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_new_claims_are_appended_and_existing_updated(tmp_path, rules):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=10)
    before = claims_rows(tracker)
    existing = next(iter(before))
    csv = write_csv(tmp_path / "export.csv",
                    "Claim #,Insurance,Date of Service,Charges,Status,Pt Resp,CARC,Unrelated\n"
                    f"{existing},,,,Paid,12.50,,x\n"
                    "NEW-1,Medicare,03/01/2026,\"$1,200.00\",sent,,,y\n"
                    "NEW-2,Aetna,2026-02-20,80,Denied,,CO 50,z\n"
                    ",Aetna,2026-02-20,80,Denied,,,\n")
    reports, output = import_files([csv], tracker, as_of=AS_OF)
    rep = reports[0]
    assert rep.added == ["NEW-1", "NEW-2"] and rep.updated == [existing]
    assert rep.skipped == [("row 5", "no Claim ID")]
    after = claims_rows(tracker)
    assert len(after) == 12
    assert after["NEW-1"]["dos_from"].date() == date(2026, 3, 1) and after["NEW-1"]["billed"] == 1200.0
    assert after["NEW-2"]["denial_codes"] == "CO-50" and after["NEW-2"]["status"] == "Denied"
    assert after[existing]["status"] == "Paid" and after[existing]["patient_resp"] == 12.5
    # Nothing cleared: blank CSV cells leave the tracker's values.
    assert after[existing]["payer"] == before[existing]["payer"]
    assert after[existing]["dos_from"] == before[existing]["dos_from"]
    changed = {(c.claim_id, c.field) for c in rep.changes}
    assert (existing, "Status") in changed
    # The table grew and the new rows were refreshed.
    assert output.summary.claims == 12
    wb = openpyxl.load_workbook(tracker)
    place = io.find_claims(wb)
    assert place.last_row == place.header_row + 12
    comp = table.map_computed_columns(place.header())
    ages = [place.ws.cell(r, place.first_col + comp["Age"]).value for r in range(2, 14)]
    assert all(a is not None for a in ages)


def test_import_log_lists_file_hash_and_every_change(tmp_path, rules):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=3)
    existing = next(iter(claims_rows(tracker)))
    csv = write_csv(tmp_path / "a.csv", f"Claim ID,Payer,DOS,Status\n{existing},,,Appealed\nN1,Cigna,1/2/2026,\n")
    import_files([csv], tracker, as_of=AS_OF)
    wb = openpyxl.load_workbook(tracker)
    log = wb["Import Log"]
    rows = [[c.value for c in r] for r in log.iter_rows()]
    assert rows[0][:4] == ["Imported", "File", "SHA-256", "Kind"]
    summary = rows[1]
    assert summary[1] == "a.csv" and summary[2] == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert summary[4:7] == [1, 1, 0]
    assert any(r[7] == "N1" and r[8] == "(new claim)" for r in rows)
    assert any(r[7] == existing and r[8] == "Status" and r[10] == "Appealed" for r in rows)


def test_same_file_twice_is_skipped_unless_again(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=3)
    csv = write_csv(tmp_path / "a.csv", "Claim ID,Payer,DOS\nN1,Cigna,1/2/2026\n")
    assert main(["import", str(csv), "--into", str(tracker), "--as-of", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert "a.csv: 1 added, 0 updated" in out
    assert main(["import", str(csv), "--into", str(tracker), "--as-of", "2026-03-02"]) == 0
    assert "already imported" in capsys.readouterr().out
    reports, _ = import_files([csv], tracker, again=True, as_of=AS_OF)
    assert reports[0].added == [] and reports[0].changes == []


def test_formula_text_is_stored_as_text(tmp_path, rules):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=2)
    csv = write_csv(tmp_path / "evil.csv",
                    "Claim ID,Patient,Payer,DOS,Notes\n"
                    "=1+1,+SUM(A1),=cmd|' /C calc'!A0,1/2/2026,@HYPERLINK(\"http://x\")\n"
                    "-EVIL,Doe,Medicare,1/2/2026,-2+3\n")
    import_files([csv], tracker, as_of=AS_OF)
    with zipfile.ZipFile(tracker) as z:
        wbxml = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet [^>]*name="Claims"[^>]*r:id="(\w+)"', wbxml).group(1)
        target = re.search(rf'Id="{rid}"[^>]*Target="/?(?:xl/)?([^"]+)"', rels) or \
            re.search(rf'Target="/?(?:xl/)?([^"]+)"[^>]*Id="{rid}"', rels)
        xml = z.read("xl/" + target.group(1)).decode()
    assert "<f>" not in xml
    for text in ("=1+1", "+SUM(A1)", "=cmd|' /C calc'!A0", "-EVIL", "-2+3"):
        esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        hit = re.search(r'<c r="[A-Z]+\d+"[^>]*t="(inlineStr|s)"[^>]*>(?:(?!</c>).)*?'
                        + re.escape(esc).replace("'", "(?:'|&apos;)"), xml)
        if hit is None:  # the serializer may leave quotes unescaped
            hit = re.search(r'<c r="[A-Z]+\d+"[^>]*t="(inlineStr|s)"[^>]*>(?:(?!</c>).)*?' + re.escape(
                text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")), xml)
        assert hit, text
    rows = claims_rows(tracker)
    assert rows["=1+1"]["patient"] == "+SUM(A1)"


def test_bad_values_for_existing_claims_are_skipped_with_a_reason(tmp_path, rules):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=3)
    existing = next(iter(claims_rows(tracker)))
    before = claims_rows(tracker)[existing]
    csv = write_csv(tmp_path / "b.csv", f"Claim ID,Payer,DOS,Paid\n{existing},,31/02/2025,lots\nN9,Aetna,soon,5\n")
    reports, _ = import_files([csv], tracker, as_of=AS_OF)
    why = [w for _, w in reports[0].skipped]
    assert "DOS not changed: the value could not be read" in why  # printed: the column, never the cell
    assert any(w.startswith("Paid not changed") for w in why)
    details = [text for _, text in reports[0].details]  # the Import Log sheet has the cell as typed
    assert any("DOS not changed: DOS '31/02/2025' is not a date" in d for d in details)
    after = claims_rows(tracker)
    assert after[existing]["dos_from"] == before["dos_from"]
    assert after["N9"]["dos_from"] == "soon"  # stored as typed so the refresh shows it as a data issue
    assert any("stored as typed" in n for n in reports[0].notes)


def test_presets_map_export_columns(tmp_path, rules):
    aliases, day_first = load_import_settings(REPO / "rules", None)
    assert day_first is False and aliases[table.norm_header("Encounter Number")] == "Claim ID"
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=1)
    csv = write_csv(tmp_path / "pm.csv", "Encounter Number;Primary Payer;Service From;Total Charge\nE77;Medicare;02/03/2026;99\n")
    import_files([csv], tracker, as_of=AS_OF, rules_dir=REPO / "rules")
    row = claims_rows(tracker)["E77"]
    assert row["payer"] == "Medicare" and row["dos_from"].date() == date(2026, 2, 3) and row["billed"] == 99
    reports, _ = import_files([write_csv(tmp_path / "pm2.csv", "Encounter Number,Service From\nE78,03/02/2026\n")],
                              tracker, preset="generic_day_first", as_of=AS_OF, rules_dir=REPO / "rules")
    assert claims_rows(tracker)["E78"]["dos_from"].date() == date(2026, 2, 3)
    with pytest.raises(ImportFileError, match="no preset 'generik'; did you mean 'generic'"):
        load_import_settings(REPO / "rules", "generik")


def test_refused_imports_change_nothing(tmp_path, rules):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=3)
    before = fingerprint(tracker)
    nocol = write_csv(tmp_path / "nocol.csv", "Name,Amount\nA,1\n")
    with pytest.raises(ImportFileError, match="nocol.csv has no Claim ID column"):
        import_files([nocol], tracker)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(ImportFileError):
        import_files([binary], tracker)
    x12 = tmp_path / "era.txt"
    x12.write_text("ISA*00*          *00*~")  # truncated: refused whole
    with pytest.raises(ImportFileError):
        import_files([x12, write_csv(tmp_path / "fine.csv", "Claim ID,Payer,DOS\nQ,Aetna,1/1/2026\n")], tracker)
    (tmp_path / ("~$" + tracker.name)).write_text("x")
    good = write_csv(tmp_path / "ok.csv", "Claim ID,Payer,DOS\nZ,Aetna,1/1/2026\n")
    with pytest.raises(TrackerError, match="open in Excel"):
        import_files([good], tracker)
    assert fingerprint(tracker) == before


def test_user_cells_survive_an_import(tmp_path, rules):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=8)
    before = user_cells(tracker)
    import_files([write_csv(tmp_path / "c.csv", "Claim ID,Payer,DOS\nNEWX,Aetna,1/1/2026\n")], tracker, as_of=AS_OF)
    after = user_cells(tracker)
    for key, value in before.items():
        assert after[key] == value, key


def test_sniff():
    assert sniff(Path("a"), b"ISA*00*") == "x12"
    assert sniff(Path("a"), b"\xef\xbb\xbfClaim ID,Payer\n") == "csv"
    with pytest.raises(ImportFileError):
        sniff(Path("a.xlsx"), b"PK\x03\x04")


def test_an_835_updates_matching_claims_through_the_same_merge(tmp_path, rules):
    """The same command sniffs an 835 by content and hands it to claimbook.x12; changes go on the log."""
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=2)
    ids = [f"patient_control_number{i}" for i in range(3)]
    rows = "".join(f"{cid},Medicare,1/5/2026,300,Submitted,Secondary\n" if i < 2 else
                   f"{cid},Medicare,1/5/2026,300,Submitted,Primary\n" for i, cid in enumerate(ids))
    import_files([write_csv(tmp_path / "c.csv", "Claim ID,Payer,DOS,Billed,Status,Order\n" + rows)], tracker,
                 as_of=AS_OF)
    era = tmp_path / "remit.edi"  # no .835 extension: recognised by content
    era.write_bytes((REPO / "tests/data/x12/public_edi835parser_sample_835.txt").read_bytes())
    reports, _ = import_files([era], tracker, as_of=AS_OF)
    rep = reports[0]
    assert rep.kind == "835"
    assert rep.updated and rep.changes and rep.added == []
    assert any("not in the tracker" in why for _, why in rep.skipped)
    after = claims_rows(tracker)
    assert any(after[c]["remit_date"] is not None for c in ids)
    wb = openpyxl.load_workbook(tracker)
    assert any(r[0].value is not None and r[3].value == "835" for r in wb["Import Log"].iter_rows(min_row=2))


# --- review fixes ------------------------------------------------------------------------------------------

def test_a_claim_id_with_leading_zeros_matches_the_number_excel_kept(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=2)
    wb = openpyxl.load_workbook(tracker)
    place = io.find_claims(wb)
    place.ws.cell(place.first_data_row, place.first_col).value = 123  # Excel dropped the zeros of 00123
    wb.save(tracker)
    csv = write_csv(tmp_path / "z.csv", "Claim ID,Paid\n00123,40.00\n")

    assert main(["import", str(csv), "--into", str(tracker), "--as-of", AS_OF.isoformat()]) == 0

    out = capsys.readouterr().out
    assert "0 added, 1 updated" in out and 'Claim ID "00123" matched claim 123 in the tracker' in out
    rows = claims_rows(tracker)
    assert "00123" not in rows and rows["123"]["paid"] == 40


def test_csv_problem_notes_name_the_column_not_the_cell(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=2)
    csv = write_csv(tmp_path / "p.csv", "Claim ID,Payer,DOS,Paid\nN1,Aetna,Jane Doe's visit,5\n")

    assert main(["import", str(csv), "--into", str(tracker), "--as-of", AS_OF.isoformat()]) == 0

    out = capsys.readouterr().out
    assert "note: row 2 (claim N1): DOS could not be read; stored as typed, it shows under Data Issues" in out
    assert "Jane" not in out
    ws = openpyxl.load_workbook(tracker)["Import Log"]
    assert any("Jane Doe's visit" in str(c.value) for r in ws.iter_rows() for c in r)  # kept on the Import Log


def test_decimal_commas_from_a_csv_are_not_read_as_hundreds(tmp_path, rules):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=2)
    csv = write_csv(tmp_path / "c.csv", 'Claim ID,Payer,DOS,Paid\nN2,Aetna,03/01/2026,"12,50"\n')
    import_files([csv], tracker, as_of=AS_OF)
    wb = openpyxl.load_workbook(tracker)
    place = io.find_claims(wb)
    block = io.read_block(place)
    row = next(r for r in block.rows if r[0] == "N2")
    issues = row[block.header.index("Data Issues")]
    assert "Paid '12,50' is not an amount — write it as 12.50" in issues
