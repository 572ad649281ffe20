"""The bureau clerk's screens (issue 16 §3): the register of inspectors with their draw marks, the bureau's
own draw rules, classification changes and deadlines, license actions and interviews — offscreen, on a real
database through the serial database lane."""

from PySide6.QtCore import Qt

from inspector_app.core.supervision import inspectors
from inspector_app.core.supervision.draw_rules import default_rules_path
from tests.core.roles import as_device


def settle(qtbot, worker, until, timeout=10000):
    def ready():
        worker.wait_idle()
        return until()

    qtbot.waitUntil(ready, timeout=timeout)


# ------------------------------------------------------------------ 检查人员
def test_inspector_marks_are_edited_with_the_registers_rules(qtbot, db, db_worker, tmp_path):
    from inspector_app.ui.inspectors_dialog import LEAD, NAME, TECH, InspectorsDialog

    inspectors.add(db, "31000001", "张伟", district="奉贤区")
    inspectors.add(db, "31000002", "刘洋")
    dialog = InspectorsDialog(db, db_worker)
    qtbot.addWidget(dialog)
    settle(qtbot, db_worker, lambda: dialog.table.rowCount() == 2)
    assert [dialog.table.item(0, c).text() for c in range(3)] == ["31000001", "张伟", "奉贤区"]
    assert dialog.table.item(0, LEAD).checkState() == Qt.CheckState.Unchecked

    dialog.set_value(0, LEAD, True)
    dialog.set_value(1, TECH, True)
    settle(qtbot, db_worker, lambda: dialog.table.item(1, TECH).checkState() == Qt.CheckState.Checked)
    settle(qtbot, db_worker, lambda: "已保存" in dialog.message.text())
    rows = {r.badge_no: r for r in inspectors.list_all(db)}
    assert rows["31000001"].can_lead and rows["31000002"].technical and not rows["31000001"].technical

    dialog.set_value(1, NAME, "")  # a name may not be emptied: refused in Chinese, the table shows the stored name
    settle(qtbot, db_worker, lambda: "不能为空" in dialog.message.text())
    assert "姓名" in dialog.message.text()
    settle(qtbot, db_worker, lambda: dialog.table.item(1, NAME).text() == "刘洋")

    export = tmp_path / "名册.csv"
    dialog.export_file(str(export))
    settle(qtbot, db_worker, lambda: "已导出2人" in dialog.message.text())
    text = export.read_text(encoding="utf-8-sig")
    export.write_text(text + "31000003,陈静,松江区,是,否,是\n", encoding="utf-8")
    dialog.import_file(str(export))
    settle(qtbot, db_worker, lambda: dialog.table.rowCount() == 3)
    assert "新增1人" in dialog.message.text()
    assert dialog.table.item(2, LEAD).checkState() == Qt.CheckState.Checked


def test_a_laptop_cannot_set_draw_marks(qtbot, db, db_worker):
    from inspector_app.ui.inspectors_dialog import LEAD, InspectorsDialog

    inspectors.add(db, "31000001", "张伟")
    as_device(db, "field")
    dialog = InspectorsDialog(db, db_worker)
    qtbot.addWidget(dialog)
    settle(qtbot, db_worker, lambda: dialog.table.rowCount() == 1)
    settle(qtbot, db_worker, lambda: not dialog.table.item(0, LEAD).flags() & Qt.ItemFlag.ItemIsUserCheckable)
    assert "区局办理" in dialog.table.item(0, LEAD).toolTip()


# ------------------------------------------------------------------ 双随机抽取: the bureau's rules
def test_draw_screen_uses_the_bureaus_rules_and_names_where_to_fix_the_pool(
    qtbot, db, db_worker, sample, fixed_today, tmp_path, monkeypatch
):
    from inspector_app.core import settings
    from inspector_app.ui import draw_view
    from inspector_app.ui.draw_view import DrawView

    errors = []
    monkeypatch.setattr(draw_view, "show_error", lambda e, parent=None: errors.append(str(e)))
    settings.update(db, {"bureau.name": "上海市奉贤区市场监督管理局"})
    view = DrawView(db, db_worker)
    qtbot.addWidget(view)
    view.year.setValue(2026)
    view.refresh()
    settle(qtbot, db_worker, lambda: "奉贤区市场监督管理局2026年度" in view.rules_label.text())
    assert "山西" not in view.rules_label.text()

    view.seed.setText("20260615")
    view.run()  # the sample's inspectors carry no marks
    settle(qtbot, db_worker, lambda: bool(errors))
    assert "检查人员 → 管理检查人员" in errors[0] and "可任组长" in errors[0]
    assert view.run_button.isEnabled()

    own = tmp_path / "本局规则.toml"
    own.write_text(
        default_rules_path().read_text(encoding="utf-8").replace("山西省2022年度", "奉贤区2026年度专项"),
        encoding="utf-8",
    )
    with qtbot.waitSignal(view.rules_changed, timeout=10000) as sig:
        view.import_rules(str(own))
    assert sig.args[0].startswith("奉贤区2026年度专项") and "本局导入的规则" in view.rules_label.text()
    bad = tmp_path / "坏规则.toml"
    bad.write_text("[rules\n", encoding="utf-8")
    view.import_rules(str(bad))
    settle(qtbot, db_worker, lambda: len(errors) == 2)
    assert "坏规则.toml" in errors[1]
    with qtbot.waitSignal(view.rules_changed, timeout=10000) as sig:
        view.reset_rules()
    assert sig.args[0].startswith("上海市奉贤区市场监督管理局2026年度")
