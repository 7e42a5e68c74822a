"""``payers/*.yaml``: one payer's sections (timely filing, corrected claims, follow-up, appeals,
underpayment), each one version or a list of dated versions, inherited whole from default.yaml.
"""

from __future__ import annotations

from datetime import date

from claimbook.rules.schema import (
    Anchor,
    Appeal,
    Cited,
    Contact,
    CorrectedClaim,
    FollowUp,
    PayerRules,
    TimelyFiling,
    Underpayment,
)
from claimbook.rules.yamlread import Map, Seq, Text
from claimbook.rules.messages import MESSAGES, PAYER_KINDS, SECTIONS
from claimbook.rules.fields import (
    _convert,
    _File,
    _INVALID,
    _line,
    _read_fields,
    _unknown,
    choice,
    Field,
    to_anchor,
    to_date,
    to_days,
    to_money,
    to_percent,
    to_period,
    to_text,
    to_yesno,
)


CITED_FIELDS = {
    "source": Field(to_text, "text", "payer provider manual, 2024 edition", required=True, cited=True),
    "effective_from": Field(to_date, "date", "2024-01-01", required=True, cited=True),
    "contested": Field(to_yesno, "yesno", "yes"),
    "note": Field(to_text, "text", "sources disagree", allow_empty=True),
}

SECTION_FIELDS: dict[str, dict[str, Field]] = {
    "timely_filing": {
        "limit": Field(to_period, "period", "90 days", required=True),
        "out_of_network_limit": Field(to_period, "period", "90 days"),
        "secondary_limit": Field(to_period, "period", "90 days"),
        "anchor": Field(to_anchor, "anchor", "date of service"),
        "institutional_anchor": Field(to_anchor, "anchor", "through date"),
        "secondary_anchor": Field(to_anchor, "anchor", "primary eob date"),
        "roll_to_next_business_day": Field(to_yesno, "yesno", "no"),
        "paper_claims_filed_when": Field(choice(("mailed", "received")), "choice", "received",
                                         choices=("mailed", "received")),
        "paper_mail_days": Field(to_days, "days", "5 days"),
        **CITED_FIELDS,
    },
    "corrected_claim": {
        "limit": Field(to_period, "period", "90 days", required=True),
        "out_of_network_limit": Field(to_period, "period", "180 days"),
        "anchor": Field(to_anchor, "anchor", "date of service"),
        **CITED_FIELDS,
    },
    "follow_up": {
        "first_check_electronic": Field(to_days, "days", "30 days", required=True),
        "first_check_paper": Field(to_days, "days", "45 days", required=True),
        "recheck_every": Field(to_days, "days", "30 days", required=True),
        "expected_adjudication": Field(to_days, "days", "30 days", required=True),
        **CITED_FIELDS,
    },
    "appeal": {
        "window": Field(to_period, "period", "180 days", required=True),
        "receipt_presumption": Field(to_days, "days", "0 days"),
        "recheck_every": Field(to_days, "days", "30 days"),
        "timely_filing_denials_appealable": Field(to_yesno, "yesno", "yes"),
        "reopening_window": Field(to_period, "period", "1 year"),
        "reopening_source": Field(to_text, "text", "42 CFR 405.980(b)(1)"),
        **CITED_FIELDS,
    },
    "underpayment": {
        "tolerance_amount": Field(to_money, "money", "1.00"),
        "tolerance_percent": Field(to_percent, "percent", "2"),
        "overpayment_refund_within": Field(to_period, "period", "60 days"),
        "overpayment_source": Field(to_text, "text", "42 CFR 401.305"),
        **CITED_FIELDS,
    },
}

PAYER_FIELDS = ("name", "kind", "match", "contact", *SECTIONS)
MATCH_FIELDS = {
    "names": Field(lambda v: v, "names", "- Aetna", takes_list=True),
    "payer_ids": Field(lambda v: v, "names", "- \"60054\"", takes_list=True),
}
CONTACT_FIELDS = {k: Field(to_text, "text", ex, allow_empty=True) for k, ex in
                  (("portal", "Availity"), ("phone", "1-800-555-0100"), ("fax", "1-800-555-0101"),
                   ("notes", "call before 4 pm"))}
PAYER_TOP = {
    "name": Field(to_text, "text", "Aetna", required=True),
    "kind": Field(choice(PAYER_KINDS), "choice", "commercial", choices=PAYER_KINDS),
}


def _build_section(section: str, v: dict, cited: Cited):
    if section == "timely_filing":
        return TimelyFiling(
            in_network=v["limit"], out_of_network=v.get("out_of_network_limit", v["limit"]), cited=cited,
            anchor=v.get("anchor", Anchor.DOS), institutional_anchor=v.get("institutional_anchor", Anchor.THROUGH),
            secondary_anchor=v.get("secondary_anchor", Anchor.DOS), secondary_limit=v.get("secondary_limit"),
            roll_to_business_day=v.get("roll_to_next_business_day", False),
            paper_filed=v.get("paper_claims_filed_when", "received"), paper_mail_days=v.get("paper_mail_days", 5))
    if section == "corrected_claim":
        return CorrectedClaim(limit=v["limit"], cited=cited, anchor=v.get("anchor", Anchor.DOS),
                              out_of_network=v.get("out_of_network_limit"))
    if section == "follow_up":
        return FollowUp(first_check_electronic=v["first_check_electronic"], first_check_paper=v["first_check_paper"],
                        recheck_every=v["recheck_every"], expected_adjudication=v["expected_adjudication"], cited=cited)
    if section == "appeal":
        return Appeal(window=v["window"], cited=cited, receipt_presumption=v.get("receipt_presumption", 0),
                      recheck_every=v.get("recheck_every", 30),
                      timely_filing_denials_appealable=v.get("timely_filing_denials_appealable", True),
                      reopening_window=v.get("reopening_window"), reopening_source=v.get("reopening_source", ""))
    return Underpayment(tolerance_amount=v.get("tolerance_amount", 0.0),
                        tolerance_percent=v.get("tolerance_percent", 0.0), cited=cited,
                        refund_within=v.get("overpayment_refund_within"), refund_source=v.get("overpayment_source", ""))


