"""The rules-check use case: every problem in a rules folder (``claimbook rules check``, the ribbon's Check
rules), and which folder a tracker uses (the ribbon's Open rules folder)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RulesCheck:
    folder: str
    problems: list  # claimbook.model.Problem, sorted by file and line
    files: int

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def lines(self) -> list[str]:
        return [str(p) if p.severity == "error" else f"{p} (warning)" for p in self.problems]


def check_rules(folder) -> RulesCheck:
    """Every problem in a rules folder, its import.yaml (with the practice's words) and presets included, with
    the number of files read: what ``claimbook rules check`` and the ribbon's Check rules show."""
    from claimbook.rules.loader import check_rules_counted

    folder = Path(folder)
    problems, files = check_rules_counted(folder)
    extra = _import_yaml_problems(folder)
    if extra is not None:
        files += 1
        problems = problems + extra
    found, n = _preset_problems(folder)
    problems, files = problems + found, files + n
    problems = sorted(problems, key=lambda p: (p.source.file != "", p.source.file, p.source.line or 0))
    return RulesCheck(str(folder.resolve()), problems, files)


def _preset_problems(folder) -> tuple[list, int]:
    """The problems in the folder's presets/*.yaml (practice-management export presets) and how many."""
    from claimbook.imports.presets import check_presets

    where = folder / "presets"
    if not where.is_dir():
        return [], 0
    return check_presets(where)[1], len([p for p in where.iterdir() if p.suffix.lower() in (".yaml", ".yml")])


def _import_yaml_problems(folder):
    """The problems in the folder's import.yaml (the CSV column names), or None when it has none."""
    from claimbook.imports import check_import_yaml

    path = folder / "import.yaml"
    if not path.is_file():
        return None
    try:
        _, _, found = check_import_yaml(path, "import.yaml")
    except OSError as err:
        from claimbook.model import Problem, Source

        return [Problem(Source(file="import.yaml"), f"the file could not be read ({err.strerror}).")]
    return [p for _, p in found]


def rules_folder_of(edge) -> Path:
    """The rules folder a tracker uses (Rules folder button, Check Rules), without loading the rules."""
    from claimbook import table
    from claimbook.app.context import rules_folder

    return rules_folder(edge.location(), table.rules_folder_setting(edge.read_settings()))
