"""The main window as an inspector uses it: start, search, select, see the archive, manage inspectors."""

import sys
import types

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

pytestmark = pytest.mark.usefixtures("no_blocking_dialogs")


def visible_names(window) -> list[str]:
    model = window.table.model()
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def type_search(qtbot, window, text: str) -> None:
    # keyClicks with Chinese aborts the process (Qt assert): set the text and emit what typing emits.
    search = window.filter_bar.search
    search.setText(text)
    search.textEdited.emit(text)
    qtbot.waitUntil(lambda: window.model.filter.text == text)


def select(qtbot, window, name: str) -> None:
    row = visible_names(window).index(name)
    window.table.setCurrentIndex(window.model.index(row, 0))
    qtbot.waitUntil(lambda: window.archive.detail is not None and window.archive.detail.name == name, timeout=5000)


def table_texts(table) -> list[list[str]]:
    return [
        [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_start_shows_the_roster(start_window, roster_ids, db_path):
    window = start_window()
    assert window.windowTitle() == f"现场检查 — {db_path.name}"
    assert len(visible_names(window)) == 5
    assert window.count_label.text() == "共 5 家，显示 5 家"
    assert window.new_action.isEnabled()


def test_typing_in_the_search_box_filters_instantly(qtbot, start_window, roster_ids):
    window = start_window()
    type_search(qtbot, window, "电缆")
    assert visible_names(window) == ["上海浦江电线电缆有限公司"]
    assert window.count_label.text() == "共 5 家，显示 1 家"

    type_search(qtbot, window, "91310114")  # by USCC
    assert visible_names(window) == ["上海嘉定水泥有限公司"]
    type_search(qtbot, window, "XK05-001")  # by license number
    assert visible_names(window) == ["上海宝钢建筑钢筋有限公司"]
    type_search(qtbot, window, "")
    assert len(visible_names(window)) == 5


def test_chinese_typed_through_an_input_method(qtbot, start_window, roster_ids):
    from PySide6.QtGui import QInputMethodEvent

    window = start_window()
    search = window.filter_bar.search
    search.setFocus()
    event = QInputMethodEvent()
    event.setCommitString("化肥")
    QApplication.sendEvent(search, event)
    qtbot.waitUntil(lambda: visible_names(window) == ["上海松江化肥有限公司"])


def test_filter_combos_and_expiring_checkbox(qtbot, start_window, roster_ids):
    window = start_window()
    bar = window.filter_bar
    bar.district.setCurrentText("宝山区")
    qtbot.waitUntil(lambda: visible_names(window) == ["上海宝钢建筑钢筋有限公司"])
    bar.district.setCurrentIndex(0)  # 全部区
    bar.classification.setCurrentText("B 基本")
    qtbot.waitUntil(lambda: sorted(visible_names(window)) == ["上海嘉定水泥有限公司", "上海申华塑料制品有限公司"])
    bar.classification.setCurrentIndex(0)
    bar.category.setCurrentText("电线电缆")
    qtbot.waitUntil(lambda: visible_names(window) == ["上海浦江电线电缆有限公司"])
    bar.category.setCurrentIndex(0)
    bar.expiring.setChecked(True)
    qtbot.waitUntil(lambda: sorted(visible_names(window)) == ["上海浦江电线电缆有限公司", "上海申华塑料制品有限公司"])
    assert window.count_label.text() == "共 5 家，显示 2 家"


def test_selecting_an_enterprise_shows_its_archive(qtbot, start_window, roster_ids):
    window = start_window()
    select(qtbot, window, "上海申华塑料制品有限公司")
    archive = window.archive
    assert archive.title.text() == "上海申华塑料制品有限公司"
    assert archive.fields["uscc"].text() == "91310120MA1HK0001B"
    assert archive.fields["classification"].text() == "B 基本（常态监管）"
    assert archive.fields["risk_level"].text() == "Ⅱ级（较高风险）"
    licenses = table_texts(archive.licenses)
    assert licenses == [
        ["(沪)XK13-006-00021", "2027-02-28", "有效（剩 258 天）", "危险化学品"],
        ["(沪)XK16-204-00006", "2026-07-31", "即将到期（剩 46 天）", "直接接触食品的材料等相关产品"],
    ]
    assert archive.licenses.item(0, 2).background().style() == Qt.BrushStyle.NoBrush
    assert archive.licenses.item(1, 2).background().style() != Qt.BrushStyle.NoBrush
    assert "生产地址：上海市奉贤区工业路1号" in archive.licenses.item(1, 0).toolTip()
    assert archive.licenses_box.title() == "生产许可证（2）"
    assert table_texts(archive.sites)[0][:2] == ["上海市奉贤区工业路1号", "奉贤区"]
    assert archive.inspections.rowCount() == 0

    select(qtbot, window, "上海浦江电线电缆有限公司")
    assert table_texts(archive.licenses)[0][2] == "已过期（76 天）"


def test_keyboard_ctrl_f_and_arrow_keys(qtbot, start_window, roster_ids):
    window = start_window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.filter_bar.search.hasFocus()

    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    current = visible_names(window)[window.table.currentIndex().row()]
    assert window.table.currentIndex().row() >= 1
    qtbot.waitUntil(lambda: window.archive.detail is not None and window.archive.detail.name == current)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)  # Enter opens the archive: focus moves there
    qtbot.waitUntil(lambda: window.archive.isAncestorOf(QApplication.focusWidget()))


def test_archive_lists_inspections_and_opens_one(qtbot, start_window, roster_ids, db, templates):
    from inspector_app.core.archive import get_enterprise, list_inspectors
    from inspector_app.core.inspection.inspections import start_inspection

    ent_id = roster_ids["上海浦江电线电缆有限公司"]
    detail = get_enterprise(db, ent_id)
    team = [i.id for i in list_inspectors(db)]
    inspection_id = start_inspection(
        db, site_id=detail.sites[0].id, template=templates["industrial"], kind="scheduled", team=team
    )
    window = start_window()
    select(qtbot, window, "上海浦江电线电缆有限公司")
    rows = table_texts(window.archive.inspections)
    assert rows == [["2026-06-15", "定期", "填写中", "张伟、刘洋", "上海市浦东新区工业路1号"]]
    assert templates["industrial"].title in window.archive.inspections.item(0, 0).toolTip()
    assert window.archive.inspections_box.title() == "检查记录（1）"

    table = window.archive.inspections
    rect = table.visualItemRect(table.item(0, 0))
    # Qt's view only accepts a double-click on the item that received the press before it.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    screen = window._screens[inspection_id]
    assert screen.isWindow() and screen.isVisible()
    assert "上海浦江电线电缆有限公司" in screen.windowTitle()
    window.open_inspection(inspection_id)  # a second double-click raises the same window
    assert list(window._screens) == [inspection_id]

    screen.close()  # deleted on close: the archive reloads the history
    qtbot.waitUntil(lambda: inspection_id not in window._screens)


def test_new_inspection_opens_the_start_dialog(qtbot, start_window, roster_ids, captured_boxes, monkeypatch):
    created = []

    class FakeDialog:
        inspection_id = None

        def __init__(self, parent, db, worker, enterprise_id, templates, site_id=None):
            created.append((parent, db, worker, enterprise_id, templates, site_id))

        def exec(self):
            return 0

    monkeypatch.setitem(
        sys.modules, "inspector_app.ui.start_inspection_dialog", types.SimpleNamespace(StartInspectionDialog=FakeDialog)
    )
    window = start_window()
    qtbot.waitUntil(lambda: window.templates is not None)

    window.new_action.trigger()  # Ctrl+N with nothing selected
    assert captured_boxes == ["请先在企业列表中选择要检查的企业。"]
    assert created == []

    select(qtbot, window, "上海嘉定水泥有限公司")
    window.new_action.trigger()
    [(parent, db, worker, enterprise_id, templates, site_id)] = created
    assert parent is window and db is window.db and worker is window.worker
    assert enterprise_id == roster_ids["上海嘉定水泥有限公司"]
    assert site_id is None  # Ctrl+N: the dialog asks for the production address

    site_button = window.archive.sites.cellWidget(0, 2)  # 新建检查… on one production address
    qtbot.mouseClick(site_button, Qt.MouseButton.LeftButton)
    assert created[-1][3:] == (enterprise_id, templates, window.archive.detail.sites[0].id)
    assert set(templates) >= {"industrial", "food"}
    assert window.new_action.shortcut().toString() == "Ctrl+N"


def test_add_an_inspector_through_the_dialog(qtbot, start_window, roster_ids):
    from inspector_app.core.archive import list_inspectors
    from inspector_app.ui.inspectors_dialog import InspectorsDialog

    window = start_window()
    dialog = InspectorsDialog(window.db, window.worker, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2)

    dialog.name_edit.setText("陈静")
    dialog.badge_edit.setText("31000003")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3)
    assert [dialog.table.item(2, c).text() for c in range(2)] == ["31000003", "陈静"]
    assert dialog.message.text() == "已添加：陈静"
    assert dialog.name_edit.text() == ""

    dialog.name_edit.setText("王芳")
    dialog.badge_edit.setText("31000003")  # the same badge number again
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已登记" in dialog.message.text())
    assert dialog.message.text() == "执法证号：“31000003”已登记"
    assert dialog.add_button.isEnabled()
    window.worker.wait_idle()
    assert [i.name for i in list_inspectors(window.db)] == ["张伟", "刘洋", "陈静"]


