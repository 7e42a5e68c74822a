"""The double-click installers: ``Install claimbook.command`` (Mac, a bash script) really runs here on
Linux, from a copy of the folder with HOME pointed at a temporary folder; ``Install claimbook.cmd``
(Windows) is read and checked to take the same steps (docs/excel-acceptance.md walks through it on
Windows). Both hand over to ``installer/install.py``.

The two end-to-end runs install claimbook for real with pip (one from the internet, one offline from a
``wheels`` folder made by ``installer/make_wheels.py``): they need internet and are marked ``slow``, so
the README's test command leaves them out and ``.ci/run`` runs them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAC = "Install claimbook.command"
WIN = "Install claimbook.cmd"
# What a claimbook folder (a checkout, or the zip an office gets) holds.
FOLDER_PARTS = (MAC, WIN, "installer", "claimbook", "rules", "templates", "pyproject.toml", "setup.py",
                "MANIFEST.in", "README.md", "docs")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"installer_{name}", ROOT / "installer" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


install = _load("install")
make_wheels = _load("make_wheels")


def _copy_folder(dest: Path) -> Path:
    folder = dest / "claimbook folder"  # a space, as in a real download folder
    folder.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for part in FOLDER_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, folder / part, ignore=ignore)
        else:
            shutil.copy2(src, folder / part)
    return folder


def _fake_bin(tmp_path: Path, pythons: dict[str, str]) -> Path:
    """A PATH folder holding only ``dirname`` and the given fake pythons (name -> bash body)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    os.symlink(shutil.which("dirname"), fake / "dirname")
    for name, body in pythons.items():
        (fake / name).write_text("#!/bin/bash\n" + body + "\n")
        (fake / name).chmod(0o755)
    return fake


def _run_mac(folder: Path, home: Path, path: str, **env) -> subprocess.CompletedProcess:
    home.mkdir(exist_ok=True)
    environ = {"HOME": str(home), "PATH": path, "LANG": "C.UTF-8", **env}
    return subprocess.run(["/bin/bash", str(folder / MAC)], env=environ, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=900)


def _mac_finds_fixed_pythons() -> bool:
    return any(Path(p).exists() for p in ("/opt/homebrew/bin/python3", "/usr/local/bin/python3")) or \
        bool(list(Path("/Library/Frameworks/Python.framework/Versions").glob("3.1*/bin/python3")))


# ------------------------------------------------------------------------------ the Mac script, fast
@pytest.mark.skipif(_mac_finds_fixed_pythons(), reason="this machine has a python3 where Macs keep theirs")
def test_mac_installer_refuses_an_old_python_in_plain_words(tmp_path: Path) -> None:
    folder = _copy_folder(tmp_path)
    old = 'exit 1  # answers the version check like Python 3.9 does'
    fake = _fake_bin(tmp_path, {"python3": old})
    done = _run_mac(folder, tmp_path / "home", str(fake))
    assert done.returncode == 1
    assert "claimbook needs Python 3.11 or newer, and none was found on this Mac." in done.stdout
    assert "https://www.python.org/downloads/" in done.stdout
    assert list((tmp_path / "home").iterdir()) == []  # nothing made


@pytest.mark.skipif(_mac_finds_fixed_pythons(), reason="this machine has a python3 where Macs keep theirs")
def test_mac_installer_takes_the_first_new_enough_python_and_hands_over_to_the_shared_bootstrap(
        tmp_path: Path) -> None:
    folder = _copy_folder(tmp_path)
    calls = tmp_path / "calls.txt"
    new = ('case "$1" in -c) exit 0;; esac\n'  # the version check: new enough
           f'echo "$0 $*" >> "{calls}"; echo "bootstrap ran"; exit 0')
    fake = _fake_bin(tmp_path, {"python3": "exit 1", "python3.12": new})
    done = _run_mac(folder, tmp_path / "home", str(fake))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Using Python: {fake / 'python3.12'}" in done.stdout
    assert calls.read_text().split("\n")[0] == f"{fake / 'python3.12'} {folder / 'installer' / 'install.py'}"


def test_mac_installer_outside_its_folder_says_to_unzip(tmp_path: Path) -> None:
    alone = tmp_path / "Downloads"
    alone.mkdir()
    shutil.copy2(ROOT / MAC, alone / MAC)  # what a double-click inside a zip preview gives
    done = _run_mac(alone, tmp_path / "home", "/usr/bin:/bin")
    assert done.returncode == 1
    assert "If you opened a zip file, unzip it first" in done.stdout


