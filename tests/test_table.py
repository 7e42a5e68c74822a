"""The table layer: headers, cell quirks, results back to rows (no workbook files here)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from claimbook import table
from claimbook.errors import MissingColumnsError
from claimbook.model import Channel, ClaimType, DenialCode, Network, Order, Status
from claimbook.pipeline import Block, run_blocks
from claimbook.rules.loader import load_rules

HEADER = [c.header for c in table.INPUT_COLUMNS]
AS_OF = date(2026, 3, 2)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def row(**values) -> list:
    r = [None] * len(HEADER)
    for k, v in values.items():
        r[HEADER.index(k.replace("_", " "))] = v
    return r


def claim(**values):
    base = {"Claim ID": "C1", "Payer": "Medicare", "DOS": date(2026, 1, 5)}
    base.update({k.replace("_", " "): v for k, v in values.items()})
    return table.claim_from_row(row(**base), table.map_input_columns(HEADER))


# --- headers ------------------------------------------------------------------------------------------

def test_column_order_is_the_documented_one():
    assert HEADER == ["Claim ID", "Patient", "Payer", "Payer ID", "Network", "Claim Type", "Channel", "Order",
                      "DOS", "DOS Through", "Submitted", "Accepted", "Billed", "Expected", "Paid", "Patient Resp",
                      "Status", "Denial Codes", "Remit Date", "Primary EOB Date", "Docs Due", "Last Contact",
                      "Appeal Filed", "Notes"]
    assert table.COMPUTED_COLUMNS[0] == "Age" and table.COMPUTED_COLUMNS[-1] == "Data Issues"
    assert table.FOLLOWUP_LOG_COLUMNS == ("Date", "Claim ID", "Action Taken", "Outcome", "Reference #",
                                          "Next Date", "By")


@pytest.mark.parametrize("header,field", [
    ("Date of Service", "dos_from"), ("service date", "dos_from"), ("DOS From", "dos_from"),
    ("Claim #", "claim_id"), ("CLAIM NUMBER", "claim_id"), ("Patient Control Number", "claim_id"),
    ("Insurance", "payer"), ("Payer Name", "payer"), ("carrier", "payer"),
    ("Charges", "billed"), ("Billed Amount", "billed"), ("Allowed", "expected"), ("Contracted Amount", "expected"),
    ("Expected Amount", "expected"), ("Pt Resp", "patient_resp"), ("Patient Responsibility", "patient_resp"),
    ("CARC", "denial_codes"), ("Denial Code(s)", "denial_codes"), ("Adjustment Codes", "denial_codes"),
    ("ERA Date", "remit_date"), ("Remittance Date", "remit_date"), ("  payer-id ", "payer_id"),
])
def test_header_aliases_ignore_case_spacing_punctuation(header, field):
    assert table.input_column_for(header).field == field


def test_missing_required_columns_are_named_with_what_was_found():
    with pytest.raises(MissingColumnsError) as err:
        table.map_input_columns(["Claim ID", "Patient", "Amount"])
    msg = str(err.value)
    assert "Payer or DOS" in msg and "Claim ID, Patient, Amount" in msg and "\n" not in msg


def test_follow_up_date_header_is_never_an_input():
    cols = table.map_input_columns(["Claim ID", "Payer", "DOS", "Follow-up Date"])
    assert "last_contact" not in cols


# --- cells --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    (date(2026, 1, 5), date(2026, 1, 5)),
    (datetime(2026, 1, 5, 13, 30), date(2026, 1, 5)),
    (46027.0, date(2026, 1, 5)),  # Excel serial
    (46027, date(2026, 1, 5)),
    ("1/5/2026", date(2026, 1, 5)),
    ("01/05/26", date(2026, 1, 5)),
    ("2026-01-05", date(2026, 1, 5)),
    ("20260105", date(2026, 1, 5)),
    ("January 5, 2026", date(2026, 1, 5)),
    ("5-Jan-2026", date(2026, 1, 5)),
    ("  1/5/2026 ", date(2026, 1, 5)),
])
def test_dates(value, expected):
    issues = []
    assert table.parse_date(value, "DOS", issues) == expected
    assert issues == []


def test_day_first_setting():
    issues = []
    assert table.parse_date("5/1/2026", "DOS", issues, day_first=True) == date(2026, 1, 5)
    assert table.parse_date("31/02/2025", "DOS", issues, day_first=True) is None
    assert issues == ["DOS '31/02/2025' is not a date — type it as DD/MM/YYYY"]


@pytest.mark.parametrize("value,fragment", [
    ("31/02/2025", "DOS '31/02/2025' is not a date — type it as MM/DD/YYYY"),
    ("13/01/2026", "is not a date"),  # month-first: no 13th month, no silent swap
    ("January 2026", "is not a date"),  # no day: not filled in
    ("#N/A", "error value #N/A"),
    ("#VALUE!", "error value #VALUE!"),
    ("=TODAY()", "formula"),
    ("soon", "is not a date"),
    (True, "is not a date"),
    (timedelta(days=3), "is not a date"),
    (60, "is not a date"),  # Excel's phantom 29 Feb 1900
    (-5.0, "is not a date"),
    (datetime(9999, 12, 31), "DOS '12/31/9999' has the year 9999 — check the date (claimbook reads dates from 1990 to 2100)"),
    (date(1926, 1, 5), "DOS '01/05/1926' has the year 1926"),  # a slip for 2026
    ("1/5/1926", "DOS '1/5/1926' has the year 1926"),
    ("12/31/2199", "has the year 2199"),
])
def test_bad_dates_become_issues(value, fragment):
    issues = []
    assert table.parse_date(value, "DOS", issues) is None
    assert len(issues) == 1 and fragment in issues[0]


@pytest.mark.parametrize("value,expected", [
    (12, 12.0), (12.5, 12.5), ("$1,234.50", 1234.5), (" 99 ", 99.0), ("0", 0.0), (None, None), ("", None),
])
def test_money(value, expected):
    issues = []
    assert table.parse_money(value, "Billed", issues) == expected
    assert issues == []


@pytest.mark.parametrize("value,fragment", [
    ("(12.00)", "negative"), (-3, "negative"), ("12 dollars", "is not an amount"), ("#DIV/0!", "#DIV/0!"),
    (float("nan"), "is not an amount"), ("=A1*2", "formula"),
])
def test_bad_money_becomes_issue(value, fragment):
    issues = []
    assert table.parse_money(value, "Billed", issues) is None
    assert fragment in issues[0]


@pytest.mark.parametrize("text,status", [
    ("paid", Status.PAID), ("  PAID  IN  FULL ", Status.PAID), ("Denied", Status.DENIED), ("write-off", Status.CLOSED),
    ("in_process", Status.PENDING), ("ADR", Status.DOCS_REQUESTED), (None, Status.NOT_SUBMITTED),
])
def test_status_synonyms(text, status):
    issues = []
    assert table.parse_status(text, "Status", issues, False) is status
    assert issues == []


def test_unknown_status_suggests():
    c = claim(Status="Piad", Submitted=date(2026, 1, 6))
    assert c.status is Status.SUBMITTED
    assert any("'Piad' is not a status" in i and "did you mean 'Paid'" in i for i in c.issues)


@pytest.mark.parametrize("column,text,value", [
    ("Network", "INN", Network.IN), ("Network", "par", Network.IN), ("Network", "OON", Network.OUT),
    ("Network", "non-par", Network.OUT), ("Claim Type", "1500", ClaimType.PROFESSIONAL),
    ("Claim Type", "837P", ClaimType.PROFESSIONAL), ("Claim Type", "UB-04", ClaimType.INSTITUTIONAL),
    ("Claim Type", "837i", ClaimType.INSTITUTIONAL), ("Channel", "EDI", Channel.ELECTRONIC),
    ("Channel", "paper", Channel.PAPER), ("Order", "Secondary", Order.SECONDARY), ("Order", 2.0, Order.SECONDARY),
])
def test_choices(column, text, value):
    c = claim(**{column: text})
    assert getattr(c, table.input_column_for(column).field) is value and c.issues == ()


def test_unknown_choice_is_an_issue_and_keeps_the_default():
    c = claim(Network="maybe")
    assert c.network is Network.IN and "Network 'maybe' is not understood — type In or Out" in c.issues


@pytest.mark.parametrize("text,codes", [
    ("CO-50", (DenialCode("CO", "50"),)),
    ("CO 50", (DenialCode("CO", "50"),)),
    ("co50", (DenialCode("CO", "50"),)),
    ("CO-16 MA130", (DenialCode("CO", "16", ("MA130",)),)),
    ("CO-16 MA130; PR-2", (DenialCode("CO", "16", ("MA130",)), DenialCode("PR", "2"))),
    ("CO-16 MA130 N290, PR-1\nOA-B7", (DenialCode("CO", "16", ("MA130", "N290")), DenialCode("PR", "1"),
                                       DenialCode("OA", "B7"))),
    ("CO-16 MA130 PR-2", (DenialCode("CO", "16", ("MA130",)), DenialCode("PR", "2"))),
])
def test_denial_codes(text, codes):
    issues = []
    assert table.parse_denials(text, "Denial Codes", issues) == codes
    assert issues == []


@pytest.mark.parametrize("text,fragment", [
    ("CO-50 xyz", "could not read 'xyz'"), ("XY-50", "could not read"), ("50", "has no group code"),
    ("MA130", "has no reason code"),
])
def test_malformed_denial_codes(text, fragment):
    issues = []
    table.parse_denials(text, "Denial Codes", issues)
    assert any(fragment in i for i in issues)


def test_safe_text():
    for s in ("=1+1", "+1", "-2", "@SUM(A1)"):
        assert table.safe_text(s) == "'" + s
    assert table.safe_text("ok") == "ok" and table.safe_text(5) == 5


def test_long_text_is_kept_to_excels_limit():
    assert len(table.clean_text("x" * 40000)) == table.EXCEL_TEXT_LIMIT
    assert table.clean_text("a\x00b\x07c") == "abc"


# --- blocks -------------------------------------------------------------------------------------------

def test_run_blocks_one_row_per_input_row_and_blank_rows(rules):
    rows = [row(Claim_ID="A", Payer="Medicare", DOS="1/5/2026", Billed=100, Submitted="1/6/2026", Status="sent"),
            [None] * len(HEADER),
            row(Claim_ID="B", Payer="Aetna", DOS="31/02/2025", Billed="$50")]
    out = run_blocks(Block(HEADER, rows, first_row=2), None, rules, AS_OF)
    assert len(out.computed) == 3
    assert out.computed[1] == [None] * len(table.COMPUTED_COLUMNS)
    issues = out.computed[2][table.COMPUTED_COLUMNS.index("Data Issues")]
    assert "DOS '31/02/2025' is not a date — type it as MM/DD/YYYY" in issues
    assert out.summary.claims == 2


def test_results_follow_claim_ids_not_positions(rules):
    a = row(Claim_ID="A", Payer="Medicare", DOS="1/5/2026", Billed=100, Submitted="1/6/2026", Status="sent")
    b = row(Claim_ID="B", Payer="Aetna", DOS="6/5/2025", Billed=900, Status="Denied", Denial_Codes="CO-50",
            Remit_Date="9/1/2025", Submitted="6/10/2025")
    out1 = run_blocks(Block(HEADER, [a, b]), None, rules, AS_OF)
    out2 = run_blocks(Block(HEADER, [b, a]), None, rules, AS_OF)
    assert out1.computed[0] == out2.computed[1] and out1.computed[1] == out2.computed[0]


def test_missing_claim_id_and_duplicates(rules):
    rows = [row(Payer="Medicare", DOS="1/5/2026"),
            row(Claim_ID="D1", Payer="Medicare", DOS="1/5/2026"),
            row(Claim_ID=" d1", Payer="Medicare", DOS="1/5/2026")]
    out = run_blocks(Block(HEADER, rows, first_row=10), None, rules, AS_OF)
    col = table.COMPUTED_COLUMNS.index("Data Issues")
    assert "Claim ID" in out.computed[0][col]
    assert out.evaluation.results[0].claim_id == "(row 10)"
    assert "appears 2 times" in out.computed[1][col] and "appears 2 times" in out.computed[2][col]


def test_follow_up_log_feeds_last_contact_and_next_date(rules):
    rows = [row(Claim_ID="A", Payer="Medicare", DOS="1/5/2026", Billed=100, Submitted="1/6/2026", Status="sent",
                Last_Contact="2/1/2026")]
    log = Block(list(table.FOLLOWUP_LOG_COLUMNS), [
        [date(2026, 2, 10), "a", "Called", "In process", "R1", None, "MB"],
        [date(2026, 2, 20), "A", "Called", "In process", "R2", date(2026, 3, 9), "MB"],
        [date(2026, 2, 15), "A", "Called", "", "R3", date(2026, 2, 16), "MB"],
        ["not a date", "A", "", "", "", None, ""],
    ], first_row=2)
    read = table.read_claims(Block(HEADER, rows))
    facts = table.read_log(log)
    c = table.apply_log(read.claims[0], facts["A"])
    assert c.last_contact == date(2026, 2, 20) and c.next_date_override == date(2026, 3, 9)
    assert any("Follow-up Log row 5" in i for i in c.issues)
    out = run_blocks(Block(HEADER, rows), log, rules, AS_OF)
    assert out.computed[0][table.COMPUTED_COLUMNS.index("Follow-up Date")] == date(2026, 3, 9)


def test_an_impossible_as_of_date_in_settings_is_reported_and_today_is_used():
    s = table.tracker_settings([["As-of date", datetime(9999, 12, 31)]])
    assert s.as_of is None
    assert s.problems == ("Settings: As-of date '12/31/9999' has the year 9999 — check the date (claimbook reads "
                          "dates from 1990 to 2100) (today was used)",)


def test_settings_rows():
    s = table.tracker_settings([["Setting", "Value"], ["As-of date", "3/2/2026"], ["Rules folder", None],
                                ["Worklist look-ahead days", 14.0], ["Backups kept", "three"]])
    assert s.as_of == date(2026, 3, 2) and s.rules_folder is None and s.look_ahead_days == 14
    assert s.backups_kept is None and "Backups kept" in s.problems[0]
    assert table.tracker_settings(None) == table.TrackerSettings()


def test_worklist_dashboard_payers(rules):
    from claimbook.sample import sample_claims

    claims = sample_claims(AS_OF, n=120)
    rows = [table.claim_to_row(c) for c in claims]
    out = run_blocks(Block(HEADER, rows), None, rules, AS_OF, [["Worklist look-ahead days", 0]])
    assert out.worklist.header == list(table.WORKLIST_COLUMNS)
    dues = [r[5] for r in out.worklist.rows]
    assert dues and all(d <= AS_OF for d in dues)
    prios = [r[0] for r in out.worklist.rows if r[0]]
    assert prios == sorted(prios)
    d = out.dashboard
    assert d.buckets == list(rules.settings.bucket_labels())
    totals = [sum(r) for r in d.dollars]
    assert totals == sorted(totals, reverse=True)
    kpis = {k.label: k for k in d.kpis}
    assert abs(kpis["Open AR"].value - sum(totals)) < 1.0 or kpis["Open AR"].value >= sum(totals)
    assert 0 <= kpis["AR over 120 days"].value <= kpis["AR over 90 days"].value <= 1
    names = [r[0] for r in out.payers.rows]
    assert names[-1] == rules.default.name and len(names) == len(rules.payers) + 1
    assert len(out.payers.header) == len(out.payers.rows[0])


def test_round_trip_of_sample_claims_through_cells():
    from claimbook.sample import sample_claims

    cols = table.map_input_columns(HEADER)
    for c in sample_claims(AS_OF, n=200):
        back = table.claim_from_row(table.claim_to_row(c), cols)
        assert back == c


# --- review fixes -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,shown", [("12,50", "12.50"), ("1,23", "1.23"), ("1.234,50", "1234.50")])
def test_a_decimal_comma_is_a_data_issue_not_a_bigger_amount(text, shown):
    issues = []
    assert table.parse_money(text, "Paid", issues) is None
    assert issues == [f"Paid '{text}' is not an amount — write it as {shown}"]


@pytest.mark.parametrize("text,amount", [("1,234.50", 1234.5), ("$12,345", 12345.0), ("1,234,567.8", 1234567.8)])
def test_commas_between_thousands_are_still_read(text, amount):
    issues = []
    assert table.parse_money(text, "Paid", issues) == amount and issues == []


def test_a_plain_number_in_a_date_column_is_not_a_day_in_1900():
    header = ["Claim ID", "Payer", "DOS", "Docs Due"]
    read = table.read_claims(Block(header, [["C1", "Aetna", 5, 30.0], ["C2", "Aetna", 46027.0, None]]))
    c1, c2 = read.claims
    assert c1.dos_from is None and c1.docs_due is None
    assert "DOS '5' is not a date — type it as MM/DD/YYYY" in c1.issues
    assert "Docs Due '30' is not a date — type it as MM/DD/YYYY" in c1.issues
    assert c2.dos_from == date(2026, 1, 5) and c2.issues == ()  # a real serial in a General cell


def test_blank_and_unknown_status_with_a_submitted_date_both_read_as_submitted():
    header = ["Claim ID", "Payer", "DOS", "Submitted", "Status"]
    rows = [["C1", "Aetna", date(2026, 1, 5), date(2026, 1, 6), None],
            ["C2", "Aetna", date(2026, 1, 5), date(2026, 1, 6), "  "],
            ["C3", "Aetna", date(2026, 1, 5), date(2026, 1, 6), "Sumbitted?"],
            ["C4", "Aetna", date(2026, 1, 5), None, None]]
    c1, c2, c3, c4 = table.read_claims(Block(header, rows)).claims
    assert (c1.status, c2.status, c3.status, c4.status) == (Status.SUBMITTED, Status.SUBMITTED, Status.SUBMITTED,
                                                            Status.NOT_SUBMITTED)
    assert c1.issues == () and c2.issues == () and c4.issues == ()  # blank is not a mistake
    assert any("Read as Submitted" in i for i in c3.issues)


def test_blank_status_with_a_submitted_date_is_never_told_to_submit(rules):
    header = ["Claim ID", "Payer", "DOS", "Submitted", "Status", "Channel"]
    rows = [["C1", "Aetna", date(2026, 1, 5), date(2026, 1, 6), None, "Electronic"]]
    out = run_blocks(Block(header, rows), None, rules, date(2026, 1, 20))
    action = out.computed[0][table.COMPUTED_COLUMNS.index("Next Action")]
    assert "submit the claim" not in action.lower()


def test_all_digit_claim_ids_match_whatever_their_leading_zeros():
    assert table.claim_key("00123") == table.claim_key(123.0) == table.claim_key(" 123 ") == "123"
    assert table.claim_key("A00123") == "A00123" and table.claim_key("000") == "0"
    read = table.read_claims(Block(["Claim ID", "Payer", "DOS"], [["00123", "Aetna", date(2026, 1, 5)],
                                                                   [123, "Aetna", date(2026, 1, 5)]]))
    assert read.duplicates == {"123"}
    assert all(any("appears 2 times" in i for i in c.issues) for c in read.claims)


def test_dashboard_kpis_follow_the_usual_definitions(rules):
    # Open AR and its aging are money owed on *billed* claims; the denial rate is denied / submitted.
    from claimbook.engine import evaluate
    from claimbook.model import Claim

    dos = date(2025, 11, 3)  # 119 days before AS_OF
    claims = [
        Claim("U1", "Aetna", dos, billed=100.0, status=Status.NOT_SUBMITTED),
        Claim("D1", "Aetna", dos, billed=200.0, submitted=dos, status=Status.DENIED, remit_date=date(2026, 1, 5),
              denial_codes=(DenialCode("CO", "50"),)),
        Claim("P1", "Aetna", dos, billed=300.0, paid=300.0, submitted=dos, status=Status.PAID,
              remit_date=date(2026, 1, 5)),
        Claim("O1", "Aetna", date(2026, 2, 2), billed=400.0, submitted=date(2026, 2, 3), status=Status.PENDING),
    ]
    pairs = list(zip(claims, evaluate(claims, rules, AS_OF).results))
    kpis = {k.label: k for k in table.dashboard(pairs, rules.settings.bucket_labels(), AS_OF).kpis}
    assert kpis["Open AR"].value == 600.0  # D1 + O1; U1 is not billed yet, P1 is paid
    assert kpis["Open AR"].note == "owed on billed claims; $100.00 more not billed yet"
    assert kpis["AR over 90 days"].value == pytest.approx(200 / 600)
    assert kpis["Denial rate"].value == pytest.approx(1 / 3)  # D1 of the three submitted claims
    assert kpis["Denial rate"].note == "denied or appealed, among submitted claims"


def test_days_left_to_a_filing_deadline_already_met_are_left_blank(rules):
    from claimbook.engine import evaluate, explain
    from claimbook.model import Claim

    c = Claim("M1", "Aetna", date(2025, 6, 2), billed=100.0, submitted=date(2025, 6, 3), accepted=date(2025, 6, 3),
              status=Status.PENDING)
    r = evaluate([c], rules, AS_OF).results[0]
    assert r.tf_days_left < 0  # the engine still says how far the deadline is
    row = dict(zip(table.COMPUTED_COLUMNS, table.computed_row(r)))
    assert (row["TF Risk"], row["TF Days Left"]) == ("Met", None)
    assert f"Timely filing: deadline {r.tf_deadline.isoformat()}, met (filed in time)" in explain(c, r)
