"""A crash leaves a log, and the next start says so (inspector_app/crashlog.py)."""

import subprocess
import sys
import textwrap
import time

from inspector_app import crashlog


def test_a_clean_end_leaves_nothing_behind(tmp_path):
    session, previous = crashlog.begin(tmp_path)
    assert previous is None
    assert session.marker.exists() and session.crash_log.exists()
    session.end()
    assert list(tmp_path.iterdir()) == []
    _again, previous = crashlog.begin(tmp_path)
    _again.end()
    assert previous is None


def test_a_crash_is_reported_at_the_next_start_with_its_log(tmp_path):
    child = textwrap.dedent(
        f"""
        import faulthandler, sys
        from pathlib import Path
        from inspector_app import crashlog
        session, _ = crashlog.begin(Path({str(tmp_path)!r}))
        faulthandler._sigsegv()
        """
    )
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    session, previous = crashlog.begin(tmp_path)
    session.end()
    assert previous is not None and previous.started
    report = previous.crash_log.read_text(encoding="utf-8")
    assert "Segmentation fault" in report and "most recent call first" in report
    # Reported once: the start after that one is a normal start.
    session, previous = crashlog.begin(tmp_path)
    session.end()
    assert previous is None


def test_a_kill_without_a_log_is_still_reported(tmp_path):
    child = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from inspector_app import crashlog
        crashlog.begin(Path({str(tmp_path)!r}))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    subprocess.run([sys.executable, "-c", child], timeout=60)
    session, previous = crashlog.begin(tmp_path)
    session.end()
    assert previous is not None and previous.crash_log is None  # killed: nothing could be written
    assert list(tmp_path.iterdir()) == []  # and its empty crash log is not left behind


def test_another_window_still_running_is_not_an_abnormal_end(tmp_path):
    running = subprocess.Popen(
        [sys.executable, "-c", f"from pathlib import Path; from inspector_app import crashlog; "
         f"crashlog.begin(Path({str(tmp_path)!r})); import sys; sys.stdin.read()"],
        stdin=subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(200):
            if list(tmp_path.glob("session-*.running")):
                break
            time.sleep(0.05)
        session, previous = crashlog.begin(tmp_path)
        session.end()
        assert previous is None
    finally:
        running.communicate(b"", timeout=30)
