"""设备登记 and 本机初始设置.

The device register: at the bureau, register a laptop's public-key file for an inspector and revoke a
device; on a laptop, register the bureau's key file once (the rest arrives in the bureau's bundles). First
setup chooses whether this installation is a field laptop or the bureau, makes its keys and saves the
public-key file to hand over (docs/bundle-format.md §1), and chooses the laptop's document-number prefix
(core/issuing/number_prefix.py; required for a field laptop, shown with the number it gives). An installation set up
before the prefix was asked for, or with an earlier version's random one, chooses it here too.
"""

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui import file_dialogs
from inspector_app.ui.errors import show_error
from inspector_app.ui.geometry import fit_window
from inspector_app.ui.sync_common import StatusLabel, identity_and_devices
from inspector_app.ui.tables import RowsModel, make_table
from inspector_app.ui.tasks import DEVICE


def register_key_file(db, path: Path, inspector: str | None):
    """Register the device whose public key file is at `path` (runs on the database lane)."""
    from inspector_app.sync.format import SyncError
    from inspector_app.sync.keys import register_device

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SyncError(_("无法读取“{p}”：{e}").format(p=path, e=exc.strerror or exc)) from None
    return register_device(db, data, inspector=inspector)


class DevicesDialog(QDialog):
    """The device register. At the bureau: register a laptop's key file for an inspector, revoke a device.
    On a laptop: register the bureau's key file once; the rest comes from the bureau's bundles."""

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self._role = None
        self.setWindowTitle(_("设备登记"))
        fit_window(self, type(self).__name__, (760, 420))
        self.model = RowsModel(
            [_("使用人/名称"), _("角色"), _("设备编号"), _("公钥指纹"), _("有效期"), _("状态")], self
        )
        self.view = make_table(self.model, single=True)
        self.key_edit = QLineEdit()
        self.key_edit.setPlaceholderText(_("对方的公钥文件（.ibkey）"))
        browse = QPushButton(_("浏览…"))
        browse.clicked.connect(self._browse)
        self.inspector_edit = QLineEdit()
        self.inspector_edit.setPlaceholderText(_("使用该终端的检查人员的执法证号"))
        self.register_button = QPushButton(_("登记"))
        self.register_button.clicked.connect(self.register)
        self.revoke_button = QPushButton(_("吊销所选设备"))
        self.revoke_button.clicked.connect(self.revoke)
        self.status = StatusLabel()
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(_("公钥文件："), key_row)
        form.addRow(_("检查人员："), self.inspector_edit)
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.register_button)
        actions.addWidget(self.revoke_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self._worker.submit(identity_and_devices, self._db, on_done=self._show, on_error=lambda e: show_error(e, self))

    def _show(self, loaded) -> None:
        from inspector_app.core.storage.sync_models import BUREAU

        identity, devices = loaded
        self._role = identity.role if identity else None
        bureau = self._role == BUREAU
        self.inspector_edit.setVisible(bureau)
        self.revoke_button.setVisible(bureau)  # bureau-only functions stay out of a laptop's way
        self.register_button.setEnabled(identity is not None)
        rows = []
        for d in devices:
            valid = f"{d.valid_from or '—'} ~ {d.valid_until or '—'}" if (d.valid_from or d.valid_until) else ""
            state = _("已吊销") if d.revoked_at else (_("本机") if d.is_self else _("有效"))
            rows.append((d.inspector_name or d.name, d.role_label, d.id, d.fingerprint, valid, state))
        self.model.set_rows(rows, ids=devices)

    def _browse(self) -> None:
        path, _filter = file_dialogs.get_open_file_name(self, _("选择公钥文件"), "", _("设备公钥 (*.ibkey)"))
        if path:
            self.key_edit.setText(path)

    def register(self) -> None:
        path = Path(self.key_edit.text().strip())
        inspector = self.inspector_edit.text().strip() or None

        def done(info) -> None:
            self.status.say(_("已登记：{d}。请与持有人当面核对公钥指纹 {f}").format(d=info.label, f=info.fingerprint))
            self.reload()

        self._worker.submit(
            register_key_file, self._db, path, inspector, on_done=done, on_error=self.status.fail, changes={DEVICE}
        )

    def revoke(self) -> None:
        from inspector_app.sync.keys import revoke_device

        index = self.view.currentIndex()
        if not index.isValid():
            self.status.say(_("请先选择要吊销的设备。"), error=True)
            return
        device = self.model.row_id(index.row())
        answer = QMessageBox.question(
            self, _("吊销设备"), _("吊销后将拒收“{d}”的所有数据包，且不能撤销。确定吊销吗？").format(d=device.label)
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        def done(info) -> None:
            self.status.say(_("已吊销：{d}").format(d=info.label))
            self.reload()

        self._worker.submit(
            revoke_device, self._db, device.id, _("在设备登记中吊销"), on_done=done, on_error=self.status.fail
        )


class DeviceSetupDialog(QDialog):
    """First setup: is this installation a field laptop or the bureau? Makes the keys; shows the fingerprint
    and saves the public key file to hand over for registration; chooses the document-number prefix."""

    setup_done = Signal(object)  # Identity

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self.identity = None
        self._prefix_wanted = ""  # typed at setup, saved once the keys exist
        self.setWindowTitle(_("本机初始设置"))
        fit_window(self, type(self).__name__, (520, 300))
        self.field = QRadioButton(_("现场检查终端（检查人员的笔记本电脑）"))
        self.bureau = QRadioButton(_("区局（接收检查记录、下发名册和任务）"))
        self.field.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.field)
        group.addButton(self.bureau)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(_("本机名称，例如：张伟的笔记本"))
        from inspector_app.ui.number_prefix_dialog import PrefixEdit

        self.prefix = PrefixEdit(db, worker, self)
        self.prefix_button = QPushButton(_("保存编号前缀"))
        self.prefix_button.clicked.connect(self.save_prefix)
        self.prefix_button.hide()  # shown for an installation set up without a chosen prefix
        self.status = StatusLabel()
        self.setup_button = QPushButton(_("完成设置"))
        self.setup_button.clicked.connect(self.run_setup)
        self.export_button = QPushButton(_("保存公钥文件…"))
        self.export_button.clicked.connect(self._save_key)
        self.export_button.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(_("本机名称："), self.name_edit)
        form.addRow(_("文书编号前缀："), self.prefix)
        form.addRow("", self.prefix_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("本机用作（设置后不能更改）：")))
        layout.addWidget(self.field)
        layout.addWidget(self.bureau)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.setup_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.status, 1)
        layout.addWidget(buttons)
        self._worker.submit(identity_and_devices, self._db, on_done=self._loaded, on_error=self._failed)

    def _loaded(self, loaded) -> None:
        identity, _devices = loaded
        if identity is not None:
            self._show(identity)

    def _wanted_prefix(self, required: bool) -> str | None:
        """The prefix typed, as stored; None (and the reason shown) when it cannot be used."""
        from inspector_app.core.errors import DomainError
        from inspector_app.core.issuing.number_prefix import HINT

        try:
            value = self.prefix.value()
        except DomainError as exc:
            self.status.say(str(exc), error=True)
            return None
        if required and not value:
            self.status.say(_("请填写本机文书编号前缀：{h}").format(h=HINT), error=True)
            return None
        return value

    def run_setup(self) -> None:
        from inspector_app.sync.keys import setup_device

        role = "bureau" if self.bureau.isChecked() else "field"
        wanted = self._wanted_prefix(required=role == "field")  # refused before any key is made
        if wanted is None:
            return
        self._prefix_wanted = wanted
        self.setup_button.setEnabled(False)
        self._worker.submit(
            setup_device,
            self._db,
            role,
            self.name_edit.text().strip() or None,
            on_done=self._done,
            on_error=self._failed,
        )

    def _done(self, identity) -> None:
        self._show(identity)
        self.setup_done.emit(identity)
        if self._prefix_wanted:
            self._submit_prefix(self._prefix_wanted)

    def save_prefix(self) -> None:
        wanted = self._wanted_prefix(required=True)
        if wanted:
            self._submit_prefix(wanted)

    def _submit_prefix(self, value: str) -> None:
        from inspector_app.core.issuing.number_prefix import choose

        self.prefix_button.setEnabled(False)
        self._worker.submit(choose, self._db, value, on_done=self._prefix_saved, on_error=self._prefix_failed)

    def _prefix_saved(self, value: str) -> None:
        self._prefix_wanted = ""
        self._prefix_shown((value, False))
        self.status.say(self.status.text() + "\n" + _("文书编号前缀：{p}").format(p=value))

    def _prefix_failed(self, exc) -> None:
        self.prefix_button.setEnabled(True)
        self.prefix_button.show()
        self.prefix.setEnabled(True)
        self.status.fail(exc)

    def _prefix_shown(self, current) -> None:
        """(stored prefix, whether one must still be chosen): a chosen one is changed in 设置 → 文书编号."""
        prefix, needed = current
        if not needed:
            self.prefix.edit.setText(prefix)
        self.prefix.setEnabled(needed)
        self.prefix_button.setVisible(needed)
        self.prefix_button.setEnabled(needed)

    def _show(self, identity) -> None:
        from inspector_app.core.storage.sync_models import ROLES

        self.identity = identity
        (self.bureau if identity.role == "bureau" else self.field).setChecked(True)
        for w in (self.field, self.bureau, self.name_edit, self.setup_button):
            w.setEnabled(False)
        if not self._prefix_wanted:
            from inspector_app.core.issuing.number_prefix import current

            self._worker.submit(current, self._db, on_done=self._prefix_shown, on_error=self.status.fail)
        self.name_edit.setText(identity.name)
        self.export_button.setEnabled(True)
        self.status.say(
            _("本机：{r}\n设备编号：{d}\n公钥指纹：{f}\n请保存公钥文件交{who}登记，并当面核对指纹。").format(
                r=ROLES[identity.role],
                d=identity.device_id,
                f=identity.fingerprint,
                who=_("区局") if identity.role == "field" else _("各现场检查终端"),
            )
        )

    def _save_key(self, path: str | None = None) -> None:
        from inspector_app.sync.keys import export_public_key

        if not path:
            path, _filter = file_dialogs.get_save_file_name(
                self,
                _("保存公钥文件"),
                f"{self.identity.name or self.identity.device_id[:8]}.ibkey",
                _("设备公钥 (*.ibkey)"),
            )
        if path:
            Path(path).write_bytes(export_public_key(self.identity))
            self.status.say(self.status.text() + "\n" + _("已保存：{p}").format(p=path))

    def _failed(self, exc) -> None:
        self.setup_button.setEnabled(True)
        self.status.fail(exc)
