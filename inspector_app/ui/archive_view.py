"""一企一档 (001 §36): one enterprise's details, production sites, licenses, inspection history and the
bureau's changes to it (变更记录: who did what, and when — issue 17).

ArchiveView only lays out an EnterpriseDetail (a plain dataclass) and turns clicks into signals;
ArchiveLoader fetches it on the database worker. Core modules are imported inside methods: this module
is imported before the main window is shown, and SQLAlchemy must not be on that path.
"""

from datetime import UTC

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.catalog import CLASSES, INSPECTION_KINDS, RISK_LEVELS, SUPERVISION_MODES
from inspector_app.i18n import _

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ArchiveLoader(QObject):
    """Loads EnterpriseDetail on the worker; at most one request in flight, the latest one wins.

    Arrowing down a list of 100,000 enterprises must not queue 100 loads behind each other.
    """

    loaded = Signal(object)  # EnterpriseDetail
    history_loaded = Signal(object)  # list[core.storage.audit.Change], newest first
    failed = Signal(object)  # exception

    def __init__(self, worker, parent: QObject | None = None):
        super().__init__(parent)
        self._worker = worker
        self._db = None
        self._wanted: str | None = None
        self._in_flight = False
        self._again = False  # asked again (a refresh, after a change) while a load was in flight

    def set_database(self, db) -> None:
        self._db = db

    @property
    def enterprise_id(self) -> str | None:
        return self._wanted

    def load(self, enterprise_id: str | None) -> None:
        self._wanted = enterprise_id
        self._again = self._in_flight
        if enterprise_id and not self._in_flight and self._db is not None:
            self._submit(enterprise_id)

    def refresh(self) -> None:
        self.load(self._wanted)

    def _submit(self, enterprise_id: str) -> None:
        from inspector_app.core.archive import get_enterprise

        self._in_flight = True
        self._worker.submit(
            get_enterprise,
            self._db,
            enterprise_id,
            on_done=lambda detail: self._done(enterprise_id, detail, None),
            on_error=lambda exc: self._done(enterprise_id, None, exc),
        )

    def _outdated(self, requested: str) -> bool:
        """The selection moved on, or the data changed, while we were loading: load the latest instead."""
        if self._wanted == requested and not self._again:
            return False
        self._in_flight = self._again = False
        if self._wanted:
            self._submit(self._wanted)
        return True

    def _done(self, requested: str, detail, exc) -> None:
        if self._outdated(requested):
            return
        if exc is not None:
            self._in_flight = False
            self.failed.emit(exc)
            return
        from inspector_app.core.archive import change_history

        self.loaded.emit(detail)
        # Then who changed it (变更记录), as a second job: the details are on screen meanwhile.
        self._worker.submit(
            change_history,
            self._db,
            requested,
            on_done=lambda changes: self._history_done(requested, changes, None),
            on_error=lambda exc: self._history_done(requested, None, exc),
        )

    def _history_done(self, requested: str, changes, exc) -> None:
        if self._outdated(requested):
            return
        self._in_flight = False
        if exc is not None:
            self.failed.emit(exc)
        else:
            self.history_loaded.emit(changes)


