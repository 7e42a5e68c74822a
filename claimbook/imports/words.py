"""The words of a practice-management export: status words to claimbook's statuses, denial text to codes.

A status word is *known* when the practice's own map (``statuses:`` in import.yaml), the export's preset
(``rules/presets/*.yaml``) or claimbook's own synonyms (``model.STATUS_SYNONYMS``) names it, in that order.
Anything else is *unknown*: the claim keeps the word as written (it shows under Data Issues, and an
existing claim's status is not changed) and the import lists the word once, with its claims and the line
to add. Nothing is guessed.

A preset may make a word depend on the rest of the row (``{billed: Submitted, not billed: Not Submitted}``)
or hand over to the next status column (``next column``). See docs/import-exports.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from claimbook import table
from claimbook.model import STATUS_SYNONYMS, Status

NEXT_COLUMN = "next column"
# Conditions a preset can put on a word, tested in the order written; "else" always holds.
CONDITIONS = ("billed", "not billed", "paid", "not paid", "coded", "not coded", "else")
STATUS_NAMES = tuple(s.value for s in Status)


def word_key(text: object) -> str:
    """A status word as compared: lower case, letters and digits, single spaces ("Paid-in-Full" ->
    "paid in full")."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text or "").lower()).split())


_SYNONYMS = {word_key(k): v.value for k, v in STATUS_SYNONYMS.items() if k}


_NAMES = {word_key(s): s for s in STATUS_NAMES}


def status_for_name(text: object) -> str | None:
    """The claimbook status a target names exactly ("paid" -> "Paid"), else None."""
    return _NAMES.get(word_key(text))


def claimbook_synonym(word: object) -> str | None:
    return _SYNONYMS.get(word_key(word))


@dataclass
class Unknown:
    """One status word no map knows, the column it was in and the claims it affects."""

    word: str
    column: str
    claims: list[str] = field(default_factory=list)


def _conditions_hold(cond: str, row: dict[str, object]) -> bool:
    billed = not table.is_blank(row.get("Submitted"))
    paid_raw = row.get("Paid")
    paid = False
    if not table.is_blank(paid_raw):
        amount = table.parse_money(paid_raw, "Paid", [])
        paid = bool(amount) and amount > 0
    coded = not table.is_blank(row.get("Denial Codes"))
    return {"billed": billed, "not billed": not billed, "paid": paid, "not paid": not paid, "coded": coded,
            "not coded": not coded, "else": True}[cond]


def resolve(target, row: dict[str, object]) -> str | None:
    """A preset target for one row: a status name, NEXT_COLUMN, or None when no condition holds."""
    if isinstance(target, str):
        return target
    for cond, value in target:  # ((condition, status), ...) in the order written
        if _conditions_hold(cond, row):
            return value
    return None


def row_status(cells: list[tuple[str, str]], row: dict[str, object], preset_words: dict[str, dict[str, object]],
               practice: dict[str, str]) -> tuple[str | None, tuple[str, str] | None]:
    """The status of one export row: ``(status or None, unknown (word, column) or None)``.

    ``cells`` are the row's status columns in order, as (column heading, text). The first column with a
    word decides; a word that says ``next column`` hands over to the next one. None with no unknown means
    no status column said anything: the tracker reads a blank status from the dates, as for a typed claim.
    """
    for column, text in cells:
        if table.is_blank(text):
            continue
        key = word_key(text)
        target = practice.get(key)
        if target is None:
            target = preset_words.get(table.norm_header(column), {}).get(key)
        if target is None:
            target = _SYNONYMS.get(key)
        if target is None:
            return None, (" ".join(str(text).split()), column)
        value = resolve(target, row)
        if value is None or value == NEXT_COLUMN:
            continue
        return value, None
    return None, None


# Denial text: "CO-45 Charge exceeds fee schedule", "PR 1 - Deductible", "Kick: CO97 / N20".
_GROUP_CODE = re.compile(r"\b(CO|PR|OA|PI|CR)\s*-?\s*([A-Z]?\d{1,3})\b", re.I)
_RARC = re.compile(r"\b(MA\d{2,3}|M\d{1,3}|N\d{1,3})\b")


def denial_codes(text: object) -> str | None:
    """The CARC/RARC codes in a denial or kick reason, as claimbook writes them ("CO-45; PR-1 N20"), or None
    when the text holds no group-coded reason code. RARCs follow the reason code before them."""
    if table.is_blank(text):
        return None
    s = str(text)
    spans = sorted([(m.start(), "carc", f"{m.group(1).upper()}-{m.group(2).upper()}") for m in _GROUP_CODE.finditer(s)]
                   + [(m.start(), "rarc", m.group(1)) for m in _RARC.finditer(s)])
    parts: list[str] = []
    for _, kind, code in spans:
        if kind == "carc":
            parts.append(code)
        elif parts:
            parts[-1] += f" {code}"
    return "; ".join(dict.fromkeys(parts)) or None


def unknown_lines(unknowns: dict[tuple[str, str], Unknown], where: str) -> list[str]:
    """One note per unknown word: the word, how many claims (and which), and the exact line to add."""
    out = []
    for u in unknowns.values():
        ids = ", ".join(u.claims[:8]) + (f" and {len(u.claims) - 8} more" if len(u.claims) > 8 else "")
        out.append(
            f"status word \"{u.word}\" (column {u.column}) is not one claimbook knows, so it was not guessed: "
            f"{len(u.claims)} claim{'s' if len(u.claims) != 1 else ''} ({ids}): a new claim keeps the word and shows it under "
            "Data Issues, a claim already in the tracker keeps its status. "
            f"Say once what it means: add the line   \"{u.word}\": STATUS   under statuses: in {where}, with STATUS one "
            f"of {', '.join(STATUS_NAMES)}; then import the file again (--again).")
    return out


def unknown_payer_notes(records, rules, where: str) -> list[str]:
    """One note per payer name in a claims file that no payer file (nor the practice's payers: map) matches:
    the claims it affects, a safe suggestion if there is one, and the line to add."""
    from claimbook.rules.payerhint import suggest_payer

    seen: dict[str, tuple[str, list[str]]] = {}
    for _, values in records:
        name = " ".join(str(values.get("Payer") or "").split())
        if not name:
            continue
        _, known = rules.payer_for(name, str(values.get("Payer ID") or ""))
        if known:
            continue
        seen.setdefault(name.lower(), (name, []))[1].append(" ".join(str(values.get("Claim ID") or "").split()))
    out = []
    for name, claims in seen.values():
        hint = suggest_payer(name, rules)
        ids = ", ".join(claims[:8]) + (f" and {len(claims) - 8} more" if len(claims) > 8 else "")
        guess = f" It may be {hint.name} ({hint.file})." if hint else ""
        out.append(
            f"payer \"{name}\" is not in the rules: {len(claims)} claim{'s' if len(claims) != 1 else ''} ({ids}) "
            f"{'get' if len(claims) != 1 else 'gets'} the default rules.{guess} Say once which payer file applies: add the line   \"{name}\": FILE   under "
            f"payers: in {where}, with FILE the payer file's name ({hint.key if hint else 'e.g. medicare'}, or "
            f"default); if none fits, make one: claimbook rules add-payer \"{name}\".")
    return out
