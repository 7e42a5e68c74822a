"""File edge benchmark (issue 15): a next-day refresh and an import against openpyxl's load+save of the same file.

    python benchmarks/bench_file_edge.py                    # 10,000 claims, 3 rounds after a warm-up round
    python benchmarks/bench_file_edge.py --claims 100000 --rounds 1
    python benchmarks/bench_file_edge.py --check            # exit 1 when a ratio misses its target
    python benchmarks/bench_file_edge.py --edge both        # also time today's openpyxl edge (FileEdge)

Builds a tracker with N sample claims (``bench_refresh.build``: every column, refreshed once, as a tracker in
use is) and a claims CSV of 100 changed and 100 new claims. Then, alternating, each run in a fresh
subprocess of the same Python with the garbage collector as normal, on a fresh copy of the tracker:

    (a) baseline: ``openpyxl.load_workbook(path, keep_vba=True)`` + ``wb.save(copy)``
    (b) ``refresh_file(copy, as_of=the next day)`` (what ``claimbook refresh`` runs)
    (c) baseline again, for the import's ratio (as (a))
    (d) ``importer.import_files([csv], copy, as_of=the next day)`` (what ``claimbook import`` runs)

One warm-up round of all four is run first and discarded (``--warmup``). CPU time is the child's user+sys (the
``RUSAGE_CHILDREN`` delta around it, interpreter start included), peak memory its own ``ru_maxrss``. This
process imports neither openpyxl nor claimbook and builds in a subprocess: on Linux a child's ``ru_maxrss``
starts from its parent's at fork, so the parent must stay small. Medians are compared. Targets (issue 15):
refresh and import each at most 0.4x the CPU time and 0.6x the peak memory of the baseline.

``--edge openpyxl`` times today's openpyxl edge explicitly (``claimbook.app.refresh.refresh(FileEdge(path))``
and ``claimbook.app.importing.import_files(FileEdge(path), ...)``) instead of the front doors; ``--edge both``
times both.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 3, 2)  # the tracker's last refresh (bench_refresh.AS_OF)
NEXT_DAY = AS_OF + timedelta(days=1)
TIME_TARGET, MEMORY_TARGET = 0.4, 0.6
CHANGED, NEW = 100, 100

CHILD = r"""
import json, resource, sys, time
kind, src, dst, as_of, edge = sys.argv[1:6]
t0 = time.perf_counter()
if kind == "baseline":
    import openpyxl
    wb = openpyxl.load_workbook(src, keep_vba=True)
    wb.save(dst)
else:
    from datetime import date
    as_of = date.fromisoformat(as_of)
    if kind == "refresh" and edge == "front":
        from claimbook.workbook.refresh import refresh_file
        claims = refresh_file(dst, as_of=as_of).summary.claims
    elif kind == "refresh":
        from claimbook.app.refresh import refresh
        from claimbook.workbook.edge import FileEdge
        claims = refresh(FileEdge(dst), as_of=as_of).output.summary.claims
    elif edge == "front":
        from claimbook.workbook.importer import import_files
        claims = import_files([sys.argv[6]], dst, as_of=as_of)[1].summary.claims
    else:
        from claimbook.app.importing import import_files
        from claimbook.workbook.edge import FileEdge
        claims = import_files(FileEdge(dst), [sys.argv[6]], as_of=as_of)[1].output.summary.claims
    print(json.dumps({"claims": claims}))
