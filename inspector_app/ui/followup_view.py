"""Rectification follow-up (001 §27–§28, 004 二(三)): the dashboard of open problems and the 回访.

Open problems per enterprise and district with their state (整改期内 / 即将到期 / 已逾期); a 回访 starts
pre-filled with an enterprise's open problems (the record form itself opens in the inspection screen, which
the main window wires to `followup_started`); each problem is marked rectified or not with a record and a
photo; the proposals raised (停产整改, 移交行政处罚, 降级) are confirmed or dismissed here.
All database work runs on the serial database lane; the screen only shows plain values.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.regulations import cite
from inspector_app.i18n import _
from inspector_app.ui import file_dialogs
from inspector_app.ui.errors import show_error
from inspector_app.ui.sync_common import bureau_only
from inspector_app.ui.tables import RowsModel, district_combo, make_table
from inspector_app.ui.tasks import ARCHIVE, SUPERVISION

STATE_COLORS = {"overdue": "#FDE2E1", "due_soon": "#FFF4D6", "pending": None}
FLAG_COLORS = {"proposed": "#FFF4D6", "confirmed": None, "dismissed": "#EEEEEE"}


class TeamDialog(QDialog):
    """Choose the follow-up team: at least two inspectors (001 §24); the first ticked is the leader."""

    def __init__(self, inspectors, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("回访检查人员"))
        self._order: list[str] = []
        v = QVBoxLayout(self)
        v.addWidget(
            QLabel(
                _(
                    "勾选检查人员（不少于2名，《上海市工业产品生产许可证证后监督检查管理办法》第二十四条）；最先勾选的为组长。"
                )
            )
        )
        self.list = QListWidget()
        for i in inspectors:
            item = QListWidgetItem(f"{i.name}（{i.badge_no}）")
            item.setData(Qt.ItemDataRole.UserRole, i.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.itemChanged.connect(self._changed)
        v.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        v.addWidget(buttons)

    def _changed(self, item) -> None:
        iid = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked and iid not in self._order:
            self._order.append(iid)
        elif item.checkState() != Qt.CheckState.Checked and iid in self._order:
            self._order.remove(iid)
        self.ok.setEnabled(len(self._order) >= 2)

    def team(self) -> list[str]:
        return list(self._order)


class MarkDialog(QDialog):
    """The follow-up's finding for one problem: rectified or not, a record, a photo."""

    def __init__(self, problem: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("登记复查结果"))
        form = QFormLayout(self)
        form.addRow(_("原问题"), QLabel(problem))
        self.rectified = QRadioButton(_("已整改"))
        self.not_rectified = QRadioButton(_("仍未整改"))
        group = QButtonGroup(self)
        for b in (self.rectified, self.not_rectified):
            group.addButton(b)
        self.rectified.setChecked(True)
        row = QHBoxLayout()
        row.addWidget(self.rectified)
        row.addWidget(self.not_rectified)
        form.addRow(_("复查结论"), row)
        self.record = QPlainTextEdit()
        self.record.setPlaceholderText(_("复查情况：查看了什么，整改是否到位"))
        form.addRow(_("复查记录"), self.record)
        self.photo = QLineEdit()
        browse = QPushButton(_("选择照片…"))
        browse.clicked.connect(self._browse)
        prow = QHBoxLayout()
        prow.addWidget(self.photo, 1)
        prow.addWidget(browse)
        form.addRow(_("照片"), prow)
        form.addRow(QLabel(_("仍未整改的，将提出责令停产整改、移交行政处罚和分类降级建议，由局里决定。")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        path, _f = file_dialogs.get_open_file_name(self, _("选择照片"), "", _("图片 (*.jpg *.jpeg *.png *.heic)"))
        if path:
            self.photo.setText(path)


class FollowupView(QWidget):
    followup_started = Signal(str)  # the new 回访 inspection's id: the main window opens its record form

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.dashboard = None
        self.flag_rows = []
        self._opened = False
        self.setWindowTitle(_("整改跟踪与回访"))
        self._build()

    def _build(self) -> None:
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.district = district_combo(self)
        self.district.currentIndexChanged.connect(lambda _i: self.refresh())
        refresh = QPushButton(_("刷新"))
        refresh.clicked.connect(self.refresh)
        bar.addWidget(QLabel(_("范围")))
        bar.addWidget(self.district)
        bar.addWidget(refresh)
        bar.addStretch(1)
        root.addLayout(bar)
        self.counts = QLabel()
        self.counts.setObjectName("counts")
        root.addWidget(self.counts)

        self.tabs = QTabWidget()
        self.problems = RowsModel(
            (
                _("企业"),
                _("统一社会信用代码"),
                _("区"),
                _("检查项"),
                _("问题分类"),
                _("问题"),
                _("发现日期"),
                _("整改期限"),
                _("剩余天数"),
                _("状态"),
                _("回访"),
            )
        )
        page = QWidget()
        pv = QVBoxLayout(page)
        pv.setContentsMargins(0, 0, 0, 0)
        self.problem_table = make_table(self.problems)
        pv.addWidget(self.problem_table)
        actions = QHBoxLayout()
        self.start_button = QPushButton(_("开始回访（所选企业）"))
        self.start_button.clicked.connect(self._ask_start)
        self.mark_button = QPushButton(_("登记复查结果（所选问题）"))
        self.mark_button.clicked.connect(self._ask_mark)
        actions.addWidget(self.start_button)
        actions.addWidget(self.mark_button)
        actions.addStretch(1)
        pv.addLayout(actions)
        self.tabs.addTab(page, _("待整改问题"))
        self.per_enterprise = RowsModel((_("企业"), _("区"), _("待整改"), _("整改期内"), _("即将到期"), _("已逾期")))
        self.tabs.addTab(make_table(self.per_enterprise), _("按企业"))
        self.per_district = RowsModel((_("区"), _("待整改"), _("整改期内"), _("即将到期"), _("已逾期")))
        self.tabs.addTab(make_table(self.per_district), _("按区"))

        flags = QWidget()
        fv = QVBoxLayout(flags)
        fv.setContentsMargins(0, 0, 0, 0)
        self.flags = RowsModel(
            (_("提出日期"), _("企业"), _("区"), _("处理建议"), _("依据"), _("状态"), _("原因"), _("决定人"))
        )
        self.flag_table = make_table(self.flags)
        fv.addWidget(self.flag_table)
        frow = QHBoxLayout()
        self.only_open_flags = QCheckBox(_("只看待决定"))
        self.only_open_flags.setChecked(True)
        self.only_open_flags.toggled.connect(lambda _c: self.refresh())
        self.decider = QLineEdit()
        self.decider.setPlaceholderText(_("决定人姓名"))
        confirm = QPushButton(_("采纳"))
        confirm.clicked.connect(lambda: self._decide_selected(True))
        dismiss = QPushButton(_("不予采纳"))
        dismiss.clicked.connect(lambda: self._decide_selected(False))
        bureau_only(self.worker, self.db, confirm, dismiss)
        self.decide_buttons = (confirm, dismiss)
        for w in (self.only_open_flags, QLabel(_("决定人")), self.decider, confirm, dismiss):
            frow.addWidget(w)
        frow.addStretch(1)
        fv.addLayout(frow)
        self.tabs.addTab(flags, _("处理建议"))
        root.addWidget(self.tabs, 1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._opened:  # the lists fill when the screen opens, not only on 刷新
            self._opened = True
            self.refresh()

    # ---------------------------------------------------------------- loading
    def refresh(self) -> None:
        if self.db is None:
            return
        from inspector_app.core.supervision import rectification as rc

        district = self.district.currentData() or None
        status = "proposed" if self.only_open_flags.isChecked() else None

        def load(db):
            return rc.dashboard(db, district=district), rc.flags(db, status=status, district=district)

        self.worker.submit(load, self.db, on_done=self._show, on_error=lambda e: show_error(e, self))

    def _show(self, result) -> None:
        from inspector_app.core.supervision.rectification import FLAG_STATUSES, STATES

        dash, flags = result
        self.dashboard, self.flag_rows = dash, flags
        t = dash.total
        self.counts.setText(
            _(
                "待整改问题{o}项：整改期内{p}项，<span style='color:#8a6d00'>即将到期{s}项（{d}日内）</span>，"
                "<span style='color:#c62828'>已逾期{x}项</span>"
            ).format(o=t.open, p=t.pending, s=t.due_soon, d=dash.due_soon_days, x=t.overdue)
        )
        self.problems.set_rows(
            [
                (
                    r.enterprise_name,
                    r.uscc,
                    r.district,
                    r.item_id,
                    r.category,
                    r.problem,
                    r.found_on.isoformat(),
                    r.deadline.isoformat(),
                    r.days_left,
                    STATES[r.state],
                    _("已开始") if r.followup_inspection_id else "",
                )
                for r in dash.rows
            ],
            colors=[STATE_COLORS.get(r.state) for r in dash.rows],
            ids=[r.id for r in dash.rows],
        )
        self.per_enterprise.set_rows(
            [(name, dist, c.open, c.pending, c.due_soon, c.overdue) for _eid, name, dist, c in dash.per_enterprise],
            colors=["#FDE2E1" if c.overdue else None for *_x, c in dash.per_enterprise],
            ids=[eid for eid, *_x in dash.per_enterprise],
        )
        self.per_district.set_rows([(d, c.open, c.pending, c.due_soon, c.overdue) for d, c in dash.per_district])
        self.flags.set_rows(
            [
                (
                    f.raised_on.isoformat(),
                    f.enterprise_name,
                    f.district,
                    f.label,
                    cite(f.citation),
                    FLAG_STATUSES[f.status],
                    f.reason,
                    f.decided_by,
                )
                for f in flags
            ],
            colors=[FLAG_COLORS.get(f.status) for f in flags],
            ids=[f.id for f in flags],
        )

    # ---------------------------------------------------------------- selections
    def _selected_problem(self):
        rows = self.problem_table.selectionModel().selectedRows() if self.problem_table.selectionModel() else []
        if not rows or self.dashboard is None:
            return None
        return self.dashboard.rows[rows[0].row()]

    def _ask_start(self) -> None:
        p = self._selected_problem()
        if p is None:
            show_error(_domain(_("请先在列表中选择一个问题（其企业将被回访）")), self)
            return
        from inspector_app.core.archive import list_inspectors

        def choose(inspectors):
            dialog = TeamDialog(inspectors, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.start_followup(p.enterprise_id, dialog.team(), site_id=p.site_id)

        self.worker.submit(list_inspectors, self.db, on_done=choose, on_error=lambda e: show_error(e, self))

    def start_followup(self, enterprise_id: str, team: list[str], site_id: str | None = None) -> None:
        from inspector_app.core.supervision.rectification import start_followup

        def done(inspection_id):
            self.followup_started.emit(inspection_id)
            self.refresh()

        self.worker.submit(
            start_followup,
            self.db,
            enterprise_id,
            team=team,
            site_id=site_id,
            changes={ARCHIVE, SUPERVISION},
            on_done=done,
            on_error=lambda e: show_error(e, self),
        )

    def _ask_mark(self) -> None:
        p = self._selected_problem()
        if p is None:
            show_error(_domain(_("请先在列表中选择一个问题")), self)
            return
        dialog = MarkDialog(p.problem, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.mark_problem(p.id, dialog.rectified.isChecked(), dialog.record.toPlainText(), dialog.photo.text())

    def mark_problem(self, rectification_id: str, rectified: bool, record: str, photo: str = "") -> None:
        from inspector_app.core.supervision.rectification import mark

        self.worker.submit(
            mark,
            self.db,
            rectification_id,
            rectified=rectified,
            record=record,
            photo=photo,
            on_done=lambda _f: self.refresh(),
            changes={ARCHIVE, SUPERVISION},
            on_error=lambda e: show_error(e, self),
        )

    def _decide_selected(self, confirm: bool) -> None:
        rows = self.flag_table.selectionModel().selectedRows()
        if not rows:
            show_error(_domain(_("请先选择一条处理建议")), self)
            return
        for index in rows:
            self.decide(self.flags.row_id(index.row()), confirm, self.decider.text())

    def decide(self, flag_id: str, confirm: bool, who: str) -> None:
        from inspector_app.core.supervision.rectification import decide_flag

        self.worker.submit(
            decide_flag,
            self.db,
            flag_id,
            confirm=confirm,
            who=who,
            on_done=lambda _r: self.refresh(),
            changes={ARCHIVE, SUPERVISION},
            on_error=lambda e: show_error(e, self),
        )


def _domain(message: str):
    from inspector_app.core.errors import DomainError

    return DomainError(message)
