"""``import.yaml``: the column presets for claims CSV exports, read and checked with file:line messages."""

from __future__ import annotations

from pathlib import Path

from claimbook import table
from claimbook.errors import ImportFileError

_IMPORT_MESSAGES = {
    "bad_char": "this line has an invisible special character: U+{code:04X}. Delete that character, or delete "
    "the line and type it again instead of pasting it.",
    "not_utf8": "the file is not saved as UTF-8 text: this line has a character (such as é) saved another way. "
    "In Notepad use File > Save As and choose Encoding: UTF-8.",
    "not_sections": "expected the sections 'preset:' and 'presets:' (see the built-in import.yaml). Start the file "
    "with 'preset: generic' and a 'presets:' section.",
    "presets_not_map": "'presets' should list presets by name, each with 'columns:', like 'generic:'. Write one "
    "preset name per line, ending with a colon.",
    "preset_not_map": "preset '{name}' should have 'date_order:' and 'columns:' settings under it, indented.",
    "columns_not_map": "preset '{name}': columns should be lines like 'Encounter Number: Claim ID'. Write the name in "
    "your CSV, a colon, a space and the tracker column.",
    "not_a_column": "preset '{name}': '{target}' is not a tracker column.{hint} Use one of: {columns}.",
    "date_order": "preset '{name}': date_order '{order}' should be 'month first' or 'day first'.",
    "unknown_setting": "'{key}' is not a setting of preset '{name}'.{hint} A preset has 'date_order:' and "
    "'columns:'.",
    "unknown_top": "'{key}' is not a setting of import.yaml.{hint} The file has 'preset:', 'presets:', 'statuses:' "
    "and 'payers:'.",
    "words_not_map": "'{key}' should list one word per line, like '  Settled: Paid' (the word in your export, a colon, "
    "a space and claimbook's {what}).",
    "bad_status": "statuses: '{target}' is not a claimbook status.{hint} Use one of: {names}.",
    "bad_payer": "payers: '{target}' is not a payer file in {folder}.{hint} Write the file's name without .yaml "
    "(for example 'medicare'), or 'default' for the default rules. To make a new payer file: claimbook rules "
    "add-payer \"NAME\".",
    "no_preset": "there is no preset '{name}'.{hint}",
    "preset_name": "'preset' should be one preset name, such as 'preset: generic'.",
}


def _import_problem(file: str, line, kind: str, **kw):
    from claimbook.model import Problem, Source

    return Problem(Source(file=file, line=line or None), _IMPORT_MESSAGES[kind].format(**kw))


def _line(node, default: int = 0) -> int:
    return getattr(node, "line", 0) or default


