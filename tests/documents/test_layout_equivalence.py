"""The documents' two remaining shortcuts print what reportlab's own paths print: a paragraph broken into lines
once per width (layout.Para), font subsets cut from a shared glyf table (fonts._share_glyf)."""

import random

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFace
from reportlab.platypus import Paragraph

from inspector_app.documents import fonts, layout
from inspector_app.paths import resource_path


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


@pytest.mark.parametrize("face", [fonts.BODY, fonts.BOLD, fonts.FANGSONG, fonts.HEI])
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
