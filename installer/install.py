"""Install or update claimbook for the person at this computer, from the claimbook folder.

Both double-click installers run this file with the Python they found: ``Install claimbook.cmd``
(Windows) and ``Install claimbook.command`` (Mac). It uses the standard library only, because it runs
before claimbook and its dependencies are installed. Steps:

1. make (or reuse) claimbook's own Python environment, in a folder of its own:
   ``%LOCALAPPDATA%\\claimbook\\venv`` on Windows, ``~/.claimbook/venv`` elsewhere (the paths the
   workbook's xlwings.conf sheet and the guides name);
2. install claimbook into it from this folder: its dependencies come from the internet (PyPI), or,
   when a ``wheels`` folder sits beside this one, from that folder only (``--no-index``), so an office
   without internet works too;
3. run ``claimbook excel install``, which puts ClaimTracker.xlsm and an editable copy of the payer
   rules in the ``claimbook`` folder in the home folder, but never replaces either when it is already
   there (so running this again updates claimbook and keeps the practice's tracker and rules);
4. say in plain words what to do next.

Exit code 0 when everything worked, 1 when something needs attention (the message says what).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

NEEDED = (3, 11)
FOLDER = Path(__file__).resolve().parent.parent  # the claimbook folder (holds pyproject.toml)
# What is not needed to install claimbook: left out of the temporary copy pip builds from.
NOT_COPIED = (".git", ".venv", ".ci-venv", "venv", "wheels", "build", "dist", "*.egg-info", "__pycache__",
              "*.pyc", ".pytest_cache", ".hypothesis", "tests", "benchmarks", "docs", "installer")


def say(text: str = "") -> None:
    print(text, flush=True)


def env_dir(platform: str = sys.platform, environ=os.environ, home: Path | None = None) -> Path:
    """Where claimbook's own Python environment lives on this computer."""
    home = home or Path.home()
    if platform.startswith("win"):
        local = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(local) / "claimbook" / "venv"
    return home / ".claimbook" / "venv"


def env_python(env: Path, platform: str = sys.platform) -> Path:
    return env / "Scripts" / "python.exe" if platform.startswith("win") else env / "bin" / "python"


def command_path(env: Path, platform: str = sys.platform) -> Path:
    """The full path to type in place of 'claimbook' (the environment is not on the PATH)."""
    return env / "Scripts" / "claimbook.exe" if platform.startswith("win") else env / "bin" / "claimbook"


def pip_command(python: Path, source: Path, wheels: Path | None) -> list[str]:
    """The pip call that installs (or updates) claimbook from ``source``; offline when ``wheels`` is given."""
    cmd = [str(python), "-m", "pip", "install", "--upgrade", "--disable-pip-version-check",
           "--no-warn-script-location", "--quiet"]
    if wheels is not None:
        cmd += ["--no-index", "--find-links", str(wheels)]
    return cmd + [str(source)]


