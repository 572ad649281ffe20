"""许可证处置: the licensing authority's decisions that end a license — 撤回, 撤销, 吊销, 注销
(《上海市工业产品生产许可证证后监督检查管理办法》第三十九条至第四十三条) — recorded by the bureau with the
effective date, the decision's number and its basis, and listed (`license end|list`,
core/supervision/license_actions.py). An ended license shows as such in the roster and the archive.
"""

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui.errors import MessageLine
from inspector_app.ui.sync_common import bureau_only
from inspector_app.ui.tables import RowsModel, district_combo, make_table
from inspector_app.ui.tasks import ROSTER

HEADERS = (
    "生效日期",
    "处置",
    "许可证编号",
    "企业",
    "统一社会信用代码",
    "区",
    "产品类别",
    "决定书文号",
    "事实、理由和依据",
)


class LicenseActionsView(QWidget):
    recorded = Signal(str)  # the action's id

    def __init__(self, db, worker, parent: QWidget | None = None):
        from inspector_app.core.supervision.license_actions import KINDS

        super().__init__(parent)
        self.db, self.worker = db, worker
        self.setWindowTitle(_("许可证撤回、撤销、吊销、注销"))
        root = QVBoxLayout(self)

        form = QFormLayout()
        self.number = QLineEdit()
        self.number.setPlaceholderText(_("如：(沪)XK13-006-00021"))
        self.kind = QComboBox()
        for code, (label, article) in KINDS.items():
            self.kind.addItem(label, code)
            self.kind.setItemData(self.kind.count() - 1, article, 3)  # Qt.ToolTipRole
        self.on = QDateEdit(QDate.currentDate())
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.decision = QLineEdit()
        self.decision.setPlaceholderText(_("决定书文号"))
        self.authority = QLineEdit()
        self.authority.setPlaceholderText(_("作出决定的机关（可不填）"))
        self.basis = QPlainTextEdit()
        self.basis.setPlaceholderText(_("事实、理由和依据"))
        self.basis.setFixedHeight(self.fontMetrics().height() * 3 + 12)
        row = QHBoxLayout()
        for w in (self.kind, QLabel(_("生效日期")), self.on, QLabel(_("文号")), self.decision):
            row.addWidget(w)
        form.addRow(_("许可证编号"), self.number)
        form.addRow(_("处置"), row)
        form.addRow(_("决定机关"), self.authority)
        form.addRow(_("依据"), self.basis)
        self.record_button = QPushButton(_("登记"))
        self.record_button.clicked.connect(self.record)
        self.message = MessageLine()
        act = QHBoxLayout()
        act.addWidget(self.message, 1)
        act.addWidget(self.record_button)
        root.addLayout(form)
        root.addLayout(act)

        filt = QHBoxLayout()
        self.year = QSpinBox()
        self.year.setRange(1999, 2100)
        self.year.setSpecialValueText(_("全部年度"))
        self.year.setValue(1999)
        self.district = district_combo(self)
        for w in (QLabel(_("年度")), self.year, QLabel(_("区")), self.district):
            filt.addWidget(w)
        filt.addStretch(1)
        root.addLayout(filt)
        self.model = RowsModel(tuple(_(h) for h in HEADERS))
        root.addWidget(make_table(self.model), 1)
        bureau_only(self.worker, self.db, self.record_button)
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.district.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        from inspector_app.core.supervision.license_actions import list_actions

        year = self.year.value() if self.year.value() != self.year.minimum() else None
        self.worker.submit(
            list_actions,
            self.db,
            year=year,
            district=self.district.currentData() or None,
            on_done=self._show,
            on_error=self._failed,
        )

    def _show(self, rows) -> None:
        from inspector_app.core.supervision.license_actions import KINDS

        self.model.set_rows(
            [
                (
                    r.effective_on.isoformat(), KINDS[r.kind][0], r.license_number, r.enterprise_name, r.uscc,
                    r.district, r.category, r.decision_no, r.basis,
                )
                for r in rows
            ],
            ids=[r.id for r in rows],
        )  # fmt: skip

    def record(self, on: date | None = None) -> None:
        from inspector_app.core.supervision.license_actions import record

        self.worker.submit(
            record,
            self.db,
            self.number.text(),
            self.kind.currentData(),
            effective_on=on or self.on.date().toPython(),
            decision_no=self.decision.text(),
            basis=self.basis.toPlainText(),
            authority=self.authority.text(),
            on_done=self._recorded,
            on_error=self._failed,
            changes=(ROSTER,),  # the main window's list shows the ended license (已注销 …)
        )

    def _recorded(self, action_id: str) -> None:
        self.message.say(_("已登记：{n} {k}").format(n=self.number.text().strip(), k=self.kind.currentText()))
        self.recorded.emit(action_id)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.message.refuse(exc)
