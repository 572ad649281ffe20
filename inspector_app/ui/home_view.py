"""我的工作 (issue 16 §2): the first thing a field laptop shows.

Drafts in progress, this laptop's inspector's tasks (the draw's assignments and the 回访 due this week) and the
records completed here that the bureau has not confirmed — each one double-click or Enter from its form. The
list comes from one core read (core/supervision/my_work.py) on the database lane and follows `data_changed`.

Signals, wired by the main window:
- `open_requested(inspection_id, kind)`: an existing form (a 回访 opens the follow-up form, others the
  checklist);
- `start_requested(enterprise_id, site_id)`: a task not started yet → the start dialog for that enterprise.
A 回访 due and not started asks for its team here (001 §24: at least two) and then asks to open it.
"""

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui.errors import show_error
from inspector_app.ui.tasks import ARCHIVE, DEVICE, SETTINGS, SUPERVISION

ROW = Qt.ItemDataRole.UserRole
OVERDUE = QColor("#c62828")


class HomeView(QWidget):
    open_requested = Signal(str, str)  # inspection id, kind
    start_requested = Signal(str, str)  # enterprise id, site id

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.worker = db, worker
        self.work = None  # my_work.MyWork once loaded
        self._pending_followup = None  # the 回访 due whose team is being chosen
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.title = QLabel(_("我的工作"))
        self.title.setStyleSheet("font-weight: bold")
        refresh = QPushButton(_("刷新"))
        refresh.clicked.connect(self.refresh)
        head.addWidget(self.title, 1)
        head.addWidget(refresh)
        v.addLayout(head)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("企业"), _("时间"), _("说明"), _("生产地址")])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.itemActivated.connect(self._activated)  # double-click or Enter
        v.addWidget(self.tree, 1)
        self.hint = QLabel(_("双击或按回车键打开。"))
        self.hint.setWordWrap(True)
        v.addWidget(self.hint)
        if worker is not None:
            worker.data_changed.connect(self._data_changed)

    def set_database(self, db, worker) -> None:
        """The main window builds the view before the database is open."""
        if self.worker is None:
            worker.data_changed.connect(self._data_changed)
        self.db, self.worker = db, worker
        self.refresh()

    def _data_changed(self, changes) -> None:
        if changes & {ARCHIVE, SUPERVISION, SETTINGS, DEVICE}:
            self.refresh()

    def refresh(self) -> None:
        if self.db is None or self.worker is None:
            return
        from inspector_app.core.supervision.my_work import my_work

        self.worker.submit(my_work, self.db, on_done=self._show, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            show_error(exc, self)

    def _show(self, work) -> None:
        if not shiboken6.isValid(self):
            return
        from inspector_app.core.supervision.my_work import SECTIONS

        self.work = work
        who = work.inspector_name or _("未设置本机使用人（设置 → 本机使用人），只列出草稿和未同步的记录")
        self.title.setText(_("我的工作　{d}　{w}").format(d=work.today.isoformat(), w=who))
        self.tree.clear()
        first = None
        for key, label in SECTIONS.items():
            rows = work.section(key)
            head = QTreeWidgetItem([f"{_(label)}（{len(rows)}）"])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            head.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(head)
            for row in rows:
                item = QTreeWidgetItem([row.enterprise_name, row.when, row.detail, row.site_address])
                item.setData(0, ROW, row)
                item.setToolTip(0, row.uscc)
                if row.when.startswith(_("已逾期")):
                    item.setForeground(1, QBrush(OVERDUE))
                self.tree.addTopLevelItem(item)
                first = first or item
        for c in range(3):
            self.tree.resizeColumnToContents(c)
        if first is not None:
            self.tree.setCurrentItem(first)

    def rows(self) -> list:
        """The work rows as listed (section headings left out)."""
        out = []
        for n in range(self.tree.topLevelItemCount()):
            row = self.tree.topLevelItem(n).data(0, ROW)
            if row is not None:
                out.append(row)
        return out

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        row = item.data(0, ROW)
        if row is None:
            return
        if row.inspection_id:
            self.open_requested.emit(row.inspection_id, row.kind)
        elif row.kind == "followup":
            self._ask_followup_team(row)
        else:
            self.start_requested.emit(row.enterprise_id, row.site_id)

    # ---------------------------------------------------------------- a 回访 due, not started yet
    def _ask_followup_team(self, row) -> None:
        from inspector_app.core.archive import list_inspectors

        self._pending_followup = row
        self.worker.submit(list_inspectors, self.db, on_done=self._choose_team, on_error=self._failed)

    def _choose_team(self, inspectors) -> None:
        if not shiboken6.isValid(self):
            return
        from inspector_app.ui.followup_view import TeamDialog

        row = self._pending_followup
        dialog = TeamDialog(inspectors, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        from inspector_app.core.supervision.rectification import start_followup

        self.worker.submit(
            start_followup,
            self.db,
            row.enterprise_id,
            team=dialog.team(),
            site_id=row.site_id,
            changes={ARCHIVE, SUPERVISION},
            on_done=self._followup_started,
            on_error=self._failed,
        )

    def _followup_started(self, inspection_id: str) -> None:
        if shiboken6.isValid(self):
            self.open_requested.emit(inspection_id, "followup")
