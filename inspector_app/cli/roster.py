"""`inspector-app roster import|export`: the bureau's license ledger as CSV or XLSX (docs/roster-format.md).

    inspector-app roster import FILE [--dry-run] [--skip-invalid]
    inspector-app roster export FILE            (.csv or .xlsx)

Import refuses the whole file (exit 1, every bad row on stderr, nothing written) if any row is bad, unless
--skip-invalid is given: then the good rows are written, the skipped rows are listed, and the exit code is 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspector_app.i18n import _

ORDER = 20  # first in the help: set up the roster, then check the forms


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "roster",
        help=_("获证企业台账：导入、导出（CSV / XLSX）"),
        description=_("获证企业台账的导入与导出，一行一张许可证"),
    )
    sub = parser.add_subparsers(dest="roster_command", metavar=_("子命令"), required=True)

    p = sub.add_parser(
        "import",
        help=_("从 CSV 或 XLSX 文件导入台账"),
        description=_(
            "先检查每一行；有任何问题就列出全部问题并拒绝导入（不写入任何数据）。"
            "已有企业按统一社会信用代码更新，其许可证按编号更新，生产地址按地址添加。"
        ),
    )
    p.add_argument("file", type=Path, metavar=_("文件"), help=_("台账文件：.csv（UTF-8 或 GBK）或 .xlsx"))
    p.add_argument("--dry-run", action="store_true", help=_("只检查并统计，不写入数据库"))
    p.add_argument("--skip-invalid", action="store_true", help=_("跳过有问题的行，只导入没有问题的行"))
    p.set_defaults(func=_import)

    p = sub.add_parser("export", help=_("把台账导出为 CSV 或 XLSX 文件（按扩展名）"))
    p.add_argument("file", type=Path, metavar=_("文件"), help=_("输出文件，扩展名 .csv 或 .xlsx；已有同名文件会被覆盖"))
    p.set_defaults(func=_export)


def _import(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, open_db
    from inspector_app.core.roster.importer import import_roster

    db = open_db(args)
    try:
        report = import_roster(db, args.file, dry_run=args.dry_run, skip_invalid=args.skip_invalid)
    finally:
        db.close()
    for warning in report.warnings:
        print(_("提示：{w}").format(w=warning), file=sys.stderr)
    for error in report.errors:
        print(error, file=sys.stderr)
    refused = bool(report.errors) and not args.skip_invalid
    if refused:
        print(
            _(
                "“{f}”有 {n} 行有问题，整个文件未导入，数据库没有任何改动。请改正后重新导入，"
                "或加 --skip-invalid 只导入没有问题的行。"
            ).format(f=args.file, n=len(report.bad_rows)),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    if report.dry_run:
        print(_("试运行（--dry-run）：只检查，未写入数据库。如果导入，将会："))
    elif report.written:
        print(_("已导入“{f}”：").format(f=args.file))
    for line in report.summary_lines():
        print("  " + line)
    if report.errors:
        rows = "、".join(str(r) for r in report.bad_rows[:50]) + ("…" if len(report.bad_rows) > 50 else "")
        verb = _("将跳过") if report.dry_run else _("已跳过")
        print(_("{verb}有问题的 {n} 行：第 {rows} 行").format(verb=verb, n=len(report.bad_rows), rows=rows))
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import open_db
    from inspector_app.core.roster.export import export_roster

    db = open_db(args)
    try:
        report = export_roster(db, args.file)
    finally:
        db.close()
    print(
        _("已导出 {rows} 行（企业 {e} 家、许可证 {l} 张）到“{f}”").format(
            rows=report.rows, e=report.enterprises, l=report.licenses, f=report.path
        )
    )
    if report.enterprises_without_license:
        print(
            _("提示：{n} 家企业没有许可证，台账一行一张许可证，未导出这些企业").format(
                n=report.enterprises_without_license
            ),
            file=sys.stderr,
        )
    return 0
