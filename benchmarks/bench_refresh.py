"""Refresh benchmark: ``claimbook refresh`` against openpyxl merely loading and saving the same workbook.

    python benchmarks/bench_refresh.py                 # 10,000 claims, 3 rounds
    python benchmarks/bench_refresh.py --claims 100000 --rounds 1

Builds a tracker with N sample claims (already refreshed once, as a tracker in use is), then, in fresh
subprocesses and alternating, times (a) ``openpyxl.load_workbook`` + ``save`` of that file and (b)
``refresh_file`` on a copy. Each subprocess reports its wall time and peak RSS (``ru_maxrss``); the
medians are reported and divided. Targets: refresh <= 1.3x the time and <= 1.2x the peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 3, 2)

BASELINE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1], keep_vba=sys.argv[1].endswith(".xlsm"))
wb.save(sys.argv[1])
t = time.perf_counter() - t0
print(json.dumps({"seconds": t, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

REFRESH = r"""
import json, resource, sys, time
from datetime import date
t0 = time.perf_counter()
from claimbook.workbook.refresh import refresh_file
out = refresh_file(sys.argv[1], as_of=date.fromisoformat(sys.argv[2]))
t = time.perf_counter() - t0
print(json.dumps({"seconds": t, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "claims": out.summary.claims}))
"""

IMPORT_ONLY = r"""
import json, resource
import openpyxl
print(json.dumps({"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def build(path: Path, n: int) -> None:
    from claimbook import table
    from claimbook.rules.loader import load_rules
    from claimbook.sample import sample_claims
    from claimbook.workbook import io
    from claimbook.workbook.layout import new_tracker
    from claimbook.workbook.refresh import refresh_file

    rules = load_rules()
    wb = new_tracker(rules, as_of=AS_OF)
    place = io.find_claims(wb)
    ws = place.ws
    for i, c in enumerate(sample_claims(AS_OF, n=n)):
        for j, v in enumerate(table.claim_to_row(c)):
            io.put(ws, place.first_data_row + i, place.first_col + j, v)
    place.last_row = place.header_row + n
    io.set_table_ref(place)
    io.write_workbook(wb, path)
    refresh_file(path, as_of=AS_OF)  # a tracker in use already has its computed columns
    for p in path.parent.glob("*.backup-*"):
        p.unlink()


def run(script: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"benchmark subprocess failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--build", metavar="PATH", help=argparse.SUPPRESS)  # internal: build in a subprocess
    args = ap.parse_args(argv)
    if args.build:
        sys.path.insert(0, str(REPO))
        build(Path(args.build), args.claims)
        return 0

    with tempfile.TemporaryDirectory(prefix="claimbook-bench-") as tmp:
        src = Path(tmp) / "Tracker.xlsx"
        t0 = time.perf_counter()
        # Built in a subprocess: on Linux a child's ru_maxrss starts from its parent's at fork, so this
        # process must stay small for the measured children to report their own peaks.
        subprocess.run([sys.executable, __file__, "--build", str(src), "--claims", str(args.claims)], check=True)
        print(f"built a {args.claims:,}-claim tracker ({src.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - t0:.1f} s")
        base, ref = [], []
        for i in range(args.rounds):
            a = Path(tmp) / f"base{i}{src.suffix}"
            b = Path(tmp) / f"ref{i}{src.suffix}"
            shutil.copy2(src, a)
            shutil.copy2(src, b)
            base.append(run(BASELINE, str(a)))
            ref.append(run(REFRESH, str(b), AS_OF.isoformat()))
            print(f"round {i + 1}: load+save {base[-1]['seconds']:.2f} s / {base[-1]['maxrss_kb'] / 1024:.0f} MB;"
                  f" refresh {ref[-1]['seconds']:.2f} s / {ref[-1]['maxrss_kb'] / 1024:.0f} MB")
        floor = run(IMPORT_ONLY)["maxrss_kb"]
    bt = statistics.median(r["seconds"] for r in base)
    rt = statistics.median(r["seconds"] for r in ref)
    bm = statistics.median(r["maxrss_kb"] for r in base)
    rm = statistics.median(r["maxrss_kb"] for r in ref)
    print()
    print(f"claims: {ref[0]['claims']:,}")
    print(f"time:   refresh {rt:.2f} s vs openpyxl load+save {bt:.2f} s -> {rt / bt:.2f}x (target <= 1.3x)")
    print(f"memory: refresh {rm / 1024:.0f} MB vs openpyxl load+save {bm / 1024:.0f} MB peak RSS -> "
          f"{rm / bm:.2f}x (target <= 1.2x); above a bare 'import openpyxl' ({floor / 1024:.0f} MB): "
          f"{(rm - floor) / max(1, bm - floor):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
