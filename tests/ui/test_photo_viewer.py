"""The full-size photo view (issue 16 §2): zoom, rotate without touching the original, next/previous, caption,
time and place taken — offscreen, a real database, opened from a strip of thumbnails."""

import hashlib

from PySide6.QtCore import Qt

from inspector_app.core.inspection import photos
from tests.core.test_photo_view import gps_jpeg
from tests.core.test_photos import jpeg
from tests.ui.test_supervision_views import settle


def test_open_rotate_browse_and_caption(qtbot, db_worker, db, inspection_id, tmp_path):
    from inspector_app.ui.photo_strip import PhotoStrip

    first = photos.add_photo(db, inspection_id, "4.1", gps_jpeg(), filename="仓库.jpg")
    photos.add_photo(db, inspection_id, "4.1", jpeg(), filename="标志.jpg")
    strip = PhotoStrip(db, db_worker, inspection_id, item_id="4.1")
    qtbot.addWidget(strip)
    strip.show()
    settle(qtbot, db_worker, lambda: strip.thumbs.count() == 2)
    strip.thumbs.setCurrentRow(0)
    qtbot.keyClick(strip.thumbs, Qt.Key.Key_Return)  # Enter (or a double-click) opens it full size
    viewer = strip.viewer
    qtbot.addWidget(viewer)
    settle(qtbot, db_worker, lambda: viewer.current.id == first.id and "北纬31.230417°" in viewer.info.text())
    assert "拍摄于 2026-06-15 10:31" in viewer.info.text()
    assert viewer.item.pixmap().size().toTuple() == (400, 200)

    viewer.zoom(2)
    assert viewer.view.transform().m11() > 1
    viewer.rotate(1)
    settle(qtbot, db_worker, lambda: viewer.item.pixmap().size().toTuple() == (200, 400))
    _info, original, _copy = photos.full_size(db, first.id)
    assert hashlib.sha256(original).hexdigest() == first.sha256  # the evidence file is untouched

    viewer.caption.setText("仓库东侧灭火器")
    viewer.go(1)  # moving on saves the caption
    settle(qtbot, db_worker, lambda: viewer.index == 1 and "照片未记录拍摄位置" in viewer.info.text())
    assert not viewer.next_button.isEnabled() and viewer.prev_button.isEnabled()
    assert photos.list_photos(db, inspection_id)[0].caption == "仓库东侧灭火器"
    viewer.resize(1280, 720)
    viewer.grab().save(str(tmp_path / "viewer.png"))
    viewer.close()
