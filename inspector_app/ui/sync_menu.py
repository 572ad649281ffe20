"""The 同步 menu of the main window: first setup of this installation's role and keys, exporting and importing
bundles, the conflicts / history / devices dialogs, and the title bar that names the role and the database. A
mixin of MainWindow, which provides `db`, `worker`, `db_path`, `reload_roster()` and the status bar.
"""

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from inspector_app.i18n import _


class SyncMenu:
    def _set_title(self, role_suffix: str) -> None:
        """现场检查 — 区局 — inspections.sqlite3 / 服务器 host/bureau: the role and the database always in view."""
        from inspector_app.ui.window_title import database_name

        name = database_name(self.db.location, self.db.is_server) if self.db else self.db_path.name
        self.setWindowTitle(_("现场检查") + role_suffix + f" — {name}")

    def refresh_title(self) -> None:
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

        self.worker.submit(device_role, self.db, on_done=checked)

    def device_setup(self) -> bool:
        from inspector_app.ui.devices_dialog import DeviceSetupDialog

        dialog = DeviceSetupDialog(self.db, self.worker, self)
        dialog.setup_done.connect(lambda _identity: self.refresh_title())
        dialog.exec()
        return dialog.identity is not None

    def export_bundle(self) -> None:
        from inspector_app.ui.bundle_export_dialog import ExportDialog

        self._with_identity(lambda: ExportDialog(self.db, self.worker, self).exec())

    def import_bundle(self, path: str | Path | None = None) -> None:
        from inspector_app.ui.bundle_import_dialog import ImportDialog

        def run() -> None:
            dialog = ImportDialog(self.db, self.worker, self, path=path)
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

            dialog = ConflictsDialog(self.db, self.worker, self)
            dialog.resolved.connect(lambda _cid: self.reload_roster())
        elif name == "history":
            from inspector_app.ui.sync_history_dialog import SyncHistoryDialog

            dialog = SyncHistoryDialog(self.db, self.worker, self)
        else:
            from inspector_app.ui.devices_dialog import DevicesDialog

            dialog = DevicesDialog(self.db, self.worker, self)
        dialog.exec()
