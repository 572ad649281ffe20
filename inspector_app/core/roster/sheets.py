"""Reading a roster file into numbered rows: sniffing what the file really is, CSV (any encoding Excel writes)
or XLSX (the first sheet with a roster header), and finding the header row."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from inspector_app.core.roster.base import Progress, refuse
from inspector_app.core.roster.columns import HEADER_INDEX, norm_header
from inspector_app.core.safe_input import InputLimits
from inspector_app.i18n import _

_ZIP_KINDS = (
    ("word/", "Word文档（.docx）"),
    ("ppt/", "PowerPoint演示文稿（.pptx）"),
)


_SAVE_AS = "请在 Excel 或 WPS 中打开台账，另存为 Excel 工作簿（.xlsx）或 CSV 后再导入"


def _sniff(path: Path, head: bytes) -> str:
    """'xlsx' or 'text'; raise RosterFileError naming what the file really is."""
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                mimetype = z.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
        except (zipfile.BadZipFile, OSError) as exc:
            raise refuse(path, _("文件已损坏，不是完整的 Excel 工作簿（{e}）").format(e=exc)) from exc
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "opendocument.spreadsheet" in mimetype:
            return _refuse_kind(path, _("OpenDocument表格（.ods）"))
        for prefix, kind in _ZIP_KINDS:
            if any(n.startswith(prefix) for n in names):
                return _refuse_kind(path, _(kind))
        return _refuse_kind(path, _("压缩包"))
    if head.startswith(b"%PDF"):
        return _refuse_kind(path, _("PDF文件"))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse(path, _("这是旧版 Office 文件（.xls 或 .doc），本程序不能直接读取。") + _(_SAVE_AS))
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")):
        return _refuse_kind(path, _("图片"))
    if head.startswith(b"{\\rtf"):
        return _refuse_kind(path, _("RTF 文档"))
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        raise refuse(path, _("这是网页（HTML/XML）格式的文件，有些系统导出的“.xls”其实是网页。") + _(_SAVE_AS))
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in head:
        return _refuse_kind(path, _("二进制文件"))
    return "text"


def _refuse_kind(path: Path, kind: str) -> str:
    raise refuse(path, _("这是{kind}，不是表格。").format(kind=kind) + _(_SAVE_AS))


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel "Unicode 文本" is UTF-16 with tabs
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # what Chinese Excel writes for "CSV (逗号分隔)"; a superset of GBK
    except UnicodeDecodeError as exc:
        raise refuse(
            path, _("无法识别文件的文字编码（既不是 UTF-8，也不是 GBK/GB18030）。请用 Excel 另存为 CSV UTF-8 或 .xlsx")
        ) from exc


def _csv_rows(path: Path, data: bytes, limits: InputLimits) -> list[tuple[int, Sequence[object]]]:
    text = _decode(path, data)
    del data
    sample = text[:20000]
    delimiter = max((",", "\t", ";"), key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, Sequence[object]]] = []
    try:
        # Excel shows one spreadsheet row per CSV record, even when a quoted cell spans lines.
        for n, cells in enumerate(reader, start=1):
            if n > limits.max_rows:
                raise refuse(path, limits.rows_text())
            rows.append((n, cells))
    except csv.Error as exc:
        raise refuse(path, _("CSV 格式错误（{e}）").format(e=exc)) from exc
    return rows


def _xlsx_rows(
    path: Path, data: bytes, progress: Progress | None, limits: InputLimits
) -> tuple[str, list[tuple[int, Sequence[object]]], list[str]]:
    import openpyxl

    limits.check_xlsx(path, data)  # a zip bomb is refused by its declared sizes, before a byte is inflated
    try:
        # From memory, not the path: openpyxl refuses a workbook whose name does not end in .xlsx.
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise refuse(path, _("Excel 工作簿已损坏或无法读取（{e}）").format(e=exc)) from exc
    try:
        sheets = []
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # some programs write a wrong sheet size; read what is really there
            rows = []
            for n, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                if n > limits.max_rows or len(cells) > limits.max_columns:
                    raise refuse(path, limits.rows_text())
                rows.append((n, cells))
                if progress is not None and n % 5000 == 0:
                    progress(n, 0)  # reading a workbook is the slow part; 0 = total not known yet
            sheets.append((ws.title, rows))
    finally:
        wb.close()
    # The first sheet that has a roster header; other sheets (说明, 统计) are ignored.
    for title, rows in sheets:
        if find_header(rows) is not None:
            return title, rows, [t for t, _r in sheets if t != title]
    return (sheets[0][0] if sheets else ""), (sheets[0][1] if sheets else []), []


def read_table(
    path: Path, progress: Progress | None = None, limits: InputLimits | None = None
) -> tuple[list[tuple[int, Sequence[object]]], str]:
    """(numbered rows, sheet note) of the file; raise RosterFileError for a file that is not a table."""
    if not path.exists():
        raise refuse(path, _("找不到该文件"))
    if path.is_dir():
        raise refuse(path, _("这是一个文件夹，请选择台账文件"))
    if not path.is_file():  # a FIFO or a device: reading it would wait forever
        raise refuse(path, _("这不是普通文件（可能是管道或设备），请选择台账文件"))
    limits = limits or InputLimits()
    try:
        limits.check_size(path)
        data = path.read_bytes()
    except OSError as exc:
        raise refuse(path, _("无法读取文件（{e}）").format(e=exc.strerror or exc)) from exc
    except ValueError as exc:  # over the size limit
        raise refuse(path, str(exc)) from None
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise refuse(path, _("文件是空的"))
    kind = _sniff(path, data[:4096])
    if kind == "xlsx":
        sheet, rows, others = _xlsx_rows(path, data, progress, limits)
        note = _("读取工作表“{s}”，其他工作表已忽略：{o}").format(s=sheet, o="、".join(others)) if others else ""
        return rows, note
    return _csv_rows(path, data, limits), ""


def find_header(rows: list[tuple[int, Sequence[object]]]) -> int | None:
    """Index (into rows) of the header row: the first of the first 10 non-empty rows naming ≥ 3 known columns."""
    seen = 0
    for i, (_n, cells) in enumerate(rows):
        if not any(is_filled(c) for c in cells):
            continue
        known = {HEADER_INDEX.get(norm_header(c)) for c in cells} - {None}
        if len(known) >= 3:
            return i
        seen += 1
        if seen >= 10:
            break
    return None


def is_filled(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")
