"""Photo view (issue 16 §2): GPS from EXIF, rotation that leaves the original untouched, captions."""

import hashlib
import io

import pytest
from PIL import Image

from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.inspection import photos
from inspector_app.core.issuing import signing
from tests.core.test_photos import jpeg
from tests.documents import factory


def gps_jpeg(lat=(31.0, 13.0, 49.5), lon=(121.0, 28.0, 24.0), refs=("N", "E")) -> bytes:
    img = Image.new("RGB", (400, 200), "white")
    img.paste(Image.new("RGB", (200, 200), "red"), (0, 0))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:06:15 10:31:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = refs[0], lat, refs[1], lon
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes(), quality=90)
    return buf.getvalue()


@pytest.fixture
def completed(db, sample, templates, fixed_today):
    return factory.complete(db, sample, templates)


def test_gps_is_read_from_exif(db, completed):
    info = photos.add_photo(db, completed, "1.1", gps_jpeg())
    assert (info.latitude, info.longitude) == (31.230417, 121.473333)
    south_west = photos.add_photo(db, completed, "1.1", gps_jpeg(refs=("S", "W")))
    assert (south_west.latitude, south_west.longitude) == (-31.230417, -121.473333)
    without = photos.add_photo(db, completed, "1.1", jpeg())
    assert (without.latitude, without.longitude) == (None, None)


def test_rotation_turns_the_copies_never_the_original(db, completed):
    data = jpeg()
    info = photos.add_photo(db, completed, "1.1", data)
    assert (info.width, info.height, info.rotation) == (400, 200, 0)
    turned = photos.rotate(db, info.id, 1)
    assert (turned.width, turned.height, turned.rotation) == (200, 400, 90)
    _info, original, copy = photos.full_size(db, info.id)
    assert hashlib.sha256(original).hexdigest() == info.sha256 == turned.sha256  # the evidence is unchanged
    printed = Image.open(io.BytesIO(copy))
    assert printed.size == (200, 400)
    assert printed.getpixel((100, 20))[0] > 150 and printed.getpixel((100, 380))[1] > 150  # red half on top
    assert photos.rotate(db, info.id, -1).rotation == 0


def test_caption_until_signed(db, sample, templates, completed):
    info = photos.add_photo(db, completed, "1.1", jpeg())
    assert photos.set_caption(db, info.id, "  仓库东侧灭火器  ").caption == "仓库东侧灭火器"
    with pytest.raises(ValidationError):
        photos.set_caption(db, info.id, "字" * 201)
    factory.sign(db, completed)
    assert signing.status(db, completed) == signing.SIGNED_STATUS
    with pytest.raises(DomainError):
        photos.set_caption(db, info.id, "改")
    with pytest.raises(DomainError):
        photos.rotate(db, info.id)
