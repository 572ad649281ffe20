"""The record's photo appendix prints where a photo was taken (EXIF GPS) and its caption and rotation."""

import io

from PIL import Image

from inspector_app.core.inspection import photos
from inspector_app.documents.generate import generate
from tests.core.test_photo_view import gps_jpeg
from tests.documents import factory
from tests.documents.factory import flat, pdf_pages


def test_time_place_and_caption_are_printed(db, sample, templates, fixed_today):
    iid = factory.complete(db, sample, templates)
    info = photos.add_photo(db, iid, "4.1", gps_jpeg(), filename="仓库.jpg")
    photos.set_caption(db, info.id, "仓库东侧")
    photos.rotate(db, info.id, 1)
    factory.sign(db, iid)
    last = flat(pdf_pages(generate(db, iid, "record", with_photos=True).pdf)[-1])
    assert "拍摄于2026-06-1510:31" in last
    assert "拍摄位置北纬31.230417°东经121.473333°" in last
    assert "仓库东侧" in last
    ((printed, copy),) = photos.print_copies(db, iid)
    assert Image.open(io.BytesIO(copy)).size == (printed.width, printed.height) == (200, 400)  # printed upright
