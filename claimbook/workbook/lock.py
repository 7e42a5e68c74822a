"""One writer at a time: a lock file beside the tracker while ``refresh``, ``import`` or ``excel install``
reads, changes and saves it.

The lock is a small file, ``.<tracker name>.claimbook.lock``, created with ``O_CREAT | O_EXCL`` (atomic
on local disks and on SMB/NFS shares, where ``fcntl``/``msvcrt`` byte locks are unreliable). It holds
who made it (process id, computer name, time, command). A second writer waits up to ``WAIT_SECONDS``
for it to go away, then stops with a plain message; it never saves over the first writer's result,
because the tracker is read only once the lock is held.

A lock left behind by a run that crashed (killed, power cut) is taken over: at once when it was made
on this computer by a process that no longer runs; after ``STALE_SECONDS`` without a heartbeat
otherwise (the holder touches the file every ``HEARTBEAT_SECONDS``, so a long run on another computer
is never mistaken for a dead one). Temporary files left by a save that was killed are removed as soon
as the lock is taken.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from claimbook.errors import TrackerError

WAIT_SECONDS = 10.0
STALE_SECONDS = 10 * 60
HEARTBEAT_SECONDS = 30.0
_POLL = 0.2


def lock_path(path: Path) -> Path:
    """The lock file of a tracker (of the real file when ``path`` is a link: one lock per file)."""
    real = Path(os.path.realpath(path))
    return real.with_name(f".{real.name}.claimbook.lock")


def busy_message(name: str, holder: dict | None = None, lock: Path | None = None) -> str:
    """What a second writer is told; also said when a save loses a race with another program."""
    who = ""
    if holder:
        here = holder.get("host") == socket.gethostname()
        when = str(holder.get("time", ""))[11:16]
        what = holder.get("command") or "claimbook"
        who = (f" ({what}, started {when} on {'this computer' if here else holder.get('host', 'another computer')}"
               f", process {holder.get('pid', '?')})")
    leftover = (f" If no claimbook command is running, delete the file {lock.name} beside it (it may be hidden)"
                " and run again." if lock is not None else "")
    return (f"{name} is being changed by another claimbook command{who}. Wait until it has finished, then run "
            f"again; the file was not changed by this one.{leftover}")


def _read(lock: Path) -> dict | None:
    try:
        return json.loads(lock.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}  # being written, or not ours: judged by its age


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this computer (never signals or stops it)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def is_stale(holder: dict | None, lock: Path, now: float | None = None) -> bool:
    """A lock whose maker is gone: a dead process on this computer, or no heartbeat for STALE_SECONDS."""
    if holder is None:
        return False  # gone already: try again
    if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int):
        if not pid_alive(holder["pid"]):
            return True
    try:
        age = (now or time.time()) - lock.stat().st_mtime
    except OSError:
        return False
    return age > STALE_SECONDS


def _take_over(lock: Path, holder: dict) -> None:
    """Remove a stale lock, unless another writer replaced it meanwhile (then leave that one alone)."""
    aside = lock.with_name(f"{lock.name}.stale-{os.getpid()}")
    try:
        os.replace(lock, aside)
    except OSError:
        return
    if _read(aside) != holder:  # a fresh lock was made between our read and the rename: put it back
        try:
            os.link(aside, lock)
        except OSError:
            pass
    try:
        aside.unlink()
    except OSError:
        pass


def remove_dead_temp_files(path: Path) -> None:
    """Temporary files left beside the tracker by a save that was killed (only called under the lock)."""
    real = Path(os.path.realpath(path))
    for stale in real.parent.glob(f".{real.stem}.claimbook-*.tmp{real.suffix}"):
        try:
            stale.unlink()
        except OSError:
            pass


def _heartbeat(lock: Path, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            os.utime(lock)
        except OSError:
            return


@contextmanager
def writer_lock(path, command: str, wait: float | None = None):
    """Hold the tracker's lock file while the body reads, changes and saves the tracker.

    ``TrackerError`` (nothing changed) when another writer holds it for longer than ``wait`` seconds
    (``WAIT_SECONDS`` by default), or when the folder does not let a lock file be made.
    """
    path = Path(path)
    lock = lock_path(path)
    wait = WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + wait
    mine = {"pid": os.getpid(), "host": socket.gethostname(), "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "command": command}
    takeovers = 0
    while True:
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _read(lock)
            if holder is not None and takeovers < 5 and is_stale(holder, lock):
                takeovers += 1  # a lock that cannot be removed stays: the message at the deadline names it
                _take_over(lock, holder)
                continue
            if time.monotonic() >= deadline:
                raise TrackerError(busy_message(path.name, holder, lock)) from None
            time.sleep(_POLL)
            continue
        except PermissionError:
            raise TrackerError(f"{path.name} cannot be changed: its folder is read-only for you (claimbook could "
                               "not create its lock file there). Check the folder's permissions; the file was not "
                               "changed.") from None
        except OSError as err:
            raise TrackerError(f"{path.name} cannot be changed: claimbook could not create its lock file beside it "
                               f"({err.strerror or type(err).__name__}); the file was not changed.") from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(mine, f)
        break
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(lock, stop), daemon=True)
    beat.start()
    try:
        remove_dead_temp_files(path)
        yield
    finally:
        stop.set()
        if _read(lock) == mine:
            try:
                lock.unlink()
            except OSError:
                pass
