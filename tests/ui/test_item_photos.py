"""Evidence photos on the record form's items (002 三(四)): added through the widget, by the file dialog and by
dropping files, stored through the worker, shown as upright thumbnails, kept when the form is reopened, refused
in Chinese when the file is not a photo, fixed once the record is signed, and printed in the record's appendix.
"""

import hashlib
import threading

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from inspector_app.core.inspection import photos
from inspector_app.ui.documents_dialog import DocumentsDialog
from inspector_app.ui.inspection_screen import InspectionScreen
from tests.core.test_photos import jpeg
from tests.documents import factory
from tests.documents.factory import pdf_text


@pytest.fixture
def upright_photo(tmp_path):
    """A Pillow JPEG stored landscape (400×200) with EXIF orientation 6: a camera held upright, 200×400."""
    path = tmp_path / "出厂检验记录.jpg"
    path.write_bytes(jpeg(orientation=6))
    return path


@pytest.fixture
def worker_threads(monkeypatch):
    """The thread each photo was stored on (the real core function, only watched)."""
    seen: list[str] = []
    real = photos.add_photo

    def watched(*args, **kwargs):
        seen.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(photos, "add_photo", watched)
    return seen


def open_screen(qtbot, db, worker, inspection_id) -> InspectionScreen:
    screen = InspectionScreen(db, worker, inspection_id)
    qtbot.addWidget(screen)
    screen.resize(1100, 800)
    screen.show()
    worker.wait_idle()
    return screen


