"""``claimbook excel install [--workbook PATH]``: get the Excel tracker ready on this computer.

Without ``--workbook`` it puts a fresh ``ClaimTracker.xlsm`` (and, if missing, an editable copy of the
payer rules) in the claimbook folder in your home folder; an existing tracker there is never replaced,
only updated. Then, for the workbook:

1. it writes where this computer's Python is (``INTERPRETER_WIN`` or ``INTERPRETER_MAC``) into the
   workbook's ``xlwings.conf`` sheet, opened and saved like ``claimbook refresh`` does (a workbook with
   content openpyxl would lose is refused; atomic save with backups; the VBA project and the ribbon are
   checked to come through byte for byte, or nothing is written);
2. it checks that the xlwings version inside the workbook's VBA equals the installed xlwings;
3. on macOS it runs ``xlwings runpython install`` (lets Excel start Python);
4. it says, in plain words, how to let Excel run the workbook's buttons (Trust Center / Unblock).

On Linux (no Excel) it does steps 2 and 4 and says so; the interpreter settings are left as they are.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from claimbook.errors import ClaimbookError, TrackerError


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "excel", help="set up the Excel workbook with the Claims ribbon tab",
        description="Set up the macro-enabled claim tracker (ClaimTracker.xlsm) for Excel on this computer.")
    sub = parser.add_subparsers(dest="excel_command", metavar="ACTION")
    install = sub.add_parser(
        "install", help="copy the tracker to your claimbook folder and point its buttons at this Python",
        description="Copy ClaimTracker.xlsm to the claimbook folder in your home folder (or update the "
                    "workbook you name), write this computer's Python into its xlwings.conf sheet, check "
                    "the xlwings version, and explain how to let Excel run its buttons.")
    install.add_argument("--workbook", metavar="PATH",
                         help="update this tracker workbook (.xlsm) instead of copying a fresh one")
    install.set_defaults(run=run)
    parser.set_defaults(run=lambda args: (parser.print_help(), 2)[1])


# ------------------------------------------------------------------------------------------- pieces
def user_folder() -> Path:
    """Where ``excel install`` puts the tracker: ``~/claimbook`` (its ``rules`` folder is found there too)."""
    return Path.home() / "claimbook"


def platform_name(platform: str = sys.platform) -> str:
    if platform.startswith("win"):
        return "windows"
    if platform == "darwin":
        return "macos"
    return "other"


def interpreter_settings(platform: str = sys.platform, executable: str = sys.executable) -> dict[str, str]:
    """The xlwings.conf values that point Excel at ``executable`` (nothing on a system without Excel).

    On Windows the windowless ``pythonw.exe`` beside ``python.exe`` is used, so no console flashes up.
    """
    kind = platform_name(platform)
    if kind == "windows":
        exe = executable
        if Path(exe).name.lower() == "python.exe":
            pythonw = Path(exe).with_name("pythonw.exe")
            if pythonw.is_file():
                exe = str(pythonw)
        return {"INTERPRETER_WIN": exe}
    if kind == "macos":
        return {"INTERPRETER_MAC": executable}
    return {}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _macro_parts(parts: dict[str, bytes]) -> dict[str, bytes]:
    """What must survive an openpyxl save unchanged: the VBA project and the ribbon (part + relationship)."""
    from claimbook.template.build import CUSTOMUI_PART, REL_UI, VBA_PART

    keep = {n: parts[n] for n in (VBA_PART, CUSTOMUI_PART) if n in parts}
    rels = parts.get("_rels/.rels", b"")
    keep["ribbon relationship"] = b"present" if REL_UI.encode() in rels and CUSTOMUI_PART.encode() in rels else b""
    return keep


def write_conf(path: Path, values: dict[str, str]) -> list[str]:
    """``_write_conf`` under the tracker's lock: a refresh or import of the same workbook waits for it."""
    from claimbook.workbook import io as wio
    from claimbook.workbook.lock import writer_lock

    wio.check_file(Path(path))
    with writer_lock(Path(path), "excel install"):
        return _write_conf(path, values)


