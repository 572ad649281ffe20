"""Sync dialogs offscreen: export with progress and cancel, import with a preview, history, conflicts."""

import zipfile

import pytest
from PySide6.QtCore import Qt

from inspector_app.core.inspection import inspections
from tests.sync import conftest as sync_conftest

_world_templates = sync_conftest._world_templates  # the session's pristine databases, shared with tests/sync


@pytest.fixture
def world(tmp_path, templates, _world_templates):
    """A bureau and two laptops after the first broadcast (tests/sync/conftest.py)."""
    w = sync_conftest._world(tmp_path, templates, _world_templates / "world", _world_templates / "appdata")
    yield w
    w.close()


@pytest.fixture
def worker(qtbot):
    from inspector_app.ui.tasks import TaskManager

    w = TaskManager()
    yield w
    w.stop()


def _wait_task(qtbot, dialog):
    qtbot.waitUntil(lambda: dialog._task is None, timeout=20000)


def test_export_dialog_on_a_laptop(qtbot, world, worker):
    from inspector_app.ui.bundle_export_dialog import ExportDialog

    iid = world.start(world.a, {world.items[0]: "conform"})
    dialog = ExportDialog(world.a.db, worker)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=10000)
    assert dialog.destination.count() == 1 and dialog.destination.currentData() == world.bureau.id
    assert dialog.encrypt.isChecked()  # field → bureau: encrypted by default
    target = world.a.bundles / "from-dialog.ibundle"
    dialog.path_edit.setText(str(target))
    with qtbot.waitSignal(dialog.finished_export, timeout=20000):
        dialog.export_button.click()
    assert target.exists() and dialog.result.encrypted
    assert "已导出" in dialog.status.text() and dialog.progress.value() == dialog.progress.maximum()
    assert dialog.cancel_button.text() == "关闭"
    assert "删除" not in dialog.status.text()
    # The draft deleted after it was sent: the next export says that its deletion goes along.
    inspections.delete_draft(world.a.db, iid)
    dialog.path_edit.setText(str(world.a.bundles / "deletion.ibundle"))
    with qtbot.waitSignal(dialog.finished_export, timeout=20000):
        dialog.export_button.click()
    assert "其中 1 条是本机已删除的记录" in dialog.status.text()


def test_export_dialog_offers_broadcast_at_the_bureau(qtbot, world, worker):
    from inspector_app.ui.bundle_export_dialog import ExportDialog

    dialog = ExportDialog(world.bureau.db, worker)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=10000)
    assert dialog.destination.itemData(0) == "*" and dialog.destination.count() == 3
    assert not dialog.encrypt.isEnabled() and not dialog.encrypt.isChecked()
    dialog.destination.setCurrentIndex(1)
    assert dialog.encrypt.isEnabled() and not dialog.encrypt.isChecked()


def test_export_can_be_cancelled(qtbot, world, worker, monkeypatch):
    import threading

    from inspector_app.sync import export
    from inspector_app.sync.format import Cancelled
    from inspector_app.ui.bundle_export_dialog import ExportDialog

    started = threading.Event()

    def slow_export(db, path, *, progress, cancelled, **kw):
        started.set()
        for n in range(1000):
            if cancelled():
                raise Cancelled()
            progress(n, 1000, "…")
            threading.Event().wait(0.01)
        raise AssertionError("not cancelled")

    monkeypatch.setattr(export, "export_bundle", slow_export)
    dialog = ExportDialog(world.a.db, worker)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=10000)
    dialog.path_edit.setText(str(world.a.bundles / "x.ibundle"))
    dialog.export_button.click()
    assert started.wait(5)
    dialog.cancel_button.click()
    _wait_task(qtbot, dialog)
    assert "已取消" in dialog.status.text()
    assert not (world.a.bundles / "x.ibundle").exists()


