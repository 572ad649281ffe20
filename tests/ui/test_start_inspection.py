"""Starting an inspection: site, license → form, kind, date, a team of at least two (001 §24)."""

from datetime import date

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QApplication

from inspector_app.core.inspection import inspections
from inspector_app.ui.start_inspection_dialog import StartInspectionDialog
from inspector_app.ui.tasks import TaskManager


@pytest.fixture
def db_worker(qtbot):
    worker = TaskManager()
    yield worker
    worker.stop()


@pytest.fixture
def dialog(qtbot, db, db_worker, sample, templates, fixed_today):
    dlg = StartInspectionDialog(None, db, db_worker, sample.enterprise_id, templates)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def combo_texts(combo) -> list[str]:
    return [combo.itemText(n) for n in range(combo.count())]


def tick(qtbot, dlg, name: str) -> None:
    """Tick an inspector in the team list with the mouse, on the check box."""
    lst = dlg.team
    row = next(lst.item(n) for n in range(lst.count()) if lst.item(n).text().startswith(name))
    rect = lst.visualItemRect(row)
    # The check indicator sits at the left of the row.
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y()))
    assert row.checkState() == Qt.CheckState.Checked


def test_defaults_follow_site_and_license(dialog, sample):
    assert combo_texts(dialog.site) == [
        "上海市奉贤区南桥镇江海路88号（奉贤区）",
        "上海市奉贤区青村镇光明路6号（奉贤区）",
    ]
    assert dialog.license.currentData() == sample.license_id  # the license issued for the first site
    assert combo_texts(dialog.template) == ["工业产品生产许可证获证企业监督检查记录表（第 2 版）"]
    assert combo_texts(dialog.kind) == ["定期", "不定期", "专项", "回访", "双随机", "飞行", "全覆盖例行"]
    assert dialog.date.date() == QDate(2026, 6, 15)  # core.clock's today
    # The second site has the food-related license: its form is the food one.
    dialog.site.setCurrentIndex(1)
    assert dialog.license.currentData() == sample.food_license_id
    assert combo_texts(dialog.template) == ["工业产品生产许可证获证企业监督检查记录表（食品相关产品）（第 2 版）"]


def test_team_of_one_is_refused_with_001_s24(qtbot, dialog, db):
    tick(qtbot, dialog, "张伟")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible()
    assert (
        dialog.error.text()
        == "检查组：检查人员不少于2名（《上海市工业产品生产许可证证后监督检查管理办法》第二十四条），当前1名"
    )
    assert dialog.isVisible() and dialog.inspection_id is None
    with db.session() as s:
        from inspector_app.core.storage.models import Inspection

        assert s.query(Inspection).count() == 0
    # Ticking a second inspector clears the message.
    tick(qtbot, dialog, "刘洋")
    assert not dialog.error.isVisible()


def test_start_creates_the_inspection(qtbot, dialog, db, db_worker, sample):
    started = []
    dialog.started.connect(started.append)
    dialog.site.setCurrentIndex(1)  # food-related site and license
    dialog.kind.setCurrentIndex(dialog.kind.findText("专项"))
    dialog.date.setDate(QDate(2026, 6, 12))
    for name in ("张伟", "刘洋", "陈静"):
        tick(qtbot, dialog, name)
    assert combo_texts(dialog.leader) == ["张伟", "刘洋", "陈静"]
    dialog.leader.setCurrentIndex(2)  # 陈静 leads
    with qtbot.waitSignal(dialog.started, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert started == [dialog.inspection_id]
    assert dialog.result() == dialog.DialogCode.Accepted

    view = inspections.load_inspection(db, dialog.inspection_id)
    assert view.site_address == "上海市奉贤区青村镇光明路6号"
    assert view.license_number == "(沪)XK16-204-00006"
    assert view.template.id == "food" and view.product_kind == "food"
    assert view.kind == "special"
    assert view.inspected_on == date(2026, 6, 12)
    assert [m.name for m in view.team] == ["陈静", "张伟", "刘洋"]  # the leader first
    assert view.status == inspections.DRAFT


def test_core_refusal_shown_inline(qtbot, dialog, db, sample):
    """A license that no longer matches the chosen form (core decides) is reported in the dialog."""
    dialog.set_team(sample.inspector_ids[:2])
    # Force a mismatch the combo boxes would not offer: an industrial form for the food license.
    dialog.site.setCurrentIndex(1)
    dialog.template.addItem("industrial", "industrial")
    dialog.template.setCurrentIndex(dialog.template.count() - 1)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error.isVisible, timeout=5000)
    assert "不适用于产品类别“直接接触食品的材料等相关产品”" in dialog.error.text()
    assert dialog.ok_button.isEnabled() and dialog.inspection_id is None


def test_keyboard_only_start(qtbot, dialog, db, sample):
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    dialog.team.setFocus()
    qtbot.keyClick(dialog.team, Qt.Key.Key_Home)
    qtbot.keyClick(dialog.team, Qt.Key.Key_Space)
    qtbot.keyClick(dialog.team, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.team, Qt.Key.Key_Space)
    assert dialog.team_ids() == sample.inspector_ids[:2]
    with qtbot.waitSignal(dialog.started, timeout=5000):
        qtbot.keyClick(dialog.team, Qt.Key.Key_Return)
    assert inspections.load_inspection(db, dialog.inspection_id).kind == "scheduled"


def test_site_can_be_preselected(qtbot, db, db_worker, sample, templates, fixed_today):
    """The archive view opens the dialog on the site the inspector picked."""
    from inspector_app.core.archive import get_enterprise

    second = get_enterprise(db, sample.enterprise_id).sites[1]
    dlg = StartInspectionDialog(None, db, db_worker, sample.enterprise_id, templates, site_id=second.id)
    qtbot.addWidget(dlg)
    assert dlg.site.currentData() == second.id
    assert dlg.license.currentData() == sample.food_license_id


def test_the_laptops_own_inspector_is_ticked_and_leads(qtbot, db, db_worker, sample, templates, fixed_today):
    """本机使用人 (the setting, or the inspector the bureau registered this device for) starts on the team."""
    from inspector_app.core import settings
    from inspector_app.core.archive import list_inspectors

    second = list_inspectors(db)[1]
    settings.set_value(db, "device.inspector", second.name)
    dlg = StartInspectionDialog(None, db, db_worker, sample.enterprise_id, templates)
    qtbot.addWidget(dlg)
    assert dlg.checked_members() == [second.id]
    assert dlg.leader.currentData() == second.id


def test_no_one_is_ticked_on_a_laptop_without_its_inspector(qtbot, dialog):
    assert dialog.checked_members() == []


def test_the_device_register_names_the_laptops_inspector(db, sample, tmp_path):
    from inspector_app.core.archive import list_inspectors, own_inspector_id
    from inspector_app.core.storage.device_keys import read_setting
    from inspector_app.core.storage.sync_models import SETTING_DEVICE_ID, Device
    from inspector_app.sync.keys import setup_device

    setup_device(db, "field", "刘洋的笔记本", key_dir=tmp_path)
    assert own_inspector_id(db) is None  # set up, not yet registered by the bureau
    second = list_inspectors(db)[1]
    with db.session() as s:  # the bureau's register came back: this device is 刘洋's
        own = s.get(Device, read_setting(s, SETTING_DEVICE_ID))
        own.inspector_id, own.inspector_name = second.id, second.name
    assert own_inspector_id(db) == second.id