def test_the_mac_installer_is_executable_with_lf_line_ends() -> None:
    staged = subprocess.run(["git", "ls-files", "-s", MAC], cwd=ROOT, capture_output=True, text=True).stdout
    if staged:  # a checkout: git must keep the executable bit the Finder needs for a double-click
        assert staged.startswith("100755"), staged
    assert os.access(ROOT / MAC, os.X_OK)
    assert b"\r" not in (ROOT / MAC).read_bytes()


# ------------------------------------------------------------------------------- the Windows script
def test_windows_installer_takes_the_same_steps() -> None:
    raw = (ROOT / WIN).read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") > 10, "cmd.exe needs CRLF line ends"
    text = raw.decode("ascii")
    # the same bootstrap, from the folder the .cmd sits in, with the arguments passed on
    assert re.search(r'^%PYTHON% "%~dp0installer\\install\.py" %\*\r$', text, re.M)
    # the same Python version check as the Mac script and the bootstrap
    check = "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)"
    assert text.count(check) == 2 and check in (ROOT / MAC).read_text()
    assert install.NEEDED == (3, 11)
    assert 'py -3 -c "' in text and 'python -c "' in text  # the py launcher first, then python
    assert "https://www.python.org/downloads/" in text
    # the window stays open whatever happens, and every goto has its label
    assert text.count("pause") == 2
    for label in set(re.findall(r"goto :(\w+)", text)):
        assert re.search(rf"^:{label}\r$", text, re.M), label
    # a plain word for the zip case, as on the Mac
    assert "unzip it first" in text


# --------------------------------------------------------------------------------- the bootstrap
def test_environment_folder_per_system(tmp_path: Path) -> None:
    home = tmp_path / "home"
    local = r"C:\Users\Zoë\AppData\Local"
    assert install.env_dir("win32", {"LOCALAPPDATA": local}, home) == Path(local) / "claimbook" / "venv"
    assert install.env_dir("darwin", {}, home) == home / ".claimbook" / "venv"
    assert install.env_python(Path("v"), "win32") == Path("v") / "Scripts" / "python.exe"
    assert install.command_path(Path("v"), "darwin") == Path("v") / "bin" / "claimbook"


def test_the_workbook_default_points_at_the_installers_environment() -> None:
    from claimbook.template.build import CONF_SETTINGS

    conf = {key: value for key, value, _ in CONF_SETTINGS}
    assert conf["INTERPRETER_WIN"] == r"%LOCALAPPDATA%\claimbook\venv\Scripts\pythonw.exe"
    assert conf["INTERPRETER_MAC"] == "$HOME/.claimbook/venv/bin/python"


def test_pip_goes_offline_only_with_a_wheels_folder(tmp_path: Path) -> None:
    online = install.pip_command(Path("py"), tmp_path / "src", None)
    offline = install.pip_command(Path("py"), tmp_path / "src", tmp_path / "wheels")
    assert "--no-index" not in online and online[-1] == str(tmp_path / "src")
    assert offline[offline.index("--find-links") + 1] == str(tmp_path / "wheels")
    assert "--no-index" in offline and "--upgrade" in offline