def test_import_dialog_previews_then_applies(qtbot, world, worker):
    from inspector_app.ui.bundle_import_dialog import ImportDialog

    iid = world.start(world.a, {world.items[0]: "conform"})
    bundle = world.a.export().path
    dialog = ImportDialog(world.bureau.db, worker, path=bundle)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=20000)
    rows = {dialog.preview_model.row(r)[0]: dialog.preview_model.row(r) for r in range(dialog.preview_model.rowCount())}
    assert rows["检查记录"][1:] == (1, 0, 0, 0, 0, 0)  # added, updated, deleted, same, older, conflict
    assert "张伟" in dialog.source.text() and "已加密" in dialog.source.text()
    # Nothing written by the preview.
    with world.bureau.db.session() as s:
        from sqlalchemy import func, select

        from inspector_app.core.storage.models import Inspection

        assert s.scalar(select(func.count()).select_from(Inspection)) == 0
    with qtbot.waitSignal(dialog.imported, timeout=20000):
        dialog.import_button.click()
    assert "新增 2 条" in dialog.status.text()
    # The same file again: said, and nothing to apply.
    again = ImportDialog(world.bureau.db, worker, path=bundle)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again._task is None, timeout=20000)
    assert "导入过" in again.status.text() and not again.import_button.isEnabled()
    # The draft deleted on the laptop: the preview counts it under 删除, and applying removes it.
    inspections.delete_draft(world.a.db, iid)
    gone = ImportDialog(world.bureau.db, worker, path=world.a.export().path)
    qtbot.addWidget(gone)
    qtbot.waitUntil(lambda: gone.import_button.isEnabled(), timeout=20000)
    headers = [gone.preview_model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    deleted = {gone.preview_model.row(r)[0]: gone.preview_model.row(r) for r in range(gone.preview_model.rowCount())}
    assert deleted["检查记录"][headers.index("删除")] == 1
    assert not gone.deletions.isHidden() and "上海申华塑料制品有限公司" in gone.deletions.text()  # which one
    assert dialog.deletions.isHidden()  # the first bundle deleted nothing
    with qtbot.waitSignal(gone.imported, timeout=20000):
        gone.import_button.click()
    assert "删除 1 条" in gone.status.text()
    with world.bureau.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Inspection)) == 0


def test_import_dialog_says_before_applying_which_deletions_it_will_not_apply(qtbot, world, worker):
    from inspector_app.ui.bundle_import_dialog import ImportDialog

    w = world
    iid = w.start(w.a, {w.items[0]: "conform"})
    w.bureau.import_(w.a.export().path)
    inspections.save_answer(w.bureau.db, iid, w.items[1], conclusion="conform")  # corrected at the bureau
    inspections.delete_draft(w.a.db, iid)  # while the laptop deletes it
    dialog = ImportDialog(w.bureau.db, worker, path=w.a.export().path)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=20000)
    assert not dialog.deletions.isHidden()
    assert "1 条记录对方已删除" in dialog.deletions.text() and "将予以保留" in dialog.deletions.text()
    assert "本机也将删除" not in dialog.deletions.text()  # nothing goes


def test_import_dialog_shows_a_refusal(qtbot, world, worker):
    from inspector_app.sync.staging_folders import staging_root
    from inspector_app.ui.bundle_import_dialog import ImportDialog

    evil = world.a.bundles / "evil.ibundle"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("bundle.json", b"{}")
        zf.writestr("../evil", b"x")
    dialog = ImportDialog(world.bureau.db, worker, path=evil)
    qtbot.addWidget(dialog)
    _wait_task(qtbot, dialog)
    assert "../evil" in dialog.status.text() and "路径穿越" in dialog.status.text()
    assert not dialog.import_button.isEnabled()
    assert not staging_root().exists() or not any(staging_root().iterdir())


def test_closing_the_import_dialog_discards_the_staged_files(qtbot, world, worker):
    from inspector_app.sync.staging_folders import staging_root
    from inspector_app.ui.bundle_import_dialog import ImportDialog

    world.start(world.a)
    dialog = ImportDialog(world.bureau.db, worker, path=world.a.export().path)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=20000)
    dialog.cancel_button.click()
    assert not any(staging_root().iterdir())


def test_conflicts_dialog_resolves(qtbot, world, worker):
    from inspector_app.ui.conflicts_dialog import ConflictsDialog

    iid = world.start(world.a, {world.items[0]: "conform"})
    world.bureau.import_(world.a.export().path)
    world.b.import_(world.bureau.export(to="31000002").path)
    inspections.save_answer(world.a.db, iid, world.items[1], conclusion="conform")
    inspections.save_answer(world.b.db, iid, world.items[1], conclusion="nonconform", record="B的记录")
    world.bureau.import_(world.a.export().path)
    world.bureau.import_(world.b.export().path)
    dialog = ConflictsDialog(world.bureau.db, worker)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.take_incoming.isEnabled() and dialog.diff_model.rowCount() > 0, timeout=10000)
    assert dialog.list_model.rowCount() == 1
    assert dialog.list_model.row(0)[3] == "刘洋"
    diffs = {dialog.diff_model.row(r)[0]: dialog.diff_model.row(r)[1:] for r in range(dialog.diff_model.rowCount())}
    assert diffs[f"检查项 {world.items[1]} 检查记录"] == ("", "B的记录")  # a label, not answers.<item>.record
    with qtbot.waitSignal(dialog.resolved, timeout=10000):
        dialog.take_incoming.click()
    qtbot.waitUntil(lambda: dialog.list_model.rowCount() == 0, timeout=10000)
    assert "没有待处理" in dialog.status.text()
    view = inspections.load_inspection(world.bureau.db, iid)
    assert view.answer(world.items[1]).record == "B的记录"


