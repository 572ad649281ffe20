"""Who did it, shown (issue 17): the archive's 变更记录 tab lists the bureau's changes to the enterprise with
when, who and what, newest first; the title bar names the database — a file by its name, a server as
服务器 host/dbname without the URL's user or password."""

from datetime import date

import pytest

from inspector_app.ui.window_title import database_name

pytestmark = pytest.mark.usefixtures("no_blocking_dialogs")


def test_title_names_a_file_by_its_name():
    assert database_name("/home/zhang/现场检查/inspections.sqlite3", False) == "inspections.sqlite3"


def test_title_names_a_server_by_host_and_database_without_secrets():
    shown = database_name("postgresql+psycopg://clerk:***@10.31.0.5:5432/bureau", True)
    assert shown == "服务器 10.31.0.5/bureau"
    assert "clerk" not in shown and "***" not in shown and "5432" not in shown
    assert database_name("postgresql+psycopg://clerk@db.fengxian.gov.cn/bureau", True) == (
        "服务器 db.fengxian.gov.cn/bureau"
    )


def test_the_window_title_names_the_open_file(start_window, roster_ids, db_path):
    window = start_window()
    assert window.windowTitle().endswith(f" — {db_path.name}")


def test_archive_shows_who_classified_the_enterprise(qtbot, start_window, db, roster_ids):
    from inspector_app.core import settings
    from inspector_app.core.supervision import classification as cl

    name = "上海申华塑料制品有限公司"
    settings.set_value(db, "device.inspector", "张伟")  # who, on a file database: the device's user
    cl.classify(db, roster_ids[name], "A", reason="年度评定良好", who="张伟", on=date(2026, 3, 1))
    cl.classify(db, roster_ids[name], "C", reason="抽查不合格", who="张伟", on=date(2026, 6, 1))
    window = start_window()
    row = [window.model.data(window.model.index(r, 0)) for r in range(window.model.rowCount())].index(name)
    window.table.setCurrentIndex(window.model.index(row, 0))
    archive = window.archive
    qtbot.waitUntil(lambda: archive.history.rowCount() == 2, timeout=5000)
    rows = [[archive.history.item(r, c).text() for c in range(3)] for r in range(2)]
    assert [r[1:] for r in rows] == [["张伟", "企业分类：A→C，抽查不合格"], ["张伟", "企业分类：B→A，年度评定良好"]]
    assert rows[0][0] >= rows[1][0] and rows[0][0][:2] == "20"  # when: newest first
    assert archive.record_tabs.tabText(1) == "变更记录（2）"

    other = next(n for n in roster_ids if n != name)
    row = [window.model.data(window.model.index(r, 0)) for r in range(window.model.rowCount())].index(other)
    window.table.setCurrentIndex(window.model.index(row, 0))
    qtbot.waitUntil(lambda: archive.detail.name == other and archive.record_tabs.tabText(1) == "变更记录（0）")
    assert archive.history.rowCount() == 0  # the first one's changes do not stay in view
