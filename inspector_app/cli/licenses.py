"""`inspector-app license end|list`: decisions that end a production license — 撤回, 撤销, 吊销, 注销 (《上海市工业产品
生产许可证证后监督检查管理办法》第三十九条至第四十三条) — with date, decision number and basis. From its
effective date the license is not drawn, planned or counted as valid (core/supervision/license_actions.py).

Exit codes (cli/main.py): 0 done, 1 refused (reasons on stderr, nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from inspector_app.cli.common import enterprise_id, parse_date, parse_year, print_rows, with_db
from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.core.storage.db import Database

ORDER = 50.15  # after classify


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "license",
        help=_("生产许可证的撤回、撤销、吊销、注销（决定日期、文号、依据）"),
        description=_("登记许可审批机关作出的决定；自生效日期起该证不再参与抽取、计划和有效证书统计"),
    )
    sub = parser.add_subparsers(dest="license_command", metavar=_("子命令"), required=True)
    p = sub.add_parser("end", help=_("登记撤回、撤销、吊销或注销"))
    p.add_argument("number", metavar=_("许可证编号"))
    p.add_argument(
        "kind", metavar=_("类型"), help=_("撤回 / 撤销 / 吊销 / 注销（或 withdraw / revoke / revoke_penalty / cancel）")
    )
    p.add_argument("--on", type=parse_date, required=True, help=_("生效日期"))
    p.add_argument("--decision", required=True, help=_("决定书文号"))
    p.add_argument("--basis", required=True, help=_("事实、理由和依据"))
    p.add_argument("--authority", default="", help=_("作出决定的许可审批机关"))
    p.add_argument("--note", default="")
    p.add_argument("--by", default="", dest="who", help=_("经办人"))
    p.set_defaults(func=with_db(_end))

    p = sub.add_parser("list", help=_("列出已登记的决定（制表符分隔）"))
    p.add_argument("--year", type=parse_year)
    p.add_argument("--district")
    p.add_argument("--uscc", help=_("只列该企业的"))
    p.set_defaults(func=with_db(_list))


def _end(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import license_actions as la

    la.record(
        db, args.number, args.kind, effective_on=args.on, decision_no=args.decision, basis=args.basis,
        authority=args.authority, note=args.note, who=args.who,
    )  # fmt: skip
    print(_("已登记：{n} 自{d}起{k}").format(n=args.number, d=args.on, k=la.KINDS[la.kind_code(args.kind)][0]))


def _list(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import license_actions as la

    eid = enterprise_id(db, args.uscc) if args.uscc else None
    rows = la.list_actions(db, year=args.year, district=args.district, enterprise_id=eid)
    print_rows(
        (
            r.effective_on,
            r.label,
            r.license_number,
            r.enterprise_name,
            r.uscc,
            r.district,
            r.decision_no,
            r.authority,
            r.basis,
        )
        for r in rows
    )
