"""Evidence photos (core/inspection/photos.py): hash, EXIF orientation, thumbnails, appendix copies, read-only once
signed."""

import hashlib
import io

import pytest
from PIL import Image

from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.inspection import photos
from inspector_app.core.issuing import signing
from inspector_app.core.storage import attachments
from tests.documents import factory


def jpeg(width=400, height=200, orientation=None, colour=(200, 30, 30), when="2026:06:15 10:31:00") -> bytes:
    """A landscape JPEG whose left half is red; with EXIF orientation 6 a viewer shows it rotated upright."""
    img = Image.new("RGB", (width, height), "white")
    img.paste(Image.new("RGB", (width // 2, height), colour), (0, 0))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9003] = when
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes(), quality=90)
    return buf.getvalue()


@pytest.fixture
def completed(db, sample, templates, fixed_today):
    return factory.complete(db, sample, templates)


def test_a_photo_is_kept_byte_for_byte_with_its_hash(db, completed, engine):
    data = jpeg()
    info = photos.add_photo(db, completed, "4.1", data, filename="出厂检验记录.jpg", caption="检验记录缺项")
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert photos.original(db, info.id) == data
    path = photos.original_path(info.sha256, "jpg")
    # A file database keeps it in the data folder; a server database in itself, for every clerk's workstation.
    assert path.exists() == (engine == "sqlite")
    if engine == "sqlite":
        assert path.read_bytes() == data
    assert info.taken_at.isoformat() == "2026-06-15T10:31:00"
    assert (info.width, info.height) == (400, 200) and info.caption == "检验记录缺项"


def test_exif_orientation_is_applied_to_the_copies(db, completed):
    info = photos.add_photo(db, completed, "4.1", jpeg(orientation=6))  # 6: rotate 90° clockwise to view
    assert (info.width, info.height) == (200, 400)
    thumb = Image.open(io.BytesIO(info.thumbnail))
    assert thumb.height > thumb.width and max(thumb.size) <= photos.THUMB_PX
    ((_info, copy),) = photos.print_copies(db, completed)
    upright = Image.open(io.BytesIO(copy)).convert("RGB")
    assert upright.size == (200, 400)
    top, bottom = upright.getpixel((100, 50)), upright.getpixel((100, 350))
    assert top[0] > 150 and top[1] < 100  # the red half is now on top
    assert bottom == pytest.approx((255, 255, 255), abs=20)


def test_big_photos_are_downscaled_for_the_appendix(db, completed):
    photos.add_photo(db, completed, "2.1", jpeg(3000, 2000))
    ((_info, copy),) = photos.print_copies(db, completed)
    assert max(Image.open(io.BytesIO(copy)).size) == photos.PRINT_PX


def test_same_file_twice_is_one_photo(db, completed):
    data = jpeg()
    a = photos.add_photo(db, completed, "4.1", data)
    b = photos.add_photo(db, completed, "4.1", data)
    assert a.id == b.id and len(photos.list_photos(db, completed)) == 1


def test_photos_from_a_path_and_per_item(db, completed, tmp_path):
    f = tmp_path / "现场.png"
    Image.new("RGBA", (50, 40), (0, 0, 255, 128)).save(f)
    photos.add_photo(db, completed, "2.1", f)
    photos.add_photo(db, completed, "4.1", jpeg())
    assert [p.filename for p in photos.list_photos(db, completed, "2.1")] == ["现场.png"]
    assert len(photos.list_photos(db, completed)) == 2


def test_what_is_not_a_photo_is_refused(db, completed, tmp_path):
    with pytest.raises(ValidationError, match="不是可识别的图片"):
        photos.add_photo(db, completed, "4.1", b"%PDF-1.4 not an image", filename="a.jpg")
    with pytest.raises(ValidationError, match="空"):
        photos.add_photo(db, completed, "4.1", b"")
    with pytest.raises(ValidationError, match="无法读取"):
        photos.add_photo(db, completed, "4.1", tmp_path / "missing.jpg")
    with pytest.raises(ValidationError, match="不在该检查表中"):
        photos.add_photo(db, completed, "42.1", jpeg())


def test_photos_are_part_of_the_signed_content_and_frozen_after(db, completed):
    info = photos.add_photo(db, completed, "4.1", jpeg())
    state = factory.sign(db, completed)
    assert state.canonical["photos"] == [{"item_id": "4.1", "sha256": info.sha256}]
    with pytest.raises(DomainError, match="已签字"):
        photos.add_photo(db, completed, "4.1", jpeg(colour=(0, 200, 0)))
    with pytest.raises(DomainError, match="已签字"):
        photos.remove_photo(db, info.id)
    assert signing.verify_record(db, completed) == []


def test_remove_before_signing(db, completed):
    info = photos.add_photo(db, completed, "4.1", jpeg(), caption="仓库")
    assert photos.list_photos(db, completed)[0].caption == "仓库"
    photos.remove_photo(db, info.id)
    assert photos.list_photos(db, completed) == []
    with db.session() as s:  # the evidence file itself stays (as a file, or in the server database)
        assert attachments.read(s, info.sha256, photos.original_path(info.sha256, "jpg")) is not None
