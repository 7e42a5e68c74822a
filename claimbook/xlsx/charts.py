"""The Dashboard's two charts: their cell ranges kept right without rewriting the drawing.

The drawing part (the charts' places, and maybe the practice's logo) is never touched. claimbook's charts
are found among the Dashboard's chart parts by what they plot: one series over the "All payers" row (the
chart by age), and series named by a header cell over the payer rows (the chart by payer). When their
range formulas are not those ``claimbook.sheets.chart_ranges`` gives for this output's bucket count, just
those formulas are rewritten; a different number of series (the bucket count changed) needs the upgrade.
"""

from __future__ import annotations

from claimbook import sheets as S
from claimbook.xlsx import NeedsUpgrade
from claimbook.xlsx.xmlscan import Node, ScanError, esc_text, prefix_of, qualify, scan, unesc_text

NS_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def chart_parts(pkg, dashboard_part: str, n_buckets: int) -> dict[str, bytes]:
    """Zip name -> new bytes of the claimbook chart parts whose ranges must change (often none)."""
    rng = S.chart_ranges(n_buckets)
    charts = [c for d in pkg.related(dashboard_part, "drawing") if d in pkg.names
              for c in pkg.related(d, "chart") if c in pkg.names]
    found: dict[str, tuple] = {}
    for part in charts:
        data = pkg.read(part)
        try:
            series = _series(data)
        except ScanError:
            continue
        kind = _kind(series)
        if kind and kind not in found:
            found[kind] = (part, data, series)
    missing = [k for k in ("age", "payer") if k not in found]
    if missing:
        raise NeedsUpgrade(f"the Dashboard's chart by {' and by '.join(missing)} is missing")
    out = {}
    part, data, series = found["age"]
    new = _rewrite(data, [{"cat": rng.age_categories, "val": rng.age_values}], series)
    if new is not None:
        out[part] = new
    part, data, series = found["payer"]
    if len(series) != len(rng.payer_series):
        raise NeedsUpgrade(f"the Dashboard's chart by payer has {len(series)} age columns, the rules "
                           f"{len(rng.payer_series)}")
    wanted = [{"tx": name, "val": values, "cat": rng.payer_categories} for name, values in rng.payer_series]
    new = _rewrite(data, wanted, series)
    if new is not None:
        out[part] = new
    return out


def _series(data: bytes) -> list[dict]:
    """Each ``<c:ser>``'s formulas: role ("tx", "cat", "val") -> (f node, sheet as written, range)."""
    root = scan(data, depth=12)
    prefix = prefix_of(root, NS_CHART)
    if prefix is None:
        return []
    ser, f = qualify(prefix, "ser"), qualify(prefix, "f")
    out = []

    def walk(node: Node):
        if node.qname == ser:  # not an extension's series (c15:ser...)
            found: dict = {}
            _formulas(node, (), found, data, f)
            out.append(found)
            return
        for c in node.children:
            walk(c)

    walk(root)
    return out


def _formulas(node: Node, path: tuple, found: dict, data: bytes, f: str) -> None:
    for c in node.children:
        if c.qname == f and path and path[0] in ("tx", "cat", "val") and not c.empty:
            text = unesc_text(data[c.head_end:data.rindex(b"</", 0, c.end)].decode("utf-8"))
            sheet, bang, ref = text.rpartition("!")
            if bang:  # not a literal name ("Open AR" as LibreOffice writes it)
                found.setdefault(path[0], (c, sheet, ref))
        else:
            _formulas(c, path + (c.name,), found, data, f)


def _sheet(token: str) -> str:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] == "'":
        return token[1:-1].replace("''", "'")
    return token


def _rows(ref: str) -> tuple[int, int] | None:
    try:
        a, _, b = ref.replace("$", "").partition(":")
        return S.split_cell(a)[1], S.split_cell(b or a)[1]
    except (StopIteration, ValueError):
        return None


def _kind(series: list[dict]) -> str | None:
    """"age", "payer" or None (a chart of the practice's own), by what its series plot on the Dashboard."""
    if not series or any(_sheet(f[1]).casefold() != S.DASHBOARD.casefold() for s in series for f in s.values()):
        return None
    vals = [_rows(s["val"][2]) if "val" in s else None for s in series]
    if None in vals:
        return None
    if len(series) == 1 and vals[0][0] == vals[0][1] and "tx" not in series[0]:
        return "age"  # one series over one row: the "All payers" totals
    if all("tx" in s and v[0] != v[1] for s, v in zip(series, vals)):
        return "payer"  # series named by a header cell, each over a column of payer rows
    return None


def _rewrite(data: bytes, wanted: list[dict], series: list[dict]) -> bytes | None:
    """``data`` with each series' formulas set to ``wanted`` (same sheet token), or None if all are."""
    edits = []
    for want, have in zip(wanted, series):
        for role, ref in want.items():
            if role not in have:
                raise NeedsUpgrade(f"a Dashboard chart series has no {role} range")
            node, sheet, old = have[role]
            if old.replace("$", "") != ref.replace("$", ""):
                text = f"{sheet}!{ref}" if sheet else f"{S.DASHBOARD}!{ref}"
                edits.append((node.head_end, data.rindex(b"</", 0, node.end), esc_text(text).encode()))
    if not edits:
        return None
    out, cursor = [], 0
    for a, b, text in sorted(edits):
        out += [data[cursor:a], text]
        cursor = b
    out.append(data[cursor:])
    return b"".join(out)