def _write_conf(path: Path, values: dict[str, str]) -> list[str]:
    """Set ``values`` in the workbook's xlwings.conf sheet; returns the keys that changed ([] = file untouched).

    The workbook is opened and saved the way ``claimbook refresh`` does it: a workbook open in Excel, or
    with content openpyxl would drop or change, is refused; the save is atomic and keeps backups.
    Raises TrackerError (and leaves the file as it was) if the sheet is missing, or if the VBA project or
    the ribbon would not come through the save byte for byte.
    """
    from claimbook.template.build import CONF_SHEET
    from claimbook.workbook import io as wio

    wb = wio.load(path)
    if CONF_SHEET not in wb.sheetnames:
        raise TrackerError(f"{path} has no '{CONF_SHEET}' sheet, so its buttons cannot be pointed at Python. "
                           "Use the tracker made by 'claimbook excel install' (without --workbook).")
    ws = wb[CONF_SHEET]
    rows: dict[str, int] = {}
    row = 1
    while ws.cell(row, 1).value not in (None, ""):  # xlwings reads A1 down to the first blank cell
        rows.setdefault(str(ws.cell(row, 1).value).strip().upper(), row)
        row += 1
    changed = []
    for key, value in values.items():
        if key.upper() not in rows:
            ws.insert_rows(row)  # at the end of the settings block, still contiguous from A1
            ws.cell(row, 1, key)
            rows[key.upper()] = row
            row += 1
        cell = ws.cell(rows[key.upper()], 2)
        if cell.value != value:
            cell.value = value
            changed.append(key)
    if not changed:
        return []
    before = _macro_parts(_parts(path))

    def same_macros(saved: Path) -> None:
        after = _macro_parts(_parts(saved))
        if after != before:
            lost = ", ".join(k for k in before if before[k] != after.get(k)) or "macro parts"
            raise TrackerError(f"Saving {path} would have changed its {lost}; nothing was written. "
                               "Please report this as a claimbook bug.")

    by_hand = " and ".join(f"{k} in column A (its row, or the first empty row) and {v} beside it in column B"
                           for k, v in values.items())
    wio.save_atomic(wb, path, _backups_kept(wb, path), check=same_macros,
                    cannot_keep_advice=f"Instead, set it yourself in Excel on its {CONF_SHEET} sheet: {by_hand}")
    return changed


def _backups_kept(wb, path: Path) -> int:
    """How many backups a refresh of this tracker keeps: its Settings sheet, else its rules' settings."""
    from claimbook.app.refresh import session_for
    from claimbook.errors import ClaimbookError
    from claimbook.workbook.edge import FileEdge

    try:
        return session_for(FileEdge(path, wb)).backups_kept
    except ClaimbookError:  # the rules have errors: 'claimbook rules check' tells; the usual number here
        from claimbook import table
        from claimbook.rules.schema import Settings

        kept = table.tracker_settings(FileEdge(path, wb).read_settings()).backups_kept
        return kept if kept is not None else Settings().backups_kept


def check_version(path: Path) -> tuple[str | None, str]:
    """(version in the workbook's VBA, installed xlwings version)."""
    import xlwings

    from claimbook.template.build import xlwings_version_in

    try:
        inside = xlwings_version_in(path)
    except (ValueError, KeyError, zipfile.BadZipFile) as err:
        raise TrackerError(f"Could not read the macros in {path}: {err}") from None
    return inside, xlwings.__version__


