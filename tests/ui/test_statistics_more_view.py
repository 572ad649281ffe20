"""The statistics screen's 其他情况 tab: 000's figures outside its tables on the 2021 Shanghai world."""

import pytest


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from inspector_app.core.storage.db import open_database
    from tests.core import shanghai2021, shanghai2021_more

    db = open_database(tmp_path_factory.mktemp("shm") / "sh.sqlite3")
    shanghai2021.build(db)
    shanghai2021_more.add_other_figures(db)
    yield db
    db.close()


def test_other_figures_tab(qtbot, db_worker, world):
    from inspector_app.ui.statistics_view import StatisticsView

    view = StatisticsView(world, db_worker)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    view.year.setValue(2021)
    with qtbot.waitSignal(view.report_ready, timeout=20000):
        view.refresh()
    rows = {view.to.row(i)[0]: view.to.row(i)[1] for i in range(view.to.rowCount())}
    assert "位于郊区的企业635家，占98.3%" in rows["区域分布"] and "占1.7%" in rows["区域分布"]
    assert "全覆盖例行检查169家次，出动检查人员348人次" in rows["告知承诺"]
    assert "6条违法线索" in rows["违法线索"]
    assert "不合格检出率为3.0%" in rows["监督抽查"]
    assert "8个区的12家获证企业" in rows["飞行检查"] and "发现问题22项" in rows["飞行检查"]
    tab = next(i for i in range(view.tabs.count()) if view.tabs.tabText(i) == "其他情况")
    view.tabs.setCurrentIndex(tab)
    assert not view.grab().isNull()
    assert "docs/" not in view.summary.text()
