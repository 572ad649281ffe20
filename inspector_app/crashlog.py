"""A crash leaves a log, and the next start says so.

Each GUI session writes Python's `faulthandler` report (the stack of every thread on SIGSEGV, SIGABRT, …)
into `logs/crash-<start>-<pid>.log` and leaves a marker `logs/session-<pid>.running`. A clean end removes
the marker, and the crash log when it stayed empty. At the next start a marker whose process is gone means
the last session ended abnormally (a crash, a kill, a power cut): `begin()` returns what to tell the user.
Saved answers are in the database either way: every save is committed when it is made.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class AbnormalEnd:
    """The previous session that did not end cleanly."""

    started: str  # local time, as written by that session
    crash_log: Path | None  # its faulthandler report, when it wrote one (None: killed or power cut)


@dataclass
class Session:
    marker: Path
    crash_log: Path
    _file: IO[str]

    def end(self) -> None:
        """A clean end: no marker left, and no empty crash log."""
        faulthandler.disable()
        self._file.close()
        if self.crash_log.exists() and self.crash_log.stat().st_size == 0:
            self.crash_log.unlink()
        self.marker.unlink(missing_ok=True)


def begin(folder: Path) -> tuple[Session, AbnormalEnd | None]:
    """Start this session's crash log; return it and the last session that ended abnormally, if any."""
    folder.mkdir(parents=True, exist_ok=True)
    previous = _abnormal_ends(folder)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    crash_log = folder / f"crash-{stamp}-{os.getpid()}.log"
    file = open(crash_log, "w", encoding="utf-8")  # open for the whole session: faulthandler writes to it
    faulthandler.enable(file=file, all_threads=True)
    marker = folder / f"session-{os.getpid()}.running"
    marker.write_text(
        json.dumps({"pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S"), "crash_log": crash_log.name}),
        encoding="utf-8",
    )
    return Session(marker, crash_log, file), (previous[-1] if previous else None)


def _abnormal_ends(folder: Path) -> list[AbnormalEnd]:
    """Markers of sessions whose process is gone, oldest first; each is removed once reported."""
    found = []
    for marker in folder.glob("session-*.running"):
        try:
            info = json.loads(marker.read_text(encoding="utf-8"))
            pid = int(info["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            info, pid = {}, -1
        if pid != os.getpid() and pid > 0 and _alive(pid):
            continue  # another window of the program is open right now
        log = folder / str(info.get("crash_log", ""))
        has_log = bool(info.get("crash_log")) and log.is_file() and log.stat().st_size > 0
        if info.get("crash_log") and log.is_file() and not has_log:
            log.unlink()  # killed or a power cut: faulthandler wrote nothing
        found.append(AbnormalEnd(str(info.get("started", "")), log if has_log else None))
        marker.unlink(missing_ok=True)
    return sorted(found, key=lambda a: a.started)


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x100000, False, pid)  # SYNCHRONIZE
        if not handle:
            return False
        try:
            return ctypes.windll.kernel32.WaitForSingleObject(handle, 0) == 0x102  # WAIT_TIMEOUT: still running
        finally:
            ctypes.windll.kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
