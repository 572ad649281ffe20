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
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app import __version__
from inspector_app.i18n import _
from inspector_app.ui.archive_view import ArchiveLoader, ArchiveView
from inspector_app.ui.errors import inform, show_error
from inspector_app.ui.filter_bar import FilterBar
from inspector_app.ui.geometry import fit_window
from inspector_app.ui.home_view import HomeView
from inspector_app.ui.startup_jobs import load_index, load_templates, open_and_load
from inspector_app.ui.sync_menu import SyncMenu
from inspector_app.ui.tasks import ARCHIVE, DEVICE, ROSTER, SETTINGS, TEMPLATES, TaskManager
from inspector_app.ui.tool_windows import ToolWindows

log = logging.getLogger(__name__)


class MainWindow(SyncMenu, ToolWindows, QMainWindow):
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
        fit_window(self, "main", (1360, 820))
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
        # 我的工作 first (issue 16 §2); choosing an enterprise turns to its archive.
        self.home = HomeView(None, None)
        self.home.open_requested.connect(self.open_work)
        self.home.start_requested.connect(self.new_inspection_for)
        self.right_tabs = QTabWidget()
        self.right_tabs.addTab(self.home, _("我的工作"))
        self.right_tabs.addTab(self.archive, _("企业档案"))
        right_layout.addWidget(self.right_tabs)

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
            self._action(supervise, _("企业分类…"), lambda: self.open_tool("classification")),
            self._action(supervise, _("许可证撤回、撤销、吊销、注销…"), lambda: self.open_tool("license_actions")),
            self._action(supervise, _("约谈…"), lambda: self.open_tool("interviews")),
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
        self._loader.history_loaded.connect(self.archive.show_history)
        self._loader.failed.connect(self._archive_failed)
        self.archive.refresh_requested.connect(self._loader.refresh)
        from inspector_app.core.roster.index import cache_path, read_cache

        cached = read_cache(cache_path(self.db_path))
        if cached is not None:
            self._show_index(cached[1])
            self.roster_visible.emit()
        fingerprint = cached[0] if cached else None
        self._worker.submit(open_and_load, self.db_path, fingerprint, on_done=self._opened, on_error=self._open_failed)

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
        self.home.set_database(self.db, self._worker)
        self.roster_shown.emit()
        self._worker.submit(load_templates, self.db, on_done=self._templates_loaded)
        self.refresh_title()
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
            self._worker.submit(load_templates, self.db, on_done=self._templates_loaded)
        if DEVICE in changes or SETTINGS in changes:
            self.refresh_title()

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
            self.right_tabs.setCurrentWidget(self.archive)

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

    def open_work(self, inspection_id: str, kind: str) -> None:
        """A form from 我的工作 or 整改跟踪: a 回访 opens its own form (ui/followup_form.py), others the checklist."""
        if kind != "followup":
            self.open_inspection(inspection_id)
            return
        from inspector_app.ui.followup_form import FollowupForm

        key = "followup:" + inspection_id
        if key not in self._screens:
            form = FollowupForm(self.db, self._worker, inspection_id, parent=self)
            form.setWindowFlag(Qt.WindowType.Window, True)
            form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            form.checklist_requested.connect(self.open_inspection)
            form.completed.connect(self._inspection_completed)
            form.destroyed.connect(lambda _obj=None, k=key: self._screen_closed(k))
            self._screens[key] = form
        form = self._screens[key]
        form.show()
        form.raise_()
        form.activateWindow()

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
        fit_window(screen, "inspection", (1200, 860), maximised=True)  # the 检查记录 column gets the width
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

    def _screen_closed(self, inspection_id: str) -> None:
        self._screens.pop(inspection_id, None)
        self.refresh_archive()

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
        from inspector_app.ui.roster_import import choose_and_import

        choose_and_import(self)

    def load_demo(self, confirm: bool = True) -> None:
        from inspector_app.ui.roster_import import load_demo

        load_demo(self, confirm=confirm)

    def reload_roster(self) -> None:
        self._worker.submit(load_index, self.db, self.db_path, on_done=self._show_index)
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
