"""`inspector-app inspectors add|list|set|import|export`: the register of inspectors (执法证号, name, district,
可任组长, 技术专家, in service), with the rules of the GUI's 检查人员 dialog (core/supervision/inspectors.py).

Exit codes (cli/main.py): 0 done, 1 refused (reasons on stderr, nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.cli.common import print_rows, with_db
from inspector_app.cli.main import EXIT_REFUSED
from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.core.storage.db import Database

ORDER = 49.5  # before the supervision groups that use inspectors (classify, plan, draw)


def _yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in ("是", "yes", "y", "1", "true"):
        return True
    if value in ("否", "no", "n", "0", "false"):
        return False
    raise argparse.ArgumentTypeError(_("“{t}”应为“是”或“否”").format(t=text))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inspectors",
        help=_("检查人员名册：登记、修改、导入导出（执法证号、姓名、所属区、可任组长、技术专家、在用）"),
        description=_("与图形界面“检查人员”窗口同样的规则；可任组长、技术专家只能在区局设置"),
    )
    sub = parser.add_subparsers(dest="inspectors_command", metavar=_("子命令"), required=True)

    p = sub.add_parser("add", help=_("登记一名检查人员"))
    p.add_argument("badge", metavar=_("执法证号"))
    p.add_argument("name", metavar=_("姓名"))
    p.add_argument("--district", default="", help=_("所属区"))
    p.add_argument("--lead", action="store_true", help=_("可任组长"))
    p.add_argument("--technical", action="store_true", help=_("技术专家（可任副组长）"))
    p.set_defaults(func=with_db(_add))

    p = sub.add_parser("set", help=_("修改一名检查人员（只改给出的项）"))
    p.add_argument("badge", metavar=_("执法证号"))
    p.add_argument("--name", help=_("姓名"))
    p.add_argument("--district", help=_("所属区"))
    p.add_argument("--lead", type=_yes_no, metavar=_("是/否"), help=_("可任组长"))
    p.add_argument("--technical", type=_yes_no, metavar=_("是/否"), help=_("技术专家"))
    p.add_argument("--active", type=_yes_no, metavar=_("是/否"), help=_("在用（否：不再抽取、不再编入检查组）"))
    p.set_defaults(func=with_db(_set))

    p = sub.add_parser("list", help=_("列出检查人员（制表符分隔）"))
    p.add_argument("--active", action="store_true", help=_("只列在用的"))
    p.add_argument("--district", help=_("只列该区的"))
    p.set_defaults(func=with_db(_list))

    p = sub.add_parser("import", help=_("从 .csv / .xlsx 导入（逐行校验；有错误时默认不写入任何一行）"))
    p.add_argument("file", type=Path)
    p.add_argument("--skip-invalid", action="store_true", help=_("跳过有错误的行，导入其余各行"))
    p.set_defaults(func=with_db(_import))

    p = sub.add_parser("export", help=_("导出为 .csv 或 .xlsx"))
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=with_db(_export))


def _line(r) -> list:
    yes = {True: _("是"), False: _("否")}
    return [r.badge_no, r.name, r.district, yes[r.can_lead], yes[r.technical], yes[r.active]]


def _add(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import inspectors

    extra = {}
    if args.lead or args.technical:
        extra = {"can_lead": args.lead, "technical": args.technical}
    inspectors.add(db, args.badge, args.name, district=args.district, **extra)
    print_rows([_line(r) for r in inspectors.list_all(db) if r.badge_no == inspectors.norm_code(args.badge)])


def _set(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import inspectors

    fields = {
        k: v
        for k, v in (
            ("name", args.name),
            ("district", args.district),
            ("can_lead", args.lead),
            ("technical", args.technical),
            ("active", args.active),
        )
        if v is not None
    }
    print_rows([_line(inspectors.update(db, args.badge, **fields))])


def _list(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import inspectors

    print("\t".join((_("执法证号"), _("姓名"), _("所属区"), _("可任组长"), _("技术专家"), _("在用"))))
    print_rows(_line(r) for r in inspectors.list_all(db, active_only=args.active, district=args.district))


def _import(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import inspector_files

    report = inspector_files.import_file(db, args.file, skip_invalid=args.skip_invalid)
    for e in report.errors:
        print(str(e), file=sys.stderr)
    if not report.written:
        print(
            _("有{n}行错误，未写入任何内容（加 --skip-invalid 可跳过错误行）").format(n=len(report.errors)),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    print(report.summary())


def _export(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import inspector_files

    n = inspector_files.export_file(db, args.output)
    print(_("已导出{n}名检查人员：{p}").format(n=n, p=args.output))
