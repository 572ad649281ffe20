"""`inspector-app interview add|list|print`: regulatory interviews (约谈) — who, when, why, outcome — and their
signed 约谈记录 (《上海市工业产品生产许可证证后监督检查管理办法》第三十条第（四）项、第三十五条).

Exit codes (cli/main.py): 0 done, 1 refused (reasons on stderr, nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.cli.common import enterprise_id, parse_date, parse_year, print_rows, with_db
from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.core.storage.db import Database

ORDER = 50.45  # after followup


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "interview",
        help=_("约谈：登记、列出、打印约谈记录"),
        description=_("约谈企业法定代表人或负责人，作好书面记录；计入专项行动统计表“约谈企业（家）”"),
    )
    sub = parser.add_subparsers(dest="interview_command", metavar=_("子命令"), required=True)
    p = sub.add_parser("add", help=_("登记一次约谈"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--on", type=parse_date, required=True, help=_("约谈日期"))
    p.add_argument(
        "--kind",
        required=True,
        help=_("quality（产品质量问题突出）/ downgrade（分类监管降级）/ c_duty（C类企业履责约谈）"),
    )
    p.add_argument("--interviewee", required=True, help=_("被约谈人姓名"))
    p.add_argument("--title", default="", help=_("被约谈人职务，如 法定代表人"))
    p.add_argument(
        "--interviewer", action="append", required=True, help=_("约谈人（至少两人，每人一个 --interviewer）")
    )
    p.add_argument("--reason", required=True, help=_("约谈事由"))
    p.add_argument("--outcome", default="", help=_("约谈情况及企业整改承诺"))
    p.add_argument("--deadline", type=parse_date, help=_("整改期限"))
    p.add_argument("--place", default="")
    p.add_argument("--category", help=_("产品类别（默认：企业的第一个许可证类别）"))
    p.add_argument("--by", default="", dest="who", help=_("记录人"))
    p.set_defaults(func=with_db(_add))

    p = sub.add_parser("list", help=_("列出约谈（制表符分隔）"))
    p.add_argument("--year", type=parse_year)
    p.add_argument("--district")
    p.add_argument("--uscc")
    p.set_defaults(func=with_db(_list))

    p = sub.add_parser("print", help=_("打印约谈记录（签名PDF，首次打印时编文书编号）"))
    p.add_argument("id", metavar="ID", help=_("约谈记录编号（至少前8位）"))
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=with_db(_print))


def _add(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import interviews

    print(
        interviews.add(
            db, enterprise_id(db, args.uscc), held_on=args.on, kind=args.kind, interviewee=args.interviewee,
            interviewee_title=args.title, interviewers=args.interviewer, reason=args.reason, outcome=args.outcome,
            deadline=args.deadline, place=args.place, category=args.category, who=args.who,
        )
    )  # fmt: skip


def _list(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import interviews

    eid = enterprise_id(db, args.uscc) if args.uscc else None
    rows = interviews.list_interviews(db, year=args.year, district=args.district, enterprise_id=eid)
    print_rows(
        (r.id, r.held_on, r.enterprise_name, r.uscc, r.kind_label, r.interviewee, r.interviewers, r.reason, r.outcome,
         r.deadline or "", r.number)
        for r in rows
    )  # fmt: skip


def _print(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.files import write_atomic
    from inspector_app.documents.supervision_docs import print_interview

    printed = print_interview(db, args.id)
    write_atomic(args.output, printed.pdf)
    print(_("{n}　核验码 {c}　→ {p}").format(n=printed.number, c=printed.verification_code, p=args.output))
