"""The 仿宋 face of the notice: Zhuque Fangsong (朱雀仿宋, SIL Open Font License 1.1) compiled to TrueType.

Zhuque Fangsong is published as Glyphs source only (ZhuqueFangsong.glyphspackage in its repository,
TrionesType/zhuque; `git clone` it and pass --zhuque …/src/ZhuqueFangsong.glyphspackage to build_fonts.py).
Its author's build (fontmake) compiles all 13 800 glyphs with their OpenType features; the documents need
neither, so this reads the package with glyphsLib, draws the master layer of each character in the charset
(components decomposed) and converts the cubic outlines to quadratic TrueType ones, like the Noto faces.

It covers all 6763 GB 2312 hanzi but not every GB 2312 symbol: the full-width digits and letters
(０ Ａ ａ ＋ ＝ …) are made here from its own ASCII glyphs centred on a full-width advance, and what it
lacks beyond that (① ㈠ ○ ★ ※ ℃ Ⅰ, box drawing, bopomofo) is taken from the Noto Serif SC face this
script builds first — both are OFL fonts, so the merged face is an OFL font too (neither has a Reserved
Font Name this derivative uses). Needs glyphsLib (pip install glyphsLib); loading the package takes ≈ 1 min.
"""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

FAMILY = "XCJC Fangsong"  # the derivative's own name (the source has no Reserved Font Name; still, say it is ours)
COPYRIGHT = "Copyright 2023 JadeFoci (Zhejiang JadeFoci Technology Co. Ltd); Noto Serif CJK glyphs Copyright 2017 Adobe"
LICENCE = "This Font Software is licensed under the SIL Open Font License, Version 1.1."
LICENCE_URL = "https://openfontlicense.org"


def _outline(layers: dict, name: str, max_err: float = 1.0):
    rec = DecomposingRecordingPen(layers)
    layers[name].draw(rec)
    pen = TTGlyphPen(None)
    rec.replay(Cu2QuPen(pen, max_err, reverse_direction=True))
    return pen.glyph()


def _borrowed(noto: TTFont, name: str):
    rec = DecomposingRecordingPen(noto.getGlyphSet())
    noto.getGlyphSet()[name].draw(rec)
    pen = TTGlyphPen(None)
    rec.replay(pen)  # already quadratic
    return pen.glyph()


def build(package: Path, noto_regular: Path, unicodes: set[int]) -> TTFont:
    import glyphsLib

    source = glyphsLib.GSFont(str(package))
    master = source.masters[0]
    layers: dict = {}  # name → master layer: the glyph set DecomposingRecordingPen looks components up in
    cmap_src: dict[int, str] = {}
    for glyph in source.glyphs:
        layer = glyph.layers[master.id]
        if layer is None:
            continue
        layers[glyph.name] = layer
        for u in glyph.unicodes or ():
            cmap_src.setdefault(int(u, 16), glyph.name)

    order, glyphs, metrics, cmap = [".notdef"], {}, {".notdef": (1000, 0)}, {}
    glyphs[".notdef"] = _outline(layers, ".notdef") if ".notdef" in layers else TTGlyphPen(None).glyph()
    noto = TTFont(str(noto_regular))
    noto_cmap = noto.getBestCmap()
    for cp in sorted(unicodes):
        name = cmap_src.get(cp)
        if name is not None:
            if name not in glyphs:
                order.append(name)
                glyphs[name] = _outline(layers, name)
                metrics[name] = (round(layers[name].width), 0)
            cmap[cp] = name
        elif 0xFF01 <= cp <= 0xFF5E and (ascii_name := cmap_src.get(cp - 0xFEE0)):
            # full-width form = the ASCII glyph centred on an em (the font's own ＠ ％ are drawn so)
            name = f"uni{cp:04X}"
            if ascii_name not in glyphs:
                order.append(ascii_name)
                glyphs[ascii_name] = _outline(layers, ascii_name)
                metrics[ascii_name] = (round(layers[ascii_name].width), 0)
            pen = TTGlyphPen(glyphs)
            pen.addComponent(ascii_name, (1, 0, 0, 1, round((1000 - layers[ascii_name].width) / 2), 0))
            order.append(name)
            glyphs[name] = pen.glyph()
            metrics[name] = (1000, 0)
            cmap[cp] = name
        elif cp in noto_cmap:
            src = noto_cmap[cp]
            name = f"noto.{src}"
            if name not in glyphs:
                order.append(name)
                glyphs[name] = _borrowed(noto, src)
                metrics[name] = (noto["hmtx"][src][0], 0)
            cmap[cp] = name

    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(cmap)
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics(metrics)
    ascent, descent = round(master.ascender), round(master.descender)
    fb.setupHorizontalHeader(ascent=ascent, descent=descent)
    version = f"{source.versionMajor}.{source.versionMinor:03d}"
    fb.setupNameTable(
        {
            "copyright": COPYRIGHT,
            "familyName": FAMILY,
            "styleName": "Regular",
            "uniqueFontIdentifier": f"{FAMILY} Regular (Zhuque Fangsong {version})",
            "fullName": f"{FAMILY} Regular",
            "psName": "XCJCFangsong-Regular",
            "licenseDescription": LICENCE,
            "licenseInfoURL": LICENCE_URL,
        },
        windows=True,
        mac=False,
    )
    fb.setupOS2(sTypoAscender=ascent, sTypoDescender=descent, usWinAscent=ascent, usWinDescent=-descent, fsType=0)
    fb.setupPost(keepGlyphNames=False)
    fb.setupMaxp()
    return fb.font
