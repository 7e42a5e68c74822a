"""Writes the practice-management exports in this folder (run: python tests/data/exports/make_exports.py).

Each system's export is written the way that system's public help pages describe it (see README.md for
the pages): its column headings, its status words (including words whose meaning depends on another
column), its denial/kick reason text, and its report layout (titles, totals, page breaks, footers).
Every claim is drawn from a known truth (status, payer rules file, denial codes), written to
``acceptance/truth.csv``; ``tests/score_exports.py`` imports the files and scores what claimbook read.

Some words are deliberately ones no preset knows (a practice's custom statuses, a payer spelling no rules
file has): a real practice has those, and the import must list them, not guess them. ``ANSWERS`` is what
the practice says about them once (the lines it adds to import.yaml).
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent

# Payer spellings as practice systems write them -> the payer rules file that applies (truth).
PAYERS = [
    ("MEDICARE B - NOVITAS SOLUTIONS", "medicare"), ("MCR", "medicare"), ("Medicare (Part A and B)", "medicare"),
    ("NORIDIAN JE PART B", "medicare"), ("AETNA", "aetna"), ("AETNA PPO", "aetna"),
    ("UHC COMMUNITY PLAN", "unitedhealthcare"), ("UNITED HEALTHCARE", "unitedhealthcare"),
    ("AARP MEDICARE ADVANTAGE", "unitedhealthcare"), ("HUMANA GOLD PLUS", "humana_medicare_advantage"),
    ("HUMANA", "humana"), ("CIGNA", "cigna"), ("CIGNA HEALTHSPRING", "cigna_medicare_advantage"),
    ("NYSDOH", "new_york_medicaid"), ("MEDI-CAL", "california_medicaid"), ("TX MEDICAID - TMHP", "texas_medicaid"),
    ("EMPIRE BCBS", "anthem_bcbs"), ("ANTHEM BLUE CROSS", "anthem_bcbs"), ("BCBS OF ILLINOIS", "bcbs_illinois"),
    ("BLUE CROSS BLUE SHIELD OF TX", "default"), ("TRICARE EAST", "tricare"), ("WELLCARE", "default"),
    ("Texas Medicaid (TMHP)", "texas_medicaid"), ("New York Medicaid (eMedNY)", "new_york_medicaid"),
    ("MEDICARE PART B OF TEXAS", "medicare"), ("HEALTHSPRING MEDICARE", "cigna_medicare_advantage"),
]
# Written in as a spelling no rules file had (Medicare for railroad retirees, billed to Palmetto GBA's
# Railroad Medicare); medicare.yaml now knows it, so the answer below only repeats what the rules say.
# About 2 claims in 100 carry it.
UNKNOWN_PAYERS = [("RAILROAD RETIREMENT BOARD", "medicare")]
DENIALS = [("CO-50", "These are non-covered services because this is not deemed a medical necessity"),
           ("CO-97", "The benefit for this service is included in the payment for another service"),
           ("CO-16 N290", "Claim lacks information or has submission/billing error(s)"),
           ("PR-204", "This service is not covered under the patient's current benefit plan"),
           ("CO-29", "The time limit for filing has expired")]
FIRST = ["Ana", "Ben", "Carla", "Dev", "Ema", "Femi", "Gus", "Hana", "Ivo", "Jo"]
LAST = ["Ruiz", "Okafor", "Smith", "Nguyen", "Khan", "Rossi", "Berg", "Lopez", "Ito", "Brown"]

# What the practice answers once for the words the import lists (lines for import.yaml).
ANSWERS = {
    "statuses": {"Underpaid - Review": "Partially Paid", "PEND": "Pending", "Appeal Sent": "Appealed",
                 "Medical Records Requested": "Docs Requested", "Info requested from office": "Docs Requested"},
    "payers": {"RAILROAD RETIREMENT BOARD": "medicare"},
}


def money(x: float) -> str:
    return f"${x:,.2f}"


def mdy(d: date | None) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year}" if d else ""


class Claim:
    def __init__(self, rnd: random.Random, cid: str, status: str, payer_pool=PAYERS):
        self.id, self.status = cid, status
        pool = UNKNOWN_PAYERS if payer_pool is PAYERS and rnd.random() < 0.02 else payer_pool
        self.payer, self.payer_key = rnd.choice(pool)
        self.patient = f"{rnd.choice(LAST)}, {rnd.choice(FIRST)}"
        self.dos = date(2026, 1, 5) + timedelta(days=rnd.randrange(0, 300))
        self.billed_on = None if status == "Not Submitted" else self.dos + timedelta(days=rnd.randrange(1, 10))
        self.charge = round(rnd.uniform(80, 900), 2)
        self.paid = {"Paid": round(self.charge * 0.7, 2), "Partially Paid": round(self.charge * 0.3, 2)}.get(status, 0.0)
        self.pt = round(self.charge * 0.1, 2) if status in ("Paid", "Partially Paid", "Closed") else 0.0
        self.code, self.reason = rnd.choice(DENIALS) if status == "Denied" else ("", "")
        self.era = self.billed_on + timedelta(days=20) if status in ("Paid", "Partially Paid", "Denied", "Closed") \
            else None


def layout(title: list[list[str]], header: list[str], rows: list[list[str]], *, page: int = 0,
           totals: list[str] | None = None, footer: list[list[str]] = ()) -> list[list[str]]:
    out = [*title, header]
    for i, r in enumerate(rows):
        if page and i and i % page == 0:
            out += [[""] * len(header), ["Page break"] if False else header]
        out.append(r)
    if totals:
        out.append(totals)
    return out + list(footer)


# --------------------------------------------------------------------------------------------------- systems
def tebra(rnd, claims):
    header = ["Claim ID", "Encounter ID", "Patient Name", "Date of Service", "Insurance Company", "Last Billed Date",
              "Charges", "Insurance Payments", "Patient Balance", "Claim Status", "Payer Status", "Denial Reason",
              "Last ERA Date"]
    rows = []
    for c in claims:
        words = {"Paid": [("Settled", ""), ("Pending Patient", "")], "Closed": [("Settled", "")],
                 "Not Submitted": [("Ready to Send", ""), ("On Hold", "")],
                 "Submitted": [("On Hold", ""), ("Pending", "Sent")], "Accepted": [("Pending", "Acknowledged")],
                 "Pending": [("Pending Insurance", "")], "Rejected": [("Clearinghouse Rejected", "")],
                 "Denied": [("Denied", "Denied")], "Appealed": [("Appealed", "")],
                 "Partially Paid": [("Underpaid - Review", "")]}[c.status]
        st, ps = rnd.choice(words)
        enc = c.id.split("z")[0]
        rows.append([c.id, enc, c.patient, mdy(c.dos), c.payer, mdy(c.billed_on), money(c.charge), money(c.paid),
                     money(c.pt), st, ps, f"{c.code}: {c.reason}" if c.code else "", mdy(c.era)])
    tot = ["Total", "", "", "", "", "", money(sum(c.charge for c in claims)), money(sum(c.paid for c in claims)),
           money(sum(c.pt for c in claims)), "", "", "", ""]
    return layout([["Claim Status Report"], ["Practice: Riverside Family Medicine"],
                   ["Date Range: 01/01/2026 - 11/30/2026", "", "Printed: 11/30/2026"], []], header, rows, totals=tot)


def athenaone(rnd, claims):
    header = ["Claim ID", "Patient Name", "Service Date", "Primary Ins Pkg Name", "Primary Billed Date",
              "Charge Amount", "Primary Payment", "Patient Balance", "Primary Claim Status", "Kick Reason",
              "Last Remit Date"]
    rows = []
    for c in claims:
        st = {"Paid": "CLOSED", "Closed": "CLOSED", "Not Submitted": rnd.choice(["HOLD", "DROP", "MGRHOLD"]),
              "Submitted": rnd.choice(["BILLED", "DROP"]), "Denied": rnd.choice(["HOLD", "MGRHOLD"]),
              "Appealed": "APPEALED", "Pending": "PEND"}[c.status]
        kick = f"{c.code} {c.reason.upper()}" if c.code else ""
        rows.append([c.id, c.patient, mdy(c.dos), c.payer, mdy(c.billed_on), f"{c.charge:.2f}", f"{c.paid:.2f}",
                     f"{c.pt:.2f}", st, kick, mdy(c.era)])
    tot = ["Report Total", "", "", "", "", f"{sum(c.charge for c in claims):.2f}", f"{sum(c.paid for c in claims):.2f}",
           f"{sum(c.pt for c in claims):.2f}", "", "", ""]
    return layout([], header, rows, totals=tot, footer=[[], ["Report generated 11/30/2026 08:14 by athenaOne"]])


def drchrono(rnd, claims):
    header = ["Appointment ID", "Date of Service", "Patient", "Payer", "Submitted", "Billed", "Ins Paid", "Pt Bal",
              "Claim St", "Billing St", "Denial Reason", "ERA Date"]
    rows = []
    for c in claims:
        bs, cs = {"Paid": ("Paid in Full", "ERA Received"), "Closed": ("Balance Due", "ERA Received"),
                  "Partially Paid": ("ERA Received", "ERA Received"), "Denied": ("ERA Denied", "ERA Received"),
                  "Submitted": ("Bill Insurance", rnd.choice(["In Process at Clearinghouse", "In Process at Payer"])),
                  "Accepted": ("Bill Insurance", "Payer Acknowledged"), "Rejected": ("Bill Insurance", "Rejected"),
                  "Not Submitted": ("Pending Info Practice", "Other"), "Appealed": ("Appeal Sent", "ERA Received"),
                  }[c.status]
        rows.append([c.id, mdy(c.dos), c.patient, c.payer, mdy(c.billed_on), f"{c.charge:.2f}", f"{c.paid:.2f}",
                     f"{c.pt:.2f}", cs, bs, f"{c.code} {c.reason}" if c.code else "", mdy(c.era)])
    return layout([], header, rows, footer=[["Page 1 of 1"]])


def collaboratemd(rnd, claims):
    header = ["Claim ID", "Patient Name", "Payer Name", "From Date", "Last Billed Date", "Amount Billed",
              "Insurance Paid", "Patient Balance", "Claim Status", "Denial Reason"]
    out = [["Claim Status Detail Report"], ["Run Date: 11/30/2026"], [], header]
    by_payer: dict[str, list] = {}
    for c in claims:
        by_payer.setdefault(c.payer, []).append(c)
    n = 0
    for payer, group in sorted(by_payer.items()):
        out.append([f"Payer: {payer}"])
        for c in group:
            st = {"Paid": rnd.choice(["Paid", "Balance Due Patient"]), "Closed": "Collection",
                  "Not Submitted": rnd.choice(["Send To Payer Via Clearinghouse", "On Hold", "Waiting for Review"]),
                  "Submitted": "Claim at Payer", "Pending": "Pending Payer", "Denied": "Denied at Payer",
                  "Rejected": "Rejected at Clearinghouse", "Appealed": "Appeal at Payer",
                  "Docs Requested": "Medical Records Requested"}[c.status]
            out.append([c.id, c.patient, c.payer, mdy(c.dos), mdy(c.billed_on), money(c.charge), money(c.paid),
                        money(c.pt), st, f"{c.code} - {c.reason}" if c.code else ""])
            n += 1
            if n % 20 == 0:
                out += [[], ["Page " + str(n // 20)], header]
        out.append([f"Subtotal for {payer}", "", "", "", "", money(sum(c.charge for c in group)),
                    money(sum(c.paid for c in group)), money(sum(c.pt for c in group)), "", ""])
    out.append(["Grand Total", "", "", "", "", money(sum(c.charge for c in claims)), money(sum(c.paid for c in claims)),
                money(sum(c.pt for c in claims)), "", ""])
    return out


def nextgen_office(rnd, claims):
    header = ["Claim ID", "Claim DOS", "Claim Submission", "Claim Status", "Claim Level", "Patient Name",
              "Claim Charge $", "Insurance Paid $", "Claim Balance $", "Primary Payer Name", "Denial Reason"]
    rows = []
    for c in claims:
        st = {"Paid": "Paid", "Closed": "Completed", "Not Submitted": rnd.choice(["Ready to Send", "Hold"]),
              "Submitted": rnd.choice(["Submitted", "Hold"]), "Accepted": "Accepted", "Rejected": "Rejected",
              "Denied": "Denied", "Docs Requested": "Info requested from office"}[c.status]
        level = "Completed" if c.status in ("Paid", "Closed") else "Primary"
        rows.append([c.id, mdy(c.dos), mdy(c.billed_on), st, level, c.patient, f"{c.charge:.2f}", f"{c.paid:.2f}",
                     f"{c.charge - c.paid:.2f}", c.payer, f"{c.code} {c.reason}" if c.code else ""])
    tot = ["", "", "", "", "", "", f"{sum(c.charge for c in claims):.2f}", f"{sum(c.paid for c in claims):.2f}",
           f"{sum(c.charge - c.paid for c in claims):.2f}", "", ""]
    return layout([["NextGen Office - Claim Query"], ["Filters: Claim DOS 01/01/2026 to 11/30/2026"]], header, rows,
                  totals=tot, footer=[["Printed 11/30/2026 10:32 AM"]])


def advancedmd(rnd, claims):
    header = ["Claim Number", "Patient Name", "Carrier Name", "Service Date", "Date Billed", "Billed Amount",
              "Insurance Paid", "Patient Balance", "Follow-Up Status", "Adjustment Reason"]
    rows = []
    for c in claims:
        st = {"Submitted": rnd.choice(["Transmitted", "Paper Printed", "Acknowledged"]), "Accepted": "Pending Received",
              "Pending": "Not Finalized", "Rejected": "Rejected", "Paid": "Finalized", "Denied": "Finalized"}[c.status]
        rows.append([c.id, c.patient, c.payer, mdy(c.dos), mdy(c.billed_on), money(c.charge), money(c.paid),
                     money(c.pt), st, f"{c.code} {c.reason}" if c.code else ""])
    return layout([["Claims Follow-Up"]], header, rows)


def eclinicalworks(rnd, claims):
    header = ["Claim No", "Claim Date", "Patient Name", "Primary Insurance", "Submitted Date", "Claim Amount",
              "Insurance Paid", "Patient Balance", "Claim Status", "Denial Reason", "ERA Date"]
    rows = []
    for c in claims:
        st = {"Not Submitted": "Open", "Submitted": rnd.choice(["Submitted", "Re-Submitted", "Pending"]),
              "Rejected": "Rejected", "Paid": "Paid", "Denied": "Denied", "Closed": "Void"}[c.status]
        rows.append([c.id, mdy(c.dos), c.patient, c.payer, mdy(c.billed_on), f"{c.charge:.2f}", f"{c.paid:.2f}",
                     f"{c.pt:.2f}", st, f"{c.code} {c.reason}" if c.code else "", mdy(c.era)])
    return layout([], header, rows)


def officeally(rnd, claims):
    header = ["OA Claim ID", "Patient Control Number", "Patient Name", "Payer Name", "Payer ID", "DOS",
              "Date Received", "Total Charge", "Status", "Rejection Reason"]
    rows = []
    for c in claims:
        st = {"Submitted": rnd.choice(["Passed", "Pending"]), "Rejected": "Rejected"}[c.status]
        rows.append([str(4100000000 + int(c.id[-3:])), c.id, c.patient, c.payer, "", mdy(c.dos), mdy(c.billed_on),
                     money(c.charge), st, "Subscriber ID invalid" if st == "Rejected" else ""])
    return layout([], header, rows)


SYSTEMS = {  # name: (writer, statuses it has, claim ID form)
    "tebra": (tebra, ["Paid", "Closed", "Not Submitted", "Submitted", "Accepted", "Pending", "Rejected", "Denied",
                      "Appealed", "Partially Paid"], "{n}z{acct}"),
    "athenaone": (athenaone, ["Paid", "Closed", "Not Submitted", "Submitted", "Denied", "Appealed", "Pending"], "{n}"),
    "drchrono": (drchrono, ["Paid", "Closed", "Partially Paid", "Denied", "Submitted", "Accepted", "Rejected",
                            "Not Submitted", "Appealed"], "{n}"),
    "collaboratemd": (collaboratemd, ["Paid", "Closed", "Not Submitted", "Submitted", "Pending", "Denied", "Rejected",
                                      "Appealed", "Docs Requested"], "C{n}"),
    "nextgen_office": (nextgen_office, ["Paid", "Closed", "Not Submitted", "Submitted", "Accepted", "Rejected",
                                        "Denied", "Docs Requested"], "NGO-{n}"),
    "advancedmd": (advancedmd, ["Submitted", "Accepted", "Pending", "Rejected"], "AMD{n}"),
    "eclinicalworks": (eclinicalworks, ["Not Submitted", "Submitted", "Rejected", "Paid", "Denied", "Closed"], "E{n}"),
    "officeally": (officeally, ["Submitted", "Rejected"], "OA-PCN-{n}"),
}
# (system, status) written with a practice's custom word rather than the system's own.
CUSTOM = {("tebra", "Partially Paid"), ("athenaone", "Pending"), ("drchrono", "Appealed"),
          ("collaboratemd", "Docs Requested"), ("nextgen_office", "Docs Requested")}
ACCEPTANCE = ("tebra", "athenaone", "drchrono", "collaboratemd", "nextgen_office")
# A practice's own status words (not the system's standard ones) are rarer: weight 1 of about 25.
WEIGHTS = {"Paid": 6, "Submitted": 3, "Denied": 3, "Not Submitted": 2, "Closed": 2, "Rejected": 2, "Accepted": 2,
           "Pending": 2, "Partially Paid": 1, "Appealed": 1, "Docs Requested": 1}


def claims_for(system: str, n: int, seed: int, payer_pool=PAYERS, every_status: bool = False) -> list[Claim]:
    """``n`` claims as ``system`` would hold them; ``every_status`` starts with one claim of each status the
    system has (the small per-system exports), else statuses are drawn by ``WEIGHTS``."""
    rnd = random.Random(seed)
    _, statuses, form = SYSTEMS[system]
    out = []
    for i in range(n):
        weights = [0.5 if (system, s) in CUSTOM else WEIGHTS[s] for s in statuses]
        status = statuses[i] if every_status and i < len(statuses) else rnd.choices(statuses, weights)[0]
        out.append(Claim(rnd, form.format(n=1000 + i + seed * 100, acct=77), status, payer_pool))
    return out


def write(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def main() -> None:
    truth = [["File", "Claim ID", "Status", "Payer File", "Denial Codes"]]
    small = [list(truth[0])]
    for k, (system, (writer, _, _)) in enumerate(SYSTEMS.items()):
        few = claims_for(system, 10, seed=k + 1, payer_pool=PAYERS[:24], every_status=True)  # the small per-system exports
        write(HERE / f"{system}.csv", writer(random.Random(k), few))
        small += [[f"{system}.csv", c.id, c.status, c.payer_key, c.code] for c in few]
    write(HERE / "truth.csv", small)
    (HERE / "acceptance").mkdir(exist_ok=True)
    for k, system in enumerate(ACCEPTANCE):
        claims = claims_for(system, 50, seed=50 + k)
        name = f"{system}_claims.csv"
        write(HERE / "acceptance" / name, SYSTEMS[system][0](random.Random(100 + k), claims))
        truth += [[name, c.id, c.status, c.payer_key, c.code] for c in claims]
    write(HERE / "acceptance" / "truth.csv", truth)


if __name__ == "__main__":
    main()
