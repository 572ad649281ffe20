"""One serial worker thread for database work, so the UI thread never waits on a commit.

Jobs run in submission order (an answer typed after another is saved after it). Results and errors come
back on the UI thread through the callbacks. `wait_idle()` lets tests and shutdown drain the queue.
"""

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class DbWorker(QObject):
    _finished = Signal(object, object, object)  # callback, result, is_error

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs: queue.Queue = queue.Queue()
        self._pending = 0
        self._lock = threading.Condition()
        self._finished.connect(self._deliver)
        self._thread = threading.Thread(target=self._run, name="db-worker", daemon=True)
        self._thread.start()

    def submit(
        self,
        fn: Callable[..., Any],
        *args,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs,
    ) -> None:
        with self._lock:
            self._pending += 1
        self._jobs.put((fn, args, kwargs, on_done, on_error))

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, args, kwargs, on_done, on_error = job
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # delivered to the UI, never lost in the thread
                log.exception("database job %s failed", getattr(fn, "__name__", fn))
                self._finished.emit(on_error, exc, True)
            else:
                self._finished.emit(on_done, result, False)
            finally:
                with self._lock:
                    self._pending -= 1
                    self._lock.notify_all()

    def _deliver(self, callback, value, is_error: bool) -> None:
        if callback is not None:
            owner = getattr(callback, "__self__", None)
            if isinstance(owner, QObject) and not shiboken6.isValid(owner):
                return  # its widget closed while the job ran (e.g. a label's setText): nobody to tell
            callback(value)
        elif is_error:
            from inspector_app.ui.errors import show_error

            show_error(value)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every submitted job has run (callbacks are delivered by the event loop afterwards)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)

    def stop(self) -> None:
        self.wait_idle()
        self._jobs.put(None)
        self._thread.join(timeout=5)
