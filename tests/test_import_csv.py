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
from claimbook.imports import load_import_settings, sniff
from claimbook.workbook.importer import import_files
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
    x12.write_text("ISA*00*          *00*~")  # truncated: refused whole (with a good file, the good one is
    with pytest.raises(ImportFileError):  # imported: tests/test_import_x12.py)
        import_files([x12], tracker)
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
    # The sample's payer (N1*PR) is "WSFG - BENEFITS": a remittance is applied only to rows of its payer.
    rows = "".join(f"{cid},WSFG Benefits,1/5/2026,300,Submitted,Secondary\n" if i < 2 else
                   f"{cid},WSFG Benefits,1/5/2026,300,Submitted,Primary\n" for i, cid in enumerate(ids))
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


# --- files a practice system or a hand edit gets wrong ---------------------------------------------

def _cli(capsys, tracker, *files, extra=()):
    code = main(["import", *map(str, files), "--into", str(tracker), "--as-of", "2026-03-02", *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("swallowed", [3, 4000])  # 4000 rows: more than the csv module's 128 KB cell limit
def test_an_unclosed_quote_refuses_the_file_naming_its_row(tmp_path, rules, capsys, swallowed):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=3)
    before = fingerprint(tracker)
    rows = "".join(f"S{i},Aetna,10/0{i % 9 + 1}/2025,routine follow up note number {i}\n" for i in range(swallowed))
    bad = write_csv(tmp_path / "notes.csv", "Claim ID,Payer,DOS,Notes\nS-A,Aetna,10/01/2025,\"Called payer, on hold\n"
                    + rows)
    code, shown = _cli(capsys, tracker, bad)
    assert code == 2
    assert ('notes.csv: refused, nothing was imported — a quote mark " opens on row 2 in the Notes column and is '
            "never closed, so the rest of the file would be read into that one cell. Open the file in a text editor "
            'such as Notepad, add the closing " at the end of that value on row 2 (or delete the opening one), save '
            "it and import it again.") in shown
    assert "something went wrong" not in shown and "Called payer" not in shown
    assert fingerprint(tracker) == before


def test_a_quote_closed_only_by_a_later_cell_is_refused_but_quoted_line_breaks_are_fine(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=3)
    before = fingerprint(tracker)
    bad = write_csv(tmp_path / "late.csv", 'Claim ID,Payer,DOS,Notes\nL1,Aetna,1/2/2026,"two lines\nand more"\n'
                    'L2,Aetna,1/2/2026,"on hold\nL3,Aetna,1/2/2026,"fine"\n')
    code, shown = _cli(capsys, tracker, bad)
    assert code == 2 and 'a quote mark " opens on row 3 (line 4 in a text editor) in the Notes column' in shown
    assert fingerprint(tracker) == before
    good = write_csv(tmp_path / "good.csv", 'Claim ID,Payer,DOS,Notes\nL1,Aetna,1/2/2026,"two lines\nwith ""quotes"""\n'
                     "L2,Aetna,1/2/2026,plain\n")
    reports, _ = import_files([good], tracker, as_of=AS_OF)
    assert reports[0].added == ["L1", "L2"]
    assert claims_rows(tracker)["L1"]["notes"] == 'two lines\nwith "quotes"'


def test_a_claim_id_repeated_in_one_csv_is_not_guessed(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=3)
    existing = next(iter(claims_rows(tracker)))
    before = claims_rows(tracker)[existing]
    csv = write_csv(tmp_path / "dup.csv", "Claim ID,Payer,DOS,Billed,Status\n"
                    "A1,Aetna,10/01/2025,100,Submitted\n"
                    "A2,Aetna,10/02/2025,200,Denied\n"
                    f"{existing},,,,Paid\n"
                    "a1 ,Aetna,10/05/2025,300,Paid\n"
                    f"{existing},,,,Denied\n"
                    "A2,Aetna,10/02/2025,200,Denied\n")
    code, shown = _cli(capsys, tracker, csv)
    assert code == 0
    assert "dup.csv: 1 added, 0 updated (0 changes), 5 skipped" in shown
    assert ("skipped row 2: Claim ID A1 is also on row 5 of this file, with different values, so neither of these rows "
            "was imported. Keep one row per claim (or correct the Claim ID) and import the file again") in shown
    assert "skipped row 5: Claim ID a1 is also on row 2 of this file" in shown
    assert f"skipped row 4: Claim ID {existing} is also on row 6 of this file" in shown
    assert "skipped row 7: Claim ID A2 repeats row 3 with the same values; imported once" in shown
    after = claims_rows(tracker)
    assert "A1" not in after and after["A2"]["billed"] == 200
    assert after[existing]["status"] == before["status"]  # neither Paid nor Denied was guessed


def test_a_utf16_csv_is_read_and_one_without_its_bom_says_how_to_save_it(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=1)
    text = "Claim ID\tPatient\tPayer\tDOS\r\nU1\tMüller, Zoë\tAetna\t10/01/2025\r\n"
    (tmp_path / "unicode.csv").write_bytes(text.encode("utf-16"))  # Excel's "Unicode Text": BOM + UTF-16LE
    reports, _ = import_files([tmp_path / "unicode.csv"], tracker, as_of=AS_OF)
    assert reports[0].added == ["U1"] and claims_rows(tracker)["U1"]["patient"] == "Müller, Zoë"
    before = fingerprint(tracker)
    (tmp_path / "nobom.csv").write_bytes(text.replace("U1", "U2").encode("utf-16-le"))
    code, shown = _cli(capsys, tracker, tmp_path / "nobom.csv")
    assert code == 2 and ('nobom.csv is not a text file claimbook can import (CSV, 835 or 277). If it is a claims '
                          'list saved from Excel as "Unicode Text", open it in Excel and use File > Save As > "CSV '
                          'UTF-8 (Comma delimited)", then import that file') in shown
    assert fingerprint(tracker) == before


def _rules_with_import_yaml(tmp_path: Path, data: bytes) -> Path:
    import shutil

    folder = tmp_path / "rules"
    shutil.copytree(REPO / "rules", folder)
    (folder / "import.yaml").write_bytes(data)
    return folder


IMPORT_YAML = (REPO / "rules" / "import.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("data, line, words", [
    (IMPORT_YAML.replace("Claim Notes: Notes", "Notes du médecin: Notes").encode("cp1252"), 66,
     "the file is not saved as UTF-8 text: this line has a character (such as é) saved another way. In Notepad "
     "use File > Save As and choose Encoding: UTF-8."),
    (IMPORT_YAML.replace("      Ticket Number: Claim ID", "\tTicket Number: Claim ID").encode(), 33,
     "a tab is used for indenting. Indent with spaces only"),
    (IMPORT_YAML.replace("Ticket Number: Claim ID", "Ticket\x01 Number: Claim ID").encode(), 33,
     "this line has an invisible special character"),
    (IMPORT_YAML.replace("Ticket Number: Claim ID", "Ticket Number: Claim Idd").encode(), 33,
     "preset 'generic': 'Claim Idd' is not a tracker column. Did you mean 'Claim ID'?"),
], ids=["latin-1", "tab", "control-character", "not-a-column"])
def test_import_yaml_problems_name_file_and_line(tmp_path, rules, capsys, data, line, words):
    folder = _rules_with_import_yaml(tmp_path, data)
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=2)
    before = fingerprint(tracker)
    csv = write_csv(tmp_path / "a.csv", "Claim ID,Payer,DOS\nY1,Aetna,1/2/2026\n")
    code, shown = _cli(capsys, tracker, csv, extra=("--rules", str(folder)))
    assert code == 2 and "something went wrong" not in shown and "Traceback" not in shown
    assert f"The import settings in {folder / 'import.yaml'} have 1 problem:" in shown
    assert f"{folder / 'import.yaml'}:{line}: {words}" in shown
    if "\x01" in data.decode("cp1252"):
        assert "U+0001" in shown
    assert "Nothing was imported. Fix this line in a text editor and run again." in shown
    assert fingerprint(tracker) == before
    # claimbook rules check looks at import.yaml too, the same way.
    assert main(["rules", "check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"import.yaml:{line}: {words}" in out and "1 error in" in out


def test_rules_check_reports_a_mistake_in_an_unused_preset_that_the_import_does_not_need(tmp_path, rules, capsys):
    folder = _rules_with_import_yaml(
        tmp_path, IMPORT_YAML.replace("date_order: day first", "date_order: sideways").encode())
    assert main(["rules", "check", str(folder)]) == 1
    assert ("import.yaml:70: preset 'generic_day_first': date_order 'sideways' should be 'month first' or "
            "'day first'.") in capsys.readouterr().out
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=1)
    reports, _ = import_files([write_csv(tmp_path / "a.csv", "Claim ID,Payer,DOS\nY1,Aetna,1/2/2026\n")], tracker,
                              as_of=AS_OF, rules_dir=folder)
    assert reports[0].added == ["Y1"]
    assert main(["rules", "check", str(REPO / "rules")]) == 0


def test_a_csv_with_headings_but_no_claims_changes_nothing_and_says_why(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=3)
    before = fingerprint(tracker)
    empty = write_csv(tmp_path / "export.csv", "Claim ID,Payer,DOS,Billed\n,,,\n")
    code, shown = _cli(capsys, tracker, empty)
    assert code == 2
    assert shown.strip() == ("claimbook: export.csv has column headings but no claims under them, so nothing was "
                             "imported. Check the export's date range and filters in your practice system and export "
                             "again.")
    assert fingerprint(tracker) == before
