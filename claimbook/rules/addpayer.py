"""``claimbook rules add-payer NAME [--like FILE]``: a new payer rules file, made from one that exists.

The new file has the payer's name (also its first match name), no payer IDs, and the rules of the file it
is made like (default.yaml unless told), with every ``source:`` marked TO FILL IN so nobody mistakes the
copied numbers for this payer's own. It passes ``claimbook rules check`` as written; the office then
checks the numbers against the payer's provider manual or contract and writes where they come from.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from claimbook.errors import ClaimbookError

TO_FILL_IN = "TO FILL IN"


def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")[:60] or "payer"


def _like_path(folder: Path, like: str | None) -> Path:
    like = (like or "default.yaml").strip()
    for p in (Path(like), folder / like, folder / "payers" / like, folder / "payers" / f"{like}.yaml"):
        if p.is_file():
            return p
    names = sorted(p.name for p in (folder / "payers").glob("*.yaml"))
    raise ClaimbookError(f"--like {like}: there is no such payer file in {folder / 'payers'}. Use one of: "
                         f"{', '.join(names)}.")


def new_payer_text(name: str, like_text: str, like_file: str) -> str:
    """The new file's text: ``like_text`` with the name, a match section for ``name`` and sources to fill in."""
    quoted = json.dumps(name)  # a YAML double-quoted string
    out = [f"# {name}: made by 'claimbook rules add-payer' from {like_file}.",
           f"# The numbers below are {like_file}'s. Check each against this payer's provider manual or your",
           f"# contract, change what differs, and replace every {TO_FILL_IN} with where the rule comes from.",
           ""]
    skipping = False
    for line in like_text.splitlines():
        if re.match(r"^\s*#", line):
            continue
        if skipping:
            if line and not line[0].isspace():
                skipping = False
            else:
                continue
        if line.startswith("match:"):
            skipping = True
            continue
        if line.startswith("name:"):
            line = f"name: {quoted}"
        elif re.match(r"^\s*source:", line):
            indent = line[: len(line) - len(line.lstrip())]
            line = (f"{indent}source: \"{TO_FILL_IN}: where this rule comes from (numbers copied from {like_file}; "
                    "check the payer's provider manual or your contract)\"")
        elif re.match(r"^\s*(portal|phone):", line):
            key, _, _ = line.partition(":")
            line = f"{key}: \"{TO_FILL_IN}: this payer's {key.strip()}\""
        elif re.match(r"^\s*note:", line):
            key, _, rest = line.partition(":")
            line = f"{key}: {json.dumps(f'(about the payer of {like_file}) ' + rest.strip().strip(chr(34)))}"
        out.append(line)
        if line.startswith("kind:"):
            out += ["", "match:", "  names:", f"    - {quoted}", "  payer_ids: []"]
    return "\n".join(out).rstrip() + "\n"


def add_payer(folder: Path, name: str, like: str | None = None) -> Path:
    """Write ``payers/<name>.yaml`` in the rules folder; ClaimbookError (nothing written) when it cannot."""
    from claimbook.rules.loader import check_rules, load_rules
    from claimbook.errors import RulesError

    name = " ".join(str(name).split())
    if not name:
        raise ClaimbookError("Give the payer's name, for example: claimbook rules add-payer \"Acme Health Plan\"")
    folder = Path(folder)
    if not (folder / "payers").is_dir():
        raise ClaimbookError(f"{folder} has no payers folder; give the rules folder (--dir), or make one with "
                             "'claimbook init'.")
    try:
        rules = load_rules(folder)
    except RulesError:
        raise ClaimbookError(f"The rules in {folder} have errors; run 'claimbook rules check' and fix them "
                             "first.") from None
    payer, known = rules.payer_for(name)
    if known and payer.key != "default":
        raise ClaimbookError(f"'{name}' already matches {payer.file} ({payer.name}); no new file was made.")
    like_path = _like_path(folder, like)
    target = folder / "payers" / f"{_slug(name)}.yaml"
    if target.exists():
        raise ClaimbookError(f"{target} already exists; no new file was made. Open it, or choose another name.")
    like_file = f"payers/{like_path.name}"
    target.write_text(new_payer_text(name, like_path.read_text(encoding="utf-8-sig"), like_file), encoding="utf-8")
    rel = f"payers/{target.name}"
    errors = [p for p in check_rules(folder) if p.source.file == rel and p.severity == "error"]
    if errors:
        target.unlink()
        raise ClaimbookError(f"The new file would not pass the rules check ({errors[0]}); nothing was written. "
                             f"Try --like with another file.")
    return target
