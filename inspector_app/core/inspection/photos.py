"""Evidence photos per checklist item (002 三(四): 必要时可拍照或索取相关材料复印件作为证据).

The original file is kept byte for byte (it is evidence) under data_dir()/photos/<sha256[:2]>/<sha256>.<ext>
(a server database keeps it in itself, core/storage/attachments.py), and its SHA-256 is recorded. The database
holds two upright copies (EXIF orientation applied with Pillow's ImageOps.exif_transpose): a thumbnail for
the screen and a downscaled JPEG for the record's photo appendix, so the appendix prints the same on any
laptop that received the record by sync.
Photos can be added, removed, turned and captioned until the inspection is signed; they are part of its content
hash. Turning one turns the two copies and records the rotation; the original never changes. The time and,
where the file has it, the position (EXIF GPS) are read when the photo is added.
"""

import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from inspector_app import paths
from inspector_app.core import clock
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.storage import attachments
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import Photo
from inspector_app.core.storage.models import Inspection
from inspector_app.i18n import _

THUMB_PX = 256
PRINT_PX = 1280  # long side of the appendix copy: ≈ 200 dpi across half an A4 page
THUMB_QUALITY, PRINT_QUALITY = 80, 80
MAX_BYTES = 40_000_000
MAX_PIXELS = 80_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic", "TIFF": "tif", "BMP": "bmp"}
EXIF_DATETIME_ORIGINAL, EXIF_DATETIME = 0x9003, 0x0132


@dataclass(frozen=True)
class PhotoInfo:
    id: str
    inspection_id: str
    item_id: str
    sha256: str
    filename: str
    width: int
    height: int
    taken_at: datetime | None
    caption: str
    position: int
    thumbnail: bytes
    rotation: int = 0  # degrees clockwise the inspector turned it (rotate(), below)
    latitude: float | None = None  # EXIF GPS, WGS-84 degrees
    longitude: float | None = None


def photos_dir() -> Path:
    return paths.data_dir() / "photos"


def original_path(sha256: str, ext: str) -> Path:
    return photos_dir() / sha256[:2] / f"{sha256}.{ext}"


def _info(p: Photo) -> PhotoInfo:
    return PhotoInfo(
        p.id, p.inspection_id, p.item_id, p.sha256, p.filename, p.width, p.height, p.taken_at, p.caption,
        p.position, p.thumbnail, p.rotation or 0, p.latitude, p.longitude,
    )  # fmt: skip


def _jpeg(img, max_px: int, quality: int) -> bytes:
    copy = img.copy()
    copy.thumbnail((max_px, max_px))
    buf = io.BytesIO()
    copy.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def _taken_at(exif) -> datetime | None:
    raw = None
    try:
        raw = exif.get_ifd(0x8769).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
    except Exception:  # a broken EXIF block is not a reason to refuse the photo
        return None
    try:
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except ValueError:
        return None


def gps_of(exif) -> tuple[float, float] | None:
    """(latitude, longitude) in degrees from the EXIF GPS block (0x8825), or None when absent or broken."""
    try:
        gps = exif.get_ifd(0x8825)
        lat, lat_ref, lon, lon_ref = gps.get(2), gps.get(1), gps.get(4), gps.get(3)
        if not lat or not lon:
            return None
        deg = [sum(float(v) / 60**n for n, v in enumerate(dms)) for dms in (lat, lon)]
        deg[0] *= -1 if str(lat_ref).strip("\x00 ").upper() == "S" else 1
        deg[1] *= -1 if str(lon_ref).strip("\x00 ").upper() == "W" else 1
    except Exception:  # like the time: a broken block is no reason to refuse the photo
        return None
    if not (-90 <= deg[0] <= 90 and -180 <= deg[1] <= 180) or deg == [0.0, 0.0]:
        return None
    return round(deg[0], 6), round(deg[1], 6)


def place_text(latitude: float | None, longitude: float | None) -> str:
    """The position as shown and printed: 北纬31.230417° 东经121.473333° ("" when the photo has none)."""
    if latitude is None or longitude is None:
        return ""
    ns = _("北纬") if latitude >= 0 else _("南纬")
    ew = _("东经") if longitude >= 0 else _("西经")
    return f"{ns}{abs(latitude):.6f}° {ew}{abs(longitude):.6f}°"