def test_conflicts_dialog_names_the_enterprise_and_resolves_all_of_it_at_once(qtbot, world, worker):
    from sqlalchemy import select

    from inspector_app.core.storage.models import Enterprise, License, Site
    from inspector_app.ui.conflicts_dialog import ConflictsDialog

    # The same enterprise, its site and license corrected differently on the laptop and at the bureau.
    for node, who in ((world.a, "笔记本"), (world.bureau, "区局")):
        with node.db.session() as s:
            s.scalar(select(Enterprise)).legal_rep = f"{who}改的法人"
            s.scalar(select(Site)).district = f"{who}区"
            s.scalar(select(License)).products = f"{who}的产品"
    world.bureau.import_(world.a.export().path)
    dialog = ConflictsDialog(world.bureau.db, worker)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.list_model.rowCount() == 3 and dialog.diff_model.rowCount() > 0, timeout=10000)
    titles = [dialog.list_model.row(r)[0] for r in range(3)]
    assert all("上海申华塑料制品有限公司（91350100M000100Y43）" in t for t in titles)  # name and credit code
    assert not any("-" in t and len(t) == 36 for t in titles)
    assert dialog.remaining.text() == "待处理 3 条"
    fields = {dialog.diff_model.row(r)[0] for r in range(dialog.diff_model.rowCount())}
    assert fields <= {"法定代表人", "所在区", "获证产品"} and fields  # labels, not column names
    assert dialog.select_where(lambda r: r.kind == "license") == 1
    dialog.select_enterprise.click()
    assert len(dialog.selected_ids()) == 3 and dialog.keep_local.text() == "保留本机版本（3 条）"
    with qtbot.waitSignal(dialog.resolved, timeout=10000):
        dialog.keep_local.click()
    qtbot.waitUntil(lambda: dialog.list_model.rowCount() == 0, timeout=10000)
    assert "已处理 3 条" in dialog.status.text() and "没有待处理" in dialog.status.text()
    assert dialog.remaining.text() == "待处理 0 条"
    with world.bureau.db.session() as s:
        assert s.scalar(select(Enterprise.legal_rep)) == "区局改的法人"


def test_history_dialog_reports_gaps(qtbot, world, worker):
    from inspector_app.ui.sync_history_dialog import SyncHistoryDialog

    world.start(world.a)
    world.a.export()
    world.start(world.a)
    second = world.a.export()
    world.bureau.import_(second.path)
    dialog = SyncHistoryDialog(world.bureau.db, worker)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.streams_model.rowCount() > 0, timeout=10000)
    rows = [dialog.streams_model.row(r) for r in range(dialog.streams_model.rowCount())]
    zhang = next(r for r in rows if r[0] == "张伟")
    assert zhang[1] == "收到" and zhang[4] == 2 and zhang[5] == "1"
    assert "不连续" in dialog.status.text()
    qtbot.waitUntil(lambda: dialog.bundles_model.rowCount() > 0, timeout=5000)


def test_devices_dialog_bureau_and_laptop(qtbot, world, worker, tmp_path):
    from inspector_app.sync.keys import export_public_key
    from inspector_app.ui.devices_dialog import DevicesDialog
    from inspector_app.ui.sync_common import title_suffix

    assert title_suffix(world.bureau.db) == " — 区局" and title_suffix(world.a.db) == " — 现场检查终端"
    dialog = DevicesDialog(world.bureau.db, worker)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3, timeout=10000)
    assert dialog.revoke_button.isVisible()
    laptop = DevicesDialog(world.a.db, worker)
    qtbot.addWidget(laptop)
    laptop.show()
    qtbot.waitUntil(lambda: laptop.model.rowCount() == 3, timeout=10000)
    assert not laptop.revoke_button.isVisible() and not laptop.inspector_edit.isVisible()
    # A laptop trying to register another laptop's key is told why not.
    key = tmp_path / "b.ibkey"
    key.write_bytes(export_public_key(world.b.identity))
    laptop.key_edit.setText(str(key))
    laptop.register_button.click()
    qtbot.waitUntil(lambda: "只能登记区局" in laptop.status.text(), timeout=10000)