def works(python: Path) -> bool:
    """True when the environment's Python starts (it breaks when the Python it was made from is removed)."""
    try:
        return subprocess.run([str(python), "-c", "import sys"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def make_env(env: Path, platform: str = sys.platform) -> bool:
    """Make the environment, or reuse a working one. False (with a message) when it cannot be made."""
    python = env_python(env, platform)
    if python.exists() and works(python):
        say(f"Updating claimbook in {env}")
        return True
    if env.exists():
        say(f"The claimbook environment in {env} no longer works (was Python updated or removed?); "
            "making it again. Your tracker and rules are not in it and are not touched.")
        shutil.rmtree(env, ignore_errors=True)
    else:
        say(f"Making claimbook's own Python environment in {env}")
    try:
        env.parent.mkdir(parents=True, exist_ok=True)
        venv.EnvBuilder(with_pip=True, clear=env.exists()).create(env)
    except (OSError, subprocess.CalledProcessError) as err:
        say(f"PROBLEM: could not make the environment in {env} ({err}).")
        if not platform.startswith("win"):
            say("On Linux, install your distribution's venv package first (Debian/Ubuntu: "
                "sudo apt install python3-venv), then run this again.")
        return False
    return True


def install_claimbook(python: Path, folder: Path) -> bool:
    """pip-install claimbook from a temporary copy of ``folder`` (pip writes build files where it builds,
    and the folder may be read-only or on a network drive)."""
    wheels = folder / "wheels"
    wheels = wheels if wheels.is_dir() and any(wheels.glob("*.whl")) else None
    if wheels:
        say(f"Installing claimbook and what it needs from {wheels} (no internet needed)...")
    else:
        say("Installing claimbook, and downloading what it needs from the internet (PyPI)...")
    with tempfile.TemporaryDirectory(prefix="claimbook-install-") as tmp:
        source = Path(tmp) / "claimbook"
        shutil.copytree(folder, source, ignore=shutil.ignore_patterns(*NOT_COPIED))
        done = subprocess.run(pip_command(python, source, wheels), capture_output=True, text=True)
    if done.returncode == 0:
        return True
    details = [line for line in (done.stderr or done.stdout or "").splitlines() if line.strip()][-8:]
    say("PROBLEM: claimbook could not be installed. What the installer (pip) said:")
    for line in details:
        say(f"    {line}")
    if wheels:
        say("The wheels folder does not hold everything claimbook needs for this Python "
            f"({sys.version_info.major}.{sys.version_info.minor}). Ask whoever gave you the folder for one "
            "made for this Python version, or connect to the internet and remove the wheels folder.")
    else:
        say("Check that this computer is connected to the internet and run this again. An office without "
            "internet needs the claimbook folder with a 'wheels' folder inside (see docs/developer-guide.md).")
    return False


def next_steps(env: Path, platform: str = sys.platform, home: Path | None = None) -> str:
    home = home or Path.home()
    tracker = home / "claimbook" / "ClaimTracker.xlsm"
    command = command_path(env, platform)
    enable = "Enable Content" if platform.startswith("win") else "Enable Macros"
    again = "Install claimbook.cmd" if platform.startswith("win") else "Install claimbook.command"
    return "\n".join([
        "What to do next:",
        f"  1. Open your tracker in Excel: {tracker}",
        f"  2. When Excel asks about macros, press {enable}.",
        "  3. Paste or import your claims on the Claims sheet, then press Claims > Refresh priorities.",
        "  The first-day guide is in the claimbook folder: README.md and docs/user-guide.md.",
        "",
        "To type claimbook commands, use this full path in place of the word 'claimbook':",
        f"  {command}",
        "",
        f"To update claimbook later, double-click '{again}' in the newer claimbook folder.",
        "Your tracker and your payer rules are kept.",
    ])


def main(argv: list[str] | None = None) -> int:
    if sys.version_info < NEEDED:
        say(f"claimbook needs Python {NEEDED[0]}.{NEEDED[1]} or newer; this is Python "
            f"{sys.version_info.major}.{sys.version_info.minor}. Install a newer one from "
            "https://www.python.org/downloads/ and run the installer again.")
        return 1
    if not (FOLDER / "pyproject.toml").is_file() or not (FOLDER / "claimbook").is_dir():
        say(f"PROBLEM: {FOLDER} is not a complete claimbook folder. If you opened a zip file, unzip it "
            "first (Windows: right-click > Extract All) and run the installer in the unzipped folder.")
        return 1
    env = env_dir()
    if not make_env(env) or not install_claimbook(env_python(env), FOLDER):
        return 1
    say("claimbook is installed. Now setting up the Excel tracker:")
    say()
    # Run from the home folder: "python -m" puts the current folder first on the import path, and the
    # Windows installer starts in the claimbook folder, whose source (and any claimbook.egg-info a
    # developer's "pip install ." left there) would answer instead of what was just installed.
    done = subprocess.run([str(env_python(env)), "-m", "claimbook.cli", "excel", "install"], cwd=str(Path.home()))
    say()
    if done.returncode != 0:
        say("claimbook is installed, but setting up the tracker needs attention: see the message above "
            "(if the tracker is open in Excel, close it), then run the installer again.")
        say()
        say(next_steps(env))
        return 1
    say(next_steps(env))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