wall = time.perf_counter() - t0
print(json.dumps({"wall": wall, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def build(folder: Path, n: int) -> None:
    """Tracker.xlsx (n claims, refreshed as of AS_OF), changes.csv (CHANGED existing + NEW new claims, fewer
    new ones when the tracker is near the claims limit: none at 100,000) and built.json (the counts)."""
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    import bench_refresh
    import stress_limits
    from claimbook.imports.sizes import MAX_CLAIMS
    from claimbook.sample import sample_claims

    bench_refresh.build(folder / "Tracker.xlsx", n)
    new = max(0, min(NEW, MAX_CLAIMS - n))
    csv = stress_limits.claims_csv(folder / "changes.csv", new)  # new claims C0000000..., none in the tracker
    ids = [c.claim_id for c in sample_claims(AS_OF, n=n)]
    step = max(1, len(ids) // CHANGED)
    with open(csv, "a", encoding="utf-8", newline="") as f:
        for i, claim_id in enumerate(ids[::step][:CHANGED]):
            status = ("Paid", "Denied", "Pending")[i % 3]
            f.write(f"{claim_id},,,,,,{status},changed by the payer's export\n")
    changed = len(ids[::step][:CHANGED])
    (folder / "built.json").write_text(json.dumps({"claims": n, "changed": changed, "new": new}))


def run_child(kind: str, src: Path, dst: Path, edge: str = "front", csv: Path | None = None) -> dict:
    """One measured run in a fresh subprocess: its CPU seconds (user+sys), wall seconds and peak RSS."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if kind != "baseline":
        shutil.copy2(src, dst)
    args = [sys.executable, "-c", CHILD, kind, str(src), str(dst), NEXT_DAY.isoformat(), edge]
    if csv is not None:
        args.append(str(csv))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"benchmark subprocess ({kind}) failed:\n{done.stderr[-3000:]}")
    got = {}
    for line in done.stdout.strip().splitlines()[-2:]:
        if line.startswith("{"):
            got.update(json.loads(line))
    got["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    for p in dst.parent.glob(dst.name + "*"):  # the copy and any backups a save left beside it
        p.unlink()
    for p in dst.parent.glob(f"{dst.stem}.backup-*"):
        p.unlink()
    return got


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=10_000, help="claims in the tracker (default 10,000)")
    ap.add_argument("--rounds", type=int, default=3, help="measured rounds after the warm-up (default 3)")
    ap.add_argument("--edge", choices=("front", "openpyxl", "both"), default="front",
                    help="refresh/import through the front doors (default), today's openpyxl FileEdge, or both")
    ap.add_argument("--warmup", type=int, default=1, help="warm-up rounds, discarded (default 1)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a ratio misses its target")
    ap.add_argument("--workdir", metavar="DIR", help="build the tracker here and keep it; reused by the next run "
                                                     "with the same --claims (default: a temporary folder)")
    ap.add_argument("--build", metavar="DIR", help=argparse.SUPPRESS)  # internal: build in a subprocess
    args = ap.parse_args(argv)
    if args.build:
        build(Path(args.build), args.claims)
        return 0

    edges = ["front", "openpyxl"] if args.edge == "both" else [args.edge]
    plan = [("a", "baseline", None)]
    plan += [(f"b{'' if e == 'front' else '*'}", "refresh", e) for e in edges]
    plan += [("c", "baseline", None)]
    plan += [(f"d{'' if e == 'front' else '*'}", "import", e) for e in edges]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="claimbook-edge-bench-") as tmp:
        tmp = Path(tmp)
        built = Path(args.workdir) / f"claims-{args.claims}" if args.workdir else tmp
        src, csv = built / "Tracker.xlsx", built / "changes.csv"
        t0 = time.perf_counter()
        reused = (built / "built.json").exists()
        if not reused:
            built.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, __file__, "--build", str(built), "--claims", str(args.claims)], check=True)
        counts = json.loads((built / "built.json").read_text())
        print(f"{'reused' if reused else 'built'} a {args.claims:,}-claim tracker ({src.stat().st_size / 1e6:.1f} MB, "
              f"refreshed as of {AS_OF}) and a CSV of {counts['changed']} changed + {counts['new']} new claims"
              + (f" in {built}" if reused else f" in {time.perf_counter() - t0:.1f} s"), flush=True)
        runs: dict[str, list[dict]] = {label: [] for label, _k, _e in plan}
        for i in range(-args.warmup + 1, args.rounds + 1):
            for label, kind, edge in plan:
                got = run_child(kind, src, tmp / f"copy{src.suffix}", edge or "front",
                                csv if kind == "import" else None)
                if i > 0:
                    runs[label].append(got)
                print(f"{'warm-up' if i <= 0 else f'round {i}'}: ({label}) {got['cpu']:.2f} s CPU, "
                      f"{got['maxrss_kb'] / 1024:.0f} MB ({time.perf_counter() - started:.0f} s so far)", flush=True)
    names = {"baseline": "openpyxl load+save", "refresh": "refresh, next day",
             "import": f"import {counts['changed']}+{counts['new']} claims"}
    print()
    print(f"{args.claims:,} claims; medians of {args.rounds} round{'s' if args.rounds != 1 else ''} "
          f"({args.warmup} warm-up round{'s' if args.warmup != 1 else ''} discarded); "
          f"CPU = the child's user+sys; as of {NEXT_DAY}")
    width = 34 + 16 * (args.edge != "front")
    print(f"{'':<{width}}{'CPU s':>8}{'wall s':>8}{'peak MB':>9}   {'CPU ratio':>13}   {'memory ratio':>13}")
    missed = []
    for label, kind, edge in plan:
        cpu, wall, mem = (median(runs[label], k) for k in ("cpu", "wall", "maxrss_kb"))
        name = names[kind] + (", openpyxl edge" if edge == "openpyxl" else "")
        line = f"{f'({label}) {name}':<{width}}{cpu:>8.2f}{wall:>8.2f}{mem / 1024:>9.0f}"
        if kind != "baseline":
            base = "a" if kind == "refresh" else "c"
            tr = cpu / median(runs[base], "cpu")
            mr = mem / median(runs[base], "maxrss_kb")
            line += (f"   {tr:>5.2f}x/({base}) {'ok' if tr <= TIME_TARGET else '--'}"
                     f"   {mr:>5.2f}x/({base}) {'ok' if mr <= MEMORY_TARGET else '--'}")
            if edge == "front":
                missed += [f"{name} CPU {tr:.2f}x > {TIME_TARGET}x"] * (tr > TIME_TARGET)
                missed += [f"{name} memory {mr:.2f}x > {MEMORY_TARGET}x"] * (mr > MEMORY_TARGET)
        print(line)
    claims = {r.get("claims") for label, kind, _e in plan if kind != "baseline" for r in runs[label]}
    print(f"targets: CPU <= {TIME_TARGET}x and peak memory <= {MEMORY_TARGET}x of the baseline; "
          f"claims after refresh/import: {sorted(c for c in claims if c is not None)}; "
          f"benchmark took {time.perf_counter() - started:.0f} s")
    if missed:
        print("missed: " + "; ".join(missed))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
