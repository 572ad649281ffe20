"""`inspector-app classify overdue|notice`: new licensees to classify within two months, and the 分类告知书
(《上海市工业产品生产许可证证后监督检查管理办法》第十条、第十一条). Added to the `classify` group by cli/classify.py;
not a command module of its own (no `register`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.cli.common import enterprise_id, parse_date, print_rows, with_db
from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.core.storage.db import Database


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("overdue", help=_("取得许可证两个月内未分类的新获证企业（第十条）"))
    p.add_argument("--all", action="store_true", help=_("也列出尚未到期的（待分类）"))
    p.add_argument("--since", type=parse_date, help=_("只看此日起发证的企业（默认：上一年1月1日）"))
    p.add_argument("--district")
    p.add_argument("--today", type=parse_date, help=_("按此日计算（默认今天）"))
    p.set_defaults(func=with_db(_overdue))

    p = sub.add_parser("notice", help=_("出具分类告知书（签名PDF，新文书编号；第十一条）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--on", type=parse_date, help=_("告知日期（默认今天）"))
    p.add_argument("--by", default="", dest="who", help=_("经办人"))
    p.set_defaults(func=with_db(_notice))


def _overdue(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import class_notice as cn

    rows = cn.due(db, today=args.today, since=args.since, district=args.district)
    rows = [r for r in rows if args.all or r.state == cn.OVERDUE]
    print_rows(
        (cn.STATES[r.state], r.uscc, r.name, r.district, r.licensed_on, r.due_on,
         _("逾期{n}天").format(n=r.days) if r.state == cn.OVERDUE else _("剩{n}天").format(n=r.days))
        for r in rows
    )  # fmt: skip


def _notice(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.files import write_atomic
    from inspector_app.documents.supervision_docs import print_class_notice

    printed = print_class_notice(db, enterprise_id(db, args.uscc), who=args.who, on=args.on)
    write_atomic(args.output, printed.pdf)
    print(_("{n}　核验码 {c}　→ {p}").format(n=printed.number, c=printed.verification_code, p=args.output))