def runpython_install(executable: str = sys.executable, runner=subprocess.run) -> tuple[bool, str]:
    """macOS: ``xlwings runpython install`` (copies xlwings' AppleScript where Excel may run it)."""
    try:
        done = runner([executable, "-m", "xlwings.cli", "runpython", "install"],
                      capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as err:
        return False, str(err)
    return done.returncode == 0, (done.stderr or done.stdout or "").strip()


def trust_instructions(kind: str, path: Path) -> str:
    path = path.resolve()
    name = path.name
    windows = (
        "Windows - letting Excel run the buttons:\n"
        f"  1. Close Excel. In File Explorer, right-click {name} and choose Properties.\n"
        "  2. If the General tab shows 'This file came from another computer' with an Unblock box at the\n"
        "     bottom, tick Unblock and press OK. (Files you download or get by email are blocked like this;\n"
        "     a copy made by 'claimbook excel install' on this computer is not.)\n"
        f"  3. Open {name}. If a yellow bar says 'Macros have been disabled', press Enable Content.\n"
        "  4. If a red bar says 'Microsoft has blocked macros from running', the file is still blocked: do\n"
        "     step 2 again, or in Excel choose File > Options > Trust Center > Trust Center Settings >\n"
        f"     Trusted Locations > Add new location, and add the folder {path.parent}.\n"
    )
    mac = (
        "macOS - letting Excel run the buttons:\n"
        f"  1. Open {name}. When Excel asks about macros, press Enable Macros.\n"
        "  2. The first time you press a button on the Claims tab, the Mac may ask whether Excel may run\n"
        "     or control other apps: press OK / Allow.\n"
        "  3. If the buttons do nothing, check Excel > Settings > Security: macros must not be disabled\n"
        "     without notification.\n"
    )
    if kind == "windows":
        return windows
    if kind == "macos":
        return mac
    return windows + "\n" + mac


# ---------------------------------------------------------------------------------------------- run
def install(workbook: Path | None = None, *, folder: Path | None = None, platform: str = sys.platform,
            executable: str = sys.executable, runner=subprocess.run, out=print, paths=None) -> int:
    """``paths``: (temp folder, ANSI code page, short-path function) on Windows; this computer's by default."""
    kind = platform_name(platform)
    if workbook is None:
        folder = folder or user_folder()
        path = folder / "ClaimTracker.xlsm"
        if folder.exists() and not folder.is_dir():
            raise ClaimbookError(f"{folder} is a file, not a folder; move it away and run this again.")
        folder.mkdir(parents=True, exist_ok=True)
        if path.exists():
            out(f"{path} is already there; it is kept as it is (with your claims) and only updated.")
        else:
            from claimbook.template.build import template_bytes

            path.write_bytes(template_bytes())
            out(f"Copied the claim tracker to {path}")
        rules = folder / "rules"
        if not rules.exists():
            from claimbook.rules.loader import default_rules_dir

            shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
            out(f"Copied the payer rules to {rules} (edit them there; the tracker finds them beside it).")
    else:
        path = Path(workbook).expanduser().resolve()
        if not path.is_file():
            raise ClaimbookError(f"{path} does not exist. Give the path of your ClaimTracker.xlsm, or run "
                                 "'claimbook excel install' without --workbook for a fresh copy.")
        if path.suffix.lower() != ".xlsm":
            raise ClaimbookError(f"{path} is not a macro-enabled workbook (.xlsm); the Claims buttons need "
                                 "one. Run 'claimbook excel install' without --workbook for a fresh copy.")
    from claimbook.workbook.io import check_not_open

    check_not_open(path)

    problems = 0
    inside, installed = check_version(path)
    if inside is None:
        raise TrackerError(f"{path} has no xlwings macros inside, so its buttons cannot run Python. Run "
                           "'claimbook excel install' without --workbook for a fresh copy.")
    if inside != installed:
        problems += 1
        out(f"PROBLEM: the workbook's macros are from xlwings {inside}, but this Python has xlwings "
            f"{installed}. The buttons will refuse to run. Install the matching version "
            f"(pip install xlwings=={inside}) or use a fresh tracker from this claimbook "
            "('claimbook excel install' into a new folder).")
    else:
        out(f"xlwings {installed}: the workbook's macros and this Python match.")

    values = interpreter_settings(platform, executable)
    if kind == "windows":
        problems += _ansi_paths(values, paths, out)
    if values:
        changed = write_conf(path, values)
        for key, value in values.items():
            state = "written" if key in changed else "already set"
            out(f"{key} = {value} ({state} on the xlwings.conf sheet)")
    else:
        out("Excel is not available on this system (it runs on Windows and macOS), so the Python paths on the "
            "xlwings.conf sheet are left as they are. Run 'claimbook excel install --workbook "
            f"{path.name}' on the computer with Excel.")

    if kind == "macos":
        ok, detail = runpython_install(executable, runner)
        if ok:
            out("Ran 'xlwings runpython install': Excel may now start Python.")
        else:
            problems += 1
            out("PROBLEM: 'xlwings runpython install' did not work" + (f" ({detail})" if detail else "") +
                ". Without it the buttons cannot start Python on a Mac. Run it yourself in Terminal: "
                f"{executable} -m xlwings.cli runpython install")

    out("")
    out(trust_instructions(kind, path).rstrip("\n"))
    out("")
    out(f"Done{' with problems (see above)' if problems else ''}. Open {path} in Excel and look for the Claims tab.")
    return 1 if problems else 0


def _ansi_paths(values: dict[str, str], paths, out) -> int:
    """Windows: replace paths Excel's macros cannot pass on (see excel_paths); returns the problem count."""
    import tempfile

    from claimbook.commands import excel_paths

    temp, codepage, shorten = paths or (tempfile.gettempdir(), excel_paths.ansi_codepage(),
                                        excel_paths.short_path)
    if codepage is None:  # not really Windows (tests of the Windows path on another system)
        return 0
    changed, problems = excel_paths.windows_settings(values["INTERPRETER_WIN"], temp, codepage, shorten,
                                                     excel_paths.public_temp())
    if changed:
        out("Your Windows user folder has letters Excel's macros cannot pass on, so the tracker gets paths "
            "without them:")
    values.update(changed)
    for problem in problems:
        out(f"PROBLEM: {problem}")
    return len(problems)


def run(args) -> int:
    return install(Path(args.workbook) if args.workbook else None)
