"""Build the TrueType Chinese fonts that the official documents embed (resources/fonts/).

Four faces: Noto Serif SC regular and bold (宋体: the forms; the bold one is also the notice's title face,
the closest free face to 小标宋), Noto Sans SC (黑体: the notice's headings) and XCJC Fangsong, made from
Zhuque Fangsong (仿宋: the notice's body, GB/T 9704; scripts/zhuque_fangsong.py).

reportlab embeds TrueType outlines only; Noto Serif CJK ships as CFF (OpenType/PostScript), which reportlab
refuses. This script makes the shipped fonts reproducible:

1. take the Simplified Chinese face of Noto Serif CJK (SIL Open Font License 1.1) from the Debian package
   fonts-noto-cjk (`apt-get install fonts-noto-cjk`; /usr/share/fonts/opentype/noto/NotoSerifCJK-*.ttc);
2. subset it to the characters a Chinese government form needs: GB 2312 (6763 hanzi and its symbols), the
   hanzi of GBK where --charset gbk is given (names of people and firms use characters outside GB 2312),
   ASCII, Latin-1, and the punctuation and symbol blocks listed in EXTRA_RANGES;
3. convert the cubic CFF outlines to quadratic TrueType outlines (fontTools cu2qu, max error 1 unit of 1000);
4. add the ballot-box characters the record form prints, which Noto lacks: U+2610 ☐ (the glyph of
   U+25A1 □) and U+2611 ☑ (□ with ✓ inside, a composite glyph), so the PDF text says ☑ 符合 / ☐ 不符合;
5. write NotoSerifSC-Regular.ttf / NotoSerifSC-Bold.ttf / NotoSansSC-Regular.ttf and copy the licence text
   next to them;
6. with --zhuque PATH (the ZhuqueFangsong.glyphspackage folder of a clone of Zhuque Fangsong's repository),
   compile XCJC-Fangsong-Regular.ttf (GB 2312 and the symbols above; see zhuque_fangsong.py).

The OFL allows modification and redistribution; its Reserved Font Name is "Source" (Adobe's copyright line
in the font), which this derivative does not use.

Usage:  .venv/bin/python scripts/build_fonts.py [--source DIR] [--out resources/fonts] [--charset gbk|gb2312]
                                              [--zhuque DIR/ZhuqueFangsong.glyphspackage]

Needs fontTools (the test extra), the Debian package fonts-noto-cjk, and for --zhuque glyphsLib (the fonts
extra); takes about four minutes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fontTools import subset
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto")
LICENSE_SOURCE = Path("/usr/share/doc/fonts-noto-cjk/copyright")

# (source collection, family name in that collection, output file, style, character set)
# The regular face carries every GBK hanzi (names of people and firms, records); the bold face prints the
# fixed headings and titles, for which GB 2312 is enough (and keeps it at a third of the size).
FACES = (
    ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "NotoSerifSC-Regular.ttf", "Regular", "gbk"),
    ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC", "NotoSerifSC-Bold.ttf", "Bold", "gb2312"),
    ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", "NotoSansSC-Regular.ttf", "Regular", "gb2312"),
)
FANGSONG = "XCJC-Fangsong-Regular.ttf"
NOTO_LICENCE = "NotoCJK-OFL.txt"

EXTRA_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: ×, ÷, °, §, ·
    (0x2000, 0x206F),  # general punctuation: — ‘ ’ “ ” … ‰ ※
    (0x2100, 0x214F),  # letterlike: ℃ №
    (0x2150, 0x218F),  # number forms: Ⅰ Ⅱ Ⅲ
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators: ≤ ≥ ±
    (0x2460, 0x24FF),  # enclosed alphanumerics: ① ②
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes: □ ■ ○ ●
    (0x2600, 0x26FF),  # miscellaneous symbols: ★ ☆
    (0x2713, 0x2713),  # ✓
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、 。 〔 〕 《 》 【 】
    (0xFF00, 0xFFEF),  # full-width forms: （ ） ， ： ；
)


def gb2312_chars() -> set[str]:
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def gbk_hanzi() -> set[str]:
    out = set()
    for cp in range(0x4E00, 0x9FA6):
        ch = chr(cp)
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            continue
        out.add(ch)
    return out


def charset(name: str) -> set[int]:
    chars = gb2312_chars()
    if name == "gbk":
        chars |= gbk_hanzi()
    cps = {ord(c) for c in chars}
    for lo, hi in EXTRA_RANGES:
        cps.update(range(lo, hi + 1))
    return cps


def load_face(collection: Path, family: str) -> TTFont:
    for font in TTCollection(str(collection)).fonts:
        if font["name"].getDebugName(1) == family:
            return font
    raise SystemExit(f"{collection}: no face named {family!r}")


def subset_font(font: TTFont, unicodes: set[int]) -> None:
    opts = subset.Options()
    opts.layout_features = []  # horizontal Chinese text needs no GSUB/GPOS features
    opts.drop_tables += ["vhea", "vmtx", "VORG", "BASE", "GDEF", "GSUB", "GPOS", "DSIG"]
    opts.name_IDs = ["*"]  # keep copyright, licence and licence URL (name IDs 0, 13, 14)
    opts.name_languages = [0x409]
    opts.hinting = False
    opts.notdef_outline = True
    opts.recalc_bounds = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)


def cff_to_glyf(font: TTFont, max_err: float = 1.0) -> None:
    """fontTools' otf2ttf recipe: cubic CFF outlines → quadratic TrueType outlines."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: CID names mean nothing and cost space
    font.sfntVersion = "\x00\x01\x00\x00"


