"""Core work off the GUI thread, with Qt objects kept on it (architecture rules 3, 4 and 11).

After Anki's `aqt/taskman.py` and `aqt/operations`: one TaskManager per window runs core functions in two
lanes and hands results back on the GUI thread.
- `submit(fn, *args, on_done=, on_error=)`: the serial database lane. One thread runs jobs in submission
  order, so an answer typed after another is saved after it and SQLite sees one writer at a time.
- `run_in_background(fn, *args, on_progress=, ...)`: a long job (a bundle, a roster import) with progress
  and cancel, on a thread of its own, or on the serial lane with `serial=True` when it writes the database.
- `data_changed`: one signal, emitted on the GUI thread after a job that declared `changes=` succeeded;
  screens listen to it instead of being refreshed by hand.

Why this shape: PySide destroys a Qt object on whichever thread drops the last Python reference to it. A
worker that kept the bound method of a closed dialog as a leftover local destroyed that dialog on the worker
thread (heap corruption, SIGSEGV). So, by construction:
- a worker thread only ever holds the job: a function and plain arguments. `submit` refuses a job that
  references a Qt object (a bound method of one, a closure over one, one as an argument);
- callbacks never leave the GUI thread: they wait in a table keyed by the job's number, and the worker sends
  back only (number, result, error);
- a callback whose owner (the widget its bound method or closure belongs to) was destroyed, or whose dialog
  has closed, is dropped; an unexpected error is then still shown (a refusal the user walked away from is
  only logged); `cleanup=` releases a result nobody takes (a staged bundle);
- Python's cyclic garbage collector runs on the GUI thread only (`GarbageCollector`): a collection set off
  by an allocation on a worker thread would otherwise free a closed dialog caught in a reference cycle there.
"""

from __future__ import annotations

import functools
import gc
import inspect
import itertools
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog

from inspector_app.i18n import _

log = logging.getLogger(__name__)

# What a job can change; screens listen to `data_changed` for the kinds they show.
ROSTER = "roster"  # enterprises, licenses, sites, classes: the list and the archive
ARCHIVE = "archive"  # inspections, signatures, documents, photos of an enterprise
TEMPLATES = "templates"
DEVICE = "device"  # this installation's role, keys, device register
SETTINGS = "settings"
SUPERVISION = "supervision"  # plans, draws, follow-up
INSPECTORS = "inspectors"
EVERYTHING = frozenset({ROSTER, ARCHIVE, TEMPLATES, DEVICE, SETTINGS, SUPERVISION, INSPECTORS})

_CLOSED = "inspector_app_closed"  # dynamic property set on a dialog once it finished


class Cancelled(Exception):
    """Raised from a job's progress callback once the user asked to cancel a job that takes no `cancelled`."""


class QtObjectInJob(TypeError):
    """A job for a worker thread references a Qt object: a programming error, refused before it can crash."""


def _is_qt(value: Any) -> bool:
    return isinstance(value, shiboken6.Shiboken.Object)


def _qt_owner(value: Any, depth: int = 0) -> Any | None:
    """The Qt object a callable or value references, if any: a bound method's self, a closure cell, a partial's
    arguments, the items of a small container. Looks a few levels deep; that is where dialogs hide."""
    if depth > 3 or value is None or isinstance(value, (str, bytes, int, float, bool)):
        return None
    if _is_qt(value):
        return value
    if isinstance(value, functools.partial):
        return _first_qt([value.func, *value.args, *value.keywords.values()], depth + 1)
    if inspect.ismethod(value):
        return _qt_owner(value.__self__, depth + 1) or _qt_owner(value.__func__, depth + 1)
    if inspect.isbuiltin(value) or inspect.ismethoddescriptor(value) or type(value).__name__ == "method-wrapper":
        return _qt_owner(getattr(value, "__self__", None), depth + 1)  # label.setText: a Qt method of a widget
    if inspect.isfunction(value):
        cells = []
        for cell in value.__closure__ or ():
            try:
                cells.append(cell.cell_contents)
            except ValueError:  # an empty cell: a name not yet bound
                continue
        return _first_qt([*cells, *(value.__defaults__ or ()), *(value.__kwdefaults__ or {}).values()], depth + 1)
    if isinstance(value, (list, tuple, set, frozenset)) and len(value) <= 64:
        return _first_qt(value, depth + 1)
    if isinstance(value, dict) and len(value) <= 64:
        return _first_qt(value.values(), depth + 1)
    return None


def _first_qt(values: Iterable[Any], depth: int) -> Any | None:
    for v in values:
        found = _qt_owner(v, depth)
        if found is not None:
            return found
    return None