def check_import_yaml(path: Path, file: str):
    """Read and check an import.yaml: ``(default preset name, {preset: (aliases, day_first)}, problems)``.

    ``problems`` are ``(preset name or None, Problem)``: a problem with a preset name only matters when
    that preset is used; None is a problem with the whole file. Every problem has the file and, where
    there is one, the line, like the rules files (``claimbook.rules.yamlread`` reads it: text values
    only, duplicate keys refused, syntax errors in plain words).
    """
    import yaml

    from claimbook.rules.yamlread import Map, read_yaml
    from claimbook.suggest import did_you_mean

    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return None, {}, [(None, _import_problem(file, data[: err.start].count(b"\n") + 1, "not_utf8"))]
    try:
        tree, found = read_yaml(text, file)
    except yaml.reader.ReaderError as err:  # a yamlread that does not yet name special characters itself
        return None, {}, [(None, _import_problem(file, text.count("\n", 0, err.position) + 1, "bad_char",
                                                 code=err.character))]
    problems: list = [(None, p) for p in found]
    if tree is None:
        return None, {}, problems
    if not isinstance(tree, Map):
        problems.append((None, _import_problem(file, _line(tree, 1), "not_sections")))
        return None, {}, problems
    for key in tree:
        if key not in ("preset", "presets", "statuses", "payers"):
            hint = did_you_mean(str(key), ["preset", "presets", "statuses", "payers"])
            problems.append((None, _import_problem(file, _line(key), "unknown_top", key=key,
                                                   hint=f" Did you mean '{hint}'?" if hint else "")))
    default = tree.get("preset")
    if default is not None and not isinstance(default, str):
        problems.append((None, _import_problem(file, tree.key_line("preset"), "preset_name")))
        default = None
    presets = tree.get("presets")
    if presets is None or presets == "":
        presets = Map()
    if not isinstance(presets, Map):
        problems.append((None, _import_problem(file, _line(presets, tree.key_line("presets")), "presets_not_map")))
        presets = Map()
    problems += [(None, p) for p in _check_words(tree, path, file)[2]]
    headers = [c.header for c in table.INPUT_COLUMNS]
    out: dict[str, tuple[dict[str, str], bool | None]] = {}
    for name, body in presets.items():
        name_line = presets.key_line(name)
        if body is None or body == "":
            body = Map()
        if not isinstance(body, Map):
            problems.append((name, _import_problem(file, _line(body, name_line), "preset_not_map", name=name)))
            continue
        ok = True
        for key in body:
            if key not in ("columns", "date_order"):
                hint = did_you_mean(str(key), ["columns", "date_order"])
                problems.append((name, _import_problem(file, _line(key), "unknown_setting", key=key, name=name,
                                                       hint=f" Did you mean '{hint}'?" if hint else "")))
                ok = False
        columns = body.get("columns")
        if columns is None or columns == "":
            columns = Map()
        if not isinstance(columns, Map):
            problems.append((name, _import_problem(file, _line(columns, body.key_line("columns")), "columns_not_map",
                                                   name=name)))
            continue
        aliases: dict[str, str] = {}
        for source, target in columns.items():
            col = table.input_column_for(target) if isinstance(target, str) else None
            if col is None:
                hint = did_you_mean(str(target), headers) if isinstance(target, str) else None
                problems.append((name, _import_problem(
                    file, _line(target, columns.key_line(source)), "not_a_column", name=name,
                    target=target if isinstance(target, str) else "(a list)",
                    hint=f" Did you mean '{hint}'?" if hint else "", columns=", ".join(headers))))
                ok = False
                continue
            aliases[table.norm_header(source)] = col.header
        order_node = body.get("date_order", "")
        order = " ".join(str(order_node).split()).lower() if isinstance(order_node, str) else str(order_node)
        day_first = {"day first": True, "month first": False}.get(order)
        if order and day_first is None:
            problems.append((name, _import_problem(file, _line(order_node, body.key_line("date_order")), "date_order",
                                                   name=name, order=order)))
            ok = False
        if ok:
            out[str(name)] = (aliases, day_first)
    if default is not None and str(default).strip() and str(default) not in presets:
        hint = did_you_mean(str(default), [str(n) for n in presets])
        problems.append((None, _import_problem(
            file, _line(default, tree.key_line("preset")), "no_preset", name=default,
            hint=f" Did you mean '{hint}'?" if hint else f" Presets: {', '.join(map(str, presets)) or 'none'}.")))
        default = None
    return (str(default).strip() or None) if default is not None else None, out, problems


def _check_words(tree, path: Path, file: str) -> tuple[dict[str, str], dict[str, list[str]], list]:
    """The practice's own words in import.yaml: ``statuses:`` (word -> claimbook status) and ``payers:``
    (payer spelling -> payer file). Returns (statuses by word key, payer file key -> spellings, problems)."""
    from claimbook.imports import words
    from claimbook.rules.yamlread import Map
    from claimbook.suggest import did_you_mean

    statuses: dict[str, str] = {}
    payers: dict[str, list[str]] = {}
    problems = []
    if not isinstance(tree, Map):
        return statuses, payers, problems
    node = tree.get("statuses")
    if node not in (None, "") and not isinstance(node, Map):
        problems.append(_import_problem(file, tree.key_line("statuses"), "words_not_map", key="statuses",
                                        what="status"))
    elif isinstance(node, Map):
        for word, target in node.items():
            name = words.status_for_name(target) if isinstance(target, str) else None
            if name is None:
                hint = did_you_mean(str(target), list(words.STATUS_NAMES)) if isinstance(target, str) else None
                problems.append(_import_problem(file, _line(target, node.key_line(word)), "bad_status", target=target,
                                                hint=f" Did you mean '{hint}'?" if hint else "",
                                                names=", ".join(words.STATUS_NAMES)))
                continue
            statuses[words.word_key(word)] = name
    node = tree.get("payers")
    folder = path.parent / "payers"
    keys = sorted(p.stem for p in folder.glob("*") if p.suffix.lower() in (".yaml", ".yml")) if folder.is_dir() else []
    if node not in (None, "") and not isinstance(node, Map):
        problems.append(_import_problem(file, tree.key_line("payers"), "words_not_map", key="payers",
                                        what="payer file name"))
    elif isinstance(node, Map):
        for spelling, target in node.items():
            key = str(target).strip().lower().removeprefix("payers/").removesuffix(".yaml").removesuffix(".yml") \
                if isinstance(target, str) else ""
            if key not in keys:
                hint = did_you_mean(key, keys) if key else None
                problems.append(_import_problem(file, _line(target, node.key_line(spelling)), "bad_payer",
                                                target=target, folder=folder,
                                                hint=f" Did you mean '{hint}'?" if hint else ""))
                continue
            payers.setdefault(key, []).append(" ".join(str(spelling).lower().split()))
    return statuses, payers, problems


