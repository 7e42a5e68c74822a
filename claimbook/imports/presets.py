"""Presets for practice-management exports (``rules/presets/*.yaml``): read, checked with file:line, recognised.

A preset describes one system's claim report: the headings that recognise it (``recognise:``), its
columns (``columns:``, export heading -> tracker column) and, per status column, what its words mean
(``statuses:``). Each file also says where it comes from (``sources:``) and what is not certain
(``uncertain:``). An export is matched to the preset whose ``recognise`` headings are all in its header
row (the one with most of them wins); no flag is needed. The rules folder's presets folder is used when it
has one, else the built-in one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from claimbook import table
from claimbook.imports import words

_MESSAGES = {
    "not_map": "a preset file has the settings system:, sources:, uncertain:, recognise:, columns: and statuses:. "
    "Compare it with a built-in preset.",
    "unknown": "'{key}' is not a setting of a preset.{hint} A preset has system, sources, uncertain, recognise, "
    "columns and statuses.",
    "missing": "the preset has no '{key}:'. Add it (see the built-in presets).",
    "list": "'{key}' should be a list, one item per line starting with '- '.",
    "columns": "columns should be lines like 'Encounter Number: Claim ID' (the heading in the export, a colon, the "
    "tracker column).",
    "not_a_column": "'{target}' is not a tracker column.{hint} Use one of: {columns}.",
    "statuses": "statuses should list each status column of the export, then under it (indented) its words, like "
    "'Claim Status:' then '  Settled: Paid'.",
    "bad_status": "'{target}' is not a claimbook status.{hint} Use one of: {names}, or 'next column', or conditions "
    "like {{billed: Submitted, not billed: Not Submitted}}.",
    "bad_condition": "'{cond}' is not a condition. Use {conds}.",
}


@dataclass
class Preset:
    key: str  # file stem
    file: str
    system: str
    sources: tuple[str, ...]
    uncertain: str
    recognise: tuple[str, ...]  # normalised headings
    columns: dict[str, str]  # normalised export heading -> tracker header
    statuses: dict[str, dict[str, object]] = field(default_factory=dict)  # normalised column -> word key -> target
    status_order: tuple[str, ...] = ()  # normalised status columns, in order

    @property
    def label(self) -> str:
        return f"{self.system} (preset {self.file})"


def _problem(file: str, line, kind: str, **kw):
    from claimbook.model import Problem, Source

    return Problem(Source(file=file, line=line or None), _MESSAGES[kind].format(**kw))


def _line(node, default=0) -> int:
    return getattr(node, "line", 0) or default


def _target(node, file: str, problems: list):
    """A status target from YAML: a status name, NEXT_COLUMN, or ((condition, status), ...); None if bad."""
    from claimbook.rules.yamlread import Map
    from claimbook.suggest import did_you_mean

    def one(value) -> str | None:
        if isinstance(value, str) and words.word_key(value) == words.NEXT_COLUMN:
            return words.NEXT_COLUMN
        name = words.status_for_name(value) if isinstance(value, str) else None
        if name is None:
            hint = did_you_mean(str(value), list(words.STATUS_NAMES)) if isinstance(value, str) else None
            problems.append(_problem(file, _line(value), "bad_status", target=value,
                                     hint=f" Did you mean '{hint}'?" if hint else "",
                                     names=", ".join(words.STATUS_NAMES)))
        return name

    if isinstance(node, Map):
        out = []
        for cond, value in node.items():
            c = " ".join(str(cond).lower().split())
            if c not in words.CONDITIONS:
                problems.append(_problem(file, _line(cond), "bad_condition", cond=cond,
                                         conds=", ".join(words.CONDITIONS)))
                return None
            v = one(value)
            if v is None:
                return None
            out.append((c, v))
        return tuple(out)
    return one(node)


def check_preset(path: Path, file: str) -> tuple[Preset | None, list]:
    """Read and check one preset file: (Preset or None, problems)."""
    from claimbook.rules.yamlread import Map, Seq, read_yaml_file
    from claimbook.suggest import did_you_mean

    tree, problems = read_yaml_file(path, file)
    problems = list(problems)
    if tree is None:
        return None, problems
    if not isinstance(tree, Map):
        return None, problems + [_problem(file, _line(tree, 1), "not_map")]
    keys = ("system", "sources", "uncertain", "recognise", "columns", "statuses")
    for key in tree:
        if key not in keys:
            hint = did_you_mean(str(key), keys)
            problems.append(_problem(file, _line(key), "unknown", key=key, hint=f" Did you mean '{hint}'?" if hint else ""))
    for key in ("system", "sources", "recognise", "columns"):
        if key not in tree:
            problems.append(_problem(file, 1, "missing", key=key))
    for key in ("sources", "recognise"):
        if key in tree and not isinstance(tree[key], Seq):
            problems.append(_problem(file, tree.key_line(key), "list", key=key))
    columns: dict[str, str] = {}
    node = tree.get("columns")
    headers = [c.header for c in table.INPUT_COLUMNS]
    if isinstance(node, Map):
        for source, target in node.items():
            col = table.input_column_for(target) if isinstance(target, str) else None
            if col is None or col.header == "Status":
                hint = did_you_mean(str(target), headers) if isinstance(target, str) else None
                problems.append(_problem(file, _line(target, node.key_line(source)), "not_a_column", target=target,
                                         hint=(" Status columns go under statuses:." if col is not None else
                                               (f" Did you mean '{hint}'?" if hint else "")),
                                         columns=", ".join(h for h in headers if h != "Status")))
                continue
            columns[table.norm_header(source)] = col.header
    elif "columns" in tree:
        problems.append(_problem(file, tree.key_line("columns"), "columns"))
    statuses: dict[str, dict[str, object]] = {}
    node = tree.get("statuses", Map())
    if isinstance(node, Map):
        for column, wordmap in node.items():
            if not isinstance(wordmap, Map):
                problems.append(_problem(file, node.key_line(column), "statuses"))
                continue
            out = {}
            for word, target in wordmap.items():
                t = _target(target, file, problems)
                if t is not None:
                    out[words.word_key(word)] = t
            statuses[table.norm_header(column)] = out
    elif node not in (None, ""):
        problems.append(_problem(file, tree.key_line("statuses"), "statuses"))
    recognise = tuple(table.norm_header(x) for x in tree.get("recognise", ()) if isinstance(tree.get("recognise"), Seq))
    if any(p.severity == "error" for p in problems):
        return None, problems
    sources = tuple(str(s) for s in tree.get("sources", ()))
    return Preset(path.stem, file, str(tree.get("system", path.stem)), sources, str(tree.get("uncertain", "")),
                  recognise, columns, statuses, tuple(statuses)), problems


def presets_dir(rules_folder: Path | None) -> Path:
    """The presets folder used: the rules folder's ``presets`` when it has one, else the built-in one."""
    from claimbook.rules.folders import default_rules_dir

    if rules_folder is not None and (Path(rules_folder) / "presets").is_dir():
        return Path(rules_folder) / "presets"
    return default_rules_dir() / "presets"


def check_presets(folder: Path, prefix: str = "presets/") -> tuple[list[Preset], list]:
    """Every preset in a presets folder, checked: (presets read cleanly, problems with file:line)."""
    presets, problems = [], []
    if not folder.is_dir():
        return presets, problems
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml")):
        preset, found = check_preset(path, prefix + path.name)
        problems += found
        if preset is not None:
            presets.append(preset)
    return presets, problems


def load_presets(rules_folder: Path | None) -> list[Preset]:
    """The presets that read cleanly (a broken one is reported by ``claimbook rules check``; it is simply not
    used to recognise an export)."""
    return check_presets(presets_dir(rules_folder))[0]


def recognise(header: list[str], presets: list[Preset]) -> Preset | None:
    """The preset whose ``recognise`` headings are all in the header row (the most specific one wins)."""
    have = {table.norm_header(h) for h in header if not table.is_blank(h)}
    best, size = None, 0
    for p in presets:
        if p.recognise and set(p.recognise) <= have and len(p.recognise) > size:
            best, size = p, len(p.recognise)
    return best
