"""导入同步数据包: the bundle is verified in the background (signature, every hash, every record) and shown as
a preview — what will be added, updated, ignored, and what conflicts — before 导入 applies it in one
transaction. Closing the dialog by any means discards the verified files staged for it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui import file_dialogs, tasks
from inspector_app.ui.geometry import fit_window
from inspector_app.ui.sync_common import StatusLabel, TaskDialog
from inspector_app.ui.tables import RowsModel, make_table

_OUTCOME_COLUMNS = ("added", "updated", "deleted", "same", "older", "conflict")


class ImportDialog(TaskDialog):
    imported = Signal(object)  # ImportResult

    def __init__(self, db, worker, parent: QWidget | None = None, path: str | Path | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self._verified = None  # VerifiedBundle, staged, until applied or discarded
        self.preview = None
        self.result = None
        self.setWindowTitle(_("导入同步数据包"))
        fit_window(self, "bundle_import", (680, 520))

        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        browse = QPushButton(_("选择文件…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.source = StatusLabel()
        self.preview_model = RowsModel(
            [_("记录类型"), _("新增"), _("更新"), _("删除"), _("相同"), _("较旧（忽略）"), _("冲突")], self
        )
        self.preview_view = make_table(self.preview_model, stretch_last=False, single=True)
        # The kind takes the width left over; the counts keep the width of their headers.
        self.preview_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.preview_view.horizontalHeader().setMinimumSectionSize(56)
        self.conflict_model = RowsModel([_("冲突的记录"), _("类型"), _("原因")], self)
        self.conflict_view = make_table(self.conflict_model, single=True)
        self.conflict_view.setMaximumHeight(140)
        self.deletions = QLabel()  # what will disappear here: said before it is applied
        self.deletions.setWordWrap(True)
        self.deletions.hide()

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(_("导入"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.apply)

        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.source)
        layout.addWidget(QLabel(_("导入后将会：")))
        layout.addWidget(self.preview_view, 1)
        layout.addWidget(QLabel(_("冲突（两个版本都会保留，导入后在“同步冲突”中处理）：")))
        layout.addWidget(self.conflict_view)
        layout.addWidget(self.deletions)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        if path is not None:
            self.open_file(path)

    def _browse(self) -> None:
        path, _filter = file_dialogs.get_open_file_name(self, _("选择同步数据包"), "", _("同步数据包 (*.ibundle)"))
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        """Verify the file (signature, hashes, records) and show the preview; nothing is written."""
        from inspector_app.sync.importer import preview_bundle
        from inspector_app.sync.verify import verify_bundle

        self._discard()
        path = Path(path)
        self.path_edit.setText(str(path))
        self.preview_model.set_rows([])
        self.conflict_model.set_rows([])
        self.source.setText("")
        db = self._db

        def job(progress, cancelled):
            vb = verify_bundle(db, path, stage=True, full_check=False, progress=progress, cancelled=cancelled)
            try:
                return vb, preview_bundle(db, vb)
            except BaseException:
                vb.discard()
                raise

        self.import_button.setEnabled(False)
        # Closed while verifying: nobody takes the staged bundle, its staging folder is removed.
        self.run_task(job, self._verified_ok, _("正在校验数据包…"), cleanup=_discard_verified)

    def _show_preview(self, preview) -> None:
        from inspector_app.sync.conflicts import REASONS

        self.preview = preview
        self.source.setText(
            _("来自：{s}　第{n}号　生成于{t}（UTC）　{e}{f}").format(
                s=preview.source.label,
                n=preview.sequence,
                t=preview.created_at.strftime("%Y-%m-%d %H:%M"),
                e=_("已加密") if preview.encrypted else _("未加密"),
                f=_("　完整数据") if preview.full else "",
            )
        )
        self.preview_model.set_rows(
            [(k.label, *(k.counts[o] for o in _OUTCOME_COLUMNS)) for k in preview.kinds],
            ids=[k.kind for k in preview.kinds],
        )
        self.conflict_model.set_rows(
            [(c.title or c.record_id, c.label, REASONS.get(c.reason, c.reason)) for c in preview.conflicts],
            ids=[c.record_id for c in preview.conflicts],
        )
        shown = "、".join(_("{k}“{t}”").format(k=d.label, t=d.title) for d in preview.deletions[:10])
        if len(preview.deletions) > 10:
            shown += _(" 等共 {n} 条").format(n=len(preview.deletions))
        lines = [_("对方已删除，导入后本机也将删除：") + shown] if preview.deletions else []
        if preview.kept:  # the other half: deletions that will not happen here, said before, not after
            lines.append(
                _("另有 {n} 条记录对方已删除，但本机改过或仍有相关记录，将予以保留，并发回对方。").format(
                    n=preview.kept
                )
            )
        self.deletions.setText("\n".join(lines))
        self.deletions.setVisible(bool(lines))

    def _verified_ok(self, result) -> None:
        vb, preview = result
        self._verified = vb
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self._show_preview(preview)
        if preview.already_applied:
            self._discard()
            self.status.say(preview.summary_text())
            return
        text = _("校验通过：签名有效，每个文件的大小和校验值都与清单一致。")
        if preview.gaps:
            text += "\n" + _("注意：尚未收到该设备的第 {g} 号数据包。").format(g="、".join(map(str, preview.gaps[:20])))
        self.status.say(text)
        self.import_button.setEnabled(True)

    def apply(self) -> None:
        from inspector_app.sync.importer import apply_bundle

        vb = self._verified
        if vb is None:
            return
        db = self._db

        def job(progress, cancelled):
            try:
                return apply_bundle(db, vb, progress=progress)
            finally:
                vb.discard()

        self._verified = None
        self.import_button.setEnabled(False)
        # A bundle may bring roster, archive, register, templates and supervision records.
        self.run_task(job, self._applied, _("正在导入…"), changes=tasks.EVERYTHING)
        self.cancel_button.setEnabled(False)  # one transaction: it commits or not, there is no half-way

    def _applied(self, result) -> None:
        self.result = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self._show_preview(result.preview)
        self.status.say(result.summary_text())
        self.imported.emit(result)

    def task_failed(self, exc: BaseException) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.import_button.setEnabled(False)
        self._discard()
        self.status.fail(exc, _("导入失败，数据库未作任何改动。"))

    def _discard(self) -> None:
        if self._verified is not None:
            self._verified.discard()
            self._verified = None

    def done(self, r: int) -> None:  # closing by any means (reject waits for a running task first)
        self._discard()
        super().done(r)


def _discard_verified(result) -> None:
    vb, _preview = result
    vb.discard()
