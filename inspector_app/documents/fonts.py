"""The Chinese fonts of the official documents: registered once, always embedded, never silently missing a glyph.

resources/fonts/ ships Noto Serif SC and Noto Sans SC (SIL Open Font License 1.1, licence text
NotoCJK-OFL.txt) and XCJC Fangsong, made from Zhuque Fangsong (朱雀仿宋, OFL 1.1, ZhuqueFangsong-OFL.txt),
as TrueType, built by scripts/build_fonts.py: reportlab embeds TrueType outlines only, and the built-in
STSong-Light CID font is not embedded (a machine without a Chinese font would print blanks). A Song (宋体)
face is what government forms are set in. The regular face covers GB 2312 and every GBK hanzi; the bold face
GB 2312 (titles and fixed headings). The notice is set in the GB/T 9704 faces: FANGSONG (仿宋, body), HEI
(黑体, headings) and BOLD as its title face (we found no freely licensed 小标宋; Noto Serif bold is the closest); these
three cover GB 2312, and `fallback_markup` prints a GBK character FANGSONG lacks in the regular face.

reportlab reuses the first font registered under a name, so `register()` registers each face once per
process. Every text that goes into a document passes through a `GlyphCheck`: a character the font lacks
is reported with the field it is in (MissingGlyphs), or, when the inspector chose to print anyway, replaced
by the visible 〓 (the typesetter's mark for a missing character) and listed as a warning. It never vanishes.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field

from inspector_app.core.errors import DomainError
from inspector_app.i18n import _
from inspector_app.paths import resource_path

BODY = "XCJC-Serif"
BOLD = "XCJC-Serif-Bold"
FANGSONG = "XCJC-Fangsong"
HEI = "XCJC-Sans"
FILES = {
    BODY: "NotoSerifSC-Regular.ttf",
    BOLD: "NotoSerifSC-Bold.ttf",
    FANGSONG: "XCJC-Fangsong-Regular.ttf",
    HEI: "NotoSansSC-Regular.ttf",
}
LICENCES = ("NotoCJK-OFL.txt", "ZhuqueFangsong-OFL.txt")
PLACEHOLDER = "〓"  # U+3013 GETA MARK: printed in place of a character the font lacks

_lock = threading.Lock()
_registered = False
_cmaps: dict[str, frozenset[int]] = {}


class FontMissing(DomainError):
    pass


def register() -> None:
    """Register the document faces with reportlab (once per process; safe from any thread)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        from reportlab import rl_config
        from reportlab.lib.fonts import addMapping

        # Binary (Flate only) streams: ASCII85 makes every stream 25 % larger and costs time to encode.
        rl_config.useA85 = 0
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for name, filename in FILES.items():
            path = resource_path("fonts", filename)
            if not path.exists():
                raise FontMissing(
                    _("找不到文书字体 {p}。请重新安装本程序（或运行 scripts/build_fonts.py 生成字体）。").format(p=path)
                )
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(path)))
                _share_glyf(pdfmetrics.getFont(name).face)
            _cmaps[name] = frozenset(pdfmetrics.getFont(name).face.charToGlyph)
        for bold, italic, face in ((0, 0, BODY), (1, 0, BOLD), (0, 1, BODY), (1, 1, BOLD)):
            addMapping(BODY, bold, italic, face)
        for bold, italic, face in ((0, 0, FANGSONG), (1, 0, HEI), (0, 1, FANGSONG), (1, 1, HEI)):
            addMapping(FANGSONG, bold, italic, face)  # emphasis in 仿宋 text is set in 黑体
        for bold, italic in ((0, 0), (1, 0), (0, 1), (1, 1)):
            addMapping(HEI, bold, italic, HEI)
        _registered = True


class _Slices:
    """A table of the font file that copies only the slices asked of it."""

    __slots__ = ("_view",)

    def __init__(self, view: memoryview):
        self._view = view

    def __getitem__(self, key) -> bytes:
        return self._view[key].tobytes()

    def __len__(self) -> int:
        return len(self._view)


def _share_glyf(face) -> None:
    """reportlab parses the TTF once, at registration, but every subset it embeds (one per 256 characters
    of a face a document uses: three for a summary) starts with a copy of the face's whole glyf table —
    9.3 MB for the regular face — only to slice each glyph it needs out of the copy. The copies (≈ 20 MB of
    memory written and freed per document) were ≈ 5 ms, half of a bare one-page document. makeSubset only
    slices glyf (and gets bytes, as before), so the table is handed out as a view instead."""
    view = memoryview(face._ttf_data)
    table = face.get_table

    def get_table(tag):
        if tag != "glyf":
            return table(tag)
        pos, length = face.get_table_pos(tag)
        return _Slices(view[pos : pos + length])

    face.get_table = get_table


def covered(face: str = BODY) -> frozenset[int]:
    register()
    return _cmaps[face]


def fallback_markup(escaped: str, face: str, fallback: str = BODY) -> str:
    """Paragraph markup of escaped text set in `face`: each run of characters `face` lacks (the checked text
    has them in `fallback`) wrapped in <font face=fallback>, so a name with a GBK character prints whole."""
    cmap = covered(face)
    out: list[str] = []
    run: list[str] = []
    for ch in escaped:
        if ord(ch) in cmap or _ignorable(ch):
            if run:
                out.append(f'<font face="{fallback}">{"".join(run)}</font>')
                run = []
            out.append(ch)
        else:
            run.append(ch)
    if run:
        out.append(f'<font face="{fallback}">{"".join(run)}</font>')
    return "".join(out)


def _ignorable(ch: str) -> bool:
    return ch in "\n\r\t" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def missing_chars(text: str, face: str = BODY) -> list[str]:
    """The distinct characters of `text` the face cannot print, in order of appearance."""
    cmap = covered(face)
    out: list[str] = []
    for ch in text:
        if ord(ch) not in cmap and not _ignorable(ch) and ch not in out:
            out.append(ch)
    return out


def describe(chars) -> str:
    return "、".join(f"“{c}”(U+{ord(c):04X})" for c in chars)


@dataclass(frozen=True)
class GlyphProblem:
    where: str
    chars: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.where}：{describe(self.chars)}"


class MissingGlyphs(DomainError):
    def __init__(self, problems: list[GlyphProblem]):
        self.problems = list(problems)
        lines = "\n".join(f"· {p}" for p in self.problems)
        super().__init__(
            _(
                "以下文字在文书字体中没有字形，打印出来会缺字：\n{lines}\n"
                "请改用常用字后重新出具；或选择“用〓代替并出具”，在纸面上手写补正。"
            ).format(lines=lines)
        )


@dataclass
class GlyphCheck:
    """Collects the missing characters of one document, field by field."""

    strict: bool = True
    problems: list[GlyphProblem] = field(default_factory=list)

    def text(self, value: str | None, where: str, face: str = BODY) -> str:
        value = unicodedata.normalize("NFC", value or "")
        missing = missing_chars(value, face)
        if not missing:
            return value
        self.problems.append(GlyphProblem(where, tuple(missing)))
        return "".join(PLACEHOLDER if ch in missing else ch for ch in value)

    def finish(self) -> list[str]:
        """Raise MissingGlyphs in strict mode; otherwise return the warnings for the UI."""
        if self.problems and self.strict:
            raise MissingGlyphs(self.problems)
        return [str(p) for p in self.problems]
