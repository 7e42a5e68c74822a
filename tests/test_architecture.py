"""The layout the developer guide describes, checked from the code's own imports: no import circles, no
module over 600 lines, and every arrow pointing down the layers (front doors -> application -> edges ->
core)."""

from __future__ import annotations

import ast
from pathlib import Path

import claimbook

PACKAGE = Path(claimbook.__file__).parent
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The claimbook modules ``name`` imports, anywhere in the file (functions included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            # "from claimbook.app import refresh": the module refresh if there is one, else the package
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        out.update(t for t in targets if t in MODULES and t != name)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _circles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return out


def _is_package_face(name: str) -> bool:
    """A package's __init__ that only hands its modules' names on (claimbook.table, claimbook.rules)."""
    return MODULES[name].name == "__init__.py"


def test_no_import_circles():
    # A package's __init__ handing on its own modules' names is not a circle of work: those edges are left
    # out; every other edge counts, function-level imports included.
    for name in GRAPH:
        if _is_package_face(name):
            GRAPH[name] = {t for t in GRAPH[name] if not t.startswith(name + ".")}
    assert _circles() == []


def test_no_module_over_600_lines():
    big = {name: n for name, path in MODULES.items()
           if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert big == {}


LAYERS = [  # lowest first; a module may import its own layer and the ones below
    ("core", ("claimbook.errors", "claimbook.model", "claimbook.suggest", "claimbook.rules", "claimbook.engine",
              "claimbook.table", "claimbook.blocks", "claimbook.pipeline", "claimbook.sheets", "claimbook.report",
              "claimbook.sample", "claimbook.x12", "claimbook.imports", "claimbook.planning")),
    ("application", ("claimbook.app",)),
    ("edges", ("claimbook.xlsx", "claimbook.workbook", "claimbook.excel.edge", "claimbook.template")),
    ("front doors", ("claimbook.commands", "claimbook.cli", "claimbook.excel")),
]


def _layer(name: str) -> int | None:
    best = None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (name == p or name.startswith(p + ".")) and (best is None or len(p) > best[1]):
                best = (i, len(p))
    return best[0] if best else None


def test_every_import_points_down_the_layers():
    upward = sorted((a, b) for a, targets in GRAPH.items() for b in targets
                    if _layer(a) is not None and _layer(b) is not None and _layer(b) > _layer(a))
    assert upward == []