def file_mime(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop_on(widget, *paths) -> bool:
    """What a file manager's drag does on arrival: DragEnter, then Drop, on the widget under the cursor."""
    mime = file_mime(*paths)
    enter = QDragEnterEvent(
        QPoint(20, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        QPointF(20, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def pick_files(monkeypatch, *paths) -> list[tuple]:
    """The file dialog is the edge of the world: the inspector picks `paths`; returns the dialogs' arguments."""
    calls: list[tuple] = []

    def fake(*args, **kwargs):
        calls.append(args)
        return [str(p) for p in paths], "图片"

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", fake)
    return calls


def thumbs_shown(screen, item_id: str, n: int) -> bool:
    strip = screen.items[item_id].photo_strip
    return strip is not None and strip.isVisible() and strip.thumbs.count() == n


def thumb_size(strip, row: int = 0):
    return strip.thumbs.item(row).icon().pixmap(strip.thumbs.iconSize()).size()


def test_a_photo_is_added_from_the_file_dialog(
    qtbot, db, db_worker, inspection_id, upright_photo, monkeypatch, worker_threads
):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    w = screen.items["4.1"]
    # No photo yet: only the small button under the remark, no strip taking space.
    assert w.photo_button.isVisible() and w.photo_button.text() == "添加照片…"
    assert w.photo_strip is None
    calls = pick_files(monkeypatch, upright_photo)

    qtbot.mouseClick(w.photo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: thumbs_shown(screen, "4.1", 1), timeout=5000)
    assert "检查项 4.1" in calls[0][1]
    assert worker_threads == ["db-worker"]  # decoded and stored off the UI thread
    (info,) = photos.list_photos(db, inspection_id, "4.1")
    assert (info.filename, info.width, info.height) == ("出厂检验记录.jpg", 200, 400)
    assert photos.list_photos(db, inspection_id) == [info]  # on that item only
    assert hashlib.sha256(photos.original_path(info.sha256, "jpg").read_bytes()).hexdigest() == info.sha256
    strip = w.photo_strip
    size = thumb_size(strip)
    assert size.height() > size.width()  # EXIF orientation respected on screen
    assert strip.thumbs.item(0).text() == "照片1"  # the number the record's appendix gives it
    assert "出厂检验记录.jpg" in strip.thumbs.item(0).toolTip()
    # The other items stay as compact as before.
    assert all(other.photo_strip is None for i, other in screen.items.items() if i != "4.1")
    assert screen.photo_count == 1


def test_a_photo_is_dropped_on_the_item(qtbot, db, db_worker, inspection_id, upright_photo, tmp_path, worker_threads):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    w = screen.items["2.1"]
    assert drop_on(w, upright_photo)
    qtbot.waitUntil(lambda: thumbs_shown(screen, "2.1", 1), timeout=5000)
    assert [p.item_id for p in photos.list_photos(db, inspection_id)] == ["2.1"]
    size = thumb_size(w.photo_strip)
    assert size.height() > size.width()

    # Dropped on the record text, a file is a photo too: its path is not typed into the record.
    second = tmp_path / "设备铭牌.jpg"
    second.write_bytes(jpeg(colour=(0, 120, 0)))
    assert drop_on(w.record.viewport(), second)
    qtbot.waitUntil(lambda: thumbs_shown(screen, "2.1", 2), timeout=5000)
    assert w.record.toPlainText() == ""
    assert [t.text() for t in (w.photo_strip.thumbs.item(0), w.photo_strip.thumbs.item(1))] == ["照片1", "照片2"]
    assert worker_threads == ["db-worker", "db-worker"]
    assert [p.filename for p in photos.list_photos(db, inspection_id, "2.1")] == ["出厂检验记录.jpg", "设备铭牌.jpg"]


def test_reopening_shows_the_photos(qtbot, db, db_worker, inspection_id, upright_photo, tmp_path, monkeypatch):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    pick_files(monkeypatch, upright_photo)
    screen.choose_photos("4.1")
    qtbot.waitUntil(lambda: thumbs_shown(screen, "4.1", 1), timeout=5000)
    other = tmp_path / "标签.jpg"
    other.write_bytes(jpeg(colour=(0, 0, 160)))
    drop_on(screen.items["5.1"], other)
    qtbot.waitUntil(lambda: thumbs_shown(screen, "5.1", 1), timeout=5000)
    screen.close()
    db_worker.wait_idle()

    again = open_screen(qtbot, db, db_worker, inspection_id)
    qtbot.waitUntil(lambda: thumbs_shown(again, "4.1", 1) and thumbs_shown(again, "5.1", 1), timeout=5000)
    size = thumb_size(again.items["4.1"].photo_strip)
    assert size.height() > size.width()
    assert again.items["5.1"].photo_strip.thumbs.item(0).text() == "照片2"
    assert again.items["1.1"].photo_strip is None

    # Removed from its item (Delete on the selected thumbnail): the strip gives its space back.
    strip = again.items["5.1"].photo_strip
    strip.thumbs.setCurrentRow(0)
    strip.remove_selected()
    qtbot.waitUntil(lambda: strip.isHidden(), timeout=5000)
    assert [p.item_id for p in photos.list_photos(db, inspection_id)] == ["4.1"]


def test_a_file_that_is_not_a_photo_is_refused(
    qtbot, db, db_worker, inspection_id, tmp_path, monkeypatch, captured_boxes
):
    screen = open_screen(qtbot, db, db_worker, inspection_id)
    w = screen.items["4.1"]
    notes = tmp_path / "检查笔记.txt"
    notes.write_text("出厂检验记录缺项", encoding="utf-8")
    assert drop_on(w, notes)
    qtbot.waitUntil(lambda: len(captured_boxes) == 1, timeout=5000)
    assert "照片“检查笔记.txt”：不是可识别的图片文件（支持 JPG、PNG 等格式）" in captured_boxes[0]

    # Chosen in the dialog: a damaged JPEG, and a file that went away meanwhile (unreadable).
    broken = tmp_path / "损坏.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    pick_files(monkeypatch, broken, tmp_path / "已删除.jpg")
    qtbot.mouseClick(w.photo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(captured_boxes) == 2, timeout=5000)
    assert "照片“损坏.jpg”：不是可识别的图片文件" in captured_boxes[1]
    assert "照片“已删除.jpg”：无法读取" in captured_boxes[1]

    qtbot.waitUntil(db_worker.settled)  # every job ran and its callback was delivered
    assert photos.list_photos(db, inspection_id) == []
    assert w.photo_strip is None or w.photo_strip.isHidden()
    assert w.record.toPlainText() == ""


def test_photos_are_fixed_once_signed(qtbot, db, db_worker, sample, templates, fixed_today, upright_photo, monkeypatch):
    """Completed, a record still takes photos until it is signed (core/inspection/photos.py); then read-only."""
    iid = factory.complete(db, sample, templates)
    screen = open_screen(qtbot, db, db_worker, iid)
    assert screen.read_only
    w = screen.items["4.1"]
    qtbot.waitUntil(lambda: w.photo_button.isVisible(), timeout=5000)
    pick_files(monkeypatch, upright_photo)
    qtbot.mouseClick(w.photo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: thumbs_shown(screen, "4.1", 1), timeout=5000)
    screen.close()
    db_worker.wait_idle()

    factory.sign(db, iid)
    again = open_screen(qtbot, db, db_worker, iid)
    w = again.items["4.1"]
    qtbot.waitUntil(lambda: thumbs_shown(again, "4.1", 1), timeout=5000)
    assert not again.photos_editable
    assert not w.photo_button.isVisible()
    assert w.photo_strip.read_only()
    assert not drop_on(w, upright_photo)  # the drop is refused on arrival
    w.photo_strip.thumbs.setCurrentRow(0)
    w.photo_strip.remove_selected()
    again.choose_photos("4.1")
    db_worker.wait_idle()
    assert len(photos.list_photos(db, iid)) == 1

    # The documents dialog offers the photo appendix of the record: the photo is printed there.
    dialog = DocumentsDialog(db, db_worker, iid)
    qtbot.addWidget(dialog)
    dialog.photos.setChecked(True)  # 记录表附现场照片
    dialog.doc_list.setCurrentRow(1)
    qtbot.waitUntil(
        lambda: dialog.current is not None and dialog.current.doc.doc_type == "record" and not dialog.busy(),
        timeout=20000,
    )
    text = pdf_text(dialog.current.doc.pdf)
    assert "附：现场检查照片（共1张）" in text
