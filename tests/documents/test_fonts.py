"""The document fonts: shipped with their licence, registered once, no character silently lost."""

import pytest

from inspector_app.documents import fonts
from inspector_app.paths import resource_path


def test_fonts_ship_with_their_licence():
    for filename in fonts.FILES.values():
        path = resource_path("fonts", filename)
        assert path.exists() and path.read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType outlines
    for name in fonts.LICENCES:
        licence = resource_path("fonts", name).read_text(encoding="utf-8")
        assert "SIL OPEN FONT LICENSE Version 1.1" in licence


def test_each_face_is_registered_once():
    from reportlab.pdfbase import pdfmetrics

    fonts.register()
    first = pdfmetrics.getFont(fonts.BODY)
    fonts.register()
    assert pdfmetrics.getFont(fonts.BODY) is first
    assert pdfmetrics.getRegisteredFontNames().count(fonts.BODY) == 1


def test_the_regular_face_covers_gb2312_and_gbk_hanzi_and_the_form_symbols():
    gb2312 = []
    for hi in range(0xB0, 0xF8):  # the hanzi rows
        for lo in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    assert len(gb2312) == 6763
    assert fonts.missing_chars("".join(gb2312)) == []
    assert fonts.missing_chars("堃喆玥珺昇犇") == []  # name characters outside GB 2312 (GBK)
    assert fonts.missing_chars("☑☐〓〔〕（）《》“”、。：；№℃①", fonts.BODY) == []
    assert fonts.missing_chars("☑☐“”（）", fonts.BOLD) == []


@pytest.mark.parametrize("face", [fonts.BOLD, fonts.FANGSONG, fonts.HEI])
def test_the_notice_faces_cover_gb2312(face):
    """仿宋 (body), 黑体 (headings) and the title face print every GB 2312 character and the form symbols."""
    gb2312 = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    assert fonts.missing_chars("".join(gb2312), face) == []
    assert fonts.missing_chars("〔〕（）《》“”、。：；№℃①０Ａａ—…", face) == []


def test_a_gbk_character_the_fangsong_face_lacks_is_set_in_the_regular_face():
    markup = fonts.fallback_markup("张喆、李玥", fonts.FANGSONG)
    missing = [ch for ch in "张喆、李玥" if fonts.missing_chars(ch, fonts.FANGSONG)]
    assert missing  # 喆/玥 are GBK, outside GB 2312
    for ch in missing:
        assert f'<font face="{fonts.BODY}">{ch}</font>' in markup
    assert markup.replace(f'<font face="{fonts.BODY}">', "").replace("</font>", "") == "张喆、李玥"


def test_missing_characters_are_reported_with_where_they_are():
    check = fonts.GlyphCheck(strict=True)
    assert check.text("上海申华", "企业名称") == "上海申华"
    check.text("𠀾记五金厂😀", "企业名称")
    with pytest.raises(fonts.MissingGlyphs) as err:
        check.finish()
    message = str(err.value)
    assert "企业名称" in message and "U+2003E" in message and "U+1F600" in message


def test_missing_characters_print_as_a_visible_mark_when_allowed():
    check = fonts.GlyphCheck(strict=False)
    assert check.text("𠀾记", "企业代表姓名") == "〓记"
    assert check.finish() == ["企业代表姓名：“𠀾”(U+2003E)"]


def test_line_breaks_are_not_missing_characters():
    assert fonts.missing_chars("第一行\n第二行\t") == []