def test_a_foreign_file_is_refused_in_chinese_and_left_untouched(qtbot, start_window, tmp_path, captured_boxes):
    path = tmp_path / "notes.sqlite3"
    garbage = bytes(range(256)) * 40
    path.write_bytes(garbage)
    window = start_window(path, wait_roster=False)
    qtbot.waitUntil(lambda: bool(captured_boxes), timeout=15000)
    assert "不是本程序的数据库文件" in captured_boxes[0]
    assert window.count_label.text() == "数据库未打开"
    assert not window.new_action.isEnabled() and not window.import_action.isEnabled()
    window.shutdown()
    assert path.read_bytes() == garbage
    assert [p.name for p in tmp_path.glob("notes*")] == ["notes.sqlite3"]  # no -wal, no backup copy


def test_demo_flag_fills_an_empty_database(qtbot, start_window, monkeypatch):
    calls = []

    def load_demo(db, progress=None):
        from inspector_app.core.storage.models import Enterprise, License

        for done in range(1, 4):
            progress(done, 3)
        with db.session() as s:
            ent = Enterprise(uscc="91310117MA1J00004R", name="演示企业", district="松江区")
            s.add_all([ent, License(enterprise=ent, number="(沪)XK13-007-00001", category="化肥", expiry_date=_d())])
        calls.append(db)

    monkeypatch.setitem(sys.modules, "inspector_app.core.demo", types.SimpleNamespace(load_demo=load_demo))
    window = start_window(demo=True)
    qtbot.waitUntil(lambda: window.model.total_count == 1, timeout=10000)
    assert calls == [window.db]
    assert visible_names(window) == ["演示企业"]
    assert window.count_label.text() == "共 1 家，显示 1 家"


