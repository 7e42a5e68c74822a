"""What to tell the office about a payer name the rules do not know: a suggestion only when it is safe.

A suggestion is never a plan of another state or a different kind of payer: "BLUE CROSS BLUE SHIELD OF
TX" is not Blue Cross of Illinois, "WELLCARE" is not Medicare, a Medicaid managed-care plan is not
Medicare. A payer file is suggested only when it is of the same kind (as far as the name tells), of the
same state (when either names one), and either shares a distinctive word with the name or is a near
spelling of it ("Akme Health" -> "Acme Health"). Otherwise the message says how to add the name or a
payer file (``claimbook rules add-payer``).
"""

from __future__ import annotations

import difflib
import re

_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID",
    "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX",
    "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
    "wisconsin": "WI", "wyoming": "WY",
}
# Two-letter codes that are not also common words or payer abbreviations (IN, OR, ME, OH, OK, HI, PA, DE,
# CO, MA (Medicare Advantage), MD are left out).
_CODES = {c for c in _STATES.values()} - {"IN", "OR", "ME", "OH", "OK", "HI", "PA", "DE", "CO", "MA", "MD"}
_STATE_WORDS = {"nys": "NY", "medi cal": "CA", "medical": None, "tmhp": "TX", "emedny": "NY", "nysdoh": "NY"}
_STOP = {"the", "of", "and", "for", "plan", "plans", "health", "healthcare", "insurance", "ins", "company", "inc",
         "blue", "cross", "shield", "bcbs", "medicare", "medicaid", "advantage", "part", "group", "care", "services",
         "commercial", "default", "other", "payer", "hmo", "ppo", "pos", "epo", "community", "gold", "plus",
         "choice", "select", "network", "managed", "life", "mutual", "benefit", "benefits", "national", "state"}


def _words(text: str) -> list[str]:
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).split()


def state_of(text: str) -> str | None:
    """The US state a payer name names, if any ("BCBS OF TX" -> "TX", "Texas Medicaid (TMHP)" -> "TX")."""
    low = " " + " ".join(_words(text)) + " "
    for name, code in sorted(_STATES.items(), key=lambda kv: -len(kv[0])):
        if f" {name} " in low:
            return code
    for word, code in _STATE_WORDS.items():
        if code and f" {word} " in low:
            return code
    for w in _words(text):
        if w.upper() in _CODES:
            return w.upper()
    return None


def kind_of(text: str) -> str | None:
    """The kind of payer a name says (medicare, medicare_advantage, medicaid, tricare), None when it does not
    say (most commercial names)."""
    w = " " + " ".join(_words(text)) + " "
    if any(k in w for k in (" tricare ", " champus ")):
        return "tricare"
    if any(k in w for k in (" medicaid ", " medi cal ", " medical ", " tmhp ", " emedny ", " nysdoh ", " chip ",
                            " community plan ", " mcd ", " caid ")):
        return "medicaid"
    if any(k in w for k in (" advantage ", " mapd ", " ma pd ", " gold plus ", " dual ", " snp ")):
        return "medicare_advantage"
    if any(k in w for k in (" medicare ", " mcr ", " mdcr ")):
        return "medicare" if not any(b in w for b in (" aarp ", " humana ", " aetna ", " cigna ", " uhc ",
                                                       " united ", " wellcare ", " anthem ")) else "medicare_advantage"
    return None


def _distinctive(text: str) -> set[str]:
    states = set(_STATES) | {w for n in _STATES for w in n.split()}
    return {w for w in _words(text) if len(w) >= 3 and w not in _STOP and w not in states and not w.isdigit()}


def suggest_payer(name: str, rules):
    """The payer rules a name most likely means, or None when no payer is a safe suggestion."""
    typed_kind, typed_state = kind_of(name), state_of(name)
    typed_words = _distinctive(name)
    best, best_score = None, 0.0
    for p in rules.payers:
        spellings = [p.name] + [n for n in p.names if "*" not in n and "?" not in n]
        p_state = next((s for s in map(state_of, [p.name, *p.names]) if s), None)
        if typed_state and p_state and typed_state != p_state:
            continue
        if (typed_kind or "commercial") != ("medicare_advantage" if p.kind == "medicare_advantage" else p.kind) \
                and not (typed_kind is None and p.kind == "commercial"):
            continue
        if p_state and not typed_state and p.kind != "commercial":
            continue  # a state's Medicaid is not suggested for a name that names no state
        shared = typed_words & set().union(*(_distinctive(s) for s in [p.name, *p.names]))
        ratio = max(difflib.SequenceMatcher(None, name.lower(), s.lower()).ratio() for s in spellings)
        # A near spelling must be near in its distinctive words too ("Akme" ~ "Acme", not "AARP" ~ "Humana").
        own = " ".join(sorted(typed_words))
        near = max((difflib.SequenceMatcher(None, own, " ".join(sorted(_distinctive(s)))).ratio()
                    for s in spellings), default=0.0) if own else 0.0
        if not shared and (ratio < 0.85 or near < 0.7):
            continue
        score = ratio + (1.0 if shared else 0.0)
        if score > best_score:
            best, best_score = p, score
    return best


def unknown_payer_message(name: str, rules) -> str:
    """The Data Issues line for a payer the rules do not know."""
    if not name:
        return "Payer is empty: the default rules were used. Enter the payer's name."
    head = f"Payer '{name}' is not in the rules, so the default rules were used."
    hint = suggest_payer(name, rules)
    line = f"\"{name}\": {hint.key if hint else 'FILE'}"
    if hint is not None:
        return (f"{head} Did you mean '{hint.name}'? If so, add the line  {line}  under payers: in import.yaml in "
                "the rules folder (ribbon: Open rules folder), then refresh.")
    return (f"{head} If one of the payer files is right for it, add the line  {line}  under payers: in import.yaml "
            "in the rules folder, with FILE that file's name (e.g. medicare, or default to keep the default rules); "
            f"if none is, make one: claimbook rules add-payer \"{name}\" --like default.yaml, then fill in its "
            "numbers and sources. Then refresh.")
