"""Start an inspection of one enterprise: site, license → template, kind, date and team.

Each production address is inspected separately (002 附件2 备注(2)); the license's product category picks
the record form (template_for_category); a team has at least two inspectors, the first is the leader
(001 §24). The dialog checks what it can inline and lets core.inspection.inspections.start_inspection decide.
"""

from datetime import date

import shiboken6
from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import archive, clock
from inspector_app.core.catalog import INSPECTION_KINDS, MIN_TEAM_SIZE, PRODUCT_KINDS, product_kind
from inspector_app.core.errors import DomainError
from inspector_app.core.inspection import inspections
from inspector_app.core.inspection.templates import Template, TemplateError, template_for_category
from inspector_app.i18n import _
from inspector_app.ui.errors import show_error
from inspector_app.ui.item_controls import RED, set_text_colour
from inspector_app.ui.tasks import ARCHIVE

DEFAULT_KIND = "scheduled"


def team_size_message(n: int) -> str:
    """001 §24, worded as core.inspection.inspections words it."""
    return _("检查人员不少于2名（《上海市工业产品生产许可证证后监督检查管理办法》第二十四条），当前{n}名").format(n=n)


class StartInspectionDialog(QDialog):
    """Emits `started(inspection_id)`; `inspection_id` holds it after the dialog was accepted."""

    started = Signal(str)

    def __init__(
        self,
        parent: QWidget | None,
        db,
        worker,
        enterprise_id: str,
        templates: dict[str, Template],
        site_id: str | None = None,
    ):
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.templates = templates
        self.inspection_id: str | None = None
        self.enterprise = archive.get_enterprise(db, enterprise_id)
        self.inspectors = archive.list_inspectors(db)
        self._busy = False

        self.setWindowTitle(_("开始检查 — {name}").format(name=self.enterprise.name))
        self.setMinimumWidth(560)
        root = QVBoxLayout(self)
        intro = QLabel(
            _("<b>{name}</b><br>统一社会信用代码：{uscc}").format(name=self.enterprise.name, uscc=self.enterprise.uscc),
            self,
        )
        root.addWidget(intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.site = QComboBox(self)
        for site in self.enterprise.sites:
            self.site.addItem(site.address + (f"（{site.district}）" if site.district else ""), site.id)
        self.site.setToolTip(_("企业有多个生产地址的，应分别进行检查（一个生产地址一份检查记录）"))
        form.addRow(_("生产地址(&S)"), self.site)

        self.license = QComboBox(self)
        for lic in self.enterprise.licenses:
            state = archive.LICENSE_STATES.get(lic.state, lic.state)
            text = f"{lic.number}  {lic.category}" + (f"（{lic.products}）" if lic.products else "")
            if lic.state != "valid":
                text += f" [{state}]"
            self.license.addItem(text, lic.id)
        if not self.enterprise.licenses:
            self.license.addItem(_("（该企业未登记生产许可证）"), None)
        form.addRow(_("生产许可证(&L)"), self.license)

        self.template = QComboBox(self)
        form.addRow(_("检查表(&T)"), self.template)

        self.kind = QComboBox(self)
        for code, label in INSPECTION_KINDS.items():
            self.kind.addItem(label, code)
        self.kind.setCurrentIndex(self.kind.findData(DEFAULT_KIND))
        form.addRow(_("检查类型(&K)"), self.kind)

        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        today = clock.today()
        self.date.setDate(QDate(today.year, today.month, today.day))
        form.addRow(_("检查日期(&D)"), self.date)

        self.team = QListWidget(self)
        self.team.setToolTip(
            _(
                "勾选参加检查的人员（空格键勾选）；检查人员不少于2名（《上海市工业产品生产许可证证后监督检查管理办法》第二十四条）"
            )
        )
        row_height = self.team.fontMetrics().height() + 8  # CJK glyphs are taller than the default row
        for person in self.inspectors:
            row = QListWidgetItem(f"{person.name}（{person.badge_no}）", self.team)
            row.setSizeHint(QSize(0, row_height))
            row.setData(Qt.ItemDataRole.UserRole, person.id)
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Unchecked)
        rows = max(min(len(self.inspectors), 6), 2)
        self.team.setFixedHeight(row_height * rows + 2 * self.team.frameWidth() + 2)
        form.addRow(_("检查组成员(&M)"), self.team)

        self.leader = QComboBox(self)
        self.leader.setToolTip(_("检查组组长，记录表上排在第一位"))
        form.addRow(_("组长(&E)"), self.leader)
        root.addLayout(form)

        self.error = QLabel(self)
        self.error.setWordWrap(True)
        set_text_colour(self.error, RED, strong=True)
        self.error.hide()
        root.addWidget(self.error)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("开始检查"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        root.addWidget(self.buttons)

        self.site.currentIndexChanged.connect(self._site_changed)
        self.license.currentIndexChanged.connect(self._license_changed)
        self.team.itemChanged.connect(self._team_changed)
        if site_id and self.site.findData(site_id) >= 0:
            self.site.setCurrentIndex(self.site.findData(site_id))
        self._site_changed()
        self._license_changed()
        own = archive.own_inspector_id(db)  # the laptop's own inspector is on the team, as its leader
        if own is not None and any(p.id == own for p in self.inspectors):
            self.set_team([own])
        if not self.enterprise.sites:
            self._show_error(_("该企业没有登记生产地址，请先在企业档案中添加生产地址"))
            self.ok_button.setEnabled(False)

    # ------------------------------------------------------------------ choices
    def _site_changed(self) -> None:
        """Pick the license issued for this address, if there is one."""
        address = next((s.address for s in self.enterprise.sites if s.id == self.site.currentData()), None)
        for n, lic in enumerate(self.enterprise.licenses):
            if lic.site_address and lic.site_address == address:
                self.license.setCurrentIndex(n)
                return

    def _license_changed(self) -> None:
        """The license's product category selects the form; other forms of the same product kind remain."""
        self.template.clear()
        lic = self._license()
        if lic is None:
            choices, default = sorted(self.templates.values(), key=lambda t: t.id), None
        else:
            kind = product_kind(lic.category)
            choices = sorted((t for t in self.templates.values() if t.product_kind == kind), key=lambda t: t.id)
            try:
                default = template_for_category(self.templates, lic.category)
            except TemplateError as exc:
                default = None
                self._show_error(str(exc))
        for t in choices:
            self.template.addItem(_("{title}（第 {v} 版）").format(title=t.title, v=t.version), t.id)
            kind_label = PRODUCT_KINDS.get(t.product_kind, t.product_kind)
            self.template.setItemData(self.template.count() - 1, kind_label, Qt.ItemDataRole.ToolTipRole)
        if default is not None:
            self.template.setCurrentIndex(self.template.findData(default.id))
            self._clear_error()
        elif not choices:
            self._show_error(_("没有适用于该产品类别的检查表，请检查 forms 文件夹中的模板"))

    def _license(self):
        lic_id = self.license.currentData()
        return next((x for x in self.enterprise.licenses if x.id == lic_id), None)

    def checked_members(self) -> list[str]:
        out = []
        for n in range(self.team.count()):
            row = self.team.item(n)
            if row.checkState() == Qt.CheckState.Checked:
                out.append(row.data(Qt.ItemDataRole.UserRole))
        return out

    def _team_changed(self, _row=None) -> None:
        current = self.leader.currentData()
        names = {p.id: p.name for p in self.inspectors}
        self.leader.blockSignals(True)
        self.leader.clear()
        for pid in self.checked_members():
            self.leader.addItem(names[pid], pid)
        index = self.leader.findData(current)
        self.leader.setCurrentIndex(index if index >= 0 else 0)
        self.leader.blockSignals(False)
        if self.error.isVisible() and len(self.checked_members()) >= MIN_TEAM_SIZE:
            self._clear_error()

    def set_team(self, inspector_ids: list[str]) -> None:
        """Check these inspectors; the first becomes the leader."""
        for n in range(self.team.count()):
            row = self.team.item(n)
            checked = row.data(Qt.ItemDataRole.UserRole) in inspector_ids
            row.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if inspector_ids:
            self.leader.setCurrentIndex(self.leader.findData(inspector_ids[0]))

    def team_ids(self) -> list[str]:
        """The team in record order: the leader (组长) first."""
        members = self.checked_members()
        leader = self.leader.currentData()
        if leader in members:
            members.remove(leader)
            members.insert(0, leader)
        return members

    # ------------------------------------------------------------------ submit
    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _clear_error(self) -> None:
        self.error.clear()
        self.error.hide()

    def validate(self) -> str | None:
        if self.site.currentData() is None:
            return _("生产地址：请选择生产地址")
        if self.template.currentData() is None:
            return _("检查表：没有可用的检查表")
        team = self.team_ids()
        if len(team) < MIN_TEAM_SIZE:
            return _("检查组：") + team_size_message(len(team))
        return None

    def submit(self) -> None:
        if self._busy:
            return
        problem = self.validate()
        if problem:
            self._show_error(problem)
            self.team.setFocus()
            return
        self._clear_error()
        self._busy = True
        self.ok_button.setEnabled(False)
        qd = self.date.date()
        self.worker.submit(
            inspections.start_inspection,
            self.db,
            site_id=self.site.currentData(),
            template=self.templates[self.template.currentData()],
            kind=self.kind.currentData(),
            team=self.team_ids(),
            inspected_on=date(qd.year(), qd.month(), qd.day()),
            license_id=self.license.currentData(),
            changes={ARCHIVE},
            on_done=self._started,
            on_error=self._failed,
        )

    def _started(self, inspection_id: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.inspection_id = inspection_id
        self.started.emit(inspection_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.ok_button.setEnabled(True)
        if isinstance(exc, DomainError):
            self._show_error(str(exc))
        else:
            show_error(exc, self)
