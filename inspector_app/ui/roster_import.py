"""Filling the roster from the main window: import a file with a progress dialog — when some rows are wrong,
show them and offer to import the others (nothing is written until the user decides) — or load the demo."""

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from inspector_app.i18n import _
from inspector_app.ui import file_dialogs
from inspector_app.ui.progress import ProgressDialogRun
from inspector_app.ui.tasks import ROSTER


def choose_and_import(window) -> None:
    """`window` is the MainWindow: its database, its task manager, the parent of the dialogs."""
    path, _filter = file_dialogs.get_open_file_name(
        window, _("导入企业名录"), "", _("企业名录 (*.xlsx *.csv);;所有文件 (*)")
    )
    if path:
        import_file(window, Path(path), skip_invalid=False)


def import_file(window, path: Path, *, skip_invalid: bool) -> None:
    from inspector_app.core.roster.importer import import_roster

    worker = window.worker

    def done(report):
        if report.written:
            worker.announce(ROSTER)
            show_written(window, report)
        elif report.errors and ask_skip_invalid(window, report):
            import_file(window, path, skip_invalid=True)

    # roster files: an exception raised by the progress callback cancels the import, nothing is written.
    ProgressDialogRun(
        window,
        worker,
        _("正在导入企业名录…"),
        import_roster,
        window.db,
        path,
        skip_invalid=skip_invalid,
        on_done=done,
        cancellable=True,
    )


def show_written(parent, report) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, _("导入企业名录"), _("企业名录已导入。"), parent=parent)
    box.setInformativeText("\n".join(report.summary_lines()))
    if report.errors or report.warnings:
        box.setDetailedText("\n".join(str(e) for e in [*report.errors, *report.warnings]))
    box.exec()


def ask_skip_invalid(parent, report) -> bool:
    """Nothing was written because some rows are wrong: show them, offer to import the others."""
    good = report.rows_read - len(report.bad_rows)
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        _("导入企业名录"),
        _("名录中有 {n} 行有问题，尚未导入任何数据。").format(n=len(report.bad_rows)),
        parent=parent,
    )
    shown = report.errors[:8]
    more = len(report.errors) - len(shown)
    text = "\n".join(str(e) for e in shown) + (_("\n……另有 {n} 处问题，见详细信息。").format(n=more) if more else "")
    box.setInformativeText(text)
    box.setDetailedText("\n".join(str(e) for e in [*report.errors, *report.warnings]))
    skip = box.addButton(_("跳过有问题的行，导入其余 {n} 行").format(n=good), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("不导入，先修改名录"), QMessageBox.ButtonRole.RejectRole)
    skip.setEnabled(good > 0)
    box.exec()
    return box.clickedButton() is skip


def load_demo(window, *, confirm: bool = True) -> None:
    from inspector_app.core.demo import load_demo

    if confirm:
        answer = QMessageBox.question(
            window,
            _("加载演示数据"),
            _(
                "将向本机数据库加入演示用的企业名录（646 家企业）和 20 名检查人员。\n\n"
                "准备与区局同步的现场检查终端不必加载：请从局里的同步数据包开始"
                "（“同步 → 导入同步数据包…”），名录随之而来。\n\n确定加载演示数据吗？"
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
    ProgressDialogRun(window, window.worker, _("正在加载演示数据…"), load_demo, window.db, changes={ROSTER})