def test_first_setup_dialog(qtbot, db, worker, tmp_path):
    from inspector_app.core.storage.sync_models import device_role
    from inspector_app.sync.keys import read_public_key
    from inspector_app.ui.devices_dialog import DeviceSetupDialog

    dialog = DeviceSetupDialog(db, worker)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("笔记本")
    dialog.bureau.setChecked(True)
    with qtbot.waitSignal(dialog.setup_done, timeout=10000):
        dialog.setup_button.click()
    assert device_role(db) == "bureau" and "公钥指纹" in dialog.status.text()
    assert not dialog.field.isEnabled()
    key = tmp_path / "me.ibkey"
    dialog._save_key(str(key))
    assert read_public_key(key.read_bytes()).role == "bureau"
    again = DeviceSetupDialog(db, worker)  # opened again: shows the identity, offers no change
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.identity is not None, timeout=10000)
    assert not again.setup_button.isEnabled() and again.bureau.isChecked()


# --- the 同步 menu of the main window ---------------------------------------------------------------------
@pytest.fixture
def laptop_window(qtbot, world):
    """Laptop a's main window on its own database file (its test engine closed: one user of the file)."""
    from inspector_app.ui.main_window import MainWindow

    world.a.db.close()
    window = MainWindow(world.a.path)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.roster_shown, timeout=15000):
        window.start()
    yield window
    window.shutdown()


def test_main_window_shows_the_role_and_imports_from_the_sync_menu(qtbot, world, laptop_window, monkeypatch):
    from inspector_app.core.storage.models import Enterprise, Site
    from inspector_app.ui.bundle_import_dialog import ImportDialog

    window = laptop_window
    qtbot.waitUntil(lambda: window.windowTitle() == f"现场检查 — 现场检查终端 — {world.a.path.name}")
    assert "本机设置" not in window.statusBar().currentMessage()
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "同步(&Y)")
    assert [a.text() for a in menu.actions() if not a.isSeparator()] == [
        "导出同步数据包…",
        "导入同步数据包…",
        "同步冲突…",
        "同步记录…",
        "设备登记…",
        "本机设置…",
    ]
    assert window.model.total_count == 1

    # The bureau adds an enterprise and broadcasts; the laptop imports it through the menu's dialog.
    with world.bureau.db.session() as s:
        ent = Enterprise(uscc="91310115MA1FL0002R", name="上海浦江电线电缆有限公司", district="浦东新区")
        s.add_all([ent, Site(enterprise=ent, address="上海市浦东新区工业路1号", district="浦东新区")])
    bundle = world.bureau.export().path

    def apply_when_verified(dialog):
        qtbot.waitUntil(dialog.import_button.isEnabled, timeout=20000)
        with qtbot.waitSignal(dialog.imported, timeout=20000):
            dialog.import_button.click()
        return 1

    monkeypatch.setattr(ImportDialog, "exec", apply_when_verified)
    window.import_bundle(bundle)
    qtbot.waitUntil(lambda: window.model.total_count == 2, timeout=20000)
    assert window.count_label.text() == "共 2 家，显示 2 家"


def test_sync_before_first_setup_offers_the_setup(qtbot, start_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from inspector_app.ui.bundle_export_dialog import ExportDialog

    window = start_window()
    qtbot.waitUntil(lambda: "本机设置" in window.statusBar().currentMessage())  # the hint before first setup
    asked, opened = [], []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    monkeypatch.setattr(ExportDialog, "exec", lambda dialog: opened.append(dialog) or 0)
    window.export_bundle()
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert "尚未完成初始设置" in asked[0] and not opened
    assert window.windowTitle().startswith("现场检查 — ") and "终端" not in window.windowTitle()


def test_history_on_a_laptop_says_what_the_bureau_confirmed(qtbot, world, worker):
    from inspector_app.ui.sync_history_dialog import SyncHistoryDialog

    world.start(world.a, {world.items[0]: "conform"})
    world.bureau.import_(world.a.export().path)
    world.a.import_(world.bureau.export(to=world.a.id).path)  # carries the bureau's receipt
    dialog = SyncHistoryDialog(world.a.db, worker)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "区局已确认收到" in dialog.delivery.text(), timeout=10000)
    assert "都已收到" in dialog.delivery.text()
    bureau = SyncHistoryDialog(world.bureau.db, worker)  # the bureau has no such line
    qtbot.addWidget(bureau)
    qtbot.waitUntil(lambda: bureau.streams_model.rowCount() > 0, timeout=10000)
    worker.wait_idle()
    assert bureau.delivery.text() == ""