def test_bootstrap_outside_a_claimbook_folder_says_so(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "installer", tmp_path / "installer")
    done = subprocess.run([sys.executable, str(tmp_path / "installer" / "install.py")],
                          capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 1
    assert "is not a complete claimbook folder. If you opened a zip file, unzip it first" in done.stdout
    assert not (tmp_path / ".claimbook").exists()


def test_next_steps_name_the_tracker_the_command_and_how_to_update(tmp_path: Path) -> None:
    env = install.env_dir("darwin", {}, tmp_path)
    text = install.next_steps(env, "darwin", tmp_path)
    assert f"Open your tracker in Excel: {tmp_path / 'claimbook' / 'ClaimTracker.xlsm'}" in text
    assert "press Enable Macros" in text
    assert str(tmp_path / ".claimbook" / "venv" / "bin" / "claimbook") in text
    assert "double-click 'Install claimbook.command' in the newer claimbook folder" in text
    assert "Enable Content" in install.next_steps(env, "win32", tmp_path)


def test_make_wheels_adds_what_xlwings_needs_on_the_target_system() -> None:
    base = make_wheels.requirements()
    assert "xlwings==0.37.8" in base and "setuptools>=68" in base and "wheel" in base
    assert make_wheels.requirements("win_amd64") == [*base, "pywin32>=224"]
    assert make_wheels.requirements("macosx_11_0_arm64") == [*base, "psutil>=2.0.0", "appscript>=1.0.1"]
    cmd = make_wheels.download_command(Path("w"), "win_amd64", "3.12", ["x"])
    assert cmd[-1] == "x" and "--only-binary=:all:" in cmd
    assert cmd[cmd.index("--platform") + 1] == "win_amd64" and cmd[cmd.index("--python-version") + 1] == "3.12"


# ------------------------------------------------------------------- the real thing (needs internet)
def _clean_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH from the test run: the installed claimbook must be the one that answers."""
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


def _python3_dir(tmp_path: Path) -> Path:
    """A PATH folder whose python3 is this test's Python (3.11 or newer)."""
    fake = tmp_path / "pybin"
    fake.mkdir()
    os.symlink(sys.executable, fake / "python3")
    os.symlink(shutil.which("dirname"), fake / "dirname")
    return fake


@pytest.mark.slow
def test_mac_installer_installs_then_updates_and_keeps_the_tracker_and_rules(tmp_path: Path) -> None:
    folder = _copy_folder(tmp_path)
    home = tmp_path / "home"
    path = f"{_python3_dir(tmp_path)}:/usr/bin:/bin"

    first = _run_mac(folder, home, path)
    assert first.returncode == 0, first.stdout + first.stderr
    env = home / ".claimbook" / "venv"
    assert f"Making claimbook's own Python environment in {env}" in first.stdout
    assert "downloading what it needs from the internet" in first.stdout
    tracker, rules = home / "claimbook" / "ClaimTracker.xlsm", home / "claimbook" / "rules"
    assert f"Copied the claim tracker to {tracker}" in first.stdout
    assert "What to do next:" in first.stdout and str(env / "bin" / "claimbook") in first.stdout
    with zipfile.ZipFile(tracker) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    checked = subprocess.run([str(env / "bin" / "claimbook"), "rules", "check", str(rules)],
                             capture_output=True, text=True, env=_clean_env(home))
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The practice edits its rules and keeps claims in the tracker; then a newer folder arrives.
    settings = rules / "settings.yaml"
    settings.write_text(settings.read_text() + "# our contract: checked 2026-11-02\n")
    tracker_bytes = tracker.read_bytes()
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.1.1"', 1))

    again = _run_mac(folder, home, path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Updating claimbook in {env}" in again.stdout
    assert f"{tracker} is already there; it is kept as it is" in again.stdout
    version = subprocess.run([str(env / "bin" / "python"), "-c",
                              "import importlib.metadata as m; print(m.version('claimbook'))"],
                             capture_output=True, text=True, env=_clean_env(home), cwd=home).stdout.strip()
    # (cwd: "python -c" reads package metadata from the current folder first; CI's checkout holds the
    # claimbook.egg-info of its own "pip install .", version 0.1.0.)
    assert version == "0.1.1"
    assert settings.read_text().endswith("# our contract: checked 2026-11-02\n")
    assert tracker.read_bytes() == tracker_bytes  # no Excel here: nothing to write into it
    assert not (folder / "build").exists() and not list(folder.glob("*.egg-info"))  # folder left clean

    # The tracker open in Excel (its lock file beside it): claimbook is updated, the tracker left alone.
    (tracker.parent / "~$ClaimTracker.xlsm").write_bytes(b"")
    busy = _run_mac(folder, home, path)
    assert busy.returncode == 1
    assert "ClaimTracker.xlsm seems to be open in Excel" in busy.stdout + busy.stderr
    assert "setting up the tracker needs attention: see the message above (if the tracker is open in " \
           "Excel, close it)" in busy.stdout
    assert tracker.read_bytes() == tracker_bytes


@pytest.mark.slow
def test_mac_installer_installs_offline_from_a_wheels_folder(tmp_path: Path) -> None:
    folder = _copy_folder(tmp_path)
    made = subprocess.run([sys.executable, str(folder / "installer" / "make_wheels.py")],
                          capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stdout + made.stderr
    home = tmp_path / "home"
    no_network = {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "https_proxy": "http://127.0.0.1:9",
                  "http_proxy": "http://127.0.0.1:9", "PIP_CONFIG_FILE": os.devnull}
    done = _run_mac(folder, home, f"{_python3_dir(tmp_path)}:/usr/bin:/bin", **no_network)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"from {folder / 'wheels'} (no internet needed)" in done.stdout
    env = home / ".claimbook" / "venv"
    demo = subprocess.run([str(env / "bin" / "claimbook"), "demo", "--as-of", "2026-11-23"],
                          capture_output=True, text=True, cwd=tmp_path, env=_clean_env(home))
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Today's share of the work" in demo.stdout
    assert f"rules: {home / 'claimbook' / 'rules'}\n" in demo.stdout  # the copy excel install made