def _read_section(f: _File, key: Text, node, today: date) -> tuple | None:
    """One section: a group of settings or a list of versions. Returns versions newest first."""
    section = str(key)
    if isinstance(node, Seq):
        items = [(f"{section} (version {i + 1})", item, _line(item, _line(key))) for i, item in enumerate(node)]
        if not items:
            f.error(_line(key), "empty_value", key=section, expected="settings indented under it",
                    example="...")
            return None
    else:
        items = [(section, node, _line(key))]
    versions, ok, starts = [], True, {}
    for n, (place, item, line) in enumerate(items, 1):
        if isinstance(node, Seq) and not isinstance(item, Map):
            f.error(_line(item, _line(key)), "bad_version", n=n, key=section)
            ok = False
            continue
        v = _read_fields(f, item, key if not isinstance(node, Seq) else None, place, SECTION_FIELDS[section])
        if v is None:
            ok = False
            continue
        eff = v["effective_from"]
        if eff in starts:
            f.error(line, "same_effective_date", place=section, date=eff.isoformat(), other=starts[eff])
            ok = False
            continue
        starts[eff] = line
        if eff > today:
            f.warn(line, "future_effective", place=place, date=eff.isoformat())
        if v.get("contested") and not v.get("note"):
            f.warn(line, "contested_no_note", place=place)
        cited = Cited(source=v["source"], effective_from=eff, file=f.name, line=line,
                      contested=v.get("contested", False), note=v.get("note", ""))
        versions.append(_build_section(section, v, cited))
    if not ok:
        return None
    return tuple(sorted(versions, key=lambda x: x.cited.effective_from, reverse=True))


def _as_list(f: _File, key: Text, value) -> list[Text]:
    if isinstance(value, Seq):
        out = []
        for item in value:
            if isinstance(item, (Map, Seq)):
                f.error(_line(item, _line(key)), "not_a_list", key=str(key), expected=MESSAGES["expect_names"])
            elif str(item).strip():
                out.append(item)
        return out
    return [value] if str(value).strip() else []


def _read_payer(f: _File, key: str, tree, default: PayerRules | None, today: date) -> tuple[PayerRules | None, dict]:
    """A payer file. Returns (rules or None, {"names": [(name, line)], "ids": [(id, line)]})."""
    seen: dict = {"names": [], "ids": []}
    if not isinstance(tree, Map):
        f.error(_line(tree, 1), "not_settings")
        return None, seen
    errors_before = f.errors
    top: dict = {}
    sections: dict[str, tuple] = {}
    contact = Contact()
    for k, node in tree.items():
        if k not in PAYER_FIELDS:
            _unknown(f, k, "a payer file", list(PAYER_FIELDS))
        elif k in PAYER_TOP:
            value = _convert(f, k, node, PAYER_TOP[k], "the payer file")
            if value is not _INVALID:
                top[str(k)] = value
        elif k == "match":
            got = _read_fields(f, node, k, "match", MATCH_FIELDS)
            if got is not None:
                for name in _as_list(f, Text("names", k.line), got.get("names", "")):
                    seen["names"].append((" ".join(name.lower().split()), _line(name, k.line)))
                for pid in _as_list(f, Text("payer_ids", k.line), got.get("payer_ids", "")):
                    seen["ids"].append((pid.strip().upper(), _line(pid, k.line)))
        elif k == "contact":
            got = _read_fields(f, node, k, "contact", CONTACT_FIELDS)
            if got is not None:
                contact = Contact(**got)
        else:
            versions = _read_section(f, k, node, today)
            if versions is not None:
                sections[str(k)] = versions
    if "name" not in tree:
        f.error(_line(tree, 1), "missing_key", place="the payer file", key="name",
                expected="the payer's name as it should be shown", example="Aetna")
    for s in SECTIONS:
        if s not in tree:
            if default is None:
                f.error(_line(tree, 1), "missing_section", key=s, sections=", ".join(SECTIONS))
            else:
                sections[s] = getattr(default, s)  # inherited whole, citing default.yaml
    if key != "default" and not seen["names"] and not seen["ids"] and f.errors == errors_before:
        f.warn(tree.key_line("match") if "match" in tree else 1, "no_match")
    if f.errors != errors_before or any(s not in sections for s in SECTIONS):
        return None, seen
    rules = PayerRules(
        key=key, file=f.name, name=top.get("name", key), names=tuple(n for n, _ in seen["names"]),
        payer_ids=tuple(i for i, _ in seen["ids"]), contact=contact, kind=top.get("kind", "commercial"),
        **{s: sections[s] for s in SECTIONS},
    )
    return rules, seen
