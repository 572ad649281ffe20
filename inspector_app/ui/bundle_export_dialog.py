"""导出同步数据包: choose the destination and the file; the export runs in the background with progress and
取消 (sync/export.py writes a temporary file and renames it, so a cancel leaves nothing behind)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui import file_dialogs
from inspector_app.ui.geometry import fit_window
from inspector_app.ui.sync_common import TaskDialog, identity_and_devices


class ExportDialog(TaskDialog):
    """A laptop exports to the bureau (encrypted by default); the bureau to one laptop or to every device."""

    finished_export = Signal(object)  # ExportResult

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self._identity = None
        self.result = None
        self.setWindowTitle(_("导出同步数据包"))
        fit_window(self, "bundle_export", (560, 300))

        self.destination = QComboBox()
        self.destination.currentIndexChanged.connect(self._destination_changed)
        self.full = QCheckBox(_("导出全部数据（不只是上次导出以来的新数据）"))
        self.encrypt = QCheckBox(_("用对方的公钥加密（U盘遗失也不会泄露数据）"))
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(_("例如：E:/现场检查/张伟-0003.ibundle"))
        browse = QPushButton(_("浏览…"))
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        form = QFormLayout()
        form.addRow(_("发往："), self.destination)
        form.addRow(_("文件："), path_row)
        form.addRow("", self.full)
        form.addRow("", self.encrypt)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(_("导出"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.export_button.clicked.connect(self.start)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.buttons)
        self.export_button.setEnabled(False)
        self._worker.submit(identity_and_devices, self._db, on_done=self._fill, on_error=self.status.fail)

    def _fill(self, loaded) -> None:
        from inspector_app.core.storage.sync_models import BUREAU

        identity, devices = loaded
        self._identity = identity
        if identity is None:
            self.status.say(_("本机尚未完成初始设置（选择现场检查终端或区局并生成密钥），不能导出。"), error=True)
            return
        self.destination.clear()
        if identity.role == BUREAU:
            self.destination.addItem(_("全部设备（群发名册、档案与设置）"), "*")
        for d in devices:
            if d.is_self or d.revoked_at is not None:
                continue
            if identity.role != BUREAU and d.role != BUREAU:
                continue  # a laptop sends to the bureau only
            self.destination.addItem(d.label, d.id)
        if self.destination.count() == 0:
            self.status.say(_("尚未登记区局的公钥：请先在“同步 → 设备登记”中导入区局提供的 .ibkey 文件。"), error=True)
            return
        self.export_button.setEnabled(True)
        self._destination_changed()

    def _destination_changed(self) -> None:
        from inspector_app.core.storage.sync_models import FIELD

        dest = self.destination.currentData()
        single = dest not in (None, "*")
        self.encrypt.setEnabled(single)
        self.encrypt.setChecked(single and self._identity is not None and self._identity.role == FIELD)

    def _browse(self) -> None:
        path, _filter = file_dialogs.get_save_file_name(
            self, _("保存同步数据包"), self.path_edit.text(), _("同步数据包 (*.ibundle)")
        )
        if path:
            if not path.endswith(".ibundle"):
                path += ".ibundle"
            self.path_edit.setText(path)

    def start(self) -> None:
        from inspector_app.sync.export import export_bundle

        text = self.path_edit.text().strip()
        if not text:
            self.status.say(_("请选择要保存的文件。"), error=True)
            return
        path = Path(text)
        overwrite = False
        if path.exists():
            answer = QMessageBox.question(self, _("导出"), _("“{p}”已存在，要覆盖吗？").format(p=path))
            if answer != QMessageBox.StandardButton.Yes:
                return
            overwrite = True
        dest, full = self.destination.currentData(), self.full.isChecked()
        encrypt = self.encrypt.isChecked() if self.encrypt.isEnabled() else False
        db = self._db

        def job(progress, cancelled):
            return export_bundle(
                db,
                path,
                to=dest,
                full=full,
                encrypt=encrypt,
                overwrite=overwrite,
                progress=progress,
                cancelled=cancelled,
            )

        self.export_button.setEnabled(False)
        self.run_task(job, self._done, _("正在导出…"))

    def _done(self, result) -> None:
        self.result = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        lines = [
            _("已导出“{p}”：发往{d}，第{n}号，{e}。").format(
                p=result.path.name,
                d=result.destination_label,
                n=result.sequence,
                e=_("已加密") if result.encrypted else _("未加密"),
            ),
            _("记录 {r} 条，附件 {f} 个，共 {b:.1f} MB。").format(
                r=result.records, f=result.files, b=result.bytes / 1e6
            ),
        ]
        if result.deleted:
            gone = sum(result.deleted.values())
            lines.append(_("其中 {n} 条是本机已删除的记录，对方收到后也将删除。").format(n=gone))
        if result.empty:
            lines.append(_("自上次导出以来没有新数据。"))
        self.status.say("\n".join(lines))
        self.export_button.setEnabled(True)
        self.finished_export.emit(result)

    def task_failed(self, exc: BaseException) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.export_button.setEnabled(self._identity is not None)
        self.status.fail(exc, _("导出失败。"))
