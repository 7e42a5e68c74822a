"""Rules-loading benchmark: claimbook's loader against a plain ``yaml.safe_load`` of the same files.

Loading the rules kit happens once per refresh, import and button press, so it should stay a small
multiple of just parsing the YAML. Both sides read the same files (settings, denials, import, payers,
presets) in the same process, alternating, each after a full collection with the collector running as
usual; CPU time (``time.process_time``) of the best of --repeat runs is compared, since the machines are
shared and wall time is noisy. This replaces a timed test (an absolute limit in the test suite failed
on a busy machine and proved nothing on a fast one).

    python benchmarks/bench_rules_load.py [--rules rules] [--repeat 15]
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

import yaml

from claimbook.rules.loader import load_rules

HERE = Path(__file__).resolve().parents[1]


def plain_parse(folder: Path) -> int:
    """The floor: every YAML file of the kit parsed by PyYAML's safe loader, nothing checked."""
    n = 0
    for path in sorted(folder.rglob("*.yaml")):
        yaml.safe_load(path.read_text(encoding="utf-8"))
        n += 1
    return n


def cpu(fn, *args) -> float:
    gc.collect()
    start = time.process_time()
    fn(*args)
    return time.process_time() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", type=Path, default=HERE / "rules")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    files = plain_parse(args.rules)
    load_rules(args.rules)  # warm-up: imports and the holiday calendar, as a long-running process has them
    base, ours = [], []
    for _ in range(args.repeat):  # alternating, so both sides see the same machine
        base.append(cpu(plain_parse, args.rules))
        ours.append(cpu(load_rules, args.rules))
    b, o = min(base), min(ours)
    print(f"{files} YAML files in {args.rules}")
    print(f"yaml.safe_load of every file : {b * 1000:7.1f} ms CPU (best of {args.repeat})")
    print(f"claimbook load_rules         : {o * 1000:7.1f} ms CPU (best of {args.repeat})")
    print(f"ratio                        : {o / b:7.2f}x")


if __name__ == "__main__":
    main()
