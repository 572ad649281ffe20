"""约谈: interviews of an enterprise's person in charge (《上海市工业产品生产许可证证后监督检查管理办法》
第三十五条, 第三十条第（四）项) — recorded, listed and printed as a signed 约谈记录
(`interview add|list|print`, core/supervision/interviews.py, documents/supervision_docs.py).
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
from inspector_app.ui import file_dialogs
from inspector_app.ui.errors import MessageLine
from inspector_app.ui.tables import RowsModel, district_combo, make_table

HEADERS = ("约谈日期", "企业", "统一社会信用代码", "区", "类型", "被约谈人", "约谈人", "事由", "整改期限", "文书编号")


class InterviewsView(QWidget):
    added = Signal(str)  # the interview's id
    printed = Signal(str)  # the record's number

    def __init__(self, db, worker, parent: QWidget | None = None):
        from inspector_app.core.supervision.interviews import KINDS

        super().__init__(parent)
        self.db, self.worker = db, worker
        self.setWindowTitle(_("约谈"))
        root = QVBoxLayout(self)
        form = QFormLayout()
        self.uscc = QLineEdit()
        self.uscc.setPlaceholderText(_("企业的统一社会信用代码"))
        self.kind = QComboBox()
        for code, (label, article) in KINDS.items():
            self.kind.addItem(label, code)
            self.kind.setItemData(self.kind.count() - 1, article, 3)  # Qt.ToolTipRole: the article
        self.on = QDateEdit(QDate.currentDate())
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.interviewee = QLineEdit()
        self.interviewee.setPlaceholderText(_("姓名"))
        self.title = QLineEdit()
        self.title.setPlaceholderText(_("职务，如：法定代表人"))
        self.interviewers = QLineEdit()
        self.interviewers.setPlaceholderText(_("至少两人，用顿号分隔：张伟、刘洋"))
        self.place = QLineEdit()
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(_("约谈事由"))
        self.outcome = QPlainTextEdit()
        self.outcome.setPlaceholderText(_("约谈结果、企业承诺（可不填）"))
        for box in (self.reason, self.outcome):
            box.setFixedHeight(self.fontMetrics().height() * 2 + 12)
        line = QHBoxLayout()
        for w in (self.kind, QLabel(_("约谈日期")), self.on, QLabel(_("地点")), self.place):
            line.addWidget(w)
        who = QHBoxLayout()
        for w in (self.interviewee, self.title):
            who.addWidget(w)
        form.addRow(_("企业"), self.uscc)
        form.addRow(_("类型"), line)
        form.addRow(_("被约谈人"), who)
        form.addRow(_("约谈人"), self.interviewers)
        form.addRow(_("事由"), self.reason)
        form.addRow(_("结果"), self.outcome)
        root.addLayout(form)
        self.add_button = QPushButton(_("登记约谈"))
        self.add_button.clicked.connect(self.add)
        self.message = MessageLine()
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.add_button)
        root.addLayout(row)

        filt = QHBoxLayout()
        self.year = QSpinBox()
        self.year.setRange(1999, 2100)
        self.year.setSpecialValueText(_("全部年度"))
        self.year.setValue(1999)
        self.district = district_combo(self)
        self.print_button = QPushButton(_("打印约谈记录…"))
        self.print_button.clicked.connect(self._ask_print)
        for w in (QLabel(_("年度")), self.year, QLabel(_("区")), self.district):
            filt.addWidget(w)
        filt.addStretch(1)
        filt.addWidget(self.print_button)
        root.addLayout(filt)
        self.model = RowsModel(tuple(_(h) for h in HEADERS))
        self.table = make_table(self.model, single=True)
        root.addWidget(self.table, 1)
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.district.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        from inspector_app.core.supervision.interviews import list_interviews

        year = self.year.value() if self.year.value() != self.year.minimum() else None
        self.worker.submit(
            list_interviews,
            self.db,
            year=year,
            district=self.district.currentData() or None,
            on_done=self._show,
            on_error=self._failed,
        )

    def _show(self, rows) -> None:
        self.model.set_rows(
            [
                (
                    r.held_on.isoformat(), r.enterprise_name, r.uscc, r.district, r.kind_label,
                    f"{r.interviewee}（{r.interviewee_title}）" if r.interviewee_title else r.interviewee,
                    r.interviewers, r.reason, r.deadline.isoformat() if r.deadline else "", r.number,
                )
                for r in rows
            ],
            ids=[r.id for r in rows],
        )  # fmt: skip

    def add(self, on: date | None = None) -> None:
        from inspector_app.core.supervision.bureau_records import add_interview

        names = [n for n in self.interviewers.text().replace(",", "、").replace("，", "、").split("、") if n.strip()]
        self.worker.submit(
            add_interview,
            self.db,
            self.uscc.text(),
            held_on=on or self.on.date().toPython(),
            kind=self.kind.currentData(),
            interviewee=self.interviewee.text(),
            interviewee_title=self.title.text(),
            interviewers=names,
            place=self.place.text(),
            reason=self.reason.toPlainText(),
            outcome=self.outcome.toPlainText(),
            on_done=self._added,
            on_error=self._failed,
        )

    def _added(self, interview_id: str) -> None:
        self.message.say(_("已登记约谈"))
        self.added.emit(interview_id)
        self.refresh()

    def _ask_print(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.message.say(_("请先在列表中选择一次约谈"), MessageLine.REFUSED)
            return
        name = self.model.row(rows[0].row())[1]
        path, _f = file_dialogs.get_save_file_name(
            self, _("保存约谈记录"), _("约谈记录-{n}.pdf").format(n=name), "PDF (*.pdf)"
        )
        if path:
            self.print_record(self.model.row_id(rows[0].row()), path)

    def print_record(self, interview_id: str, path: str) -> None:
        from inspector_app.documents.supervision_files import save_interview

        self.worker.submit(save_interview, self.db, interview_id, path, on_done=self._printed, on_error=self._failed)

    def _printed(self, printed) -> None:
        self.message.say(_("已打印约谈记录 {n}").format(n=printed.number))
        self.printed.emit(printed.number)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.message.refuse(exc)
