"""Stress test for claimbook's resource limits (issue 12): time and peak memory of each case, measured in a
fresh subprocess (``claimbook`` run by a small wrapper that reports its child's wall time and ``ru_maxrss``).

    python benchmarks/stress_limits.py                  # every case; the accepted import at 20,000 claims
    python benchmarks/stress_limits.py --accepted 100000 # the accepted import at the 100,000-claim limit
    python benchmarks/stress_limits.py --only stray csv  # some cases

Cases and their targets:

- stray: a plain Claims sheet (50 claims) with one cell at row 1,048,576 (column A) -> refreshed, <= 60 s, 1.5 GB
- cells16m: a workbook with 16,000,000 cells -> refused with a message, <= 10 s
- csv300k: a 300,000-row claims CSV (all new claims) into a 50-claim tracker -> streamed, then refused
  at the claims limit, <= 120 s, 2 GB
- bomb: a workbook with a 1 GB zero-filled part (packed to 1 MB) -> refused, <= 10 s
- accepted: a CSV of N new claims imported into a 50-claim tracker (the whole import: read, merge,
  refresh, save) -> completes
- atlimit: a full tracker (every column, refreshed once, built by ``bench_refresh.build``) with as many
  claims as fit under the cell limit (``--limit-claims``, default 115,000: 3.77 million cells),
  refreshed -> completes; its peak memory is the figure docs/data-safety.md states for accepted input
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

WRAPPER = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "claimbook.cli", *sys.argv[1:]], capture_output=True, text=True)
print(json.dumps({"seconds": round(time.perf_counter() - t0, 1), "exit": done.returncode,
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
                  "said": (done.stdout + done.stderr).strip().splitlines()[-1][:160]}))
"""


def run(*args) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", WRAPPER, *map(str, args)], env=env, capture_output=True, text=True)
    return json.loads(done.stdout)


def plain_tracker(path: Path, n: int = 50) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(["Claim ID", "Payer", "DOS", "Billed", "Status"])
    for i in range(n):
        ws.append([f"P{i:05d}", "Aetna", f"01/{i % 28 + 1:02d}/2026", 100.0 + i, "Submitted"])
    wb.save(path)
    return path


def huge_workbook(path: Path, rows: int = 1000, cols: int = 16000) -> Path:
    """rows x cols number cells, written straight into the sheet XML (openpyxl would need gigabytes)."""
    from openpyxl.utils import get_column_letter

    plain_tracker(path, 5)
    letters = [get_column_letter(c).encode() for c in range(1, cols + 1)]
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                z.writestr(name, data)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                      b'spreadsheetml/2006/main"><sheetData>')
            for r in range(1, rows + 1):
                rb = str(r).encode()
                out.write(b'<row r="' + rb + b'">' + b"".join(b'<c r="' + col + rb + b'"><v>1</v></c>' for col in letters)
                          + b"</row>")
            out.write(b"</sheetData></worksheet>")
    return path


def claims_csv(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Claim ID,Patient,Payer,DOS,Submitted,Billed,Status,Notes\n")
        for i in range(n):
            f.write(f"C{i:07d},Patient {i},Aetna,01/{i % 28 + 1:02d}/2026,02/01/2026,{100 + i % 900}.00,Submitted,"
                    f"follow up {i}\n")
    return path


def bomb(path: Path) -> Path:
    plain_tracker(path, 5)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/media/padding.bin", "w", force_zip64=True) as out:
            block = b"\0" * (1 << 20)
            for _ in range(1000):
                out.write(block)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accepted", type=int, default=20_000, help="claims in the accepted import (default 20,000)")
    ap.add_argument("--limit-claims", type=int, default=115_000, help="claims in the at-limit tracker")
    ap.add_argument("--only", nargs="*", default=None, help="stray cells16m csv300k bomb accepted atlimit")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    wanted = set(args.only or ["stray", "cells16m", "csv300k", "bomb", "accepted", "atlimit"])
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "stray" in wanted:
            path = plain_tracker(tmp / "Stray.xlsx")
            import openpyxl

            wb = openpyxl.load_workbook(path)
            wb["Claims"]["A1048576"] = "stray"
            wb.save(path)
            results["stray cell at row 1,048,576 (refresh)"] = run("refresh", path, "--as-of", "2026-03-02")
        if "cells16m" in wanted:
            results["16,000,000-cell workbook (refresh)"] = run("refresh", huge_workbook(tmp / "Huge.xlsx"))
        if "csv300k" in wanted:
            tracker = plain_tracker(tmp / "Tracker300k.xlsx")
            results["300,000-row CSV (import)"] = run("import", claims_csv(tmp / "big.csv", 300_000), "--into",
                                                     tracker, "--as-of", "2026-03-02")
        if "bomb" in wanted:
            results["1 GB zero part packed to 1 MB (refresh)"] = run("refresh", bomb(tmp / "Bomb.xlsx"))
        if "accepted" in wanted:
            tracker = plain_tracker(tmp / "Accepted.xlsx")
            results[f"{args.accepted:,}-row CSV accepted (import + refresh + save)"] = run(
                "import", claims_csv(tmp / "ok.csv", args.accepted), "--into", tracker, "--as-of", "2026-03-02")
        if "atlimit" in wanted:
            import bench_refresh
            from claimbook.workbook import limits

            path = tmp / "AtLimit.xlsx"
            bench_refresh.build(path, args.limit_claims)
            with zipfile.ZipFile(path) as z:
                cells = sum(limits.count_tags(z.open(p))[0] for p in limits._worksheet_parts(z, set(z.namelist())))
            results[f"{args.limit_claims:,}-claim tracker, {cells:,} cells (refresh)"] = run(
                "refresh", path, "--as-of", "2026-03-02")
    width = max(len(k) for k in results)
    for name, got in results.items():
        print(f"{name:<{width}}  exit {got['exit']}  {got['seconds']:>6.1f} s  {got['peak_mb']:>5,} MB  {got['said']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