def check_plain_job(fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    """Refuse a job that would carry a Qt object onto a worker thread (rule 11)."""
    found = _first_qt([fn, *args, *kwargs.values()], 0)
    if found is not None:
        name = getattr(fn, "__qualname__", repr(fn))
        raise QtObjectInJob(
            f"job {name} references the Qt object {type(found).__name__}: pass a core function and plain values, "
            "and keep widgets in the callbacks"
        )


@dataclass
class _Pending:
    """What waits on the GUI thread for one job's outcome."""

    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    on_progress: Callable[[int, int, str], None] | None
    owner: Any | None  # the widget the callbacks belong to; None: always deliver
    changes: frozenset[str]
    cleanup: Callable[[Any], None] | None
    job: BackgroundJob | None = None


@dataclass(eq=False)
class BackgroundJob:
    """A handle on a long job: cancel it, ask whether it still runs, wait for it (GUI thread only)."""

    number: int
    _cancel: threading.Event = field(default_factory=threading.Event)
    _done: threading.Event = field(default_factory=threading.Event)
    _progress_lock: threading.Lock = field(default_factory=threading.Lock)
    _latest: tuple[int, int, str] | None = None  # the newest progress not yet shown

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def wait(self, timeout: float = 30.0) -> bool:
        return self._done.wait(timeout)


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


class TaskManager(QObject):
    """Runs core functions off the GUI thread and delivers their outcome on it; see the module docstring."""

    data_changed = Signal(object)  # frozenset[str] of the kinds above
    _finished = Signal(int, object, object)  # job number, result, error (worker → GUI thread)
    _progressed = Signal(int)  # job number: its newest progress is waiting

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._numbers = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._jobs: queue.Queue = queue.Queue()
        self._busy = 0  # serial jobs submitted and not yet run
        self._idle = threading.Condition()
        self._background: set[BackgroundJob] = set()  # long jobs on threads of their own, until delivered
        self._finished.connect(self._deliver)
        self._progressed.connect(self._show_progress)
        self._thread = threading.Thread(target=self._serial_loop, name="db-worker", daemon=True)
        self._thread.start()

    # --- submitting (GUI thread) --------------------------------------------------------------------------
    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        changes: Iterable[str] = (),
        cleanup: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Run `fn(*args, **kwargs)` on the serial database lane; `on_done(result)` / `on_error(exc)` follow
        on the GUI thread. Without `on_error`, an error is shown in the error dialog."""
        number = self._register(fn, args, kwargs, on_done, on_error, None, changes, cleanup)
        with self._idle:
            self._busy += 1
        self._jobs.put((number, fn, args, kwargs, None))

    def run_in_background(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        changes: Iterable[str] = (),
        cleanup: Callable[[Any], None] | None = None,
        serial: bool = False,
        **kwargs: Any,
    ) -> BackgroundJob:
        """A long job: `fn` gets `progress(done, total, text="")` and, when it takes one, `cancelled()`; a
        function without `cancelled` is stopped by `Cancelled` raised from its next progress call."""
        job = BackgroundJob(0)
        takes_cancelled = _accepts(fn, "cancelled")
        if takes_cancelled:
            kwargs["cancelled"] = job._cancel.is_set
        number = self._register(fn, args, kwargs, on_done, on_error, on_progress, changes, cleanup)
        job.number = number
        self._pending[number].job = job
        kwargs["progress"] = functools.partial(self._report, job, number, not takes_cancelled)
        if serial:
            with self._idle:
                self._busy += 1
            self._jobs.put((number, fn, args, kwargs, job))
        else:
            self._background.add(job)
            thread = threading.Thread(
                target=self._run_one, args=(number, fn, args, kwargs, job), name=f"task-{number}", daemon=True
            )
            thread.start()
        return job

    def _register(self, fn, args, kwargs, on_done, on_error, on_progress, changes, cleanup) -> int:
        check_plain_job(fn, args, kwargs)
        owner = _first_qt([on_done, on_error, on_progress], 0)
        if owner is not None:
            _watch_dialog(owner)
        number = next(self._numbers)
        self._pending[number] = _Pending(on_done, on_error, on_progress, owner, frozenset(changes), cleanup)
        return number

    # --- worker threads: they see jobs only, never a callback ---------------------------------------------
    def _serial_loop(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            number, fn, args, kwargs, job = item
            del item
            try:
                self._run_one(number, fn, args, kwargs, job)
            finally:
                del fn, args, kwargs, job  # nothing of this job stays alive in the loop
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    def _run_one(self, number: int, fn, args, kwargs, job: BackgroundJob | None) -> None:
        try:
            result, error = fn(*args, **kwargs), None
        except BaseException as exc:  # delivered to the GUI, never lost in the thread
            result, error = None, exc
            if not isinstance(exc, Exception) or not _expected(exc):
                log.error("job %s failed", getattr(fn, "__qualname__", fn), exc_info=exc)
        del fn, args, kwargs
        if job is not None:
            job._done.set()
        self._finished.emit(number, result, error)

    def _report(self, job: BackgroundJob, number: int, raise_when_cancelled: bool, done, total, text="", *_) -> None:
        if raise_when_cancelled and job._cancel.is_set():
            raise Cancelled
        with job._progress_lock:
            waiting = job._latest is not None
            job._latest = (int(done), int(total), str(text or ""))
        if not waiting:  # one queued signal at a time: a job may report ten thousand times
            self._progressed.emit(number)

    # --- delivery (GUI thread) ----------------------------------------------------------------------------
    def _show_progress(self, number: int) -> None:
        pending = self._pending.get(number)
        if pending is None or pending.job is None:
            return
        with pending.job._progress_lock:
            latest, pending.job._latest = pending.job._latest, None
        if latest is not None and pending.on_progress is not None and _alive(pending.owner):
            pending.on_progress(*latest)

    def _deliver(self, number: int, result: Any, error: BaseException | None) -> None:
        pending = self._pending.pop(number, None)
        if pending is None:
            return
        if pending.job is not None:
            self._background.discard(pending.job)
        if error is None and pending.changes:
            self.data_changed.emit(pending.changes)
        alive = _alive(pending.owner)
        if error is None:
            if pending.on_done is not None and alive:
                pending.on_done(result)
            elif pending.cleanup is not None:
                pending.cleanup(result)
            return
        if pending.on_error is not None and alive:
            pending.on_error(error)
        elif pending.on_error is None or not _expected(error):
            # Nobody asked for it, or its window has closed and it is not a refusal the user walked away from
            # (a preview refused after 取消): shown all the same, in a box that blocks nothing.
            from inspector_app.ui.errors import show_error

            show_error(error, None, wait=False)
        else:
            log.info("refusal after its window closed: %s", error)

    def announce(self, *changes: str) -> None:
        """Say that data changed outside a job's `changes=` (e.g. only when a report says it wrote)."""
        self.data_changed.emit(frozenset(changes))

    # --- waiting and stopping -----------------------------------------------------------------------------
    def settled(self) -> bool:
        """Every job submitted so far has run and its outcome was delivered (tests wait on this)."""
        return not self._pending

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every serial job has run (its callbacks follow from the event loop)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Cancel the long jobs and wait for them; let queued saves finish; end the serial thread."""
        for job in list(self._background):
            job.cancel()
        for job in list(self._background):
            job.wait(timeout)
        self.wait_idle(timeout)
        self._jobs.put(None)
        self._thread.join(timeout=5)


def _expected(exc: BaseException) -> bool:
    """Refusals the user is told about in words are not bugs: no traceback in the log for them."""
    from inspector_app.core.errors import DomainError

    return isinstance(exc, (DomainError, Cancelled))


def _watch_dialog(owner: Any) -> None:
    """Mark the owner's dialog once it finished, so that its late callbacks are dropped."""
    window = owner.window() if hasattr(owner, "window") else None
    if isinstance(window, QDialog) and window.property("inspector_app_watched") is not True:
        window.setProperty("inspector_app_watched", True)
        window.setProperty(_CLOSED, False)
        window.finished.connect(functools.partial(_mark_closed, window))


def _mark_closed(window: QDialog, _result: int) -> None:
    window.setProperty(_CLOSED, True)


def _alive(owner: Any | None) -> bool:
    if owner is None:
        return True
    if not shiboken6.isValid(owner):
        return False
    window = owner.window() if hasattr(owner, "window") else None
    return not (window is not None and shiboken6.isValid(window) and window.property(_CLOSED) is True)


class GarbageCollector(QObject):
    """Python's cyclic collection on the GUI thread only (after calibre's and Anki's GarbageCollector).

    Automatic collection runs in whichever thread allocates when a threshold is crossed; a worker thread
    could then free Qt objects caught in a cycle. Here automatic collection stays off and a timer collects,
    generation by generation as the thresholds would, on the GUI thread.
    """

    INTERVAL_MS = 1000

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self, interval=self.INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def stop(self) -> None:
        """The GUI has ended; whoever disabled automatic collection enables it again (ui/app.py run)."""
        self._timer.stop()

    def check(self) -> None:
        counts = gc.get_count()
        if counts[0] > self._thresholds[0]:
            generation = 0
            if counts[1] > self._thresholds[1]:
                generation = 1
                if counts[2] > self._thresholds[2]:
                    generation = 2
            gc.collect(generation)


def cancelled_text() -> str:
    return _("已取消，未作任何改动。")
