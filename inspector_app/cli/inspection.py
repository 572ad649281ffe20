"""`inspector-app inspection …`: list, export and import inspection records as JSON (docs/inspection-json.md).

    inspector-app inspection list
    inspector-app inspection export ID [ID …] -o FILE
    inspector-app inspection export --all -o FILE        (-o - writes to standard output)
    inspector-app inspection import FILE [--check] [--forms DIR]

Exit codes (cli/main.py): 0 done, 1 refused (every problem on stderr, nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspector_app.i18n import _

ORDER = 40  # after demo, roster and templates in the help


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inspection",
        help=_("检查记录：列出、导出、导入（JSON）"),
        description=_("检查记录的 JSON 导出与导入"),
    )
    sub = parser.add_subparsers(dest="inspection_command", metavar=_("子命令"), required=True)

    p = sub.add_parser("list", help=_("列出检查记录（编号、日期、企业、状态）"))
    p.set_defaults(func=_list)

    p = sub.add_parser(
        "export",
        help=_("导出检查记录为 JSON 文件"),
        description=_("导出指定编号的检查记录，或用 --all 导出全部；文件含检查表模板快照，可在另一台电脑导入。"),
    )
    p.add_argument("ids", nargs="*", metavar="ID", help=_("检查记录编号（见 inspection list）"))
    p.add_argument("--all", action="store_true", help=_("导出全部检查记录"))
    p.add_argument("-o", "--output", required=True, metavar=_("文件"), help=_("输出文件；写 - 输出到屏幕"))
    p.set_defaults(func=_export, _parser=p)

    p = sub.add_parser(
        "import",
        help=_("从 JSON 文件导入检查记录"),
        description=_(
            "先检查整个文件，有任何问题就全部列出并拒绝导入（不写入任何数据）；没有问题才在一个事务中全部写入。"
            "已完成的检查记录不会被修改；同一文件重复导入不会产生任何变化。"
        ),
    )
    p.add_argument("file", type=Path, metavar=_("文件"), help=_("JSON 文件（UTF-8）"))
    p.add_argument("--check", action="store_true", help=_("只检查文件，不写入数据库"))
    p.add_argument("--forms", type=Path, metavar=_("文件夹"), help=_("检查表模板文件夹（默认：程序自带的 forms）"))
    p.set_defaults(func=_import)


def _list(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import open_db
    from inspector_app.core.archive import all_inspections
    from inspector_app.core.catalog import INSPECTION_KINDS
    from inspector_app.core.inspection.inspections import STATUSES

    db = open_db(args)
    try:
        rows = all_inspections(db)
    finally:
        db.close()
    if not rows:
        print(_("数据库中没有检查记录。"), file=sys.stderr)
    for r in rows:
        kind = INSPECTION_KINDS.get(r.kind, r.kind)
        print(
            "\t".join(
                (
                    r.id,
                    r.inspected_on.isoformat(),
                    STATUSES.get(r.status, r.status),
                    kind,
                    r.enterprise_name,
                    r.site_address,
                )
            )
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import open_db
    from inspector_app.core.inspection.json_io import dump_document, export_inspections, inspections_document

    if args.all and args.ids:
        args._parser.error(_("不能同时指定检查记录编号和 --all"))
    if not args.all and not args.ids:
        args._parser.error(_("请指定要导出的检查记录编号，或用 --all 导出全部"))
    ids = None if args.all else args.ids
    db = open_db(args)
    try:
        if args.output == "-":
            document = inspections_document(db, ids)
            sys.stdout.write(dump_document(document))
            count = len(document["inspections"])
        else:
            count = export_inspections(db, ids, args.output)
    finally:
        db.close()
    if args.output != "-":
        print(_("已导出{n}份检查记录到 {f}").format(n=count, f=args.output))
    elif count == 0:
        print(_("数据库中没有检查记录，已输出空列表。"), file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import Refused, open_db
    from inspector_app.core.inspection.json_io import import_inspections
    from inspector_app.core.inspection.template_store import available_templates
    from inspector_app.core.inspection.templates import TemplateError

    db = open_db(args)
    try:
        try:
            templates = available_templates(db, args.forms)  # forms/ and what the bureau published
        except TemplateError as exc:
            raise Refused(_("检查表模板有问题，未导入任何数据：\n{e}").format(e=exc)) from exc
        result = import_inspections(db, args.file, templates, dry_run=args.check)
    finally:
        db.close()
    for warning in result.warnings:
        print(_("警告：{w}").format(w=warning), file=sys.stderr)
    counts = _("新建{c}份，更新{u}份，未变{n}份").format(
        c=len(result.created), u=len(result.updated), n=len(result.unchanged)
    )
    total = len(result.created) + len(result.updated) + len(result.unchanged)
    if args.check:
        print(_("检查通过：{f} 可以导入（将{counts}），未写入任何数据。").format(f=args.file, counts=counts))
    elif total == 0:
        print(_("{f} 中没有检查记录，未作任何改动。").format(f=args.file))
    elif not result.changed:
        print(_("{f} 中的{n}份检查记录与数据库中的完全相同，未作任何改动。").format(f=args.file, n=total))
    else:
        print(_("已导入 {f}：{counts}。").format(f=args.file, counts=counts))
        for inspection_id in result.created:
            print(_("新建\t{id}").format(id=inspection_id))
        for inspection_id in result.updated:
            print(_("更新\t{id}").format(id=inspection_id))
    return 0
