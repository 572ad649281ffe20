"""Reading the QR code of a document from a photo or a scan of the page (zxing-cpp).

zxing-cpp rather than pyzbar: its wheels carry the decoder itself (pyzbar needs the system's libzbar, which
Windows laptops do not have and PyInstaller would have to find), it finds a code that fills a few percent of
a photographed A4 page, and it reads a rotated or slightly skewed one. The image is opened with Pillow with a
pixel limit first: a photo from outside may be a decompression bomb.
"""

from __future__ import annotations

from pathlib import Path

from inspector_app.core.errors import ValidationError
from inspector_app.i18n import _

MAX_PIXELS = 80_000_000  # a 600 dpi scan of A4 is 35 MP; a phone photo 12–50 MP


def read_image(image, source: str = "") -> str:
    """The text of the first of our QR codes in a Pillow image (ValidationError naming `source` if none)."""
    import zxingcpp

    gray = image.convert("L")
    codes = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    texts = [c.text for c in codes if c.valid and c.text]
    ours = [t for t in texts if t.upper().startswith("XCJC:")]
    if ours:
        return ours[0]
    where = _("图片“{p}”中").format(p=source) if source else _("图片中")
    if texts:
        raise ValidationError(_("二维码"), _("{w}的二维码不是本程序出具的文书二维码").format(w=where))
    raise ValidationError(
        _("二维码"),
        _("{w}没有找到可识别的二维码：请拍清楚文书左下角的二维码（对准、不反光、不模糊），或直接输入核验码").format(
            w=where
        ),
    )


def read_file(path: str | Path) -> str:
    from PIL import Image

    path = Path(path)
    if not path.is_file():
        raise ValidationError(_("图片"), _("“{p}”不是可读取的图片文件").format(p=path))
    try:
        with Image.open(path) as img:
            if img.width * img.height > MAX_PIXELS:
                raise ValidationError(
                    _("图片"),
                    _("“{p}”有 {n} 百万像素，超过上限 {m} 百万像素：请缩小后再试").format(
                        p=path, n=img.width * img.height // 1_000_000, m=MAX_PIXELS // 1_000_000
                    ),
                )
            img.load()
            return read_image(img, str(path))
    except (OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ValidationError(_("图片"), _("无法读取图片“{p}”：{e}").format(p=path, e=exc)) from None
