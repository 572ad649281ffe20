"""`inspector-app numbers …`: the register of document numbers (文书编号) and voiding a spoiled one.

    inspector-app numbers list [--year Y] [--inspection INSPECTION]
    inspector-app numbers void NUMBER --reason TEXT

Every number issued or voided is recorded (issue 3 §2, core/issuing/numbers.py): a misprinted notice's number is
voided with its reason, never reused or deleted, and the next print of that notice gets a new number.
Exit codes (cli/main.py): 0 done, 1 refused (nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from inspector_app.i18n import _

if TYPE_CHECKING:
    from datetime import datetime

ORDER = 52  # after pdf, which issues the numbers


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "numbers",
        help=_("文书编号登记：列出已使用和已作废的编号，作废打错的编号"),
        description=_("本机出具的每个文书编号都有登记；打错或作废的文书，其编号登记作废原因，不再使用。"),
    )
    sub = parser.add_subparsers(dest="numbers_command", metavar=_("子命令"), required=True)

    p = sub.add_parser(
        "list",
        help=_("列出文书编号（已使用和已作废）"),
        description=_("按年份和流水号列出：编号、状态、文书、检查记录、使用时间、作废时间和原因（以制表符分隔）。"),
    )
    p.add_argument("--year", type=int, metavar=_("年份"), help=_("只列出该年度的编号，如 2026"))
    p.add_argument("--inspection", metavar=_("检查记录"), help=_("只列出该检查记录的编号（编号或其开头至少8位）"))
    p.set_defaults(func=_list)

    p = sub.add_parser(
        "void",
        help=_("作废一个文书编号（须写明原因）"),
        description=_("作废打错、损坏或未送达的文书的编号；该文书下次打印时使用新编号。作废不能撤销。"),
    )
    p.add_argument("number", metavar=_("编号"), help=_("完整的文书编号，如 奉市监责改〔2026〕03-0001号"))
    p.add_argument("--reason", required=True, metavar=_("原因"), help=_("作废原因，如“打印错误，企业名称缺字”"))
    p.set_defaults(func=_void)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _list(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import open_db
    from inspector_app.cli.pdf import resolve_inspection
    from inspector_app.core.issuing.numbers import DOC_TYPES, STATUSES, list_numbers

    db = open_db(args)
    try:
        inspection_id = resolve_inspection(db, args.inspection) if args.inspection else None
        rows = list_numbers(db, year=args.year, inspection_id=inspection_id)
    finally:
        db.close()
    if not rows:
        print(_("没有登记的文书编号。"), file=sys.stderr)
    for n in rows:
        cells = (
            n.number,
            STATUSES.get(n.status, n.status),
            DOC_TYPES.get(n.doc_type, n.doc_type),
            n.inspection_id or "—",
            _when(n.issued_at),
            _when(n.voided_at),
            n.void_reason,
        )
        print("\t".join(cells).rstrip("\t"))
    return 0


def _void(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import open_db
    from inspector_app.core.issuing.numbers import DOC_TYPES, void

    db = open_db(args)
    try:
        info = void(db, args.number.strip(), args.reason)
    finally:
        db.close()
    print(
        _("已作废：{n}（{t}），原因：{r}。该文书下次打印时使用新编号。").format(
            n=info.number, t=DOC_TYPES.get(info.doc_type, info.doc_type), r=info.void_reason
        )
    )
    return 0
