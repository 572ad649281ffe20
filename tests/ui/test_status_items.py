"""The production-status form (002 附件3) in the record form screen, driven by keyboard and mouse like an inspector."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidgetItem

from tests.core.test_status_forms import add_license, start
from tests.ui.test_inspection_screen import click, fresh_view, open_screen


def steel_screen(qtbot, db, db_worker, sample, templates):
    iid = start(db, sample, templates, add_license(db, sample, "建筑用钢筋", "(晋)XK05-001-00012"))
    screen = open_screen(qtbot, db, db_worker, iid)
    screen.items  # noqa: B018 — builds the whole form, the status form after the checklist
    return iid, screen, screen.status_panel


def stored(db, iid, key):
    answer = fresh_view(db, iid).answers.get(key)
    return answer.record if answer else None


def test_a_plain_record_has_no_status_form(qtbot, db, db_worker, inspection_id):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    screen.items  # noqa: B018
    assert screen.status_panel is None


def test_numbers_by_keyboard_a_bad_one_refused_with_the_field_named(
    qtbot, db, db_worker, sample, templates, fixed_today
):
    iid, screen, panel = steel_screen(qtbot, db, db_worker, sample, templates)
    assert panel.isVisible() and "山西省钢铁获证企业生产状况登记表" in [
        w.text() for w in panel.findChildren(type(panel.editors["2.1"].error))
    ]
    total = panel.editors["2.1"]
    total.line.setFocus()
    qtbot.keyClicks(total.line, "12x")
    qtbot.keyClick(total.line, Qt.Key.Key_Tab)  # leaving the field checks it; Tab goes on to 钢筋
    assert total.error.isVisible()
    assert total.error.text() == "2021年钢材产量·总产量（万吨）：“12x”不是数字，请只填数字，如 12.5"
    assert QApplication.focusWidget() is panel.editors["2.2"].line
    db_worker.wait_idle()
    assert stored(db, iid, "S2.1") is None  # nothing saved
    total.line.setFocus()
    qtbot.keyClick(total.line, Qt.Key.Key_Backspace)
    qtbot.keyClick(total.line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not total.error.isVisible(), timeout=3000)
    db_worker.wait_idle()
    assert stored(db, iid, "S2.1") == "12"
    # A part above the total is a completion blocker, named as on paper.
    rebar = panel.editors["2.2"].line
    rebar.setFocus()
    qtbot.keyClicks(rebar, "15")
    qtbot.keyClick(rebar, Qt.Key.Key_Return)
    db_worker.wait_idle()
    qtbot.waitUntil(lambda: "S2.2" in screen.view.answers, timeout=3000)
    assert any("钢筋、轴承钢材之和 15 万吨大于总产量 12 万吨" in b.message for b in screen.view.blockers())


def test_tick_boxes_space_and_click_one_answer_where_the_paper_has_one(
    qtbot, db, db_worker, sample, templates, fixed_today
):
    iid, _screen, panel = steel_screen(qtbot, db, db_worker, sample, templates)
    has, has_not = panel.editors["6.1"].boxes  # 有无违规产能: 有 / 无
    has.setFocus()
    qtbot.keyClick(has, Qt.Key.Key_Space)
    assert has.isChecked()
    click(qtbot, has_not)
    assert has_not.isChecked() and not has.isChecked()
    products = panel.editors["7.1"].boxes  # 获证产品: several may be ticked
    click(qtbot, products[0])
    click(qtbot, products[7])
    db_worker.wait_idle()
    assert stored(db, iid, "S6.1") == '["无"]'
    assert stored(db, iid, "S7.1") == '["棒材产品", "冷轧产品"]'


def test_table_rows_and_a_bad_cell(qtbot, db, db_worker, sample, templates, fixed_today):
    iid, _screen, panel = steel_screen(qtbot, db, db_worker, sample, templates)
    machines = panel.editors["9.1"]  # 拉力试验机吨位及数量
    machines.table.setItem(0, 0, QTableWidgetItem("1000"))
    machines.table.setItem(0, 1, QTableWidgetItem("1.5"))
    assert machines.error.text() == "拉力试验机吨位及数量 第 1 行数量（台）：应为整数（台），“1.5”不是整数"
    machines.table.item(0, 1).setText("2")
    db_worker.wait_idle()
    assert stored(db, iid, "S9.1") == '[["1000", "2"]]'
    assert not machines.error.isVisible()


def test_what_the_record_knows_is_shown_with_the_license_validity(qtbot, db, db_worker, sample, templates, fixed_today):
    _iid, _screen, panel = steel_screen(qtbot, db, db_worker, sample, templates)
    validity = next(e for e in panel.editors.values() if e.field.source == "license_validity")
    qtbot.waitUntil(lambda: validity.record_label.text() != "—", timeout=5000)
    assert validity.record_label.text() == "2022-01-10—2027-01-09"
    number = next(e for e in panel.editors.values() if e.field.source == "license_number")
    assert number.record_label.text() == "(晋)XK05-001-00012"