def _small_table(headers: list[str], stretch: int) -> QTableWidget:
    """A read-only table sized to its contents; the `stretch` column takes the rest and elides (tooltips)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _fit_height(table: QTableWidget, min_rows: int = 1, max_rows: int = 6) -> None:
    """Small tables take the height of their rows, so the licenses are all visible without scrolling."""
    rows = max(min_rows, min(table.rowCount(), max_rows))
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    height += rows * table.verticalHeader().defaultSectionSize()
    table.setFixedHeight(height)


def _item(text: str, data=None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    if data is not None:
        item.setData(ID_ROLE, data)
    return item


def state_text(state: str, days_left: int) -> str:
    from inspector_app.core.archive import LICENSE_STATES

    label = LICENSE_STATES[state]
    if state == "ended":
        return label
    if state == "expired":
        return _("{s}（{n} 天）").format(s=label, n=-days_left)
    return _("{s}（剩 {n} 天）").format(s=label, n=days_left)


class ArchiveView(QWidget):
    new_inspection_requested = Signal(str, str)  # enterprise id, site id ("" = let the dialog ask)
    inspection_open_requested = Signal(str)  # inspection id
    sign_requested = Signal(str)  # inspection id: a completed inspection to sign
    documents_requested = Signal(str)  # inspection id: a signed inspection's documents
    amend_requested = Signal(str)  # inspection id: a signed inspection to correct (更正)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._detail = None
        self._history_of: str | None = None  # the enterprise whose 变更记录 the table shows
        self._stack = QStackedWidget()
        self._placeholder = QLabel(_("在左侧列表中选择一家企业，查看其档案（一企一档）。"))
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setWordWrap(True)
        self._stack.addWidget(self._placeholder)
        self._stack.addWidget(self._build_content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    # --- layout ------------------------------------------------------------------------------------------
    def _build_content(self) -> QWidget:
        page = QWidget()
        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setWordWrap(True)
        self.new_button = QPushButton(_("新建检查…"))
        self.new_button.setToolTip(_("为该企业新建一次现场检查（Ctrl+N）"))
        self.new_button.clicked.connect(self._new_for_enterprise)
        refresh = QPushButton(_("刷新"))
        refresh.clicked.connect(self.refresh_requested)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(refresh)
        head.addWidget(self.new_button)

        self.fields: dict[str, QLabel] = {}
        info = QGroupBox(_("基本信息"))
        grid = QHBoxLayout(info)
        for keys in (
            (("uscc", _("统一社会信用代码")), ("legal_rep", _("法定代表人")), ("contact", _("联系人")),
             ("phone", _("联系电话"))),
            (("district", _("所在区")), ("classification", _("分类")), ("risk_level", _("风险等级")),
             ("address", _("住所"))),
        ):  # fmt: skip
            form = QFormLayout()
            for key, label in keys:
                value = QLabel()
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value.setWordWrap(True)
                form.addRow(label + _("："), value)
                self.fields[key] = value
            grid.addLayout(form, 1)

        self.licenses = _small_table([_("许可证编号"), _("有效期至"), _("状态"), _("产品类别：获证产品")], 3)
        self.sites = _small_table([_("生产地址"), _("所在区"), ""], 0)
        self.inspections = _small_table([_("检查日期"), _("检查类型"), _("状态"), _("检查人员"), _("生产地址")], 4)
        self.inspections.setToolTip(_("双击打开检查记录"))
        self.inspections.itemActivated.connect(self._open_inspection)  # double-click and Enter

        self.licenses_box = QGroupBox(_("生产许可证"))
        QVBoxLayout(self.licenses_box).addWidget(self.licenses)
        self.sites_box = QGroupBox(_("生产地址"))
        QVBoxLayout(self.sites_box).addWidget(self.sites)
        self.inspections.itemSelectionChanged.connect(self._inspection_selected)
        self.sign_button = QPushButton(_("签字确认…"))
        self.sign_button.setToolTip(_("检查组和企业代表签字；签字后检查记录不可再修改"))
        self.sign_button.clicked.connect(lambda: self._emit_for_selected(self.sign_requested))
        # 更正: a signed record is never edited; a correction is its own signed record (issue 3 §1).
        self.amend_button = QPushButton(_("更正…"))
        self.amend_button.setToolTip(
            _("已签字的检查记录有误时另作更正记录，经检查组和企业代表签字后生效；原记录不改动")
        )
        self.amend_button.clicked.connect(lambda: self._emit_for_selected(self.amend_requested))
        self.documents_button = QPushButton(_("文书（预览、打印）…"))
        self.documents_button.setToolTip(_("问题汇总表、监督检查记录表、责令整改通知书"))
        self.documents_button.clicked.connect(lambda: self._emit_for_selected(self.documents_requested))
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.sign_button)
        actions.addWidget(self.amend_button)
        actions.addWidget(self.documents_button)
        self.inspections_box = QGroupBox(_("检查记录"))
        box_layout = QVBoxLayout(self.inspections_box)
        box_layout.addWidget(self.inspections)
        box_layout.addLayout(actions)
        self._inspection_selected()

        layout = QVBoxLayout(page)
        layout.addLayout(head)
        layout.addWidget(info)
        layout.addWidget(self.licenses_box)
        layout.addWidget(self.sites_box)
        self.history = _small_table([_("时间"), _("操作人"), _("内容")], 2)
        # The inspections and the bureau's changes share the space under the sites (the window's height).
        self.record_tabs = QTabWidget()
        self.record_tabs.addTab(self.inspections_box, _("检查记录"))
        self.record_tabs.addTab(self.history, _("变更记录"))
        layout.addWidget(self.record_tabs, 1)
        return page

    # --- state -------------------------------------------------------------------------------------------
    @property
    def detail(self):
        return self._detail

    def show_placeholder(self, text: str | None = None) -> None:
        self._detail = None
        if text:
            self._placeholder.setText(text)
        self._stack.setCurrentIndex(0)

    def show_detail(self, d) -> None:
        """Fill every section from an EnterpriseDetail."""
        from inspector_app.core.issuing.signing import STATUSES

        self._detail = d
        if self._history_of != d.id:  # another enterprise's changes must not stay in view while loading
            self.show_history([])
            self._history_of = d.id
        self.title.setText(d.name)
        cls = d.classification
        values = {
            "uscc": d.uscc,
            "legal_rep": d.legal_rep,
            "contact": d.contact,
            "phone": d.phone,
            "address": d.address,
            "district": d.district,
            "classification": f"{cls} {CLASSES.get(cls, '')}（{SUPERVISION_MODES.get(cls, '')}）",
            "risk_level": RISK_LEVELS.get(d.risk_level or "", _("未评定")),
        }
        for key, value in values.items():
            self.fields[key].setText(value or "—")

        self._fill_licenses(d.licenses)
        self._fill_sites(d)
        self.inspections_box.setTitle(_("检查记录（{n}）").format(n=len(d.inspections)))
        self.inspections.setRowCount(len(d.inspections))
        for r, s in enumerate(d.inspections):
            cells = (
                s.inspected_on.isoformat(),
                INSPECTION_KINDS.get(s.kind, s.kind),
                STATUSES.get(s.status, s.status),
                s.team,
                s.site_address,
            )
            tip = _("{t}\n生产地址：{a}\n检查人员：{m}\n双击打开").format(
                t=s.template_title, a=s.site_address, m=s.team
            )
            for c, text in enumerate(cells):
                item = _item(text, s.id)
                item.setToolTip(tip)
                self.inspections.setItem(r, c, item)
        self._inspection_selected()  # a kept selection may now be completed or signed
        self._stack.setCurrentIndex(1)

    def show_history(self, changes) -> None:
        """变更记录: the bureau's changes to the enterprise (class, plan, draw, decisions), newest first."""
        self.record_tabs.setTabText(1, _("变更记录（{n}）").format(n=len(changes)))
        self.history.setRowCount(len(changes))
        for r, change in enumerate(changes):
            what = f"{change.action}：{change.detail}" if change.detail else change.action
            at = change.at.replace(tzinfo=UTC).astimezone()  # stored in UTC (storage/models.utcnow); shown local
            cells = (at.strftime("%Y-%m-%d %H:%M"), change.who or "—", what)
            for c, text in enumerate(cells):
                self.history.setItem(r, c, _item(text))

    def _fill_licenses(self, licenses) -> None:
        from inspector_app.ui.roster_model import STATE_COLORS

        self.licenses_box.setTitle(_("生产许可证（{n}）").format(n=len(licenses)))
        self.licenses.setRowCount(len(licenses))
        for r, lic in enumerate(licenses):
            issued = lic.issue_date.isoformat() if lic.issue_date else _("未登记")
            # Issue date and site fit in the tooltip; the table keeps what is compared at a glance.
            tip = _("{n}\n产品类别：{c}\n获证产品：{p}\n生产地址：{a}\n发证日期：{i}　有效期至：{e}").format(
                n=lic.number, c=lic.category, p=lic.products, a=lic.site_address or "—", i=issued,
                e=lic.expiry_date.isoformat(),
            )  # fmt: skip
            products = f"{lic.category}：{lic.products}" if lic.products else lic.category
            cells = (lic.number, lic.expiry_date.isoformat(), None, products)
            for c, text in enumerate(cells):
                if text is None:
                    item = _item(lic.ended or state_text(lic.state, lic.days_left), lic.state)
                    colors = STATE_COLORS.get(lic.state)
                    if colors:
                        item.setBackground(QBrush(QColor(colors[0])))
                        item.setForeground(QBrush(QColor(colors[1])))
                else:
                    item = _item(text, lic.id)
                item.setToolTip(tip)
                self.licenses.setItem(r, c, item)
        _fit_height(self.licenses)

    def _fill_sites(self, d) -> None:
        self.sites_box.setTitle(_("生产地址（{n}）").format(n=len(d.sites)))
        self.sites.setRowCount(len(d.sites))
        for r, site in enumerate(d.sites):
            self.sites.setItem(r, 0, _item(site.address, site.id))
            self.sites.setItem(r, 1, _item(site.district, site.id))
            button = QPushButton(_("新建检查…"))
            button.setToolTip(_("在此生产地址新建检查（每个生产地址分别检查）"))
            # 002 附件2 备注(2): each production address is inspected on its own form.
            button.clicked.connect(lambda _checked=False, sid=site.id: self._new_for_site(sid))
            self.sites.setCellWidget(r, 2, button)
        self.new_button.setEnabled(bool(d.sites))
        _fit_height(self.sites)

    # --- signals -----------------------------------------------------------------------------------------
    def _new_for_enterprise(self) -> None:
        if self._detail is not None:
            only = self._detail.sites[0].id if len(self._detail.sites) == 1 else ""
            self.new_inspection_requested.emit(self._detail.id, only)

    def _new_for_site(self, site_id: str) -> None:
        if self._detail is not None:
            self.new_inspection_requested.emit(self._detail.id, site_id)

    def _selected_inspection(self):
        row = self.inspections.currentRow()
        if self._detail is None or not 0 <= row < len(self._detail.inspections):
            return None
        return self._detail.inspections[row]

    def _inspection_selected(self) -> None:
        """Sign a completed inspection; correct or print the documents of a signed one."""
        chosen = self._selected_inspection()
        status = chosen.status if chosen else None
        self.sign_button.setEnabled(status == "completed")
        self.amend_button.setEnabled(status == "signed")
        self.documents_button.setEnabled(status == "signed")

    def _emit_for_selected(self, signal) -> None:
        chosen = self._selected_inspection()
        if chosen is not None:
            signal.emit(chosen.id)

    def _open_inspection(self, item: QTableWidgetItem) -> None:
        inspection_id = item.data(ID_ROLE)
        if inspection_id:
            self.inspection_open_requested.emit(inspection_id)
