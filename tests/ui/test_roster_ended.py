"""The enterprise list shows a license ended by 撤回/撤销/吊销/注销 (001 §39): an enterprise whose licenses were all
ended reads 已注销 (etc.) in 最早到期 and counts with the expired ones; an ended license no longer sets the
earliest expiry of an enterprise that holds another. A real database, loaded as the main window loads it."""

from datetime import date

import pytest
from PySide6.QtCore import Qt

from inspector_app.core.roster.index import read_cache
from inspector_app.core.roster.load import RosterFilter, load_roster
from inspector_app.core.supervision import license_actions
from inspector_app.ui.roster_model import STATE_ROLE, RosterTableModel

pytestmark = pytest.mark.usefixtures("no_blocking_dialogs")
TIP, FG = Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole


def _end(db, number: str, kind: str, on: date) -> None:
    license_actions.record(db, number, kind, effective_on=on, decision_no=f"沪市监〔2026〕{on.day}号", basis="依申请")


def _cell(model, name: str, role=Qt.ItemDataRole.DisplayRole):
    rows = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    return model.data(model.index(rows.index(name), 5), role)


def test_an_enterprise_whose_only_license_was_cancelled_shows_it_and_counts_as_ended(db, roster_ids, qapp, tmp_path):
    _end(db, "(沪)XK08-001-00999", "注销", date(2026, 6, 1))  # valid until 2027-06-30
    cache = tmp_path / "roster.bin"
    model = RosterTableModel(load_roster(db, cache))
    assert _cell(model, "上海嘉定水泥有限公司") == "已注销"
    assert _cell(model, "上海嘉定水泥有限公司", STATE_ROLE) == "ended"
    assert _cell(model, "上海嘉定水泥有限公司", TIP) == "许可证已于2026-06-01注销"
    assert _cell(model, "上海嘉定水泥有限公司", FG) is not None  # in red on grey
    model.set_filter(RosterFilter(expiring_only=True))
    names = {model.data(model.index(r, 0)) for r in range(model.rowCount())}
    assert names == {"上海嘉定水泥有限公司", "上海申华塑料制品有限公司", "上海浦江电线电缆有限公司"}

    cached = read_cache(cache)  # the next start shows the same before the database is opened
    assert cached is not None and "注销" in cached[1].ended


def test_an_ended_license_does_not_set_the_earliest_expiry_of_one_that_holds_another(db, roster_ids, qapp):
    _end(db, "(沪)XK16-204-00006", "吊销", date(2026, 5, 20))  # the one expiring 2026-07-31
    model = RosterTableModel(load_roster(db))
    assert _cell(model, "上海申华塑料制品有限公司") == "2027-02-28"  # the license still held
    assert _cell(model, "上海申华塑料制品有限公司", STATE_ROLE) == "valid"
    _end(db, "(沪)XK13-006-00021", "撤销", date(2026, 6, 10))
    model.set_index(load_roster(db))
    assert _cell(model, "上海申华塑料制品有限公司") == "已撤销"  # the last action that ended its licenses


def test_recording_an_end_in_its_window_tells_the_main_window_to_reload_the_list(qtbot, db, db_worker, roster_ids):
    from inspector_app.ui.license_actions_view import LicenseActionsView
    from inspector_app.ui.tasks import ROSTER

    view = LicenseActionsView(db, db_worker)
    qtbot.addWidget(view)
    view.number.setText("(沪)XK08-001-00999")
    view.kind.setCurrentIndex(view.kind.findText("注销"))
    view.decision.setText("沪市监许注〔2026〕12号")
    view.basis.setPlainText("企业申请注销")
    with qtbot.waitSignal(db_worker.data_changed, timeout=10000, check_params_cb=lambda c: ROSTER in c):
        view.record(on=date(2026, 6, 1))
    model = RosterTableModel(load_roster(db))
    assert _cell(model, "上海嘉定水泥有限公司") == "已注销"
