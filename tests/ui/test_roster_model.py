"""RosterTableModel without any widget: what each cell shows, filtering, highlighting."""

import pytest
from PySide6.QtCore import Qt

from inspector_app.core.roster.load import RosterFilter, load_roster
from inspector_app.ui.roster_model import HEADERS, ID_ROLE, STATE_ROLE, RosterTableModel

pytestmark = pytest.mark.usefixtures("no_blocking_dialogs")

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def model(db, roster_ids, qapp):
    return RosterTableModel(load_roster(db))


def names(model) -> list[str]:
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def row_named(model, name: str) -> int:
    return names(model).index(name)


def test_columns_and_every_cell_of_a_row(model, roster_ids):
    assert model.rowCount() == 5 and model.total_count == 5
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["企业名称", "统一社会信用代码", "所在区", "分类", "生产许可证编号", "最早到期"] == list(HEADERS)

    r = row_named(model, "上海申华塑料制品有限公司")
    cells = [model.data(model.index(r, c)) for c in range(6)]
    assert cells == [
        "上海申华塑料制品有限公司",
        "91310120MA1HK0001B",
        "奉贤区",
        "B",
        "(沪)XK13-006-00021、(沪)XK16-204-00006",
        "2026-07-31",  # the earliest of the two licenses
    ]
    assert model.data(model.index(r, 0), ID_ROLE) == roster_ids["上海申华塑料制品有限公司"]
    assert model.data(model.index(r, 3), Qt.ItemDataRole.ToolTipRole) == "基本"


def test_model_is_consistent_for_qt(model, qtmodeltester):
    qtmodeltester.check(model)
    model.set_filter(RosterFilter(text="电缆"))
    qtmodeltester.check(model)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"text": "钢筋"}, ["上海宝钢建筑钢筋有限公司"]),
        ({"text": "91310115MA1FL"}, ["上海浦江电线电缆有限公司"]),
        ({"text": "91310115ma1fl"}, ["上海浦江电线电缆有限公司"]),  # typed in lower case
        ({"text": "XK16-204"}, ["上海申华塑料制品有限公司"]),
        ({"text": "  xk13-007-00789 "}, ["上海松江化肥有限公司"]),
        ({"district": "浦东新区"}, ["上海浦江电线电缆有限公司"]),
        ({"category": "危险化学品"}, ["上海申华塑料制品有限公司"]),
        ({"classification": "B"}, ["上海申华塑料制品有限公司", "上海嘉定水泥有限公司"]),
        ({"expiring_only": True}, ["上海申华塑料制品有限公司", "上海浦江电线电缆有限公司"]),
        ({"text": "上海", "classification": "AA"}, ["上海宝钢建筑钢筋有限公司"]),
        ({"text": "不存在的企业"}, []),
        # Codes as typed on a phone or copied from a scan: spaces, full-width letters, digits and brackets.
        ({"text": "9131 0115 MA1F"}, ["上海浦江电线电缆有限公司"]),
        ({"text": "９１３１０１１５ＭＡ１ＦＬ"}, ["上海浦江电线电缆有限公司"]),
        ({"text": "（沪）ＸＫ０６－００１"}, ["上海浦江电线电缆有限公司"]),
        ({"text": "XK13-\u3000007"}, ["上海松江化肥有限公司"]),  # the ideographic space
    ],
)
def test_filter(model, criteria, expected):
    with_reset = []
    model.modelReset.connect(lambda: with_reset.append(True))
    model.set_filter(RosterFilter(**criteria))
    assert sorted(names(model)) == sorted(expected)
    assert with_reset == [True]
    assert model.total_count == 5


def test_clearing_the_filter_shows_everything_again(model):
    model.set_filter(RosterFilter(text="水泥"))
    assert model.rowCount() == 1
    model.set_filter(RosterFilter())
    assert model.rowCount() == 5


def test_expired_and_expiring_rows_are_highlighted(model):
    bg, fg, tip = Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole
    expired = row_named(model, "上海浦江电线电缆有限公司")
    expiring = row_named(model, "上海申华塑料制品有限公司")
    valid = row_named(model, "上海嘉定水泥有限公司")

    assert model.data(model.index(expired, 0), STATE_ROLE) == "expired"
    assert model.data(model.index(expiring, 0), STATE_ROLE) == "expiring"
    assert model.data(model.index(valid, 0), STATE_ROLE) == "valid"

    red, amber = model.data(model.index(expired, 0), bg), model.data(model.index(expiring, 0), bg)
    assert red is not None and amber is not None and red.color() != amber.color()
    assert model.data(model.index(valid, 0), bg) is None
    assert model.data(model.index(expired, 5), fg) is not None  # the date itself is coloured
    assert model.data(model.index(expired, 5), tip) == "已过期 76 天"
    assert model.data(model.index(expiring, 5), tip) == "还有 46 天到期"


def test_new_index_keeps_the_filter(model, db):
    model.set_filter(RosterFilter(district="宝山区"))
    model.set_index(load_roster(db))
    assert names(model) == ["上海宝钢建筑钢筋有限公司"]


def test_empty_model():
    model = RosterTableModel()
    assert model.rowCount() == 0 and model.total_count == 0
    model.set_filter(RosterFilter(text="x"))
    assert model.rowCount() == 0
