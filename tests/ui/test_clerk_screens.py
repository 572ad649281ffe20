"""The bureau clerk's screens (issue 16 §3): the register of inspectors with their draw marks, the bureau's
own draw rules, classification changes and deadlines, license actions and interviews — offscreen, on a real
database through the serial database lane."""

from datetime import date

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


# ------------------------------------------------------------------ 企业分类
def _new_licensee(db, issued):
    from inspector_app.core.storage.models import Enterprise, License, Site

    with db.session() as s:
        ent = Enterprise(
            uscc="91310120MA1HK0001B", name="上海申华塑料制品有限公司", district="奉贤区", address="奉贤区1号"
        )
        site = Site(enterprise=ent, address="奉贤区1号", district="奉贤区")
        s.add_all([ent, site])
        s.add(License(enterprise=ent, site=site, number="(沪)XK13-006-00099", category="危险化学品",
                      issue_date=issued, expiry_date=date(2031, 1, 1)))  # fmt: skip
        s.flush()
        return ent.id


def test_classification_screen_deadlines_changes_and_notice(qtbot, db, db_worker, fixed_today, tmp_path):
    from inspector_app.core import settings
    from inspector_app.ui.classification_view import ClassificationView

    eid = _new_licensee(db, date(2026, 3, 1))  # classify by 2026-05-01 (第十条): overdue on 2026-06-15
    view = ClassificationView(db, db_worker)
    qtbot.addWidget(view)
    settle(qtbot, db_worker, lambda: view.due_model.rowCount() == 1)  # filled on opening, no 刷新
    assert view.due_model.row(0)[4:] == ("2026-05-01", "已逾期45天")
    assert view.change_model.rowCount() == 0

    view.issue_notice(eid, str(tmp_path / "告知书.pdf"))  # not classified yet: refused, said in Chinese
    settle(qtbot, db_worker, lambda: bool(view.message.text()))
    assert "分类" in view.message.text() and not (tmp_path / "告知书.pdf").exists()

    with qtbot.waitSignal(view.classified, timeout=10000):
        view.classify_new(eid)
    settle(qtbot, db_worker, lambda: view.change_model.rowCount() == 1 and view.due_model.rowCount() == 0)
    change = view.change_model.row(0)
    assert change[5] == "— → B"
    assert change[6] == "新获证企业判定为B类（《上海市工业产品生产许可证证后监督检查管理办法》第十条）"
    assert "001 " not in "".join(change[5:]) and "§" not in "".join(change)

    basis = "《上海市工业产品生产许可证证后监督检查管理办法》"
    settings.update(db, {"class_notice.legal_bases": "｜｜全部｜" + basis, "device.docnumber_prefix": "T1"})
    view.message.clear()
    view.issue_notice(eid, str(tmp_path / "告知书.pdf"))
    settle(qtbot, db_worker, lambda: bool(view.message.text()), timeout=20000)
    assert view.message.text().startswith("已出具分类告知书"), view.message.text()
    assert (tmp_path / "告知书.pdf").read_bytes().startswith(b"%PDF")


# ------------------------------------------------------------------ 许可证处置 and 约谈
def test_license_end_is_recorded_listed_and_shown_ended(qtbot, db, db_worker, sample, fixed_today):
    from inspector_app.ui.license_actions_view import LicenseActionsView

    view = LicenseActionsView(db, db_worker)
    qtbot.addWidget(view)
    view.number.setText("(沪)XK13-006-00021")
    view.kind.setCurrentIndex(view.kind.findText("注销"))
    view.decision.setText("沪市监许注〔2026〕12号")
    view.record(on=date(2026, 6, 1))  # no basis: refused, nothing written
    settle(qtbot, db_worker, lambda: "不能为空" in view.message.text())
    assert "事实、理由和依据" in view.message.text() and view.model.rowCount() == 0

    view.basis.setPlainText("企业申请注销")
    with qtbot.waitSignal(view.recorded, timeout=10000):
        view.record(on=date(2026, 6, 1))
    settle(qtbot, db_worker, lambda: view.model.rowCount() == 1)
    assert view.model.row(0)[:3] == ("2026-06-01", "注销", "(沪)XK13-006-00021")
    view.record(on=date(2026, 6, 2))  # the same action twice
    settle(qtbot, db_worker, lambda: "不能再" in view.message.text())

    # the archive of the enterprise shows the license ended, with the decision
    from inspector_app.core.archive import get_enterprise
    from inspector_app.ui.archive_view import ArchiveView

    archive = ArchiveView()
    qtbot.addWidget(archive)
    archive.show_detail(get_enterprise(db, sample.enterprise_id))
    states = {archive.licenses.item(r, 0).text(): archive.licenses.item(r, 2).text() for r in range(2)}
    assert states["(沪)XK13-006-00021"] == "注销（2026-06-01，沪市监许注〔2026〕12号）"


def test_interviews_are_recorded_listed_and_printed(qtbot, db, db_worker, sample, fixed_today, tmp_path):
    from inspector_app.core.storage.models import Enterprise
    from inspector_app.ui.interviews_view import InterviewsView

    with db.session() as s:
        uscc = s.get(Enterprise, sample.enterprise_id).uscc
    view = InterviewsView(db, db_worker)
    qtbot.addWidget(view)
    view.uscc.setText(uscc)
    view.interviewee.setText("王建国")
    view.title.setText("法定代表人")
    view.interviewers.setText("张伟")
    view.reason.setPlainText("产品质量问题突出")
    view.add(on=date(2026, 6, 10))  # one interviewer: refused (第二十四条: at least two)
    settle(qtbot, db_worker, lambda: "至少两人" in view.message.text())
    assert view.model.rowCount() == 0

    view.interviewers.setText("张伟、刘洋")
    with qtbot.waitSignal(view.added, timeout=10000):
        view.add(on=date(2026, 6, 10))
    settle(qtbot, db_worker, lambda: view.model.rowCount() == 1)
    assert view.model.row(0)[4:7] == ("产品质量问题突出", "王建国（法定代表人）", "张伟、刘洋")
    with qtbot.waitSignal(view.printed, timeout=20000):
        view.print_record(view.model.row_id(0), str(tmp_path / "约谈.pdf"))
    assert (tmp_path / "约谈.pdf").read_bytes().startswith(b"%PDF")
    settle(qtbot, db_worker, lambda: bool(view.model.row(0)[9]))  # the record's number in the list
