"""The border every file from outside crosses: values, structures and paths a hostile or broken file can carry.

One place for the limits, so that a bundle, an `inspection import`, a key file, a draw package and a template
all refuse the same things the same way (issue 13 §4):

- JSON and TOML are read by `load_json` / `load_toml`: nesting deeper than MAX_DEPTH, integers outside
  SQLite's 64-bit range, NaN/Infinity and lone surrogates (`"\\ud800"`) are refused with a Chinese reason
  (UnsafeInput, a ValueError, so every caller's "not valid JSON" handling applies) instead of a RecursionError,
  an OverflowError at the first write or a UnicodeEncodeError in a PDF;
- dates are accepted within DATE_MIN..DATE_MAX (`check_date`): 9999-12-20 would overflow every deadline;
- an input path must be a regular file (`input_file`): a FIFO or a device would block a read forever;
- an output folder must exist and be writable (`output_file`).
"""

from __future__ import annotations

import functools
import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from inspector_app.core.errors import DomainError
from inspector_app.i18n import _

MAX_DEPTH = 64  # our deepest document (a template: sections → items → options) is about 8 levels
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what SQLite stores
DATE_MIN, DATE_MAX = date(1949, 1, 1), date(2100, 12, 31)
MAX_JSON_BYTES = 64 * 2**20  # an `inspection import` file: a year of one inspector's records is ≈ 2 MB


class UnsafeInput(ValueError):
    """A value or structure refused at the border; str() is the Chinese reason."""


# ------------------------------------------------------------------ structure


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_TOML_SKIP = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_depth(text: str, strings: re.Pattern) -> None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # cannot be deeper than the number of openings
    depth = 0
    for ch in _NOT_BRACKET.sub("", strings.sub("", text)):
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise UnsafeInput(_("嵌套超过 {n} 层，不是本程序写出的文件").format(n=MAX_DEPTH))
        else:
            depth -= 1


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise UnsafeInput(_("整数“{v}…”超出范围").format(v=text[:12]))
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise UnsafeInput(_("整数“{v}”超出范围").format(v=text[:20]))
    return value


def _no_constant(name: str):
    raise UnsafeInput(_("“{v}”不是有效的数值").format(v=name))


def _walk(value: Any, depth: int = 0) -> None:
    """Lone surrogates, integers out of range, non-finite floats, dates out of range, anywhere in value."""
    if depth > MAX_DEPTH:
        raise UnsafeInput(_("嵌套超过 {n} 层，不是本程序写出的文件").format(n=MAX_DEPTH))
    if isinstance(value, str):
        check_text(value)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise UnsafeInput(_("整数超出范围"))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise UnsafeInput(_("“{v}”不是有效的数值").format(v=value))
    elif isinstance(value, datetime | date):
        check_date(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            _walk(k, depth + 1)
            _walk(v, depth + 1)
    elif isinstance(value, list | tuple):
        for v in value:
            _walk(v, depth + 1)


@functools.cache
def _decoder(bounded_ints: bool):
    import json

    if bounded_ints:
        return json.JSONDecoder(parse_constant=_no_constant, parse_int=_bounded_int)
    return json.JSONDecoder(parse_constant=_no_constant)


def load_json(data: str | bytes | bytearray | memoryview, *, bounded_ints: bool = True, **kwargs) -> Any:
    """json.loads with the limits above. Raises UnsafeInput or json.JSONDecodeError (both ValueError);
    bytes that are not UTF-8 raise UnicodeDecodeError (a ValueError too). bounded_ints=False: integers are
    range-checked by the caller (a bundle's record lines: sync/records.py per column), which saves a Python
    call per integer on the hot path; Python's own limit (4,300 digits) still applies."""
    import json

    text = data if isinstance(data, str) else str(data, "utf-8")
    _check_depth(text, _JSON_STRING)
    try:
        if kwargs:
            value = json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int, **kwargs)
        else:  # the hot path (one call per record line of a bundle): one decoder, built once
            value = _decoder(bounded_ints).decode(text)
    except RecursionError:  # a last guard; _check_depth refuses these first
        raise UnsafeInput(_("嵌套层数过多，不是本程序写出的文件")) from None
    except ValueError as exc:  # Python's own limit on integers: more than 4,300 digits
        if isinstance(exc, UnsafeInput) or "integer string conversion" not in str(exc):
            raise
        raise UnsafeInput(_("整数超出范围（超过 4300 位）")) from None
    if _SURROGATE_ESCAPE.search(text):
        _walk(value)
    return value


def load_toml(text: str) -> dict:
    """tomllib.loads with the limits above. Raises UnsafeInput or tomllib.TOMLDecodeError (both ValueError)."""
    _check_depth(text, _TOML_SKIP)
    try:
        value = tomllib.loads(text)
    except RecursionError:
        raise UnsafeInput(_("嵌套层数过多，不是本程序写出的文件")) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise
        raise UnsafeInput(_("数值超出范围")) from None
    _walk(value)
    return value


# ------------------------------------------------------------------ values


def check_text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeInput(_("含有不成对的代理字符（如 \\ud800），不是有效的文字")) from None
    return text


_D = TypeVar("_D", bound=date)  # a date or a datetime, returned as it came