def test_an_empty_database_offers_the_bureau_bundle_first_and_demo_data_asks(qtbot, start_window, monkeypatch):
    window = start_window()
    hint = window.archive._placeholder.text()
    assert "导入局里的同步数据包" in hint and hint.index("同步数据包") < hint.index("导入名录")
    asked = []

    def answer_no(parent, title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer_no)
    window.demo_action.trigger()
    assert len(asked) == 1 and "现场检查终端" in asked[0] and "同步数据包" in asked[0]
    assert window.model.total_count == 0  # declined: nothing loaded


def _d():
    from datetime import date

    return date(2030, 1, 1)


def test_import_roster_reports_and_offers_to_skip_bad_rows(qtbot, start_window, roster_ids, tmp_path, monkeypatch):
    pytest.importorskip("inspector_app.core.roster.importer")
    from PySide6.QtWidgets import QFileDialog

    ledger = tmp_path / "名录.csv"
    ledger.write_text(
        "企业名称,统一社会信用代码,所在区,产品类别,生产许可证编号,有效期至,生产地址\n"
        "上海新建水泥有限公司,91310114MA1H00005Y,嘉定区,水泥,(沪)XK08-001-01000,2029-01-01,上海市嘉定区新路2号\n"
        "坏行企业,123,嘉定区,水泥,(沪)XK08-001-01001,2029-01-01,上海市嘉定区新路3号\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(ledger), ""))
    shown = []

    def fake_exec(box):
        shown.append(box.text() + "\n" + box.informativeText())
        for button in box.buttons():  # take the offer to skip the bad row
            if box.buttonRole(button) == QMessageBox.ButtonRole.AcceptRole:
                box.setProperty("clicked", True)
                button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    window = start_window()
    window.import_action.trigger()
    qtbot.waitUntil(lambda: len(shown) >= 2, timeout=10000)
    assert "名录中有 1 行有问题，尚未导入任何数据" in shown[0]
    assert "第3行" in shown[0]
    assert "企业名录已导入" in shown[1]
    qtbot.waitUntil(lambda: window.model.total_count >= 5 and "上海新建水泥有限公司" in visible_names(window))


def test_a_domain_error_is_a_warning_with_its_chinese_message(qapp, captured_boxes):
    from inspector_app.core.errors import ValidationError
    from inspector_app.ui.errors import show_error

    show_error(ValidationError("执法证号", "不能为空"))
    assert captured_boxes == ["执法证号：不能为空"]


def test_an_unexpected_error_offers_its_details_and_the_log_file(qtbot, tmp_path, monkeypatch):
    from inspector_app.ui import error_dialog, errors

    shown = []
    monkeypatch.setattr(error_dialog.ErrorDialog, "exec", lambda dialog: shown.append(dialog) or 0)
    monkeypatch.setattr(errors, "_log_file", tmp_path / "logs" / "inspector_app.log")
    try:
        {}["missing"]
    except KeyError as exc:
        errors.excepthook(type(exc), exc, exc.__traceback__)  # what an uncaught exception reaches

    [dialog] = shown
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "程序出错"
    assert str(tmp_path / "logs" / "inspector_app.log") in dialog.message.text()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert "KeyError: 'missing'" in copied and "Traceback" in copied
    assert dialog.copy_button.text() == "已复制"


def test_a_long_job_shows_progress_and_can_be_cancelled(qtbot, start_window, roster_ids):
    import threading

    from inspector_app.ui.progress import ProgressDialogRun

    window = start_window()
    reached, release, steps = threading.Event(), threading.Event(), []

    def slow_job(db, progress):  # stands in for import_roster: reports, then checks for 取消 on the next report
        progress(1, 4)
        reached.set()
        release.wait(5)
        for n in range(2, 5):
            progress(n, 4)
            steps.append(n)

    job = ProgressDialogRun(
        window,
        window.worker,
        "正在导入企业名录…",
        slow_job,
        window.db,
        cancellable=True,
        on_done=lambda _r: steps.append("done"),
    )
    assert reached.wait(5)
    qtbot.waitUntil(lambda: job.dialog.maximum() == 4 and job.dialog.value() == 1)
    [cancel] = job.dialog.findChildren(QPushButton)
    assert cancel.text() == "取消"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    release.set()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "已取消，未作任何改动。")
    assert steps == []  # stopped at the first report after 取消


