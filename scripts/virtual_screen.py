"""A private X screen for the real window (scripts/screenshots.py): Xvfb at a given size, and a window manager
when one is installed, so that windows get frames and are placed as on a user's desktop."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

WINDOW_MANAGERS = (("openbox", ["openbox", "--sm-disable"]), ("xfwm4", ["xfwm4", "--compositor=off"]))


def start_x(size: tuple[int, int]) -> tuple[subprocess.Popen, str]:
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        sys.exit("screenshots: Xvfb is missing (apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    if not number:
        sys.exit("screenshots: Xvfb did not start")
    return server, f":{number}"


def start_window_manager(display: str) -> tuple[subprocess.Popen | None, str]:
    for name, command in WINDOW_MANAGERS:
        if shutil.which(command[0]):
            env = {**os.environ, "DISPLAY": display}
            wm = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)  # let it take the screen before the first window maps
            return wm, name
    return None, "none (windows without frames, placed by Qt)"
