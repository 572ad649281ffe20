"""Shared building blocks of the three documents: styles, checked paragraphs, signatures, page furniture.

Each document module (summary.py, record.py, notice.py) keeps its own measurements and wording in a LAYOUT
table at its top and builds a platypus story from DocData; this module turns a story into a PDF whose every
page gets the same furniture (QR mark, "第 x 页 共 y 页", and for the record the seal strip), drawn after the
page count is known.
"""

from __future__ import annotations

import dataclasses
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, TableStyle

from inspector_app import __version__
from inspector_app.core.issuing.signing import SignatureView, verification_code
from inspector_app.documents import fonts, qr

PAGE = A4
BLACK = colors.black
GRID = colors.black
LIGHT = colors.Color(0.45, 0.45, 0.45)


# Chinese punctuation that must not start a line (GB/T 15834 标点符号用法; reportlab's list is Japanese and
# lacks the full-width comma, colon, semicolon, …): appended once to the list its CJK line breaker reads.
CANNOT_START_CN = "，：；！？）》」』】〕、。”’…—·％"


def _chinese_line_breaking() -> None:
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    with _patch_lock:
        for module in (textsplit, paragraph):  # textsplit.dumbSplit and paragraph.cjkFragSplit read their own
            missing = "".join(ch for ch in CANNOT_START_CN if ch not in module.ALL_CANNOT_START)
            if missing:
                module.ALL_CANNOT_START += missing


_patch_lock = threading.Lock()  # documents are built on worker threads


def styles(base: float = 10.5) -> dict[str, ParagraphStyle]:
    """五号 (10.5 pt) body text as Chinese official forms use, 宋体-like face throughout."""
    fonts.register()
    _chinese_line_breaking()
    lead = base * 1.5
    s = {
        "title": ParagraphStyle("title", fontName=fonts.BOLD, fontSize=18, leading=26, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", fontName=fonts.BOLD, fontSize=14, leading=20, alignment=TA_CENTER),
        "body": ParagraphStyle(
            "body", fontName=fonts.BODY, fontSize=base + 1.5, leading=(base + 1.5) * 1.75, alignment=TA_JUSTIFY,
            firstLineIndent=2 * (base + 1.5), wordWrap="CJK",
        ),
        "plain": ParagraphStyle("plain", fontName=fonts.BODY, fontSize=base, leading=lead, wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=fonts.BODY, fontSize=base - 1.5, leading=(base - 1.5) * 1.4,
                               wordWrap="CJK"),
        "cell_c": ParagraphStyle("cell_c", fontName=fonts.BODY, fontSize=base - 1.5, leading=(base - 1.5) * 1.4,
                                 alignment=TA_CENTER, wordWrap="CJK"),
        "head_c": ParagraphStyle("head_c", fontName=fonts.BOLD, fontSize=base - 0.5, leading=(base - 0.5) * 1.4,
                                 alignment=TA_CENTER, wordWrap="CJK"),
        "label": ParagraphStyle("label", fontName=fonts.BOLD, fontSize=base, leading=lead, wordWrap="CJK"),
        "right": ParagraphStyle("right", fontName=fonts.BODY, fontSize=base, leading=lead, alignment=TA_RIGHT,
                                wordWrap="CJK"),
        "small": ParagraphStyle("small", fontName=fonts.BODY, fontSize=base - 2, leading=(base - 2) * 1.45,
                                wordWrap="CJK", textColor=BLACK),
        "left": ParagraphStyle("left", fontName=fonts.BODY, fontSize=base, leading=lead, alignment=TA_LEFT,
                               wordWrap="CJK"),
    }  # fmt: skip
    return s


class Para(Paragraph):
    """A Paragraph that breaks its lines once per width. A table measures every cell to size its rows and
    measures it again when it draws it, and KeepTogether measures its content before the frame does: the
    Chinese line breaking (character by character, in Python: most of the layout time) ran two or three
    times for 19 of the summary's 22 paragraphs. Its result depends only on the width and the style."""

    _wrapped: tuple | None = None  # (width, style) of the last wrap

    def wrap(self, availWidth, availHeight):
        last = self._wrapped
        if last is not None and last[0] == availWidth and last[1] is self.style:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, self.style)
        return size


class Writer:
    """Makes paragraphs from user text: checks every character against the font, escapes markup."""

    def __init__(self, check: fonts.GlyphCheck, base: float = 10.5):
        self.check = check
        self.st = styles(base)

    def t(self, value: str | None, where: str, face: str = fonts.BODY) -> str:
        """Checked, escaped text for a paragraph; line breaks kept."""
        return escape(self.check.text(value, where, face)).replace("\n", "<br/>")

    def p(self, markup: str, style: str = "plain") -> Paragraph:
        """A paragraph of markup built from fixed wording and `t()` pieces."""
        return Para(markup, self.st[style])

    def tp(self, value: str | None, where: str, style: str = "plain") -> Paragraph:
        face = self.st[style].fontName
        return Para(self.t(value, where, face), self.st[style])


def signature_flowable(sig: SignatureView, w: Writer, width: float, height: float, where: str):
    """The signature image, scaled into width × height; a paper signature without a scan prints the name."""
    if sig.image and not _printable(sig.image):
        return w.p(w.t(sig.name, where) + "（签名图片过大或已损坏，未印出）", "cell")
    if sig.image:  # reportlab's Image: drawn with canvas.drawImage, the PNG's alpha as a soft mask
        reader = ImageReader(io.BytesIO(sig.image))
        iw, ih = reader.getSize()
        scale = min(width / iw, height / ih)
        img = Image(io.BytesIO(sig.image), width=iw * scale, height=ih * scale, mask="auto")
        img.hAlign = "LEFT"
        return img
    return w.p(w.t(sig.name, where) + "（纸质签字）", "cell")


