"""Load a rules folder into typed records (``schema.py``), with every problem located and explained.

A rules folder holds::

    settings.yaml        how claims are aged, warned about and ranked
    denials.yaml         what to do about each denial code (group + CARC, optionally RARCs)
    payers/default.yaml  rules for any payer without a file of its own (required)
    payers/<key>.yaml    one file per payer; the file name (without .yaml) is the payer's key

Every value is read as text (``yamlread``) and converted here, so ``00123`` stays a payer ID and ``NO``
stays text. Problems are collected, never raised one at a time: ``check_rules`` returns them all, sorted
by file and line, and ``load_rules`` raises ``RulesError`` with every error when there is at least one.

Payer files have the sections ``timely_filing``, ``corrected_claim``, ``follow_up``, ``appeal`` and
``underpayment``. ``default.yaml`` must have all five. **Any other payer file may leave a section out: it
then inherits that whole section (every version) from default.yaml**, and the inherited records keep
default.yaml's file and line, so an explanation cites the file the rule really came from. There is no
inheritance of single settings inside a section: a section that is written is complete on its own.

A section is one group of settings, or a list of groups (versions) with different ``effective_from``
dates; the versions are stored newest first and the engine picks the one in force on the date of
service. Each version needs ``source`` and ``effective_from``; it may say ``contested: yes`` with a
``note:`` when sources disagree (a contested version without a note is a warning).

Every number has an upper bound (``MAX_*`` in ``messages``: 10 years for any length of time or number of days,
with tighter ones where the workbook has them), so a typing mistake such as ``9999 years`` is reported here
instead of overflowing the date arithmetic later. A file with nothing but comments is reported as empty:
an error for denials.yaml and payer files, a warning for settings.yaml (every setting has a built-in value).

All message wording is in ``messages.MESSAGES``, keyed by problem kind; each reads
``file:line: what is wrong. What was expected. How to fix it.``

The work is split by file kind: ``messages`` (vocabulary and wording), ``fields`` (problems and
value converters), ``settingsfile``, ``payerfile`` and ``denialsfile``; this module reads the folder.
Every name stays importable from ``claimbook.rules.loader``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from claimbook.errors import RulesError
from claimbook.model import Problem, Source
from claimbook.rules.schema import PayerRules, Rules, Settings  # noqa: F401 - Settings, as before
from claimbook.rules.yamlread import Map, read_yaml_file

from claimbook.rules.folders import default_rules_dir, resolve_rules_dir  # noqa: F401 - as before
from claimbook.rules.messages import (  # noqa: F401 - importable from here as before
    _message,
    ANCHOR_WORDS,
    BASIS_WORDS,
    CATEGORIES,
    GROUP_CODES,
    HOLIDAY_YEARS,
    MAX_BACKUPS,
    MAX_BUCKET_EDGES,
    MAX_DAYS,
    MAX_LOOK_AHEAD_DAYS,
    MAX_MINUTES_PER_ACTION,
    MAX_MONTHS,
    MAX_TOLERANCE,
    MAX_WEIGHT,
    MESSAGES,
    NO,
    ORDER_WORDS,
    PAYER_KINDS,
    SECTIONS,
    YES,
)
from claimbook.rules.fields import (  # noqa: F401 - importable from here as before
    _Bad,
    _convert,
    _File,
    _INVALID,
    _line,
    _MONTH_END,
    _PERIOD,
    _read_fields,
    _UNIT_ABBREVIATIONS,
    _unknown,
    _whole,
    _word_choice,
    _words,
    choice,
    Field,
    to_anchor,
    to_basis,
    to_count,
    to_date,
    to_day_first,
    to_days,
    to_edges,
    to_look_ahead,
    to_minutes,
    to_money,
    to_number,
    to_pace,
    to_percent,
    to_period,
    to_text,
    to_urgency,
    to_yesno,
)
from claimbook.rules.settingsfile import (  # noqa: F401 - importable from here as before
    _read_settings,
    _subdivisions,
    _supported_calendars,
    holiday_dates,
    SETTINGS_FIELDS,
)
from claimbook.rules.payerfile import (  # noqa: F401 - importable from here as before
    _as_list,
    _build_section,
    _read_payer,
    _read_section,
    CITED_FIELDS,
    CONTACT_FIELDS,
    MATCH_FIELDS,
    PAYER_FIELDS,
    PAYER_TOP,
    SECTION_FIELDS,
)
from claimbook.rules.denialsfile import (  # noqa: F401 - importable from here as before
    _CODE,
    _denial_rule,
    _read_denials,
    DENIAL_FIELDS,
    DENIALS_TOP,
    normalise_code,
)


def _sort_key(p: Problem):
    return (p.source.file != "", p.source.file, p.source.line or 0)


def _load(folder: Path, today: date | None = None):
    """Read everything; return (Rules or None, problems sorted by file and line, number of files read)."""
    today = today or date.today()
    problems: list[Problem] = []
    if not folder.is_dir():
        problems.append(Problem(Source(str(folder)), _message("no_folder")))
        return None, problems, 0
    files_read = 0

    def read(rel: str, when_empty: str):
        """(file, tree); tree is None when the file is missing or unreadable, or empty and ``when_empty`` is
        an error ("empty_settings" is a warning: every setting has a built-in value)."""
        nonlocal files_read
        f = _File(rel, problems)
        path = folder / rel
        if not path.is_file():
            if path.is_dir():
                f.error(None, "folder_in_payers" if rel.startswith("payers/") and rel != "payers/default.yaml"
                        else "folder_not_file", name=path.name)
            elif path.parent != folder and path.parent.exists() and not path.parent.is_dir():  # "payers" is a file
                _File(path.parent.name, problems).error(None, "payers_not_folder")
            else:
                f.error(None, "missing_file")
            return f, None
        files_read += 1
        tree, found = read_yaml_file(path, rel)
        problems.extend(found)
        f.errors += sum(p.severity == "error" for p in found)
        if tree is None and not found:  # nothing but blank lines and comments
            if when_empty != "empty_settings":
                f.error(None, when_empty)
                return f, None
            f.warn(None, when_empty)
            tree = Map()
        return f, tree

    f, tree = read("settings.yaml", "empty_settings")
    settings = _read_settings(f, tree) if tree is not None else None
    f, tree = read("denials.yaml", "empty_denials")
    denials = _read_denials(f, tree) if tree is not None else None

    f, tree = read("payers/default.yaml", "empty_default")
    default, seen = _read_payer(f, "default", tree, None, today) if tree is not None else (None, {})
    payers: list[PayerRules] = []
    owners: dict[tuple[str, str], tuple[str, int]] = {}  # ("names"|"ids", value) -> (file, line)
    for what in ("names", "ids"):
        for value, line in seen.get(what, ()):
            owners.setdefault((what, value), ("payers/default.yaml", line))
    payer_files = sorted(p for p in (folder / "payers").glob("*") if p.suffix.lower() in (".yaml", ".yml")
                         and p.stem != "default") if (folder / "payers").is_dir() else []
    payers_ok = True
    for path in payer_files:
        f, tree = read(f"payers/{path.name}", "empty_payer")
        if tree is None:
            payers_ok = False
            continue
        # Without a usable default.yaml, still check the file; sections are then simply not inherited.
        rules, seen = _read_payer(f, path.stem, tree, default or _NO_DEFAULT, today)
        for what, kind in (("names", "duplicate_name"), ("ids", "duplicate_id")):
            for value, line in seen[what]:
                other = owners.get((what, value))
                if other and other[0] != f.name:
                    f.error(line, kind, value=value, other=other[0], other_line=other[1])
                    rules = None
                elif not other:
                    owners[(what, value)] = (f.name, line)
        if rules is None:
            payers_ok = False
        else:
            payers.append(rules)

    problems.sort(key=_sort_key)
    if any(p.severity == "error" for p in problems) or None in (settings, denials, default) or not payers_ok:
        return None, problems, files_read
    from claimbook.rules.practice import with_practice_names

    payers, default = with_practice_names(folder, payers, default)  # import.yaml's payers: section
    rules = Rules(
        settings=settings, payers=tuple(sorted(payers, key=lambda p: p.key)), default=default, denials=denials,
        holidays=holiday_dates(settings.holiday_country, settings.holiday_subdivision),
        folder=str(folder), problems=tuple(problems),
    )
    return rules, problems, files_read


class _NoDefault:
    """Stands in for a missing or broken default.yaml: a payer's missing sections are not reported twice."""

    def __getattr__(self, name):
        return None


_NO_DEFAULT = _NoDefault()


def check_rules(folder=None) -> list[Problem]:
    """Every problem in every rules file (errors and warnings), sorted by file and line."""
    return _load(Path(folder) if folder else resolve_rules_dir())[1]


def load_rules(folder=None) -> Rules:
    """The rules in ``folder`` (default: ``resolve_rules_dir()``); raises RulesError listing every error."""
    folder = Path(folder) if folder else resolve_rules_dir()
    rules, problems, _ = _load(folder)
    if rules is None:
        raise RulesError(problems, str(folder))
    return rules


def check_rules_counted(folder) -> tuple[list[Problem], int]:
    """Problems and the number of files read (for the ``rules check`` verdict)."""
    _, problems, count = _load(Path(folder))
    return problems, count