@dataclass(frozen=True)
class Prepared:
    """A decoded photo, ready to store: made outside the database transaction (decoding takes time)."""

    data: bytes
    sha256: str
    ext: str
    width: int
    height: int
    taken_at: datetime | None
    thumbnail: bytes
    print_copy: bytes
    gps: tuple[float, float] | None = None


def prepare(data: bytes, filename: str = "") -> Prepared:
    """Decode, orient and downscale one image; refuses what is not a photo, in Chinese."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    label = _("照片“{f}”").format(f=filename) if filename else _("照片")
    if not data:
        raise ValidationError(label, _("文件是空的"))
    if len(data) > MAX_BYTES:
        raise ValidationError(label, _("文件过大（超过40MB），请换一张或压缩后再添加"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data))
            fmt = img.format
            if img.width * img.height > MAX_PIXELS:
                raise ValidationError(label, _("像素过多，请换一张"))
            exif = img.getexif()
            img = ImageOps.exif_transpose(img)
            img.load()
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError, OSError, SyntaxError):
        raise ValidationError(label, _("不是可识别的图片文件（支持 JPG、PNG 等格式）")) from None
    if fmt not in FORMATS:
        raise ValidationError(label, _("不支持 {f} 格式，请使用 JPG 或 PNG").format(f=fmt))
    if img.mode not in ("RGB", "L"):
        background = Image.new("RGB", img.size, "white")
        rgba = img.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        img = background
    return Prepared(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        ext=FORMATS[fmt],
        width=img.width,
        height=img.height,
        taken_at=_taken_at(exif),
        gps=gps_of(exif),
        thumbnail=_jpeg(img, THUMB_PX, THUMB_QUALITY),
        print_copy=_jpeg(img, PRINT_PX, PRINT_QUALITY),
    )


def _editable(session, inspection_id: str) -> Inspection:
    from inspector_app.core.issuing.signing import is_signed

    insp = session.get(Inspection, inspection_id)
    if insp is None:
        raise NotFound(_("找不到该检查记录"))
    if is_signed(session, inspection_id):
        raise DomainError(_("该检查记录已签字确认，不能再增删照片。"))
    return insp


def add_photo(
    db: Database, inspection_id: str, item_id: str, source: str | Path | bytes, *, filename: str = "", caption: str = ""
) -> PhotoInfo:
    """Add one photo to an item. `source` is a path or the file's bytes. Adding the same file twice to the
    same inspection returns the existing photo."""
    if isinstance(source, str | Path):
        path = Path(source)
        filename = filename or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationError(
                _("照片“{f}”").format(f=filename), _("无法读取：{e}").format(e=exc.strerror)
            ) from None
    else:
        data = bytes(source)
    prepared = prepare(data, filename)
    return store(db, inspection_id, item_id, prepared, filename=filename, caption=caption)


_PHOTO_IDS = uuid.UUID("5b0f4c1e-2d6a-4c8e-9f3b-7a1d2e6c9b40")


def stable_id(inspection_id: str, sha256: str) -> str:
    """The id of a photo is its natural key (one file per inspection): the same file attached again after it
    was removed is the same record, so that a late bundle carrying its removal is older than the new
    attachment instead of deleting it (bundle-format.md §4). Photos attached before keep their random ids."""
    return str(uuid.uuid5(_PHOTO_IDS, f"{inspection_id}/{sha256}"))


def store(
    db: Database, inspection_id: str, item_id: str, prepared: Prepared, *, filename: str = "", caption: str = ""
) -> PhotoInfo:
    from inspector_app.core.inspection.snapshots import template_from_snapshot

    with db.session() as s:
        insp = _editable(s, inspection_id)
        template = template_from_snapshot(insp.template_digest, insp.template.content)
        try:
            template.item(item_id)
        except KeyError:
            raise ValidationError(_("检查项"), _("“{i}”不在该检查表中").format(i=item_id)) from None
        existing = s.scalar(select(Photo).where(Photo.inspection_id == inspection_id, Photo.sha256 == prepared.sha256))
        if existing is not None:
            return _info(existing)
        attachments.keep(s, prepared.data, prepared.sha256, original_path(prepared.sha256, prepared.ext))
        position = s.scalar(select(func.count()).select_from(Photo).where(Photo.inspection_id == inspection_id))
        row = Photo(
            id=stable_id(inspection_id, prepared.sha256),
            inspection_id=inspection_id,
            item_id=item_id,
            sha256=prepared.sha256,
            filename=Path(filename).name[:255],
            ext=prepared.ext,
            width=prepared.width,
            height=prepared.height,
            taken_at=prepared.taken_at,
            caption=caption,
            position=position or 0,
            thumbnail=prepared.thumbnail,
            print_copy=prepared.print_copy,
            added_at=clock.now(),
            latitude=prepared.gps[0] if prepared.gps else None,
            longitude=prepared.gps[1] if prepared.gps else None,
        )
        s.add(row)
        s.flush()
        return _info(row)


def list_photos(db: Database, inspection_id: str, item_id: str | None = None) -> list[PhotoInfo]:
    with db.session() as s:
        q = select(Photo).where(Photo.inspection_id == inspection_id).order_by(Photo.position, Photo.added_at)
        if item_id is not None:
            q = q.where(Photo.item_id == item_id)
        return [_info(p) for p in s.scalars(q)]


def print_copies(db: Database, inspection_id: str) -> list[tuple[PhotoInfo, bytes]]:
    """Every photo with its downscaled appendix copy, in the order they were added."""
    with db.session() as s:
        q = select(Photo).where(Photo.inspection_id == inspection_id).order_by(Photo.position, Photo.added_at)
        return [(_info(p), p.print_copy) for p in s.scalars(q)]


def remove_photo(db: Database, photo_id: str) -> None:
    """Remove a photo from the record; the original file stays (another record may hold the same file)."""
    with db.session() as s:
        p = s.get(Photo, photo_id)
        if p is None:
            raise NotFound(_("找不到该照片"))
        _editable(s, p.inspection_id)
        s.delete(p)


def _turned(jpeg: bytes, quarter_turns: int, quality: int) -> bytes:
    from PIL import Image

    img = Image.open(io.BytesIO(jpeg))
    turned = img.rotate(-90 * quarter_turns, expand=True)  # PIL turns counter-clockwise
    buf = io.BytesIO()
    turned.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def rotate(db: Database, photo_id: str, quarter_turns: int = 1) -> PhotoInfo:
    """Turn a photo by quarter turns clockwise (negative: counter-clockwise) until the record is signed.

    The original file is evidence and stays byte for byte; the thumbnail and the appendix's print copy are
    turned, and the rotation is recorded so the full-size view shows the original turned the same way."""
    turns = quarter_turns % 4
    with db.session() as s:
        p = s.get(Photo, photo_id)
        if p is None:
            raise NotFound(_("找不到该照片"))
        _editable(s, p.inspection_id)
        if turns:
            p.thumbnail = _turned(p.thumbnail, turns, THUMB_QUALITY)
            p.print_copy = _turned(p.print_copy, turns, PRINT_QUALITY)
            if turns % 2:
                p.width, p.height = p.height, p.width
            p.rotation = ((p.rotation or 0) + 90 * turns) % 360
        s.flush()
        return _info(p)


def set_caption(db: Database, photo_id: str, caption: str) -> PhotoInfo:
    """The caption printed under the photo in the record's appendix; editable until the record is signed."""
    caption = caption.strip()
    if len(caption) > 200:
        raise ValidationError(_("照片说明"), _("不超过200个字"))
    with db.session() as s:
        p = s.get(Photo, photo_id)
        if p is None:
            raise NotFound(_("找不到该照片"))
        _editable(s, p.inspection_id)
        p.caption = caption
        s.flush()
        return _info(p)


def full_size(db: Database, photo_id: str) -> tuple[PhotoInfo, bytes | None, bytes]:
    """For the full-size view: the photo, its original file (None where this laptop lacks it) and the print
    copy (upright and turned already), which a viewer that cannot decode the original shows instead."""
    with db.session() as s:
        p = s.get(Photo, photo_id)
        if p is None:
            raise NotFound(_("找不到该照片"))
        info, copy = _info(p), p.print_copy
        return info, attachments.read(s, p.sha256, original_path(p.sha256, p.ext)), copy


def original(db: Database, photo_id: str) -> bytes:
    """The photo's original file, byte for byte (checked against its SHA-256), wherever this database keeps it."""
    with db.session() as s:
        p = s.get(Photo, photo_id)
        if p is None:
            raise NotFound(_("找不到该照片"))
        data = attachments.read(s, p.sha256, original_path(p.sha256, p.ext))
        if data is None:
            raise DomainError(_("照片“{f}”的原件缺失或已损坏，请从备份恢复。").format(f=p.filename or p.item_id))
        return data
