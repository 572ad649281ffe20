"""The annual plan of a district (001 §23, §30, §14): generate it, then follow planned vs done.

Shows for one year and district: licensed enterprises, planned and done inspections, coverage, where the
plan falls short of 001 §30, and every enterprise with its planned months, the inspector responsible and
how many inspections it is still owed. Database work on the serial database lane.
"""

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.catalog import SUPERVISION_MODES
from inspector_app.i18n import _
from inspector_app.ui.errors import show_error
from inspector_app.ui.sync_common import bureau_only
from inspector_app.ui.tables import RowsModel, district_combo, make_table

HEADERS = (
    "统一社会信用代码",
    "企业",
    "类别",
    "监管方式",
    "计划月份",
    "计划次数",
    "最低要求",
    "已检查",
    "欠检",
    "负责人",
    "进度",
)


class PlanView(QWidget):
    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.progress = None
        self._opened = False
        self.setWindowTitle(_("年度检查计划"))
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.district = district_combo(self, with_city=False)
        self.generate_button = QPushButton(_("按分类生成计划"))
        self.generate_button.clicked.connect(self._ask_generate)
        bureau_only(worker, db, self.generate_button)
        refresh = QPushButton(_("刷新进度"))
        refresh.clicked.connect(self.refresh)
        self.owed_only = QCheckBox(_("只看欠检企业"))
        self.owed_only.toggled.connect(lambda _c: self._fill())
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.district.currentIndexChanged.connect(lambda _i: self.refresh())
        for w in (
            QLabel(_("年度")),
            self.year,
            QLabel(_("区")),
            self.district,
            self.generate_button,
            refresh,
            self.owed_only,
        ):
            bar.addWidget(w)
        bar.addStretch(1)
        root.addLayout(bar)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        root.addWidget(self.summary)
        self.shortfalls = QLabel()
        self.shortfalls.setWordWrap(True)
        self.shortfalls.setStyleSheet("color: #c62828;")
        root.addWidget(self.shortfalls)
        self.model = RowsModel(tuple(_(h) for h in HEADERS))
        self.table = make_table(self.model)
        root.addWidget(self.table, 1)
        root.addWidget(
            QLabel(
                _(
                    "计划依据《上海市工业产品生产许可证证后监督检查管理办法》第三十条：C类每年2次，B类1次，A类不低于50%，AA类不低于20%；"
                    "Ⅰ级风险产品从严一级（第十四条）。"
                )
            )
        )

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._opened:  # the lists fill when the screen opens, not only on 刷新
            self._opened = True
            self.refresh()

    def refresh(self) -> None:
        if self.db is None:
            return
        from inspector_app.core.supervision.planning import progress

        self.worker.submit(
            progress,
            self.db,
            self.year.value(),
            self.district.currentData(),
            on_done=self._show,
            on_error=lambda e: show_error(e, self),
        )

    def _show(self, p) -> None:
        self.progress = p
        if not p.exists:
            head = _("{d}尚无{y}年度检查计划。").format(d=p.district, y=p.year)
        else:
            head = ""
        self.summary.setText(
            head
            + _(
                "获证企业{e}家；计划检查{pl}家次，已完成{dn}家次（全年实际检查{t}家次，不含回访）；"
                "已检查企业{i}家，覆盖率{c}；欠检企业{o}家。"
            ).format(e=p.licensed, pl=p.planned, dn=p.done, t=p.done_total, i=p.inspected, c=p.coverage, o=len(p.owed))
        )
        self.shortfalls.setText("\n".join(_("计划不足：") + s for s in p.shortfalls))
        self.shortfalls.setVisible(bool(p.shortfalls))
        self._fill()

    def _fill(self) -> None:
        p = self.progress
        if p is None:
            return
        rows = p.owed if self.owed_only.isChecked() else p.rows
        self.model.set_rows(
            [
                (
                    r.uscc,
                    r.name,
                    r.classification,
                    SUPERVISION_MODES[r.mode_class],
                    "、".join(f"{m}月" for m in r.months),
                    r.planned,
                    r.required,
                    r.done,
                    r.owed,
                    r.inspectors,
                    _("滞后") if r.behind else (_("完成") if r.planned and not r.owed else ""),
                )
                for r in rows
            ],
            colors=["#FDE2E1" if r.behind else ("#E8F5E9" if r.planned and not r.owed else None) for r in rows],
            ids=[r.enterprise_id for r in rows],
        )

    def _ask_generate(self) -> None:
        replace = False
        if self.progress is not None and self.progress.exists:
            answer = QMessageBox.question(
                self, _("生成计划"), _("该年度计划已存在。按当前分类重新生成将替换原计划（人工调整会丢失），确定吗？")
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            replace = True
        self.generate(replace=replace)

    def generate(self, replace: bool = False) -> None:
        from inspector_app.core.supervision.planning import generate_plan

        self.worker.submit(
            generate_plan,
            self.db,
            self.year.value(),
            self.district.currentData(),
            replace=replace,
            on_done=lambda _id: self.refresh(),
            on_error=lambda e: show_error(e, self),
        )
