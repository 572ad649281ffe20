"""同步冲突: records edited in two places (or a completed record that arrived different). Both revisions are
kept; this screen shows them field by field and lets a person keep one (sync/conflicts.py)."""

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui.errors import show_error
from inspector_app.ui.sync_common import StatusLabel
from inspector_app.ui.tables import RowsModel, make_table


class ConflictsDialog(QDialog):
    """Open conflicts; the two revisions field by field; keep this one or take the other."""

    resolved = Signal(str)

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self.setWindowTitle(_("同步冲突"))
        self.resize(820, 560)
        self.list_model = RowsModel([_("记录"), _("类型"), _("原因"), _("对方"), _("发现时间")], self)
        self.list_view = make_table(self.list_model, single=True)
        self.list_view.selectionModel().currentRowChanged.connect(self._select)
        self.diff_model = RowsModel([_("字段"), _("本机版本"), _("对方版本")], self)
        self.diff_view = make_table(self.diff_model, single=True)
        self.keep_local = QPushButton(_("保留本机版本"))
        self.take_incoming = QPushButton(_("采用对方版本"))
        self.keep_local.clicked.connect(lambda: self.resolve("local"))
        self.take_incoming.clicked.connect(lambda: self.resolve("incoming"))
        self.status = StatusLabel()
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.keep_local)
        actions.addWidget(self.take_incoming)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list_view)
        splitter.addWidget(self.diff_view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                _("同一记录在两处都被修改过（或已完成的记录收到了不同的版本）。两个版本都已保留，请选择保留哪一个：")
            )
        )
        layout.addWidget(splitter, 1)
        layout.addLayout(actions)
        layout.addWidget(buttons)
        self._enable(False)
        self.reload()

    def _enable(self, on: bool) -> None:
        self.keep_local.setEnabled(on)
        self.take_incoming.setEnabled(on)

    def reload(self) -> None:
        from inspector_app.sync.conflicts import list_conflicts

        self._worker.submit(list_conflicts, self._db, on_done=self._show, on_error=lambda e: show_error(e, self))

    def _show(self, rows) -> None:
        self.list_model.set_rows(
            [(r.title, r.kind_label, r.reason, r.source_label, r.detected_at.strftime("%Y-%m-%d %H:%M")) for r in rows],
            ids=[r.id for r in rows],
        )
        self.diff_model.set_rows([])
        self._enable(False)
        if rows:
            self.list_view.selectRow(0)
        else:
            self.status.say(_("没有待处理的同步冲突。"))

    def _select(self, current: QModelIndex, _previous=None) -> None:
        from inspector_app.sync.conflicts import conflict_detail

        if not current.isValid():
            return
        cid = self.list_model.row_id(current.row())
        self._worker.submit(
            conflict_detail, self._db, cid, on_done=self._detail, on_error=lambda e: show_error(e, self)
        )

    def _detail(self, detail) -> None:
        self.diff_model.set_rows([(d.field, d.local, d.incoming) for d in detail.diffs])
        if detail.local_deleted:
            self.status.say(
                _("{k}：{t}，本机已删除该记录；“保留本机版本”即保持删除").format(
                    k=detail.row.kind_label, t=detail.row.title
                )
            )
        else:
            self.status.say(
                _("{k}：{t}，{n} 处不同").format(k=detail.row.kind_label, t=detail.row.title, n=len(detail.diffs))
            )
        self._enable(True)

    def current_conflict(self) -> str | None:
        index = self.list_view.currentIndex()
        return self.list_model.row_id(index.row()) if index.isValid() else None

    def resolve(self, keep: str) -> None:
        from inspector_app.sync.conflicts import resolve_conflict

        cid = self.current_conflict()
        if cid is None:
            return
        self._enable(False)

        def done(_result) -> None:
            self.resolved.emit(cid)
            self.reload()

        def failed(exc) -> None:
            self.status.fail(exc)
            self._enable(True)

        self._worker.submit(resolve_conflict, self._db, cid, keep, on_done=done, on_error=failed)