def check_date(value: _D) -> _D:
    """value, if it lies in DATE_MIN..DATE_MAX; raise UnsafeInput otherwise."""
    d = value.date() if isinstance(value, datetime) else value
    if not DATE_MIN <= d <= DATE_MAX:
        raise UnsafeInput(
            _("日期 {v} 超出范围（应在 {a} 至 {b} 之间）").format(v=d.isoformat(), a=DATE_MIN.year, b=DATE_MAX.year)
        )
    return value


def check_int(value: int) -> int:
    if not INT_MIN <= value <= INT_MAX:
        raise UnsafeInput(_("整数超出范围"))
    return value


# ------------------------------------------------------------------ paths


def input_file(path: str | Path, what: str = "", *, max_bytes: int | None = None) -> Path:
    """path, if it names a regular file we can read; raise DomainError naming it otherwise.

    A FIFO, socket or device would block (or never end) a read; a folder cannot be read as a file."""
    path = Path(path)
    label = what or _("文件")
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DomainError(_("找不到{w}“{p}”").format(w=label, p=path)) from None
    except OSError as exc:
        raise DomainError(_("无法读取{w}“{p}”：{e}").format(w=label, p=path, e=exc.strerror or exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise DomainError(_("“{p}”是一个文件夹，不是{w}").format(p=path, w=label))
    if not stat.S_ISREG(st.st_mode):
        raise DomainError(_("“{p}”不是普通文件（可能是管道或设备），不能作为{w}读取").format(p=path, w=label))
    if not os.access(path, os.R_OK):
        raise DomainError(_("没有读取“{p}”的权限").format(p=path))
    if max_bytes is not None and st.st_size > max_bytes:
        raise DomainError(
            _("{w}“{p}”有 {s}，超过上限 {m}，未读取").format(
                w=label, p=path, s=size_text(st.st_size), m=size_text(max_bytes)
            )
        )
    return path


def size_text(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


def output_file(path: str | Path) -> Path:
    """path, if a file can be written there; raise DomainError naming the folder otherwise."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise DomainError(_("无法写入“{p}”：文件夹“{d}”不存在").format(p=path, d=folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DomainError(_("无法写入“{p}”：没有写入文件夹“{d}”的权限").format(p=path, d=folder))
    if path.exists() and not path.is_file():
        raise DomainError(_("无法写入“{p}”：这不是普通文件").format(p=path))
    return path


# ------------------------------------------------------------------ spreadsheets and images


@dataclass(frozen=True)
class InputLimits:
    """What a spreadsheet or an image from outside may hold (settings input.*; these defaults otherwise)."""

    max_bytes: int = 64 * 2**20
    max_rows: int = 200_000
    max_columns: int = 200
    max_pixels: int = 80_000_000  # core/inspection/photos.py MAX_PIXELS: a phone photo is at most ≈ 50 million
    unpack_factor: int = 16  # an XLSX's XML may inflate to this many times the file's size

    @classmethod
    def of(cls, db) -> InputLimits:
        from inspector_app.core import settings

        with db.session() as s:
            max_mb = settings.read_int(s, "input.roster_max_mb")
            max_rows = settings.read_int(s, "input.roster_max_rows")
        assert max_mb is not None and max_rows is not None, "required settings are never empty"
        return cls(max_bytes=max_mb * 2**20, max_rows=max_rows)

    def rows_text(self) -> str:
        return _("超过上限：最多 {r} 行、{c} 列（设置“台账行数上限”）").format(r=self.max_rows, c=self.max_columns)

    def check_size(self, path: Path) -> None:
        size = path.stat().st_size
        if size > self.max_bytes:
            raise UnsafeInput(
                _("文件有 {s}，超过上限 {m}（设置“台账文件大小上限”），未读取").format(
                    s=size_text(size), m=size_text(self.max_bytes)
                )
            )

    def check_xlsx(self, path: Path, data: bytes) -> None:
        """Refuse a workbook whose parts declare more than unpack_factor × the size limit (a zip bomb)."""
        import io
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                declared = sum(i.file_size for i in z.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return  # openpyxl reports the damaged workbook in its own words
        limit = self.max_bytes * self.unpack_factor
        if declared > limit:
            raise DomainError(
                _("无法导入“{p}”：工作簿解压后有 {s}，超过上限 {m}（可能是“压缩炸弹”），未读取").format(
                    p=path, s=size_text(declared), m=size_text(limit)
                )
            )

    def check_image(self, width: int, height: int, name: str) -> None:
        if width * height > self.max_pixels:
            raise DomainError(
                _("图片“{n}”有 {w}×{h} 像素，超过上限 {m} 百万像素，未保存。").format(
                    n=name, w=width, h=height, m=self.max_pixels // 1_000_000
                )
            )


def check_image_pixels(data: bytes, name: str, limits: InputLimits | None = None) -> None:
    """Refuse (DomainError) an image whose header claims more pixels than the limit — a decompression bomb
    (a few KB of PNG claiming 60,000 × 60,000 pixels) — before anything decodes it. Only the header is read;
    data that is not an image passes, for the caller's own check of the format."""
    import io
    import warnings

    from PIL import Image

    limits = limits or InputLimits()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:  # reads the header only
                width, height = im.size
    except Image.DecompressionBombError:
        raise DomainError(_("图片“{n}”的像素数过大（可能是“解压炸弹”），未保存。").format(n=name)) from None
    except Exception:
        return
    limits.check_image(width, height, name)
