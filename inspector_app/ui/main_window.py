"""The main window: filter bar and enterprise list on the left, the archive of the selection on the right.

Built before any database code is imported: the window paints first, then `start()` opens the database
on the worker thread (where SQLAlchemy and Alembic are imported) and the list fills when the roster
arrives. Everything under inspector_app.core is imported inside methods for that reason.
"""

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector_app import __version__
from inspector_app.core.catalog import CLASSES, DISTRICTS, PRODUCT_CATEGORIES
from inspector_app.i18n import _
from inspector_app.ui.archive_view import ArchiveLoader, ArchiveView
from inspector_app.ui.errors import inform, show_error
from inspector_app.ui.progress import ProgressDialogRun
from inspector_app.ui.tasks import ARCHIVE, DEVICE, ROSTER, SETTINGS, TEMPLATES, TaskManager

log = logging.getLogger(__name__)


# --- jobs for the database worker (they run on its thread) ---------------------------------------------
def _open_and_load(path: Path, cached_fingerprint: tuple | None):
    """Open the database; reload the roster unless the cached one shown already matches the tables."""
    from inspector_app.core.roster.load import cached_roster_is_current
    from inspector_app.core.storage.db import open_database

    db = open_database(path)
    try:
        if cached_fingerprint is not None and cached_roster_is_current(db, cached_fingerprint):
            return db, None
        return db, _load_index(db, path)
    except BaseException:
        db.close()
        raise


def _load_index(db, path: Path):
    from inspector_app.core.roster.load import cache_path, load_roster

    return load_roster(db, cache=cache_path(path))


def _load_templates(db):
    from inspector_app.core.inspection.template_store import available_templates
    from inspector_app.core.inspection.templates import TemplateError

    try:
        return available_templates(db)  # forms/ and the templates the bureau published
    except TemplateError as exc:  # the app still works (archive, roster); new inspections will say why not
        return exc


