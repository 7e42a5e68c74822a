"""``denials.yaml``: what to do about each denial code (group + CARC, optionally RARCs)."""

from __future__ import annotations

import re

from claimbook.rules.schema import DenialRule, Denials
from claimbook.rules.yamlread import Map, Seq, Text
from claimbook.rules.messages import CATEGORIES
from claimbook.rules.fields import (
    _File,
    _line,
    _read_fields,
    _unknown,
    choice,
    Field,
    to_text,
    to_urgency,
    to_yesno,
)


DENIAL_FIELDS = {
    "category": Field(choice(CATEGORIES), "choice", "appeal", required=True, choices=CATEGORIES),
    "action": Field(to_text, "text", "Appeal with medical records", required=True),
    "appeal": Field(to_yesno, "yesno", "no"),
    "urgency": Field(to_urgency, "urgency", "3"),
    "reopening_action": Field(to_text, "text", "Request a reopening"),
}
DENIALS_TOP = ("unknown_code", "codes")
_CODE = re.compile(r"^(?:(CO|PR|OA|PI|CR)\s*-\s*)?([A-Z]?\d{1,3}|[A-Z]\d{0,3})((?:\s+[A-Z]{1,2}\d{1,3})*)$")


def normalise_code(text: str) -> str | None:
    """``co-16  ma130`` -> ``CO-16 MA130``; None when it is not a denial code."""
    m = _CODE.match(" ".join(text.upper().split()))
    if not m:
        return None
    group, carc, rarcs = m.group(1), m.group(2), m.group(3).split()
    if group is None:
        return carc if not rarcs else None  # a remark code needs a group code (the lookup needs one)
    return " ".join([f"{group}-{carc}", *rarcs])


def _denial_rule(f: _File, key: Text, node, code: str, place: str) -> DenialRule | None:
    v = _read_fields(f, node, key, place, DENIAL_FIELDS)
    if v is None:
        return None
    return DenialRule(code=code, category=v["category"], action=v["action"], appealable=v.get("appeal", False),
                      file=f.name, line=_line(key), priority=v.get("urgency", 3),
                      reopening_action=v.get("reopening_action", ""))


def _read_denials(f: _File, tree) -> Denials | None:
    if not isinstance(tree, Map):
        f.error(_line(tree, 1), "not_settings")
        return None
    errors_before = f.errors
    for k in tree:
        if k not in DENIALS_TOP:
            _unknown(f, k, "denials.yaml", list(DENIALS_TOP))
    fallback = None
    if "unknown_code" not in tree:
        f.error(1, "missing_key", place="denials.yaml", key="unknown_code",
                expected="what to do with a code not listed under codes", example="(a group of settings)")
    else:
        key = next(k for k in tree if k == "unknown_code")
        fallback = _denial_rule(f, key, tree[key], "unknown", "unknown_code")
    by_code: dict[str, DenialRule] = {}
    first: dict[str, int] = {}
    if "codes" not in tree:
        f.error(1, "missing_key", place="denials.yaml", key="codes",
                expected="the list of denial codes", example="(codes indented under it)")
    else:
        key = next(k for k in tree if k == "codes")
        codes = tree[key]
        if not isinstance(codes, Map):
            found = ", ".join(codes) if isinstance(codes, Seq) else str(codes)
            f.error(_line(key), "not_a_section", key="codes", found=found)
        else:
            for ck, node in codes.items():
                code = normalise_code(str(ck))
                if code is None:
                    f.error(_line(ck), "bad_code", code=str(ck))
                    continue
                if code in first:
                    f.error(_line(ck), "duplicate_code", code=code, first=first[code])
                    continue
                first[code] = _line(ck)
                rule = _denial_rule(f, ck, node, code, code)
                if rule is not None:
                    by_code[code] = rule
    if f.errors != errors_before or fallback is None:
        return None
    return Denials(by_code=by_code, fallback=fallback)
