"""企业分类: the bureau's classification work on one screen (《上海市工业产品生产许可证证后监督检查管理办法》
第八条至第三十三条, as core/supervision/classification.py applies them).

- 分类变更: every change of class, newest first, with the rule applied (cited by article) and its evidence
  (the reason written with the change, the AA self-commitment) — core/supervision/class_changes.py.
- 分类期限: new licensees to classify within two months of their license (第十条; `classify overdue`),
  with 判定为B类 (the new licensee's class) and 出具分类告知书 (第十一条; `classify notice`).
"""

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui import file_dialogs
from inspector_app.ui.errors import MessageLine
from inspector_app.ui.sync_common import bureau_only
from inspector_app.ui.tables import RowsModel, district_combo, make_table

CHANGE_HEADERS = ("日期", "企业", "统一社会信用代码", "区", "产品类别", "变更", "依据", "理由和证据", "办理人")
DUE_HEADERS = ("企业", "统一社会信用代码", "区", "取得许可证", "分类期限", "状态")
DUE_COLORS = {"overdue": "#FDE2E1", "pending": "#FFF4D6"}


class ClassificationView(QWidget):
    notice_saved = Signal(str)  # the document number
    classified = Signal(str)  # enterprise id

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.worker = db, worker
        self.setWindowTitle(_("企业分类"))
        root = QVBoxLayout(self)
        top = QHBoxLayout()
        self.year = QSpinBox()
        self.year.setRange(1999, 2100)
        self.year.setSpecialValueText(_("全部年度"))
        self.year.setValue(1999)  # the special value: every year
        self.district = district_combo(self)
        self.message = MessageLine()
        for w in (QLabel(_("年度")), self.year, QLabel(_("区")), self.district):
            top.addWidget(w)
        top.addWidget(self.message, 1)
        root.addLayout(top)

        self.tabs = QTabWidget()
        page = QWidget()
        pv = QVBoxLayout(page)
        pv.setContentsMargins(0, 0, 0, 0)
        self.change_model = RowsModel(tuple(_(h) for h in CHANGE_HEADERS))
        self.change_table = make_table(self.change_model, single=True)
        pv.addWidget(self.change_table, 1)
        row = QHBoxLayout()
        self.notice_button = QPushButton(_("出具分类告知书…"))
        self.notice_button.setToolTip(
            _("向所选企业告知其分类结果（《上海市工业产品生产许可证证后监督检查管理办法》第十一条）")
        )
        self.notice_button.clicked.connect(lambda: self._ask_notice(self.change_table, self.change_model))
        row.addStretch(1)
        row.addWidget(self.notice_button)
        pv.addLayout(row)
        self.tabs.addTab(page, _("分类变更"))

        page = QWidget()
        pv = QVBoxLayout(page)
        pv.setContentsMargins(0, 0, 0, 0)
        hint = QLabel(
            _(
                "新获证企业应在取得生产许可证后两个月内完成分类"
                "（《上海市工业产品生产许可证证后监督检查管理办法》第十条），并书面告知企业（第十一条）。"
            )
        )
        hint.setWordWrap(True)
        pv.addWidget(hint)
        self.all_due = QCheckBox(_("也列出未到期的（待分类）"))
        self.all_due.setChecked(True)
        pv.addWidget(self.all_due)
        self.due_model = RowsModel(tuple(_(h) for h in DUE_HEADERS))
        self.due_table = make_table(self.due_model, single=True)
        pv.addWidget(self.due_table, 1)
        row = QHBoxLayout()
        self.new_button = QPushButton(_("判定为B类（新获证企业）"))
        self.new_button.clicked.connect(self._classify_selected)
        self.due_notice_button = QPushButton(_("出具分类告知书…"))
        self.due_notice_button.clicked.connect(lambda: self._ask_notice(self.due_table, self.due_model))
        row.addStretch(1)
        row.addWidget(self.new_button)
        row.addWidget(self.due_notice_button)
        pv.addLayout(row)
        self.tabs.addTab(page, _("分类期限"))
        root.addWidget(self.tabs, 1)

        bureau_only(self.worker, self.db, self.new_button, self.notice_button, self.due_notice_button)
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.district.currentIndexChanged.connect(lambda _i: self.refresh())
        self.all_due.toggled.connect(lambda _c: self.refresh())
        self.refresh()  # the lists fill when the screen opens

    # --- loading ---------------------------------------------------------------------------------------
    def refresh(self) -> None:
        from inspector_app.core.supervision.class_changes import list_changes
        from inspector_app.core.supervision.class_notice import due

        year = self.year.value() if self.year.value() != self.year.minimum() else None
        district = self.district.currentData() or None
        self.worker.submit(
            list_changes, self.db, year=year, district=district, on_done=self._show_changes, on_error=self._failed
        )
        self.worker.submit(due, self.db, district=district, on_done=self._show_due, on_error=self._failed)

    def _show_changes(self, rows) -> None:
        self.change_model.set_rows(
            [
                (r.changed_on.isoformat(), r.name, r.uscc, r.district, r.category, r.change, r.rule, r.evidence, r.who)
                for r in rows
            ],
            ids=[r.enterprise_id for r in rows],
        )

    def _show_due(self, rows) -> None:
        from inspector_app.core.supervision.class_notice import OVERDUE

        if not self.all_due.isChecked():
            rows = [r for r in rows if r.state == OVERDUE]

        def state(r) -> str:
            if r.state == OVERDUE:
                return _("已逾期{n}天").format(n=r.days)
            return _("待分类，还有{n}天").format(n=r.days)

        self.due_model.set_rows(
            [(r.name, r.uscc, r.district, r.licensed_on.isoformat(), r.due_on.isoformat(), state(r)) for r in rows],
            colors=[DUE_COLORS.get(r.state) for r in rows],
            ids=[r.enterprise_id for r in rows],
        )

    # --- actions ---------------------------------------------------------------------------------------
    @staticmethod
    def _selected(table, model) -> str | None:
        rows = table.selectionModel().selectedRows()
        return model.row_id(rows[0].row()) if rows else None

    def _classify_selected(self) -> None:
        enterprise_id = self._selected(self.due_table, self.due_model)
        if enterprise_id:
            self.classify_new(enterprise_id)
        else:
            self.message.say(_("请先在列表中选择一家企业"), MessageLine.REFUSED)

    def classify_new(self, enterprise_id: str, on: date | None = None) -> None:
        from inspector_app.core.supervision.classification import register_new_licensee

        self.worker.submit(
            register_new_licensee,
            self.db,
            enterprise_id,
            who="",
            on=on,
            on_done=lambda _c, e=enterprise_id: self._classified(e),
            on_error=self._failed,
        )

    def _classified(self, enterprise_id: str) -> None:
        self.message.say(_("已判定为B类"))
        self.classified.emit(enterprise_id)
        self.refresh()

    def _ask_notice(self, table, model) -> None:
        enterprise_id = self._selected(table, model)
        if not enterprise_id:
            self.message.say(_("请先在列表中选择一家企业"), MessageLine.REFUSED)
            return
        name = model.row(table.selectionModel().selectedRows()[0].row())[1 if model is self.change_model else 0]
        path, _f = file_dialogs.get_save_file_name(
            self, _("保存分类告知书"), _("分类告知书-{n}.pdf").format(n=name), "PDF (*.pdf)"
        )
        if path:
            self.issue_notice(enterprise_id, path)

    def issue_notice(self, enterprise_id: str, path: str) -> None:
        from inspector_app.documents.supervision_files import save_class_notice

        self.worker.submit(save_class_notice, self.db, enterprise_id, path, on_done=self._saved, on_error=self._failed)

    def _saved(self, printed) -> None:
        self.message.say(_("已出具分类告知书 {n}").format(n=printed.number))
        self.notice_saved.emit(printed.number)

    def _failed(self, exc: BaseException) -> None:
        self.message.refuse(exc)
