"""检查人员: the inspectors a team is drawn from (001 §24), each with the number of their 执法证."""

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
from inspector_app.ui.errors import show_error
from inspector_app.ui.geometry import fit_window


class InspectorsDialog(QDialog):
    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._worker = worker
        self.setWindowTitle(_("检查人员"))
        fit_window(self, "inspectors", (520, 440))

        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([_("姓名"), _("执法证号")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(_("例如：张伟"))
        self.badge_edit = QLineEdit()
        self.badge_edit.setPlaceholderText(_("执法证上的编号"))
        self.add_button = QPushButton(_("添加"))
        self.add_button.setAutoDefault(True)
        self.add_button.clicked.connect(self.add)
        self.badge_edit.returnPressed.connect(self.add)
        self.message = QLabel()  # a refusal is shown next to the fields, not in another dialog
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a4161a")

        form = QFormLayout()
        form.addRow(_("姓名："), self.name_edit)
        form.addRow(_("执法证号："), self.badge_edit)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.add_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("在用的检查人员（每次检查至少两人）：")))
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        from inspector_app.core.archive import list_inspectors

        self._worker.submit(list_inspectors, self._db, on_done=self._show, on_error=self._failed)

    def _show(self, inspectors) -> None:
        self.table.setRowCount(len(inspectors))
        for r, person in enumerate(inspectors):
            self.table.setItem(r, 0, QTableWidgetItem(person.name))
            self.table.setItem(r, 1, QTableWidgetItem(person.badge_no))

    def add(self) -> None:
        from inspector_app.core.archive import add_inspector

        self.add_button.setEnabled(False)
        self.message.clear()
        name, badge = self.name_edit.text(), self.badge_edit.text()
        self._worker.submit(add_inspector, self._db, name, badge, on_done=self._added, on_error=self._failed)

    def _added(self, _inspector_id: str) -> None:
        self.add_button.setEnabled(True)
        self.message.setText(_("已添加：{n}").format(n=self.name_edit.text().strip()))
        self.message.setStyleSheet("color: #1b5e20")
        self.name_edit.clear()
        self.badge_edit.clear()
        self.name_edit.setFocus()
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        from inspector_app.core.errors import DomainError

        self.add_button.setEnabled(True)
        if isinstance(exc, DomainError):
            self.message.setStyleSheet("color: #a4161a")
            self.message.setText(str(exc))
        else:
            show_error(exc, self)
