"""The GUI entry point: `run(argv)` with `--db PATH` and `--demo`.

Start-up order (measured: the window must appear about as fast as an empty Qt window):
1. Qt widgets, our i18n, the main window module (no SQLAlchemy, Alembic or core.storage.db on this path);
2. QApplication, Qt's own Chinese strings, the window is shown;
3. one event-loop turn later the list fills from the roster's display cache (pure Python, no database
   import), while the database worker opens the database — importing SQLAlchemy and Alembic on its
   thread — and checks the cache against the tables, reloading the roster if it is stale or missing.

Python's automatic garbage collection is off for the whole session: once the list shows rows, the
GarbageCollector of ui/tasks.py collects on the GUI thread only, so that no worker thread ever frees a Qt
object (architecture rule 11). Until then nothing is collected: what start-up makes (modules, classes, the
window's widgets) lives as long as the program, so collecting among it is wasted work (≈ 6 % of the
instructions to the first paint, ≈ 60 collections). That is why Qt and the window's modules are imported
in run() and not here: importing this module changes nothing.

A crash (SIGSEGV, an abort) leaves faulthandler's report in `logs/`, and the next start says so
(inspector_app/crashlog.py).
"""

import gc
import logging
import os
import sys
import time
from pathlib import Path

from inspector_app import APP_NAME, __version__

log = logging.getLogger(__name__)
_T0 = time.perf_counter()

# Benchmarks and smoke tests: print start-up times (wall-clock epochs a launcher compares with its spawn
# time) and quit once the database's roster is shown.
ENV_STARTUP_PROBE = "INSPECTOR_APP_STARTUP_PROBE"


class UsageError(Exception):
    pass


def parse_args(argv: list[str]) -> tuple[Path | None, bool]:
    from inspector_app.i18n import _

    db, demo, rest = None, False, list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--demo":
            demo = True
        elif arg == "--db" and rest:
            db = Path(rest.pop(0))
        elif arg.startswith("--db="):
            db = Path(arg.split("=", 1)[1])
        else:
            raise UsageError(_("未知参数：{a}（图形界面只接受 --db 文件 和 --demo）").format(a=arg))
    return db, demo


def setup_logging(folder: Path) -> Path:
    import logging.handlers

    path = folder / "inspector_app.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration plugin otherwise
    return path


def run(argv: list[str]) -> int:
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(argv)
    finally:
        if collecting:
            gc.enable()


def _run(argv: list[str]) -> int:
    try:
        db_arg, demo = parse_args(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from inspector_app.i18n import language
    from inspector_app.ui import errors
    from inspector_app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    from inspector_app.ui.qt_i18n import install_qt_translations

    install_qt_translations(app, language())
    errors.install_excepthook()
    from inspector_app.paths import data_dir, default_db_path

    window = MainWindow(db_arg or default_db_path(), demo=demo)
    window.show()
    shown_at = time.time()
    # The crash log and the log file (logging.handlers, the data folder) are set up once the window is on screen.
    from inspector_app import crashlog

    logs = data_dir() / "logs"
    session, abnormal = crashlog.begin(logs)
    errors.set_log_file(setup_logging(logs))
    if abnormal is not None:
        QTimer.singleShot(0, lambda: _tell_abnormal_end(window, abnormal))
    log.info("%s %s: window shown after %.3f s", APP_NAME, __version__, time.perf_counter() - _T0)
    times = {"window_shown_at": shown_at}
    # Start-up is over once the list shows rows, or the database failed to open: from then on the GUI
    # thread collects garbage (automatic collection stays off, see above).
    collector = []

    def start_collecting(*_args) -> None:
        if not collector:
            from inspector_app.ui.tasks import GarbageCollector

            collector.append(GarbageCollector(app))

    window.roster_visible.connect(start_collecting)
    window.database_failed.connect(start_collecting)
    window.roster_visible.connect(lambda: _mark(times, "roster_visible_at"))
    window.roster_shown.connect(lambda: _roster_shown(window, times))
    QTimer.singleShot(0, window.start)  # after the first paint
    code = app.exec()
    window.shutdown()
    if collector:
        collector[0].stop()
    session.end()
    return code


def _tell_abnormal_end(window, abnormal) -> None:
    """Say that the last session ended abnormally, that the data is safe, and where its crash log is."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from inspector_app.i18n import _

    text = _("上次运行（{t} 开始）没有正常退出：程序崩溃、被强制关闭或断电。").format(t=abnormal.started)
    text += "\n" + _("已保存的检查记录都在数据库中，不受影响：每项填写在输入时即已保存。")
    if abnormal.crash_log is not None:
        text += "\n" + _("崩溃记录：{p}\n如需报告问题，请将此文件交技术支持。").format(p=abnormal.crash_log)
    box = QMessageBox(QMessageBox.Icon.Information, _("上次运行异常结束"), text, QMessageBox.StandardButton.Ok, window)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()  # not modal to the program: the inspector can carry on


def _mark(times: dict, key: str) -> None:
    times[key] = time.time()
    log.info("%s after %.3f s (since app module import)", key, time.perf_counter() - _T0)


def _roster_shown(window, times: dict) -> None:
    """The database's roster is on screen; the probe prints wall-clock times a launcher compares with its spawn."""
    _mark(times, "database_roster_at")
    if os.environ.get(ENV_STARTUP_PROBE):
        print("\n".join(f"{k} {v:.4f}" for k, v in times.items()), flush=True)
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, window.close)