def test_supervision_menu_opens_each_screen_once(qtbot, start_window, roster_ids):
    window = start_window()
    titles = [a.text() for a in window.supervision_actions]
    assert titles == [
        "年度检查计划…", "双随机抽取…", "整改跟踪…", "统计报表…", "企业分类…", "许可证撤回、撤销、吊销、注销…", "约谈…",
    ]  # fmt: skip
    for action in window.supervision_actions:
        assert action.isEnabled()
        action.trigger()
    assert {type(w).__name__ for w in window._tools.values()} == {
        "PlanView",
        "DrawView",
        "FollowupView",
        "StatisticsView",
        "ClassificationView",
        "LicenseActionsView",
        "InterviewsView",
    }
    assert all(w.isVisible() for w in window._tools.values())
    before = dict(window._tools)
    window.supervision_actions[3].trigger()  # asked again: the same window is raised, not a second one
    assert window._tools == before


def test_completing_offers_signing_and_the_archive_gates_sign_and_documents(
    qtbot, start_window, roster_ids, db, templates, captured_boxes, monkeypatch
):
    """After 完成检查 the inspector is asked to sign; a completed record can be signed, not yet printed."""
    from inspector_app.core.archive import get_enterprise, list_inspectors
    from inspector_app.core.inspection.inspections import complete_inspection, save_answer, start_inspection
    from inspector_app.ui.sign_dialog import SignDialog
    from inspector_app.ui.tasks import ARCHIVE

    ent_id = roster_ids["上海浦江电线电缆有限公司"]
    detail = get_enterprise(db, ent_id)
    team = [i.id for i in list_inspectors(db)]
    template = templates["industrial"]
    iid = start_inspection(db, site_id=detail.sites[0].id, template=template, kind="scheduled", team=team)
    for item in template.applicable_items:
        save_answer(db, iid, item.id, conclusion="conform")
    opened: list[str] = []
    monkeypatch.setattr(SignDialog, "exec", lambda dialog: opened.append(dialog.inspection_id) or 0)

    window = start_window()
    select(qtbot, window, "上海浦江电线电缆有限公司")
    window.archive.inspections.selectRow(0)
    assert not window.archive.sign_button.isEnabled()  # a draft cannot be signed

    complete_inspection(db, iid)
    window.worker.announce(ARCHIVE)  # what the inspection screen's completing job announces
    window._inspection_completed(iid)  # what the inspection screen's `completed` signal triggers
    assert any("现在请检查组成员和企业代表签字确认吗" in t for t in captured_boxes)
    assert opened == []  # the fake box answered Ok, not Yes: nothing opened

    qtbot.waitUntil(lambda: table_texts(window.archive.inspections)[0][2] == "已完成（待签字）")
    window.archive.inspections.selectRow(0)
    assert window.archive.sign_button.isEnabled()
    assert not window.archive.documents_button.isEnabled()  # nothing to print before the signatures
    qtbot.mouseClick(window.archive.sign_button, Qt.MouseButton.LeftButton)
    assert opened == [iid]


def test_the_start_after_a_crash_says_the_data_is_safe_and_where_the_log_is(start_window, tmp_path, captured_boxes):
    from inspector_app.crashlog import AbnormalEnd
    from inspector_app.ui.app import _tell_abnormal_end

    window = start_window()
    log = tmp_path / "logs" / "crash-20261207-101500-4242.log"
    _tell_abnormal_end(window, AbnormalEnd("2026-12-07 10:15:00", log))  # opened, not waited for
    [text] = captured_boxes
    assert "2026-12-07 10:15:00" in text and "没有正常退出" in text
    assert "不受影响" in text and str(log) in text
