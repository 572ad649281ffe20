"""同步冲突: records edited in two places (or a completed record that arrived different). Both revisions are
kept; this screen shows them field by field in the clerk's words (an enterprise by name and credit code,
企业名称 not `name`) and lets a person keep one — for one record, or for many at once: every conflict of one
kind, or of one enterprise (sync/conflicts.py, sync/conflict_groups.py)."""

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
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
from inspector_app.ui.geometry import fit_window
from inspector_app.ui.sync_common import StatusLabel
from inspector_app.ui.tables import RowsModel, make_table


class ConflictsDialog(QDialog):
    """Open conflicts; the two revisions field by field; keep this one or take the other, for the selection."""

    resolved = Signal(str)

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self._rows: list = []  # ConflictRow of each list row
        self.setWindowTitle(_("同步冲突"))
        fit_window(self, "conflicts", (900, 600))
        self.list_model = RowsModel([_("记录"), _("类型"), _("原因"), _("对方"), _("发现时间")], self)
        self.list_view = make_table(self.list_model)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list_view.selectionModel().currentRowChanged.connect(self._select)
        self.list_view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.diff_model = RowsModel([_("项目"), _("本机版本"), _("对方版本")], self)
        self.diff_view = make_table(self.diff_model, single=True)
        self.select_all = QPushButton(_("全选"))
        self.select_kind = QPushButton(_("选中同类记录"))
        self.select_enterprise = QPushButton(_("选中同一企业"))
        self.select_all.clicked.connect(lambda: self.select_where(lambda r: True))
        self.select_kind.clicked.connect(self._same_kind)
        self.select_enterprise.clicked.connect(self._same_enterprise)
        choose = QHBoxLayout()
        for b in (self.select_all, self.select_kind, self.select_enterprise):
            choose.addWidget(b)
        choose.addStretch(1)
        self.remaining = QLabel()
        choose.addWidget(self.remaining)
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
                _(
                    "同一记录在两处都被修改过（或已完成的记录收到了不同的版本）。两个版本都已保留，请选择保留哪一个；"
                    "可以一次选中多条（同类记录或同一企业的全部冲突）一并处理："
                )
            )
        )
        layout.addLayout(choose)
        layout.addWidget(splitter, 1)
        layout.addLayout(actions)
        layout.addWidget(buttons)
        self._busy = False
        self._update_buttons()
        self.reload()

    # -- the list
    def reload(self) -> None:
        from inspector_app.sync.conflicts import list_conflicts

        self._worker.submit(list_conflicts, self._db, on_done=self._show, on_error=self._load_failed)

    def _load_failed(self, exc) -> None:
        show_error(exc, self)

    def _show(self, rows) -> None:
        self._rows = list(rows)
        self.list_model.set_rows(
            [
                (
                    r.title,
                    r.kind_label,
                    r.reason + (_("（另有 {n} 条相关记录随之处理）").format(n=r.waiting) if r.waiting else ""),
                    r.source_label,
                    r.detected_at.strftime("%Y-%m-%d %H:%M"),
                )
                for r in rows
            ],
            ids=[r.id for r in rows],
        )
        self.diff_model.set_rows([])
        self.remaining.setText(_("待处理 {n} 条").format(n=len(rows)))
        if rows:
            self.list_view.selectRow(0)
        elif not self.status.text():
            self.status.say(_("没有待处理的同步冲突。"))
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.list_view.selectionModel().selectedRows()})
        return [self._rows[r].id for r in rows if r < len(self._rows)]

    def select_where(self, wanted) -> int:
        """Select every row whose ConflictRow `wanted` accepts; returns how many."""
        selection = QItemSelection()
        last = self.list_model.columnCount() - 1
        n = 0
        for r, row in enumerate(self._rows):
            if wanted(row):
                selection.select(self.list_model.index(r, 0), self.list_model.index(r, last))
                n += 1
        self.list_view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._update_buttons()
        return n

    def _current(self):
        index = self.list_view.currentIndex()
        return self._rows[index.row()] if index.isValid() and index.row() < len(self._rows) else None

    def _same_kind(self) -> None:
        cur = self._current()
        if cur is not None:
            self.select_where(lambda r: r.kind == cur.kind)

    def _same_enterprise(self) -> None:
        cur = self._current()
        if cur is not None and cur.enterprise_id:
            self.select_where(lambda r: r.enterprise_id == cur.enterprise_id)

    def _update_buttons(self) -> None:
        n = len(self.selected_ids())
        cur = self._current()
        for b in (self.keep_local, self.take_incoming):
            b.setEnabled(n > 0 and not self._busy)
        self.keep_local.setText(_("保留本机版本（{n} 条）").format(n=n) if n > 1 else _("保留本机版本"))
        self.take_incoming.setText(_("采用对方版本（{n} 条）").format(n=n) if n > 1 else _("采用对方版本"))
        has_rows = bool(self._rows) and not self._busy
        self.select_all.setEnabled(has_rows)
        self.select_kind.setEnabled(has_rows and cur is not None)
        self.select_enterprise.setEnabled(has_rows and cur is not None and bool(cur.enterprise_id))

    # -- one record's two versions
    def _select(self, current: QModelIndex, _previous=None) -> None:
        from inspector_app.sync.conflicts import conflict_detail

        self._update_buttons()
        if not current.isValid():
            return
        cid = self.list_model.row_id(current.row())
        self._worker.submit(conflict_detail, self._db, cid, on_done=self._detail, on_error=self._load_failed)

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
        self._update_buttons()

    def current_conflict(self) -> str | None:
        cur = self._current()
        return cur.id if cur is not None else None

    # -- deciding
    def resolve(self, keep: str) -> None:
        from inspector_app.sync.conflict_groups import resolve_many

        ids = self.selected_ids()
        if not ids:
            return
        self._busy = True
        self._update_buttons()
        self._worker.submit(resolve_many, self._db, ids, keep, on_done=self._resolved, on_error=self._failed)

    def _resolved(self, result) -> None:
        self._busy = False
        text = _("已处理 {n} 条，").format(n=result.resolved) + (
            _("尚余 {r} 条待处理。").format(r=result.remaining) if result.remaining else _("没有待处理的同步冲突了。")
        )
        if result.failed:
            text += _("{n} 条未能处理：{e}").format(n=len(result.failed), e=result.failed[0])
        self.status.say(text, error=bool(result.failed))
        if result.resolved:
            self.resolved.emit("")
        self.reload()

    def _failed(self, exc) -> None:
        self._busy = False
        self.status.fail(exc)
        self._update_buttons()
