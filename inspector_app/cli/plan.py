"""`inspector-app plan generate|show --year Y --district D`: the annual inspection plan and its progress
(001 §23, §30).

Exit codes (cli/main.py): 0 done, 1 refused (reasons on stderr, nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from inspector_app.cli.common import parse_date, parse_year, print_rows, with_db
from inspector_app.i18n import _

if TYPE_CHECKING:  # the CLI loads core only when a command runs
    from inspector_app.core.storage.db import Database

ORDER = 50.2  # after classify


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help=_("年度检查计划：生成、查看进度（《上海市工业产品生产许可证证后监督检查管理办法》第二十三、三十条）"),
        description=_("按企业分类和风险等级生成区年度定期检查计划，并对照实际检查显示进度、欠检企业和覆盖率"),
    )
    sub = parser.add_subparsers(dest="plan_command", metavar=_("子命令"), required=True)
    p = sub.add_parser("generate", help=_("生成计划"))
    p.add_argument("--year", type=parse_year, required=True)
    p.add_argument("--district", required=True)
    p.add_argument("--replace", action="store_true", help=_("替换已有计划"))
    p.add_argument("--by", default="", dest="who")
    p.set_defaults(func=with_db(_plan_generate))
    p = sub.add_parser("show", help=_("计划与进度：计划数、已检查数、欠检企业、覆盖率"))
    p.add_argument("--year", type=parse_year, required=True)
    p.add_argument("--district", required=True)
    p.add_argument("--json", action="store_true")
    p.add_argument("--today", type=parse_date, help=_("按该日期判断是否滞后（默认今天）"))
    p.set_defaults(func=with_db(_plan_show))


def _plan_generate(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import planning

    planning.generate_plan(db, args.year, args.district, who=args.who, replace=args.replace)
    p = planning.progress(db, args.year, args.district)
    print(
        _("{d}{y}年度计划：获证企业{e}家，计划检查{n}家次").format(
            d=args.district, y=args.year, e=p.licensed, n=p.planned
        )
    )


def _plan_show(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import planning

    p = planning.progress(db, args.year, args.district, today=args.today)
    if args.json:
        data = {
            "year": p.year,
            "district": p.district,
            "exists": p.exists,
            "licensed": p.licensed,
            "planned": p.planned,
            "done": p.done,
            "done_total": p.done_total,
            "inspected": p.inspected,
            "coverage": p.coverage,
            "shortfalls": list(p.shortfalls),
            "enterprises": [
                {
                    "uscc": r.uscc,
                    "name": r.name,
                    "class": r.classification,
                    "mode_class": r.mode_class,
                    "planned": r.planned,
                    "required": r.required,
                    "done": r.done,
                    "owed": r.owed,
                    "months": list(r.months),
                    "inspectors": r.inspectors,
                    "behind": r.behind,
                }
                for r in p.rows
            ],
        }
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return 0
    if not p.exists:
        print(_("{d}尚无{y}年度检查计划（可用 plan generate 生成）").format(d=p.district, y=p.year))
    print(
        _(
            "获证企业{e}家　计划{pl}家次　已完成{dn}家次（计入计划）　实际检查{tot}家次　已检查企业{i}家　覆盖率{c}"
        ).format(e=p.licensed, pl=p.planned, dn=p.done, tot=p.done_total, i=p.inspected, c=p.coverage)
    )
    for s in p.shortfalls:
        print(_("不足：{s}").format(s=s))
    print(_("欠检企业{n}家：").format(n=len(p.owed)))
    print_rows(
        (
            r.uscc,
            r.name,
            r.classification,
            _("计划{a}次").format(a=r.planned),
            _("已检{b}次").format(b=r.done),
            _("欠{c}次").format(c=r.owed),
            "、".join(f"{m}月" for m in r.months),
            r.inspectors,
            _("滞后") if r.behind else "",
        )
        for r in p.owed
    )
