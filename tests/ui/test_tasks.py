"""The TaskManager keeps Qt objects on the GUI thread (architecture rule 11), delivers outcomes there, drops
the callbacks of a closed dialog without losing an error, and announces what a job changed."""

import gc
import threading
import weakref

import pytest
import shiboken6
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from inspector_app.core.errors import DomainError
from inspector_app.ui import tasks
from inspector_app.ui.tasks import GarbageCollector, QtObjectInJob, TaskManager


@pytest.fixture
def manager(qtbot):
    m = TaskManager()
    yield m
    m.stop()


class Note:
    """A plain value a job is given: the worker must not keep it alive once the job ran."""


def add(a, b):
    return a + b


def test_outcomes_arrive_on_the_gui_thread_in_submission_order(qtbot, manager):
    seen = []

    def record(value):
        seen.append((value, threading.current_thread() is threading.main_thread()))

    for n in range(20):
        manager.submit(add, n, 1, on_done=record)
    qtbot.waitUntil(lambda: len(seen) == 20)
    assert seen == [(n + 1, True) for n in range(20)]


def test_a_job_that_references_a_widget_is_refused_before_it_reaches_a_thread(qtbot, manager):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    label = QLabel(dialog)
    ran = []

    def closure_over_widget():
        ran.append(label.text())

    with pytest.raises(QtObjectInJob, match="QLabel"):
        manager.submit(closure_over_widget)
    with pytest.raises(QtObjectInJob, match="QDialog"):
        manager.submit(dialog.windowTitle)  # a bound method of a dialog
    with pytest.raises(QtObjectInJob, match="QLabel"):
        manager.submit(add, [label], 1)  # a widget among the arguments
    with pytest.raises(QtObjectInJob):
        manager.run_in_background(lambda progress: label.text())
    assert manager.wait_idle(5)
    assert ran == []


def test_the_worker_keeps_nothing_of_a_job_once_it_ran(qtbot, manager):
    """The crash of the field: a leftover local on the worker was the last reference to a closed dialog's
    method. Whatever a job held is released once it ran, before the next job comes."""
    note = Note()
    gone = weakref.ref(note)
    results = []
    manager.submit(lambda n: id(n), note, on_done=results.append)
    del note
    qtbot.waitUntil(lambda: len(results) == 1)
    gc.collect()
    assert gone() is None


def test_a_closed_dialogs_callbacks_are_dropped_and_its_errors_still_shown(qtbot, manager, captured_boxes):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    label = QLabel("before", dialog)
    QVBoxLayout(dialog).addWidget(label)
    release = threading.Event()
    cleaned = []

    def slow(value):
        release.wait(5)
        return value

    def disk_full():
        release.wait(5)
        raise OSError(28, "No space left on device")

    def refused():
        release.wait(5)
        raise DomainError("编号前缀未设置")

    manager.submit(slow, "after", on_done=label.setText, cleanup=cleaned.append)
    manager.submit(disk_full, on_error=lambda exc: label.setText(str(exc)))
    manager.submit(refused, on_error=lambda exc: label.setText(str(exc)))
    dialog.show()
    dialog.reject()  # the inspector closes the dialog while its jobs run
    release.set()
    assert manager.wait_idle(5)
    qtbot.waitUntil(manager.settled)
    assert label.text() == "before"  # nothing was delivered into the closed dialog
    assert cleaned == ["after"]  # the result nobody took was released
    # The unexpected error reached the inspector all the same; the refusal of a closed dialog is only logged.
    assert len(captured_boxes) == 1 and "No space left on device" in captured_boxes[0]


def test_a_destroyed_owner_gets_nothing(qtbot, manager):
    label = QLabel()
    release = threading.Event()
    manager.submit(lambda: release.wait(5) and "x", on_done=label.setText)
    label.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(label))
    release.set()
    assert manager.wait_idle(5)
    # The delivery ran, and did not touch the deleted label (that would raise RuntimeError in the event loop).
    qtbot.waitUntil(manager.settled)


def test_data_changed_follows_a_successful_job_only(qtbot, manager, captured_boxes):
    announced = []
    manager.data_changed.connect(announced.append)
    manager.submit(add, 1, 2, changes={tasks.ROSTER})
    manager.submit(add, 1, "x", changes={tasks.ARCHIVE}, on_error=lambda exc: None)
    manager.submit(add, 1, 2, changes={tasks.ARCHIVE, tasks.TEMPLATES})
    qtbot.waitUntil(lambda: len(announced) == 2)
    assert announced == [frozenset({tasks.ROSTER}), frozenset({tasks.ARCHIVE, tasks.TEMPLATES})]


def test_a_long_job_reports_progress_and_stops_when_cancelled(qtbot, manager):
    reached, release = threading.Event(), threading.Event()
    shown, outcome = [], []

    def import_like(rows, progress):  # a core function without `cancelled`: stopped from its progress call
        for n in range(1, rows + 1):
            progress(n, rows, f"第 {n} 行")
            if n == 2:
                reached.set()
                release.wait(5)
        return rows

    job = manager.run_in_background(
        import_like, 10, on_done=outcome.append, on_error=outcome.append, on_progress=lambda *p: shown.append(p)
    )
    assert reached.wait(5)
    qtbot.waitUntil(lambda: bool(shown) and shown[-1][0] == 2)
    assert shown[-1] == (2, 10, "第 2 行")
    job.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(outcome))
    assert isinstance(outcome[0], tasks.Cancelled)
    assert not job.running


def test_a_long_job_that_takes_cancelled_is_asked_instead(qtbot, manager):
    started = threading.Event()
    outcome = []

    def export_like(progress, cancelled):
        started.set()
        while not cancelled():
            threading.Event().wait(0.005)
        return "stopped cleanly"

    job = manager.run_in_background(export_like, on_done=outcome.append, on_error=outcome.append)
    assert started.wait(5)
    job.cancel()
    qtbot.waitUntil(lambda: bool(outcome))
    assert outcome == ["stopped cleanly"]


def test_stop_cancels_and_waits_for_long_jobs(qtbot):
    manager = TaskManager()
    finished = threading.Event()

    def export_like(progress, cancelled):
        while not cancelled():
            threading.Event().wait(0.005)
        finished.set()

    manager.run_in_background(export_like)
    manager.stop()
    assert finished.is_set()


def test_garbage_is_collected_on_the_gui_thread_only(qtbot):
    was_enabled = gc.isenabled()
    collector = GarbageCollector(None)
    try:
        assert not gc.isenabled()  # a worker's allocation can no longer start a collection

        class Cycle:
            pass

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        junk = [[] for _ in range(gc.get_threshold()[0] + 10)]  # past the first generation's threshold
        assert gone() is not None
        collector.check()
        assert gone() is None
        del junk
    finally:
        collector.stop()
        if was_enabled:
            gc.enable()