class FilterBar(QWidget):
    """Search box and filters; emits `changed` and leaves the search to the controller."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("搜索：企业名称、统一社会信用代码或许可证编号（Ctrl+F）"))
        self.search.setClearButtonEnabled(True)
        self.district = self._combo(_("全部区"), [(d, d) for d in DISTRICTS])
        self.category = self._combo(_("全部产品类别"), [(c, c) for c in PRODUCT_CATEGORIES])
        self.classification = self._combo(_("全部分类"), [(f"{k} {v}", k) for k, v in CLASSES.items()])
        self.expiring = QCheckBox(_("许可证即将到期/已过期"))

        self.search.textChanged.connect(self.changed)
        for combo in (self.district, self.category, self.classification):
            combo.currentIndexChanged.connect(self.changed)
        self.expiring.toggled.connect(self.changed)

        filters = QHBoxLayout()
        filters.addWidget(self.district)
        filters.addWidget(self.category, 1)
        filters.addWidget(self.classification)
        filters.addWidget(self.expiring)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(filters)

    @staticmethod
    def _combo(all_label: str, entries: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(all_label, None)
        for label, value in entries:
            combo.addItem(label, value)
        return combo

    def values(self) -> dict:
        """Keyword arguments of core.roster.index.RosterFilter."""
        return {
            "text": self.search.text(),
            "district": self.district.currentData(),
            "category": self.category.currentData(),
            "classification": self.classification.currentData(),
            "expiring_only": self.expiring.isChecked(),
        }


class MainWindow(QMainWindow):
    roster_visible = Signal()  # the list first shows rows: from the display cache, or from the database
    roster_shown = Signal()  # the list shows the database's roster, checked against the tables
    database_failed = Signal(object)

    def __init__(self, db_path: Path, *, demo: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.db = None
        self.templates = None  # dict[str, Template], or the TemplateError explaining why not
        self.model = None  # RosterTableModel once the roster is loaded
        self._demo = demo
        self._worker: TaskManager | None = None
        self._loader: ArchiveLoader | None = None
        self._screens: dict[str, QWidget] = {}  # open inspection windows by inspection id
        self._tools: dict[str, QWidget] = {}  # open supervision windows by name

        self._set_title("")
        self.resize(1360, 820)
        self._build()
        self._build_menus()
        self._set_db_actions_enabled(False)

        # Coalesce changes made in one event-loop turn (a paste, a cleared field) into one search.
        self._filter_timer = QTimer(self, singleShot=True, interval=0)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_bar.changed.connect(self._filter_timer.start)

    # --- layout ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.filter_bar = FilterBar()
        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: anything that measures rows would touch all 100,000 of them.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.activated.connect(self._open_archive)  # Enter or double-click

        self.archive = ArchiveView()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addWidget(self.filter_bar)
        left_layout.addWidget(self.table, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 6, 6, 6)
        right_layout.addWidget(self.archive)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([780, 580])
        self.setCentralWidget(splitter)

        self.count_label = QLabel(_("正在打开数据库…"))
        self.statusBar().addPermanentWidget(self.count_label)
        self.archive.show_placeholder(_("正在载入企业名录…"))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("文件(&F)"))
        self.import_action = self._action(file_menu, _("导入名录…"), self.import_roster, "Ctrl+I")
        self.demo_action = self._action(file_menu, _("加载演示数据"), self.load_demo)
        self.settings_action = self._action(file_menu, _("设置…"), self.edit_settings)
        file_menu.addSeparator()
        self._action(file_menu, _("退出"), self.close, QKeySequence.StandardKey.Quit)

        inspect_menu = bar.addMenu(_("检查(&J)"))
        self.new_action = self._action(inspect_menu, _("新建检查…"), self.new_inspection, "Ctrl+N")
        supervise = bar.addMenu(_("监管(&S)"))
        self.supervision_actions = [
            self._action(supervise, _("年度检查计划…"), lambda: self.open_tool("plan")),
            self._action(supervise, _("双随机抽取…"), lambda: self.open_tool("draw")),
            self._action(supervise, _("整改跟踪…"), lambda: self.open_tool("followup")),
            self._action(supervise, _("统计报表…"), lambda: self.open_tool("statistics")),
        ]
        sync = bar.addMenu(_("同步(&Y)"))
        self.sync_actions = [
            self._action(sync, _("导出同步数据包…"), self.export_bundle, "Ctrl+E"),
            self._action(sync, _("导入同步数据包…"), self.import_bundle),
            self._action(sync, _("同步冲突…"), lambda: self.open_sync_dialog("conflicts")),
            self._action(sync, _("同步记录…"), lambda: self.open_sync_dialog("history")),
            self._action(sync, _("设备登记…"), lambda: self.open_sync_dialog("devices")),
            self._action(sync, _("本机设置…"), self.device_setup),
        ]
        sync.insertSeparator(self.sync_actions[2])
        sync.insertSeparator(self.sync_actions[4])
        people = bar.addMenu(_("检查人员(&P)"))
        self.inspectors_action = self._action(people, _("管理检查人员…"), self.manage_inspectors)
        help_menu = bar.addMenu(_("帮助(&H)"))
        self._action(help_menu, _("核验文书…"), self.verify_document)  # a paper document → the issued one
        self._action(help_menu, _("关于"), self.about)

        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.focus_search)
        self.addAction(find)

        self.archive.new_inspection_requested.connect(self.new_inspection_for)
        self.archive.inspection_open_requested.connect(self.open_inspection)
        self.archive.sign_requested.connect(self.sign_inspection)
        self.archive.amend_requested.connect(self.amend_inspection)
        self.archive.documents_requested.connect(self.show_documents)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _set_db_actions_enabled(self, enabled: bool) -> None:
        for action in (
            self.import_action,
            self.demo_action,
            self.settings_action,
            self.new_action,
            self.inspectors_action,
            *self.supervision_actions,
            *self.sync_actions,
        ):
            action.setEnabled(enabled)

    # --- start-up ----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the database and load the roster on the worker; the window is already on screen."""
        self._worker = TaskManager(self)
        self._worker.data_changed.connect(self._data_changed)
        self._loader = ArchiveLoader(self._worker, self)
        self._loader.loaded.connect(self.archive.show_detail)
        self._loader.failed.connect(self._archive_failed)
        self.archive.refresh_requested.connect(self._loader.refresh)
        from inspector_app.core.roster.index import cache_path, read_cache

        cached = read_cache(cache_path(self.db_path))
        if cached is not None:
            self._show_index(cached[1])
            self.roster_visible.emit()
        fingerprint = cached[0] if cached else None
        self._worker.submit(_open_and_load, self.db_path, fingerprint, on_done=self._opened, on_error=self._open_failed)

    @property
    def worker(self) -> TaskManager | None:
        return self._worker

    def _opened(self, result) -> None:
        self.db, index = result
        self._loader.set_database(self.db)
        self._set_db_actions_enabled(True)
        if index is not None:
            first = self.model is None
            self._show_index(index)
            if first:
                self.roster_visible.emit()
        self._loader.refresh()  # a row chosen from the cached list before the database was open
        self.roster_shown.emit()
        self._worker.submit(_load_templates, self.db, on_done=self._templates_loaded)
        self._refresh_title()
        if self._demo and not self.model.total_count:
            self.load_demo(confirm=False)  # asked for on the command line (--demo)

    def _data_changed(self, changes: frozenset[str]) -> None:
        """The one place the main window follows what a job changed (ui/tasks.py data_changed)."""
        if self.db is None:
            return
        if ROSTER in changes:
            self.reload_roster()  # the archive of the selection too
        elif ARCHIVE in changes:
            self.refresh_archive()
        if TEMPLATES in changes:
            self._worker.submit(_load_templates, self.db, on_done=self._templates_loaded)
        if DEVICE in changes or SETTINGS in changes:
            self._refresh_title()

    def _open_failed(self, exc: BaseException) -> None:
        self.count_label.setText(_("数据库未打开"))
        self.archive.show_placeholder(_("数据库未打开：{e}").format(e=exc))
        self.database_failed.emit(exc)
        show_error(exc, self)

    def _templates_loaded(self, result) -> None:
        self.templates = result
        if not isinstance(result, dict):
            log.warning("templates refused: %s", result)

    def _show_index(self, index) -> None:
        from inspector_app.ui.roster_model import RosterTableModel

        if self.model is None:
            self.model = RosterTableModel(index, self)
            self.table.setModel(self.model)
            self.table.selectionModel().currentRowChanged.connect(self._row_changed)
            self._size_columns()
            self.apply_filter()
        else:
            self.model.set_index(index)
            self._update_count()
        if not len(index):
            # A field laptop starts from the bureau's bundle: a roster of its own would be a second copy.
            self.archive.show_placeholder(
                _(
                    "数据库中还没有企业。\n\n"
                    "现场检查终端：请先通过“同步 → 导入同步数据包…”导入局里的同步数据包，"
                    "企业名录、检查人员和设置随之而来。\n\n"
                    "区局或单机使用：通过“文件 → 导入名录…”导入企业名录，或“文件 → 加载演示数据”试用。"
                )
            )
        elif self.archive.detail is None:
            self.archive.show_placeholder(_("在左侧列表中选择一家企业，查看其档案（一企一档）。"))

    def _size_columns(self) -> None:
        """Widths from sample texts: measuring the contents would visit every row."""
        from inspector_app.ui import roster_model as rm

        header = self.table.horizontalHeader()
        fm = self.table.fontMetrics()
        samples = {
            rm.COL_NAME: "上海某某塑料制品有限公司",
            rm.COL_USCC: "91310114MA1KM61D68",
            rm.COL_DISTRICT: "浦东新区",
            rm.COL_CLASS: "分类",
            rm.COL_LICENSES: "(沪)XK16-204-00504",
        }
        for col, text in samples.items():
            header.resizeSection(col, fm.horizontalAdvance(text) + 16)
        header.setStretchLastSection(True)

    # --- filtering ---------------------------------------------------------------------------------------
    def apply_filter(self) -> None:
        if self.model is None:
            return
        from inspector_app.core.roster.index import RosterFilter

        self.model.set_filter(RosterFilter(**self.filter_bar.values()))
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(_("共 {n} 家，显示 {m} 家").format(n=self.model.total_count, m=self.model.rowCount()))

    def focus_search(self) -> None:
        self.filter_bar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.search.selectAll()

    # --- selection and archive ---------------------------------------------------------------------------
    def selected_enterprise_id(self) -> str | None:
        index = self.table.currentIndex()
        if self.model is None or not index.isValid():
            return None
        return self.model.enterprise_id(index.row())

    def _row_changed(self, current, _previous) -> None:
        if current.isValid():
            self._loader.load(self.model.enterprise_id(current.row()))

    def _open_archive(self, index) -> None:
        if index.isValid():
            self._loader.load(self.model.enterprise_id(index.row()))
            self.archive.setFocus(Qt.FocusReason.OtherFocusReason)
            self.archive.focusNextChild()

    def _archive_failed(self, exc: BaseException) -> None:
        self.archive.show_placeholder(str(exc))
        from inspector_app.core.errors import DomainError

        if not isinstance(exc, DomainError):
            show_error(exc, self)

    def refresh_archive(self) -> None:
        if self._loader is not None:
            self._loader.refresh()

    # --- commands ----------------------------------------------------------------------------------------
    def new_inspection(self) -> None:
        enterprise_id = self.archive.detail.id if self.archive.detail else self.selected_enterprise_id()
        if enterprise_id is None:
            inform(_("请先在企业列表中选择要检查的企业。"), self)
            return
        self.new_inspection_for(enterprise_id, "")

    def new_inspection_for(self, enterprise_id: str, site_id: str) -> None:
        if self.db is None:
            return
        if not isinstance(self.templates, dict):
            if self.templates is None:
                inform(_("检查表模板仍在载入，请稍候再试。"), self)
            else:
                show_error(self.templates, self)
            return
        from inspector_app.ui.start_inspection_dialog import StartInspectionDialog

        dialog = StartInspectionDialog(
            self, self.db, self._worker, enterprise_id, self.templates, site_id=site_id or None
        )
        accepted = dialog.exec()
        if accepted and dialog.inspection_id:
            self.open_inspection(dialog.inspection_id)

    def open_inspection(self, inspection_id: str) -> None:
        if inspection_id in self._screens:
            screen = self._screens[inspection_id]
            screen.showNormal()
            screen.raise_()
            screen.activateWindow()
            return
        from inspector_app.ui.inspection_screen import InspectionScreen

        screen = InspectionScreen(self.db, self._worker, inspection_id, parent=self)
        screen.setWindowFlag(Qt.WindowType.Window, True)  # its own window, next to the archive
        screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        screen.completed.connect(self._inspection_completed)
        screen.destroyed.connect(lambda _obj=None, iid=inspection_id: self._screen_closed(iid))
        self._screens[inspection_id] = screen
        screen.show()

    def _inspection_completed(self, inspection_id: str) -> None:
        """Completing is followed on site by the signatures (001 §26): offer them at once."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("检查已完成"),
            _("检查记录已完成。现在请检查组成员和企业代表签字确认吗？\n签字后可预览、打印问题汇总表等文书。"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        if box.exec() == QMessageBox.StandardButton.Yes:
            self.sign_inspection(inspection_id)

    def sign_inspection(self, inspection_id: str) -> None:
        from inspector_app.ui.sign_dialog import SignDialog

        signed = SignDialog(self.db, self._worker, inspection_id, self).exec()
        if signed:
            self.show_documents(inspection_id)

    def amend_inspection(self, inspection_id: str) -> None:
        from inspector_app.ui.amendment_dialog import AmendmentDialog

        AmendmentDialog(self.db, self._worker, inspection_id, self).exec()

    def show_documents(self, inspection_id: str) -> None:
        from inspector_app.ui.documents_dialog import DocumentsDialog

        DocumentsDialog(self.db, self._worker, inspection_id, self).exec()

    def open_tool(self, name: str) -> None:
        """A supervision screen in its own window; one window per screen, raised when asked again."""
        tool = self._tools.get(name)
        if tool is None:
            tool = self._make_tool(name)
            tool.setWindowFlag(Qt.WindowType.Window, True)
            tool.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            tool.destroyed.connect(lambda _obj=None, n=name: self._tools.pop(n, None))
            self._tools[name] = tool
        tool.show()
        tool.raise_()
        tool.activateWindow()

    def _make_tool(self, name: str) -> QWidget:
        if name == "plan":
            from inspector_app.ui.plan_view import PlanView

            return PlanView(self.db, self._worker, self)
        if name == "draw":
            from inspector_app.ui.draw_view import DrawView

            return DrawView(self.db, self._worker, self)
        if name == "followup":
            from inspector_app.ui.followup_view import FollowupView

            view = FollowupView(self.db, self._worker, self)
            view.followup_started.connect(self.open_inspection)
            return view
        from inspector_app.ui.statistics_view import StatisticsView

        return StatisticsView(self.db, self._worker, self)

    def _screen_closed(self, inspection_id: str) -> None:
        self._screens.pop(inspection_id, None)
        self.refresh_archive()

    # --- sync (docs/bundle-format.md) -------------------------------------------------------------------
    def _set_title(self, role_suffix: str) -> None:
        """现场检查 — 区局 — inspections.sqlite3: the role chosen at first setup is always in view."""
        self.setWindowTitle(_("现场检查") + role_suffix + f" — {self.db_path.name}")

    def _refresh_title(self) -> None:
        from inspector_app.ui.sync_common import title_suffix

        def show(suffix: str) -> None:
            self._set_title(suffix)
            if not suffix:  # before first setup: say where it is done, without a dialog in the way
                self.statusBar().showMessage(_("本机尚未设置用作现场检查终端还是区局：见“同步 → 本机设置…”。"))

        self._worker.submit(title_suffix, self.db, on_done=show)

    def _with_identity(self, then) -> None:
        """Run `then()` once this installation has its role and keys; before first setup, offer it."""
        from inspector_app.core.storage.sync_models import device_role

        def checked(role) -> None:
            if role:
                then()
                return
            answer = QMessageBox.question(
                self,
                _("同步"),
                _("本机尚未完成初始设置：需先选择本机用作现场检查终端还是区局，并生成密钥。现在设置吗？"),
            )
            if answer == QMessageBox.StandardButton.Yes and self.device_setup():
                then()

        self._worker.submit(device_role, self.db, on_done=checked)

    def device_setup(self) -> bool:
        from inspector_app.ui.devices_dialog import DeviceSetupDialog

        dialog = DeviceSetupDialog(self.db, self._worker, self)
        dialog.setup_done.connect(lambda _identity: self._refresh_title())
        dialog.exec()
        return dialog.identity is not None

    def export_bundle(self) -> None:
        from inspector_app.ui.bundle_export_dialog import ExportDialog

        self._with_identity(lambda: ExportDialog(self.db, self._worker, self).exec())

    def import_bundle(self, path: str | Path | None = None) -> None:
        from inspector_app.ui.bundle_import_dialog import ImportDialog

        def run() -> None:
            dialog = ImportDialog(self.db, self._worker, self, path=path)
            dialog.imported.connect(self._bundle_imported)
            dialog.exec()

        self._with_identity(run)

    def _bundle_imported(self, result) -> None:
        """The import job announced what it changed (data_changed); here only the pointer to the conflicts."""
        conflicts = len(result.conflict_ids)
        if conflicts:
            self.statusBar().showMessage(
                _("导入的数据包中有 {n} 处冲突，请在“同步 → 同步冲突”中处理。").format(n=conflicts), 15000
            )

    def open_sync_dialog(self, name: str) -> None:
        if name == "conflicts":
            from inspector_app.ui.conflicts_dialog import ConflictsDialog

            dialog = ConflictsDialog(self.db, self._worker, self)
            dialog.resolved.connect(lambda _cid: self.reload_roster())
        elif name == "history":
            from inspector_app.ui.sync_history_dialog import SyncHistoryDialog

            dialog = SyncHistoryDialog(self.db, self._worker, self)
        else:
            from inspector_app.ui.devices_dialog import DevicesDialog

            dialog = DevicesDialog(self.db, self._worker, self)
        dialog.exec()

    def verify_document(self) -> None:
        from inspector_app.ui import verify_document_dialog

        verify_document_dialog.open_dialog(self)

    def manage_inspectors(self) -> None:
        from inspector_app.ui.inspectors_dialog import InspectorsDialog

        InspectorsDialog(self.db, self._worker, self).exec()

    def edit_settings(self) -> None:
        from inspector_app.ui.settings_dialog import SettingsDialog

        SettingsDialog(self.db, self._worker, self).exec()

    def import_roster(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("导入企业名录"), str(Path.home()), _("企业名录 (*.xlsx *.csv);;所有文件 (*)")
        )
        if path:
            self._import_file(Path(path), skip_invalid=False)

    def _import_file(self, path: Path, *, skip_invalid: bool) -> None:
        from inspector_app.core.roster.importer import import_roster

        def done(report):
            if report.written:
                self._worker.announce(ROSTER)
                self._import_written(report)
            elif report.errors and self._ask_skip_invalid(report):
                self._import_file(path, skip_invalid=True)

        # roster_io: an exception raised by the progress callback cancels the import, nothing is written.
        ProgressDialogRun(
            self,
            self._worker,
            _("正在导入企业名录…"),
            import_roster,
            self.db,
            path,
            skip_invalid=skip_invalid,
            on_done=done,
            cancellable=True,
        )

    def _import_written(self, report) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, _("导入企业名录"), _("企业名录已导入。"), parent=self)
        box.setInformativeText("\n".join(report.summary_lines()))
        if report.errors or report.warnings:
            box.setDetailedText("\n".join(str(e) for e in [*report.errors, *report.warnings]))
        box.exec()

    def _ask_skip_invalid(self, report) -> bool:
        """Nothing was written because some rows are wrong: show them, offer to import the others."""
        good = report.rows_read - len(report.bad_rows)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("导入企业名录"),
            _("名录中有 {n} 行有问题，尚未导入任何数据。").format(n=len(report.bad_rows)),
            parent=self,
        )
        shown = report.errors[:8]
        more = len(report.errors) - len(shown)
        text = "\n".join(str(e) for e in shown) + (
            _("\n……另有 {n} 处问题，见详细信息。").format(n=more) if more else ""
        )
        box.setInformativeText(text)
        box.setDetailedText("\n".join(str(e) for e in [*report.errors, *report.warnings]))
        skip = box.addButton(_("跳过有问题的行，导入其余 {n} 行").format(n=good), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("不导入，先修改名录"), QMessageBox.ButtonRole.RejectRole)
        skip.setEnabled(good > 0)
        box.exec()
        return box.clickedButton() is skip

    def load_demo(self, confirm: bool = True) -> None:
        from inspector_app.core.demo import load_demo

        if confirm:
            answer = QMessageBox.question(
                self,
                _("加载演示数据"),
                _(
                    "将向本机数据库加入演示用的企业名录（646 家企业）和 8 名检查人员。\n\n"
                    "准备与区局同步的现场检查终端不必加载：请从局里的同步数据包开始"
                    "（“同步 → 导入同步数据包…”），名录随之而来。\n\n确定加载演示数据吗？"
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        ProgressDialogRun(self, self._worker, _("正在加载演示数据…"), load_demo, self.db, changes={ROSTER})

    def reload_roster(self) -> None:
        self._worker.submit(_load_index, self.db, self.db_path, on_done=self._show_index)
        self.refresh_archive()

    def about(self) -> None:
        QMessageBox.about(
            self,
            _("关于现场检查"),
            _("现场检查 {v}\n\n工业产品生产许可证获证企业证后监督检查的离线现场检查工具。\n\n数据库：{p}").format(
                v=__version__, p=self.db_path
            ),
        )

    # --- shutdown ----------------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Let queued saves finish, close the database on the thread that used it, stop the worker."""
        for screen in list(self._screens.values()):
            screen.close()
        if self._worker is None:
            return
        if self.db is not None:
            self._worker.submit(self.db.close)
            self.db = None
        self._worker.stop()
        self._worker = None

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
