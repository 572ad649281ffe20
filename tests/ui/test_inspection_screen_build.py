"""How the record form is built: the items its window shows before the first paint, the rest a few per
event-loop turn after it — and nothing of this may be visible to the inspector or to code using the screen."""

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from inspector_app.core.inspection import inspections
from inspector_app.core.storage.db import open_database
from inspector_app.ui import inspection_screen
from inspector_app.ui.inspection_screen import InspectionScreen
from inspector_app.ui.item_controls import ConclusionBar, WrappedLabel

FORM_ORDER = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "4.1", "4.2", "5.1", "6.1"]
FORM_ORDER += ["7.1", "8.1", "9.1"]


def shown(qtbot, db, worker, inspection_id, size=(1100, 800)) -> InspectionScreen:
    """Shown, and no event processed yet: what the first paint will show."""
    screen = InspectionScreen(db, worker, inspection_id)
    qtbot.addWidget(screen)
    screen.resize(*size)
    screen.show()
    return screen


def built(qtbot, screen: InspectionScreen) -> None:
    qtbot.waitUntil(lambda: screen.pending_items == 0, timeout=3000)


def on_screen(screen, item_id: str) -> bool:
    w = screen._items[item_id]
    rect = w.geometry().translated(screen.scroll.widget().pos())
    return screen.scroll.viewport().rect().intersects(rect)


def test_the_first_paint_has_the_items_the_window_shows_and_the_rest_follows(qtbot, db, db_worker, inspection_id):
    screen = shown(qtbot, db, db_worker, inspection_id)
    first = list(screen._items)
    assert 0 < len(first) < len(FORM_ORDER) and screen.pending_items == len(FORM_ORDER) - len(first)
    assert first == FORM_ORDER[: len(first)]
    # The items built reach the bottom of the scrolled area: nothing below the last one is on screen.
    last = screen._items[first[-1]]
    assert last.y() + last.height() + screen.scroll.widget().y() >= screen.scroll.viewport().height()
    built(qtbot, screen)
    assert list(screen._items) == FORM_ORDER


def test_items_on_screen_are_neither_moved_nor_repainted_while_the_rest_is_built(qtbot, db, db_worker, inspection_id):
    screen = shown(qtbot, db, db_worker, inspection_id)
    QApplication.processEvents()  # the first paint
    visible = [i for i in screen._items if on_screen(screen, i)]
    assert visible and screen.pending_items
    geometry = {i: screen._items[i].geometry() for i in visible}

    class PaintCounter(QObject):
        painted: list[str]

        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and getattr(watched, "item", None) is not None:
                self.painted.append(watched.item.id)
            return False

    counter = PaintCounter()
    counter.painted = []
    for i in visible:
        screen._items[i].installEventFilter(counter)
    built(qtbot, screen)
    QApplication.processEvents()
    assert {i: screen._items[i].geometry() for i in visible} == geometry
    assert counter.painted == []  # squeezed into the old height and back would repaint them


def test_items_builds_the_whole_form_at_once(qtbot, db, db_worker, inspection_id):
    screen = InspectionScreen(db, db_worker, inspection_id)  # never shown
    qtbot.addWidget(screen)
    assert screen.pending_items
    assert list(screen.items) == FORM_ORDER
    assert screen.pending_items == 0
    assert screen.items["9.1"].record is not None


def test_going_to_an_item_not_built_yet_scrolls_it_into_view(qtbot, db, db_worker, inspection_id):
    screen = shown(qtbot, db, db_worker, inspection_id, size=(800, 500))
    assert "9.1" not in screen._items
    screen.go_to("9.1")
    w = screen._items["9.1"]
    assert screen.focusWidget() is w.bar  # the window's focus, whether or not it is active yet
    rect = w.geometry().translated(screen.scroll.widget().pos())
    assert screen.scroll.viewport().rect().contains(rect)


def test_tab_walks_every_item_in_form_order(qtbot, db, db_worker, inspection_id):
    screen = shown(qtbot, db, db_worker, inspection_id, size=(800, 500))
    built(qtbot, screen)
    bars, w = [], screen.nextInFocusChain()
    while w is not screen:
        if isinstance(w, ConclusionBar):
            bars.append(w)
        w = w.nextInFocusChain()
    assert bars == [screen.items[i].bar for i in FORM_ORDER]


def test_a_closed_form_is_built_on_when_shown_again(qtbot, db, db_worker, inspection_id):
    screen = shown(qtbot, db, db_worker, inspection_id)
    QApplication.processEvents()
    screen.hide()
    left = screen.pending_items
    for _ in range(5):
        QApplication.processEvents()
    assert screen.pending_items == left > 0
    screen.show()
    built(qtbot, screen)
    assert list(screen._items) == FORM_ORDER


def test_a_window_that_is_never_painted_is_built_all_the_same(qtbot, db, db_worker, inspection_id):
    """Minimised or covered, a window may get no paint: the rest of the form must not wait for one."""

    class NoPaint(QObject):
        def eventFilter(self, watched, event):
            return event.type() == QEvent.Type.Paint

    screen = InspectionScreen(db, db_worker, inspection_id)
    qtbot.addWidget(screen)
    no_paint = NoPaint()
    screen.installEventFilter(no_paint)
    screen.show()
    assert screen.pending_items
    built(qtbot, screen)
    assert list(screen._items) == FORM_ORDER


def test_leaving_the_record_saves_it_without_waiting(qtbot, db, db_worker, inspection_id, monkeypatch):
    monkeypatch.setattr(inspection_screen, "SAVE_DEBOUNCE_MS", 60_000)  # only the focus change can save
    screen = shown(qtbot, db, db_worker, inspection_id)
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=3000)
    w = screen.items["1.2"]
    w.record.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString("经营范围包含涂料")
    QApplication.sendEvent(w.record, event)
    w.remark.setFocus()
    db_worker.wait_idle()
    other = open_database(db.path)
    try:
        assert inspections.load_inspection(other, inspection_id).answer("1.2").record == "经营范围包含涂料"
    finally:
        other.close()


def test_a_wrapped_label_measures_its_new_text(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    label = WrappedLabel("短", parent)
    one_line = label.heightForWidth(120)
    assert label.heightForWidth(120) == one_line
    label.setText("检查企业生产场所土地等证明材料，核实企业住所及名称是否发生改变" * 3)
    assert label.heightForWidth(120) > 2 * one_line
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    before = label.heightForWidth(120)
    label.setFont(font)
    assert label.heightForWidth(120) > before
    assert label.textFormat() == Qt.TextFormat.PlainText and label.wordWrap()
