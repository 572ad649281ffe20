"""The real-window soak: the whole app under Xvfb with the xcb platform, not offscreen (architecture rule 10).

Offscreen runs never saw the crashes of the field (Qt objects released on a worker thread after a dialog
closed): tests/ui/soak_child.py opens and closes every dialog and screen 20 times, in a child process so that
a crash is a failed test and not a dead test run. test.sh installs Xvfb.
"""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 20


@pytest.fixture
def xvfb_display():
    """A private X server on a free display number, stopped afterwards."""
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is missing: ./test.sh installs it (apt-get install xvfb)"
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(10)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_dialog_opens_and_closes_in_a_real_window_without_a_crash(tmp_path, xvfb_display):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb", PYTHONFAULTHANDLER="1")
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.soak_child", str(tmp_path), str(ROUNDS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=840,
    )
    tail = (done.stdout + done.stderr)[-6000:]
    if done.returncode < 0:
        pytest.fail(f"the app crashed ({signal.Signals(-done.returncode).name}):\n{tail}")
    assert done.returncode == 0, tail
    assert "steps done" in done.stdout
    # The session ended cleanly: its crash log was empty and removed, no marker of an abnormal end is left.
    logs = tmp_path / "appdata" / "logs"
    assert not list(logs.glob("session-*.running")), tail
    assert not list(logs.glob("crash-*.log")), tail
