"""检查人员: the register of inspectors (001 §24: 持合法有效证件的工作人员) and their draw marks (002 二(一):
组长, 技术专家副组长). The rules are core/supervision/inspectors.py's, the same as `inspector-app inspectors`:
the bureau edits names, districts, 可任组长, 技术专家 and 在用 in the table, adds an inspector below it, and
imports or exports the whole register (CSV/Excel, core/supervision/inspector_files.py).

The draw refuses a pool without leaders or experts and names this screen (menu 检查人员 → 管理检查人员…).
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui import file_dialogs
from inspector_app.ui.errors import MessageLine
from inspector_app.ui.geometry import fit_window

HEADERS = ("执法证号", "姓名", "所属区", "可任组长", "技术专家", "在用")
BADGE, NAME, DISTRICT, LEAD, TECH, ACTIVE = range(6)
# the column → the keyword of core.supervision.inspectors.update
FIELDS = {NAME: "name", DISTRICT: "district", LEAD: "can_lead", TECH: "technical", ACTIVE: "active"}


class InspectorsDialog(QDialog):
    changed = Signal()  # the register was written (a change, an addition, an import)

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._worker = worker
        self._rows = []  # InspectorRow, in table order
        self._field = False  # a field laptop: the draw marks are the bureau's
        self.setWindowTitle(_("检查人员"))
        fit_window(self, "inspectors", (760, 520))

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().setVisible(False)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._edited)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(_("例如：张伟"))
        self.badge_edit = QLineEdit()
        self.badge_edit.setPlaceholderText(_("执法证上的编号"))
        self.district_edit = QLineEdit()
        self.district_edit.setPlaceholderText(_("可不填，如：奉贤区"))
        self.add_button = QPushButton(_("添加"))
        self.add_button.setAutoDefault(True)
        self.add_button.clicked.connect(self.add)
        self.badge_edit.returnPressed.connect(self.add)
        self.message = MessageLine()  # a refusal is shown next to the fields, not in another dialog
        self.message.say("", MessageLine.REFUSED)

        form = QFormLayout()
        form.addRow(_("姓名："), self.name_edit)
        form.addRow(_("执法证号："), self.badge_edit)
        form.addRow(_("所属区："), self.district_edit)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.add_button)

        self.import_button = QPushButton(_("导入…"))
        self.import_button.setToolTip(
            _("从 CSV 或 Excel 文件导入检查人员（列：执法证号、姓名、所属区、可任组长、技术专家、在用）")
        )
        self.import_button.clicked.connect(self._ask_import)
        self.export_button = QPushButton(_("导出…"))
        self.export_button.clicked.connect(self._ask_export)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.export_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        hint = QLabel(
            _(
                "每次检查至少两人（《上海市工业产品生产许可证证后监督检查管理办法》第二十四条）。双随机抽取的检查组组长须勾选"
                "“可任组长”，副组长须勾选“技术专家”；不再执法的人员取消“在用”（保留在名册中，不再抽取）。"
                "双击姓名或所属区可修改。"
            )
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addLayout(bottom)
        self._check_role()
        self.reload()

    # --- loading ---------------------------------------------------------------------------------------
    def _check_role(self) -> None:
        from inspector_app.core.storage.sync_models import device_role

        self._worker.submit(device_role, self._db, on_done=self._role)

    def _role(self, role) -> None:
        from inspector_app.core.storage.sync_models import FIELD

        self._field = role == FIELD
        if self._field:
            self._fill(self._rows)

    def reload(self) -> None:
        from inspector_app.core.supervision.inspectors import list_all

        self._worker.submit(list_all, self._db, on_done=self._fill, on_error=self._failed)

    def _fill(self, rows) -> None:
        self._rows = list(rows)
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for r, person in enumerate(rows):
            badge = QTableWidgetItem(person.badge_no)
            badge.setFlags(badge.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(r, BADGE, badge)
            self.table.setItem(r, NAME, QTableWidgetItem(person.name))
            self.table.setItem(r, DISTRICT, QTableWidgetItem(person.district))
            for col, value in ((LEAD, person.can_lead), (TECH, person.technical), (ACTIVE, person.active)):
                item = QTableWidgetItem()
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if not (self._field and col in (LEAD, TECH)):
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                else:
                    item.setToolTip(_("区局办理：本机是现场检查终端"))
                item.setFlags(flags)
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
                self.table.setItem(r, col, item)
        self.table.blockSignals(False)

    # --- editing ---------------------------------------------------------------------------------------
    def _edited(self, item: QTableWidgetItem) -> None:
        from inspector_app.core.supervision.inspectors import update

        col = item.column()
        if col not in FIELDS or item.row() >= len(self._rows):
            return
        badge = self._rows[item.row()].badge_no
        value = item.checkState() == Qt.CheckState.Checked if col in (LEAD, TECH, ACTIVE) else item.text()
        change = {FIELDS[col]: value}
        self._worker.submit(update, self._db, badge, on_done=self._updated, on_error=self._refused, **change)

    def set_value(self, row: int, column: int, value) -> None:
        """What a user's edit of one cell does (a check box ticked, a name typed), for scripts and tests."""
        item = self.table.item(row, column)
        if isinstance(value, bool):
            item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
        else:
            item.setText(value)

    def _updated(self, person) -> None:
        self.message.say(_("已保存：{n}（{b}）").format(n=person.name, b=person.badge_no))
        self.changed.emit()
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        self._failed(exc)
        self.reload()  # the table shows what is stored, not the refused edit

    def add(self) -> None:
        from inspector_app.core.supervision.inspectors import add

        self.add_button.setEnabled(False)
        self.message.clear()
        name, badge, district = self.name_edit.text(), self.badge_edit.text(), self.district_edit.text()
        self._worker.submit(add, self._db, badge, name, district=district, on_done=self._added, on_error=self._failed)

    def _added(self, _inspector_id: str) -> None:
        self.add_button.setEnabled(True)
        self.message.say(_("已添加：{n}").format(n=self.name_edit.text().strip()))
        self.name_edit.clear()
        self.badge_edit.clear()
        self.name_edit.setFocus()
        self.changed.emit()
        self.reload()

    # --- files -----------------------------------------------------------------------------------------
    def _ask_import(self) -> None:
        path, _f = file_dialogs.get_open_file_name(
            self, _("导入检查人员"), "", _("检查人员名册 (*.csv *.xlsx);;CSV (*.csv);;Excel (*.xlsx)")
        )
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        from inspector_app.core.supervision.inspector_files import import_file

        self._worker.submit(import_file, self._db, path, on_done=self._imported, on_error=self._failed)

    def _imported(self, report) -> None:
        if report.errors:
            first = report.errors[0]
            self.message.say(_("未导入：{s}。{e}").format(s=report.summary(), e=first), MessageLine.REFUSED)
        else:
            self.message.say(_("已导入：{s}").format(s=report.summary()))
        if report.written:
            self.changed.emit()
        self.reload()

    def _ask_export(self) -> None:
        path, _f = file_dialogs.get_save_file_name(
            self, _("导出检查人员"), _("检查人员名册.xlsx"), "Excel (*.xlsx);;CSV (*.csv)"
        )
        if path:
            self.export_file(path)

    def export_file(self, path: str) -> None:
        from inspector_app.core.supervision.inspector_files import export_file

        self._worker.submit(
            export_file,
            self._db,
            path,
            on_done=lambda n: self.message.say(_("已导出{n}人：{p}").format(n=n, p=path)),
            on_error=self._failed,
        )

    # --- messages --------------------------------------------------------------------------------------
    def _failed(self, exc: BaseException) -> None:
        self.add_button.setEnabled(True)
        self.message.refuse(exc)
