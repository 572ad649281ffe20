"""What every roster import and export shares: progress, the file-level refusal, row problems, reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from inspector_app.core.errors import DomainError
from inspector_app.i18n import _

Progress = Callable[[int, int], object]


class RosterFileError(DomainError):
    """The file as a whole cannot be read as a roster (wrong type, empty, no header, missing columns)."""


# ------------------------------------------------------------------------------------------------ columns


def refuse(path: Path, reason: str) -> RosterFileError:
    return RosterFileError(_("无法导入“{p}”：{r}").format(p=path, r=reason))


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the header as written in the file; "" for a problem of the whole row
    message: str

    def __str__(self) -> str:
        if self.row <= 0:  # about the file as a whole (which sheet was read)
            return self.message
        if self.column:
            text = _("第{row}行（列“{header}”）：{reason}")
            return text.format(row=self.row, header=self.column, reason=self.message)
        return _("第{row}行：{reason}").format(row=self.row, reason=self.message)


@dataclass
class ImportReport:
    path: str
    rows_read: int = 0
    enterprises_added: int = 0
    enterprises_updated: int = 0
    enterprises_unchanged: int = 0
    enterprises_skipped: int = 0  # already in the database, left alone (demo loading)
    licenses_added: int = 0
    licenses_updated: int = 0
    sites_added: int = 0
    rows_skipped: int = 0  # rows with errors left out by skip_invalid
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def summary_lines(self) -> list[str]:
        lines = [
            _("读取数据行 {n} 行").format(n=self.rows_read),
            _("企业：新增 {a} 家，更新 {u} 家，无变化 {s} 家").format(
                a=self.enterprises_added, u=self.enterprises_updated, s=self.enterprises_unchanged
            ),
            _("许可证：新增 {a} 张，更新 {u} 张").format(a=self.licenses_added, u=self.licenses_updated),
            _("生产地址：新增 {a} 个").format(a=self.sites_added),
        ]
        if self.enterprises_skipped:
            lines.append(_("已在库中而跳过的企业 {n} 家").format(n=self.enterprises_skipped))
        if self.errors:
            lines.append(_("有问题的行 {n} 行（共 {e} 处问题）").format(n=len(self.bad_rows), e=len(self.errors)))
        if self.warnings:
            lines.append(_("提示 {n} 条").format(n=len(self.warnings)))
        return lines


@dataclass(frozen=True)
class ExportReport:
    path: str
    rows: int
    enterprises: int
    licenses: int
    enterprises_without_license: int  # not exported: the ledger has a row per license