def add_ballot_boxes(font: TTFont) -> None:
    """U+2610 ☐ = □; U+2611 ☑ = □ with ✓ scaled into it (a composite glyph: both stay exact outlines)."""
    cmap = font.getBestCmap()
    box, check = cmap[0x25A1], cmap[0x2713]
    glyf, hmtx = font["glyf"], font["hmtx"]
    box_bounds = _bounds(font, box)
    check_bounds = _bounds(font, check)
    bx0, by0, bx1, by1 = box_bounds
    cx0, cy0, cx1, cy1 = check_bounds
    inner = (bx1 - bx0) * 0.78
    scale = min(inner / (cx1 - cx0), inner / (cy1 - cy0))
    dx = (bx0 + bx1) / 2 - (cx0 + cx1) / 2 * scale
    dy = (by0 + by1) / 2 - (cy0 + cy1) / 2 * scale
    pen = TTGlyphPen(glyf)
    pen.addComponent(box, (1, 0, 0, 1, 0, 0))
    pen.addComponent(check, (scale, 0, 0, scale, round(dx), round(dy)))
    name = "uni2611"
    order = font.getGlyphOrder()
    font.setGlyphOrder([*order, name])
    glyf.glyphOrder = font.getGlyphOrder()
    glyf[name] = pen.glyph()
    hmtx[name] = hmtx[box]
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[0x2610] = box
            table.cmap[0x2611] = name


def _bounds(font: TTFont, name: str) -> tuple[float, float, float, float]:
    pen = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[name].draw(pen)
    return pen.bounds


def finish(font: TTFont) -> None:
    glyf, hmtx = font["glyf"], font["hmtx"]
    for name in font.getGlyphOrder():
        g = glyf[name]
        g.recalcBounds(glyf)
        adv, _lsb = hmtx[name]
        hmtx[name] = (adv, getattr(g, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(font.getGlyphOrder())
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentElements = max(len(getattr(glyf[n], "components", [])) for n in font.getGlyphOrder())


def build(
    source: Path, out: Path, charset_name: str | None = None, zhuque: Path | None = None, only: set[str] | None = None
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for collection, family, target, style, default_charset in FACES:
        if only and target not in only:
            continue
        t0 = time.perf_counter()
        font = load_face(source / collection, family)
        subset_font(font, charset(charset_name or default_charset))
        cff_to_glyf(font)
        _save(font, out / target, style, t0)
    if zhuque is not None and (not only or FANGSONG in only):
        import zhuque_fangsong

        t0 = time.perf_counter()
        font = zhuque_fangsong.build(zhuque, out / FACES[0][2], charset("gb2312"))
        _save(font, out / FANGSONG, "Regular", t0)
        _fangsong_licence(zhuque, out / "ZhuqueFangsong-OFL.txt")
    _noto_licence(out / NOTO_LICENCE)


def _save(font: TTFont, path: Path, style: str, t0: float) -> None:
    add_ballot_boxes(font)
    finish(font)
    font.save(str(path))
    cmap = TTFont(str(path)).getBestCmap()
    print(
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {style}, {len(cmap)} characters, "
        f"{path.stat().st_size / 1e6:.2f} MB, {time.perf_counter() - t0:.1f} s"
    )


def _noto_licence(licence: Path) -> None:
    if LICENSE_SOURCE.exists():
        text = LICENSE_SOURCE.read_text(encoding="utf-8")
        start = text.find("SIL OPEN FONT LICENSE Version 1.1")
        body = "\n".join(line[1:] if line.startswith(" ") else line for line in text[start:].splitlines())
        body = body.replace("\n.\n", "\n\n")
        header = (
            "Noto Serif SC and Noto Sans SC (subsets of Noto Serif CJK SC and Noto Sans CJK SC, converted to\n"
            "TrueType by scripts/build_fonts.py)\n"
            "Copyright 2017-2022 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.\n\n"
            "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n\n"
        )
        licence.write_text(header + body.strip() + "\n", encoding="utf-8")
    elif not licence.exists():
        print(f"warning: {LICENSE_SOURCE} missing; copy the OFL text to {licence}", file=sys.stderr)


def _fangsong_licence(package: Path, licence: Path) -> None:
    """The repository's LICENSE.txt (two folders above the package), under a line saying what was made."""
    text = (package.resolve().parents[1] / "LICENSE.txt").read_text(encoding="utf-8")
    header = (
        "XCJC Fangsong (XCJC-Fangsong-Regular.ttf): Zhuque Fangsong (朱雀仿宋) compiled to TrueType and subset to\n"
        "GB 2312 by scripts/build_fonts.py, with symbols Zhuque Fangsong lacks taken from Noto Serif CJK SC\n"
        "(Copyright 2017-2022 Adobe, SIL Open Font License 1.1, text in NotoCJK-OFL.txt).\n\n"
    )
    licence.write_text(header + text.strip() + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder with NotoSerifCJK-*.ttc")
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "fonts")
    parser.add_argument("--charset", choices=("gbk", "gb2312"), help="one character set for every face")
    parser.add_argument("--zhuque", type=Path, help="ZhuqueFangsong.glyphspackage: also build the 仿宋 face")
    parser.add_argument("--only", nargs="+", help="build only these files (e.g. NotoSansSC-Regular.ttf)")
    args = parser.parse_args(argv)
    build(args.source, args.out, args.charset, args.zhuque, set(args.only or ()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