def practice_words(path: Path, file: str) -> tuple[dict[str, str], dict[str, list[str]], list]:
    """``(statuses, payers, problems)`` of an import.yaml (see ``_check_words``); empty for a file that
    cannot be read (its problems are reported by ``check_import_yaml``)."""
    from claimbook.rules.yamlread import read_yaml

    try:
        tree, _ = read_yaml(path.read_bytes().decode("utf-8-sig"), file)
    except Exception:  # noqa: BLE001 - an unreadable file is reported by check_import_yaml
        return {}, {}, []
    return _check_words(tree, path, file)


def import_yaml_path(rules_folder: Path | None) -> Path | None:
    """The import.yaml used: the rules folder's, else the built-in one."""
    from claimbook.rules.folders import default_rules_dir

    candidates = [p for p in ((rules_folder / "import.yaml") if rules_folder else None,
                              default_rules_dir() / "import.yaml") if p is not None]
    return next((p for p in candidates if p.is_file()), None)


def load_export_settings(rules_folder: Path | None, preset: str | None):
    """(ExportSettings, day_first or None): import.yaml's column names (its preset, or ``preset``), the
    practice's status words, and the system presets. ``preset`` may also name a system preset
    (``--preset tebra``); then the export is read as that system's whatever its headings."""
    from claimbook.imports.exportrows import ExportSettings
    from claimbook.imports.presets import load_presets

    system = load_presets(rules_folder)
    by_key = {p.key: p for p in system}
    forced = by_key.get(preset) if preset else None
    aliases, day_first = load_import_settings(rules_folder, None if forced else preset)
    path = import_yaml_path(rules_folder)
    statuses = practice_words(path, str(path))[0] if path else {}
    where = str(path) if path else "import.yaml"
    return ExportSettings(aliases, statuses, system, forced, where), day_first


def load_import_settings(rules_folder: Path | None, preset: str | None):
    """(extra column aliases, day_first or None) from import.yaml: the rules folder's, else the built-in one.

    A problem in the file (or in the preset used) raises ImportFileError listing each one with file:line."""
    from claimbook.rules.folders import default_rules_dir
    from claimbook.suggest import did_you_mean

    candidates = [p for p in ((rules_folder / "import.yaml") if rules_folder else None,
                              default_rules_dir() / "import.yaml") if p is not None]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return {}, None
    try:
        default, presets, problems = check_import_yaml(path, str(path))
    except OSError as err:
        raise ImportFileError(f"{path} could not be read ({err.strerror}); nothing was imported") from None
    name = preset or default or "generic"
    relevant = [p for where, p in problems if where is None or where == name]
    if relevant:
        raise ImportFileError(
            f"The import settings in {path} have {len(relevant)} problem{'s' if len(relevant) != 1 else ''}:\n"
            + "\n".join(f"  {p}" for p in relevant)
            + "\nNothing was imported. Fix " + ("this line" if len(relevant) == 1 else "these lines")
            + " in a text editor and run again.")
    if name not in presets:
        names = sorted(presets) + sorted({str(w) for w, _ in problems if w is not None} - set(presets))
        hint = did_you_mean(name, names)
        raise ImportFileError(f"{path}: there is no preset '{name}'"
                              + (f"; did you mean '{hint}'?" if hint else f"; presets: {', '.join(names) or 'none'}"))
    return presets[name]
