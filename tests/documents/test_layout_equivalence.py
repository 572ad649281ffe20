"""The documents' shortcuts past reportlab's slow paths print what reportlab's own paths print: line breaking
(layout.cjk_para_line, layout.Para), signature images (layout.SignatureImage), font subsets
(fonts._share_glyf)."""

import io
import random

import pypdf
import pytest
from PIL import Image as PILImage
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFace
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, paragraph

from inspector_app.documents import fonts, layout
from inspector_app.paths import resource_path
from tests.documents import factory

CHARS = "检查营业执照经营范围未包含许可证产品涂料企业称正在办理变更登记，：；。（）“”ABCxyz0123456789 -、"


def random_markup(rnd: random.Random) -> str:
    parts = []
    for _ in range(rnd.randrange(1, 8)):
        t = "".join(rnd.choice(CHARS) for _ in range(rnd.randrange(0, 60)))
        parts.append(
            rnd.choice([t, f"<b>{t}</b>", f"<font size='8.5'>{t}</font>", f"<u>&nbsp;{t}&nbsp;</u>", t + "<br/>"])
        )
    return "".join(parts)


def lines(p: Paragraph) -> list:
    """Everything the drawing reads from a paragraph's line breaking."""
    if p.blPara.kind == 0:
        return [("single", p.blPara.lines)]
    out = []
    for line in p.blPara.lines:
        d = {k: v for k, v in line.__dict__.items() if k != "words"}
        d["words"] = [dict(w.__dict__) for w in line.words]
        out.append(d)
    return out


def test_the_line_breaking_is_reportlabs(monkeypatch):
    st = layout.styles()
    assert paragraph.makeCJKParaLine is layout.cjk_para_line
    rnd = random.Random(3)
    cases = [
        (random_markup(rnd), rnd.choice(["plain", "cell", "body", "right"]), rnd.choice([86, 188, 273, 472]))
        for _ in range(300)
    ]

    def broken():
        out = []
        for markup, style, width in cases:
            p = Paragraph(markup, st[style])
            p.wrap(width, 1000)
            out.append(lines(p))
        return out

    ours = broken()
    monkeypatch.setattr(paragraph, "makeCJKParaLine", layout.REPORTLAB_CJK_LINE)
    assert broken() == ours
    assert sum(1 for c in ours if c and c[0] != "single" and len(c) > 1) > 100  # many multi-line, many-fragment


def test_a_paragraph_breaks_its_lines_once_per_width_and_style():
    st = layout.styles()
    calls = []

    class Counting(layout.Para):
        def breakLinesCJK(self, widths):
            calls.append(widths)
            return super().breakLinesCJK(widths)

    markup = "<b>检查内容：</b>" + "原辅材料进货查验记录齐全，与生产记录一致。" * 4
    p = Counting(markup, st["plain"])
    assert p.wrap(200, 1000) == Paragraph(markup, st["plain"]).wrap(200, 1000)
    p.wrap(200, 50)
    assert len(calls) == 1
    assert p.wrap(150, 1000) == Paragraph(markup, st["plain"]).wrap(150, 1000)
    assert len(calls) == 2
    p.style = indented = st["plain"].clone("indented", leftIndent=14, firstLineIndent=-14)  # as summary.py does
    plain = Paragraph(markup, st["plain"])
    plain.style = indented
    assert p.wrap(150, 1000) == plain.wrap(150, 1000)
    assert len(calls) == 3


def images(draw) -> list:
    """The image XObjects of a one-page PDF with their soft masks, decoded: what a viewer paints."""
    buf = io.BytesIO()
    canvas = Canvas(buf)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    page = pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages[0]
    keys = ("/Width", "/Height", "/ColorSpace", "/BitsPerComponent", "/Decode")

    def described(obj):
        return tuple(obj.get(k) for k in keys), obj.get_data()

    out = []
    for ref in page["/Resources"]["/XObject"].values():
        obj = ref.get_object()
        mask = obj.get("/SMask")
        out.append((described(obj), described(mask.get_object()) if mask is not None else None))
    return sorted(out, key=repr)


def png(mode: str) -> bytes:
    im = PILImage.open(io.BytesIO(factory.signature_png(3))).convert(mode)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("mode", ["RGBA", "LA", "RGB", "L"])
def test_a_signature_image_embeds_what_reportlabs_image_does(mode):
    data = png(mode)

    def reportlabs(canvas):
        Image(io.BytesIO(data), width=80, height=30, mask="auto").drawOn(canvas, 20, 20)

    def ours(canvas):
        img = layout.SignatureImage.of(data)
        img.width, img.height = 80, 30
        img.drawOn(canvas, 20, 20)

    mine = images(ours)
    assert mine == images(reportlabs)
    assert len(mine) == 1 and (mine[0][1] is not None) == (mode in ("RGBA", "LA"))


def test_other_images_are_left_to_reportlab():
    palette = PILImage.open(io.BytesIO(factory.signature_png(3))).convert("P")
    buf = io.BytesIO()
    palette.save(buf, "PNG", transparency=0)
    jpeg = io.BytesIO()
    PILImage.new("RGB", (20, 10), "white").save(jpeg, "JPEG")
    for data in (buf.getvalue(), jpeg.getvalue(), b"not an image"):
        assert layout.SignatureImage.of(data) is None


@pytest.mark.parametrize("face", [fonts.BODY, fonts.BOLD])
def test_a_font_subset_is_reportlabs(face):
    fonts.register()
    ours = pdfmetrics.getFont(face).face
    assert not isinstance(ours.get_table("glyf"), bytes)  # the shared table is in use
    stock = TTFontFace(str(resource_path("fonts", fonts.FILES[face])))
    codes = sorted(ours.charToGlyph)
    rnd = random.Random(5)
    for _ in range(3):
        subset = [0, *rnd.sample(codes, 200)]
        assert ours.makeSubset(subset) == stock.makeSubset(subset)
