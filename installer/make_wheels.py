"""For whoever prepares the claimbook folder for an office without internet (not for the office itself).

Downloads, into the folder's ``wheels`` folder, everything the installer needs to install claimbook
offline: claimbook's dependencies (read from pyproject.toml) plus setuptools and wheel (to build claimbook
itself from the folder). The installers use ``wheels`` with ``--no-index`` when it holds any wheel.

Wheels are made for one kind of computer and one Python version, so name the office's::

    python3 installer/make_wheels.py                                      # this computer
    python3 installer/make_wheels.py --platform win_amd64 --python 3.12   # 64-bit Windows, Python 3.12
    python3 installer/make_wheels.py --platform macosx_11_0_arm64 --python 3.12   # Apple silicon Mac

Several runs (one per kind of computer) may fill the same folder. Needs internet and pip.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent
# pip evaluates a dependency's "; platform_system == ..." markers for the computer it runs on, not for
# --platform, so the packages xlwings needs only on Windows or only on a Mac are named here.
PLATFORM_EXTRAS = {"win": ("pywin32>=224",), "macosx": ("psutil>=2.0.0", "appscript>=1.0.1")}


def requirements(platform: str | None = None, pyproject: Path = FOLDER / "pyproject.toml") -> list[str]:
    """claimbook's run-time dependencies and what building it from the folder needs."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    extras = [req for prefix, reqs in PLATFORM_EXTRAS.items() if (platform or "").startswith(prefix)
              for req in reqs]
    return [*data["project"]["dependencies"], *data["build-system"]["requires"], *extras]


def download_command(target: Path, platform: str | None, python: str | None,
                     reqs: list[str]) -> list[str]:
    cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
           "--only-binary=:all:", "--dest", str(target)]
    if platform:
        cmd += ["--platform", platform]
    if python:
        cmd += ["--python-version", python, "--implementation", "cp"]
    return cmd + reqs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--platform", help="pip platform tag, e.g. win_amd64, win32, macosx_11_0_arm64, "
                                           "macosx_10_12_x86_64 (default: this computer)")
    parser.add_argument("--python", help="Python version of the office's computer, e.g. 3.12 "
                                         "(default: this Python)")
    parser.add_argument("--dest", type=Path, default=FOLDER / "wheels", help="default: the folder's wheels/")
    args = parser.parse_args(argv)
    args.dest.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(download_command(args.dest, args.platform, args.python,
                                           requirements(args.platform)))
    if done.returncode == 0:
        print(f"The wheels are in {args.dest}. Zip the whole claimbook folder with it for the office.")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
