"""The double-random draw (002): run a draw from rules and a published seed, review and verify it, export
the result list for publication, record publication, and show an inspector's task list.

The draw itself is core.supervision.draw (a pure function of seed, roster snapshot and rules); this screen shows the
hashes so that the bureau can publish them, and re-runs a stored draw on request (核验).
"""

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui import file_dialogs
from inspector_app.ui.errors import show_error
from inspector_app.ui.sync_common import bureau_only
from inspector_app.ui.tables import RowsModel, district_combo, make_table

TASK_HEADERS = (
    "检查组",
    "企业",
    "统一社会信用代码",
    "区",
    "抽取组",
    "检查人员",
    "状态",
    "完成日期",
    "公示期限",
    "公示状态",
)
MY_HEADERS = ("我的角色", "企业", "统一社会信用代码", "区", "检查人员", "状态", "公示期限")
PUBLICATION_COLORS = {"overdue": "#FDE2E1", "due_soon": "#FFF4D6", "published": "#E8F5E9"}


class DrawView(QWidget):
    drawn = Signal(str)  # draw id
    verified = Signal(bool)
    exported = Signal(str)
    rules_changed = Signal(str)  # the title of the rules a draw would use

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.tasks = []
        self._select: str | None = None  # the draw to show after the next refresh
        self.setWindowTitle(_("双随机抽取"))
        self._build()

    def _build(self) -> None:
        root = QVBoxLayout(self)
        form = QFormLayout()
        rules_row = QHBoxLayout()
        self.rules_label = QLabel(_("正在读取本局的抽取规则…"))
        self.rules_label.setWordWrap(True)
        self.import_rules_button = QPushButton(_("导入本局规则…"))
        self.import_rules_button.setToolTip(_("选择本局的抽取规则文件（TOML）；检查无误后本局今后的抽取都用它"))
        self.import_rules_button.clicked.connect(self._browse_rules)
        self.reset_rules_button = QPushButton(_("恢复内置规则"))
        self.reset_rules_button.clicked.connect(self.reset_rules)
        rules_row.addWidget(self.rules_label, 1)
        rules_row.addWidget(self.import_rules_button)
        rules_row.addWidget(self.reset_rules_button)
        form.addRow(_("抽取规则"), rules_row)
        self.seed = QLineEdit()
        self.seed.setPlaceholderText(_("事先公布的随机种子，如公证摇号号码"))
        form.addRow(_("随机种子"), self.seed)
        row = QHBoxLayout()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.year.valueChanged.connect(lambda _y: self.load_rules())
        self.on = QDateEdit(QDate.currentDate())
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.district = district_combo(self)
        self.district.setItemText(0, _("全部辖区"))
        self.team_size = QSpinBox()
        self.team_size.setRange(0, 20)
        self.team_size.setSpecialValueText(_("按规则"))
        self.run_button = QPushButton(_("抽取"))
        self.run_button.clicked.connect(self.run)
        for w in (
            QLabel(_("年度")),
            self.year,
            QLabel(_("抽取日期")),
            self.on,
            QLabel(_("范围")),
            self.district,
            QLabel(_("每组人数")),
            self.team_size,
            self.run_button,
        ):
            row.addWidget(w)
        row.addStretch(1)
        form.addRow(row)
        root.addLayout(form)

        self.tabs = QTabWidget()
        page = QWidget()
        pv = QVBoxLayout(page)
        pv.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.draws = QComboBox()
        self.draws.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.draws.setMinimumContentsLength(28)
        self.draws.currentIndexChanged.connect(lambda _i: self.load_tasks())
        self.verify_button = QPushButton(_("核验（重算）"))
        self.verify_button.clicked.connect(self.verify)
        export = QPushButton(_("导出公示清单…"))
        export.clicked.connect(self._ask_export)
        package = QPushButton(_("导出抽取数据包…"))
        package.clicked.connect(self._ask_package)
        publish = QPushButton(_("登记已公示（所选）"))
        publish.clicked.connect(self._publish_selected)
        bureau_only(self.worker, self.db, self.run_button, publish, self.import_rules_button, self.reset_rules_button)
        for w in (QLabel(_("抽取记录")), self.draws, self.verify_button, export, package, publish):
            top.addWidget(w)
        top.addStretch(1)
        pv.addLayout(top)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # hashes can be copied
        pv.addWidget(self.summary)
        self.task_model = RowsModel(tuple(_(h) for h in TASK_HEADERS))
        self.task_table = make_table(self.task_model)
        pv.addWidget(self.task_table, 1)
        self.tabs.addTab(page, _("抽取结果"))

        mine = QWidget()
        mv = QVBoxLayout(mine)
        mv.setContentsMargins(0, 0, 0, 0)
        mrow = QHBoxLayout()
        self.inspector = QComboBox()
        self.inspector.currentIndexChanged.connect(lambda _i: self.load_my_tasks())
        mrow.addWidget(QLabel(_("检查人员")))
        mrow.addWidget(self.inspector)
        mrow.addStretch(1)
        mv.addLayout(mrow)
        self.my_model = RowsModel(tuple(_(h) for h in MY_HEADERS))
        mv.addWidget(make_table(self.my_model), 1)
        self.tabs.addTab(mine, _("检查人员任务清单"))
        root.addWidget(self.tabs, 1)

    # ---------------------------------------------------------------- loading
    def refresh(self) -> None:
        if self.db is None:
            return
        from inspector_app.core.archive import list_inspectors
        from inspector_app.core.supervision.draw import list_draws

        self.load_rules()
        self.worker.submit(
            lambda db: (list_draws(db), list_inspectors(db)),
            self.db,
            on_done=self._lists,
            on_error=lambda e: show_error(e, self),
        )

    def load_rules(self) -> None:
        from inspector_app.core.supervision.bureau_rules import bureau_rules

        self.worker.submit(
            bureau_rules, self.db, self.year.value(), on_done=self._show_rules, on_error=lambda e: show_error(e, self)
        )

    def _show_rules(self, choice) -> None:
        r = choice.rules
        where = _("本局导入的规则") if choice.own else _("内置规则（标题取本局局名和年度，在“设置”中改局名）")
        groups = "、".join(f"{g.title} {g.ratio:.0%}" for g in r.groups)
        self.rules_label.setText(
            _("<b>{t}</b>（{w}）<br><small>{g}；每组{n}人</small>").format(t=r.title, w=where, g=groups, n=r.teams.size)
        )
        self.rules_changed.emit(r.title)

    def _lists(self, result) -> None:
        draws, inspectors = result
        current, self._select = self._select or self.draws.currentData(), None
        self.draws.blockSignals(True)
        self.draws.clear()
        for i, on, _year, dist, rules_id, _seed, n in draws:
            self.draws.addItem(f"{on.isoformat()} {dist or _('全部辖区')} {rules_id}（{n}项）", i)
        index = self.draws.findData(current) if current else 0
        self.draws.setCurrentIndex(max(0, index))
        self.draws.blockSignals(False)
        who = self.inspector.currentData()
        self.inspector.blockSignals(True)
        self.inspector.clear()
        for insp in inspectors:
            self.inspector.addItem(f"{insp.name}（{insp.badge_no}）", insp.id)
        self.inspector.setCurrentIndex(max(0, self.inspector.findData(who)) if who else 0)
        self.inspector.blockSignals(False)
        self.load_tasks()
        self.load_my_tasks()

    def load_tasks(self) -> None:
        draw_id = self.draws.currentData()
        if not draw_id:
            self.summary.setText(_("尚无抽取记录。填写种子后点“抽取”。"))
            self.task_model.set_rows([])
            return
        from inspector_app.core.supervision.assignments import draw_tasks
        from inspector_app.core.supervision.draw import get_draw

        self.worker.submit(
            lambda db: (get_draw(db, draw_id), draw_tasks(db, draw_id)),
            self.db,
            on_done=self._show_draw,
            on_error=lambda e: show_error(e, self),
        )

    def _show_draw(self, result) -> None:
        from inspector_app.core.supervision.assignments import PUBLICATION_STATES, TASK_STATES

        summary, tasks = result
        self.tasks = tasks
        titles = {g.id: g.title for g in summary.groups}
        groups = "；".join(f"{g.title}：{g.size}家×{g.ratio:.0%}→{g.drawn}家" for g in summary.groups)
        unmatched = _("；未匹配检查组{n}家").format(n=len(summary.unmatched)) if summary.unmatched else ""
        self.summary.setText(
            _(
                "<b>{t}</b><br>抽取日期 {d}，随机种子“{seed}”，检查组{teams}个，检查任务{a}项{u}<br>{g}<br>"
                "<small>规则哈希 {rh}<br>名录快照哈希 {sh}<br>结果哈希 {xh}</small>"
            ).format(
                t=summary.rules_title,
                d=summary.drawn_on.isoformat(),
                seed=summary.seed,
                teams=summary.teams,
                a=summary.assignments,
                u=unmatched,
                g=groups,
                rh=summary.rules_hash,
                sh=summary.roster_hash,
                xh=summary.result_hash,
            )
        )
        self.task_model.set_rows(
            [
                (
                    t.team_no or _("未匹配"),
                    t.enterprise_name,
                    t.uscc,
                    t.district,
                    titles.get(t.group_id, t.group_id),
                    t.team,
                    TASK_STATES.get(t.status, t.status),
                    t.done_on or "",
                    t.publish_by or "",
                    PUBLICATION_STATES[t.publication],
                )
                for t in tasks
            ],
            colors=[PUBLICATION_COLORS.get(t.publication) for t in tasks],
            ids=[t.assignment_id for t in tasks],
        )

    def load_my_tasks(self) -> None:
        inspector_id = self.inspector.currentData()
        if not inspector_id:
            self.my_model.set_rows([])
            return
        from inspector_app.core.supervision.assignments import PUBLICATION_STATES, TASK_STATES, tasks_for
        from inspector_app.core.supervision.draw import ROLES

        def show(tasks):
            self.my_model.set_rows(
                [
                    (
                        ROLES.get(t.role, t.role),
                        t.enterprise_name,
                        t.uscc,
                        t.district,
                        t.team,
                        TASK_STATES.get(t.status, t.status),
                        t.publish_by or PUBLICATION_STATES[t.publication],
                    )
                    for t in tasks
                ],
                ids=[t.assignment_id for t in tasks],
            )

        self.worker.submit(tasks_for, self.db, inspector_id, on_done=show, on_error=lambda e: show_error(e, self))

    # ---------------------------------------------------------------- actions
    def _browse_rules(self) -> None:
        path, _f = file_dialogs.get_open_file_name(self, _("选择本局的抽取规则"), "", _("抽取规则 (*.toml)"))
        if path:
            self.import_rules(path)

    def import_rules(self, path: str) -> None:
        from inspector_app.core.supervision.bureau_rules import import_rules

        self.worker.submit(
            import_rules, self.db, path, self.year.value(), on_done=self._show_rules, on_error=self._failed
        )

    def reset_rules(self) -> None:
        from inspector_app.core.supervision.bureau_rules import reset_rules

        self.worker.submit(reset_rules, self.db, self.year.value(), on_done=self._show_rules, on_error=self._failed)

    def run(self) -> None:
        from inspector_app.core.supervision.draw import run_draw_file

        self.run_button.setEnabled(False)
        self.worker.submit(
            run_draw_file,
            self.db,
            None,
            seed=self.seed.text(),
            year=self.year.value(),
            district=self.district.currentData() or None,
            on=self.on.date().toPython(),
            team_size=self.team_size.value(),
            on_done=self._drawn,
            on_error=self._failed,
        )

    def _drawn(self, summary) -> None:
        self.run_button.setEnabled(True)
        self._select = summary.id
        self.drawn.emit(summary.id)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.run_button.setEnabled(True)
        show_error(exc, self)

    def verify(self) -> None:
        draw_id = self.draws.currentData()
        if not draw_id:
            return
        from inspector_app.core.supervision.draw import verify_draw

        def done(v):
            from PySide6.QtWidgets import QMessageBox

            self.verified.emit(v.ok)
            text = "\n".join(v.messages)
            if v.ok:
                QMessageBox.information(self, _("核验通过"), _("重算结果与记录一致。\n") + text)
            else:
                QMessageBox.warning(self, _("核验未通过"), text)

        self.worker.submit(verify_draw, self.db, draw_id, on_done=done, on_error=lambda e: show_error(e, self))

    def _ask_export(self) -> None:
        path, _f = file_dialogs.get_save_file_name(
            self, _("导出公示清单"), _("双随机抽查结果.xlsx"), "Excel (*.xlsx);;CSV (*.csv);;JSON (*.json)"
        )
        if path:
            self.export(path)

    def export(self, path: str) -> None:
        draw_id = self.draws.currentData()
        if not draw_id:
            return
        from inspector_app.core.supervision.assignments import export_publication

        self.worker.submit(
            export_publication,
            self.db,
            draw_id,
            path,
            on_done=lambda p: self.exported.emit(str(p)),
            on_error=lambda e: show_error(e, self),
        )

    def _ask_package(self) -> None:
        path, _f = file_dialogs.get_save_file_name(self, _("导出抽取数据包"), _("抽取数据包.json"), "JSON (*.json)")
        if path:
            self.export_package(path)

    def export_package(self, path: str) -> None:
        import json

        from inspector_app.core.supervision.draw import export_package

        draw_id = self.draws.currentData()

        def job(db):
            Path(path).write_text(json.dumps(export_package(db, draw_id), ensure_ascii=False), encoding="utf-8")
            return path

        self.worker.submit(
            job, self.db, on_done=lambda p: self.exported.emit(str(p)), on_error=lambda e: show_error(e, self)
        )

    def _publish_selected(self) -> None:
        rows = self.task_table.selectionModel().selectedRows()
        ids = [self.task_model.row_id(r.row()) for r in rows]
        if ids:
            self.publish(ids)

    def publish(self, assignment_ids: list[str], on: date | None = None) -> None:
        from inspector_app.core.supervision.assignments import mark_published

        self.worker.submit(
            mark_published,
            self.db,
            assignment_ids,
            on=on,
            on_done=lambda _n: self.load_tasks(),
            on_error=lambda e: show_error(e, self),
        )