MAX_PRINT_PIXELS = (
    80_000_000  # what an import accepts (core/inspection/photos.py MAX_PIXELS); a pad writes ≈ 0.05 million
)


def _printable(image: bytes) -> bool:
    """Whether a stored signature image can be decoded for print: a decompression bomb (a few KB claiming
    60,000 × 60,000 pixels) that came in before the import checked sizes must not stop the document."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(image)) as im:  # the header only
            w, h = im.size
    except Exception:  # not an image PIL (and so reportlab) can read
        return False
    return w * h <= MAX_PRINT_PIXELS


@dataclass(frozen=True)
class Furniture:
    """What every page of one document carries."""

    doc_type: str
    title: str
    inspection_id: str
    content_hash: str
    number: str = ""
    seal_strip: bool = False
    seal_text: str = "骑缝章"
    footer_note: str = ""
    qr_text: str = ""  # the signed QR payload (documents/qrsig.py); "" prints the unsigned version 1
    page: tuple[float, float] = PAGE  # a wide paper table (002 附件3/附件4) is printed on landscape(A4)


def draw_seal_strip(canvas, text: str) -> None:
    """The cross-page seal position (骑缝章, 002 附件2 备注(4)) on the right edge of the page."""
    width, height = PAGE
    x0 = width - 14 * mm
    canvas.saveState()
    canvas.setStrokeColor(LIGHT)
    canvas.setLineWidth(0.6)
    canvas.setDash(2, 2)
    canvas.rect(x0, 95 * mm, 11 * mm, height - 190 * mm, stroke=1, fill=0)
    canvas.setFillColor(LIGHT)
    canvas.setFont(fonts.BODY, 9)
    chars = list(text)
    step = 7 * mm
    top = height / 2 + (len(chars) - 1) * step / 2
    for n, ch in enumerate(chars):
        canvas.drawCentredString(x0 + 5.5 * mm, top - n * step - 1.5 * mm, ch)
    canvas.restoreState()


def _decorate(f: Furniture, canvas, page: int, pages: int) -> None:
    width, _height = f.page
    canvas.saveState()
    canvas.setFont(fonts.BODY, 9)
    canvas.drawCentredString(width / 2, 12 * mm, f"第 {page} 页  共 {pages} 页")
    qr.draw_mark(
        canvas, 16 * mm, 7 * mm, doc_type=f.doc_type, inspection_id=f.inspection_id, content_hash=f.content_hash,
        size=15 * mm, payload=f.qr_text,
    )  # fmt: skip
    canvas.setFont(fonts.BODY, 6.5)
    canvas.setFillColor(LIGHT)
    canvas.drawRightString(width - 18 * mm, 12 * mm, f.title)
    if f.footer_note:
        canvas.drawRightString(width - 18 * mm, 8.5 * mm, f.footer_note)
    canvas.restoreState()
    if f.seal_strip:
        draw_seal_strip(canvas, f.seal_text)


def metadata_keywords(f: Furniture) -> str:
    """The PDF's /Keywords, read back by pdfsign.verify: XCJC:1:<document>:<inspection id>:<hash>[:<number>]."""
    parts = ["XCJC", "1", f.doc_type, f.inspection_id, f.content_hash]
    if f.number:
        parts.append(f.number)
    return ":".join(parts)


class _NumberedCanvas(Canvas):
    """Keeps every page until the end so the furniture can say "共 y 页"."""

    def __init__(self, *args, decorate: Callable, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._decorate = decorate

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for n, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(self, n, total)
            Canvas.showPage(self)
        Canvas.save(self)


class PageData(Protocol):
    """What the page furniture reads of a document: its title values, settings and QR payload."""

    @property
    def qr_text(self) -> str: ...

    @property
    def info(self) -> dict: ...

    def setting(self, key: str) -> str: ...


def render(
    story: list,
    furniture: Furniture,
    data: PageData,
    *,
    margins: tuple[float, float, float, float],
    on_page: Callable | None = None,
) -> bytes:
    """Lay the story out on pages of `furniture.page` (A4; margins: top, right, bottom, left in points) and
    return the PDF."""
    fonts.register()
    buf = io.BytesIO()
    top, right, bottom, left = margins
    code = verification_code(furniture.inspection_id, furniture.content_hash)
    doc = SimpleDocTemplate(
        buf,
        pagesize=furniture.page,
        topMargin=top,
        rightMargin=right,
        bottomMargin=bottom,
        leftMargin=left,
        title=f"{furniture.title}（{data.info['enterprise_name']}）",
        author=data.setting("bureau.name"),
        subject=f"核验码 {code}",
        keywords=metadata_keywords(furniture),
        creator=f"现场检查 {__version__}",
        producer=f"现场检查 {__version__} (reportlab)",
        # The initial font must be ours: reportlab's default Helvetica would be referenced and never embedded.
        initialFontName=fonts.BODY,
    )
    if data.qr_text and not furniture.qr_text:
        furniture = dataclasses.replace(furniture, qr_text=data.qr_text)
    maker = partial(_NumberedCanvas, decorate=partial(_decorate, furniture))
    kwargs: dict[str, Any] = {"canvasmaker": maker}
    if on_page is not None:
        kwargs.update(onFirstPage=on_page, onLaterPages=on_page)
    doc.build(story, **kwargs)
    return buf.getvalue()


def table_style(commands: list) -> TableStyle:
    """A TableStyle whose plain-string cells use our font (reportlab's default Helvetica is never embedded)."""
    fonts.register()
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.BODY), *commands])


def underline(text: str) -> str:
    return f"<u>{text}</u>"
