"""`inspector-app followup list|start|mark|flags|decide|transfer`: rectification follow-up and 回访
(001 §27–§28, 004 二(三)).

Exit codes (cli/main.py): 0 done, 1 refused (reasons on stderr, nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from inspector_app.cli.common import enterprise_id, inspector_id, parse_date, print_rows, with_db
from inspector_app.cli.main import Refused
from inspector_app.core.regulations import cite
from inspector_app.i18n import _

if TYPE_CHECKING:  # the CLI loads core only when a command runs
    from inspector_app.core.storage.db import Database

ORDER = 50.4  # after draw


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "followup",
        help=_(
            "整改跟踪与回访（《上海市工业产品生产许可证证后监督检查管理办法》第二十七、二十八条，《关于进一步加强获证企业后续监管工作的实施意见》）"
        ),
        description=_("未当场整改的不符合项按期限跟踪；回访逐项核实整改，仍未整改的提出停产整改、移交处罚、降级建议"),
    )
    sub = parser.add_subparsers(dest="followup_command", metavar=_("子命令"), required=True)
    p = sub.add_parser("list", help=_("待整改问题：整改期内、即将到期、已逾期"))
    p.add_argument("--district")
    p.add_argument("--today", type=parse_date)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=with_db(_followup_list))
    p = sub.add_parser("start", help=_("开始回访检查（预填待复查问题）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--team", required=True, help=_("检查人员执法证号，用逗号分隔，第一位为组长"))
    p.add_argument("--site", help=_("生产地址（企业有多个地址存在问题时必填）"))
    p.add_argument("--on", type=parse_date)
    p.set_defaults(func=with_db(_followup_start))
    p = sub.add_parser("mark", help=_("登记某问题的复查结果"))
    p.add_argument("rectification_id", metavar=_("问题编号"))
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--rectified", action="store_true", help=_("已整改"))
    g.add_argument("--not-rectified", action="store_true", help=_("仍未整改"))
    p.add_argument("--record", required=True, help=_("复查记录"))
    p.add_argument("--photo", default="", help=_("照片文件或编号"))
    p.add_argument("--on", type=parse_date)
    p.set_defaults(func=with_db(_followup_mark))
    p = sub.add_parser("flags", help=_("处理建议：停产整改、移交行政处罚、降级"))
    p.add_argument("--status", choices=["proposed", "confirmed", "dismissed"])
    p.add_argument("--district")
    p.set_defaults(func=with_db(_followup_flags))
    p = sub.add_parser("decide", help=_("决定处理建议（采纳或不予采纳）"))
    p.add_argument("flag_id", metavar=_("建议编号"))
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--confirm", action="store_true")
    g.add_argument("--dismiss", action="store_true")
    p.add_argument("--by", required=True, dest="who")
    p.add_argument("--on", type=parse_date)
    p.set_defaults(func=with_db(_followup_decide))
    p = sub.add_parser("transfer", help=_("移交行政处罚（《上海市工业产品生产许可证证后监督检查管理办法》第二十八条）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--reason", required=True)
    p.add_argument("--by", required=True, dest="who")
    p.add_argument("--inspection", help=_("检查记录编号"))
    p.add_argument("--on", type=parse_date)
    p.set_defaults(func=with_db(_followup_transfer))


def _followup_list(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import rectification as rc

    dash = rc.dashboard(db, today=args.today, district=args.district)
    if args.json:
        data = {
            "today": dash.today.isoformat(),
            "total": {
                "open": dash.total.open,
                "pending": dash.total.pending,
                "due_soon": dash.total.due_soon,
                "overdue": dash.total.overdue,
            },
            "per_district": {
                d: {"open": c.open, "due_soon": c.due_soon, "overdue": c.overdue} for d, c in dash.per_district
            },
            "rows": [
                {
                    "id": r.id,
                    "uscc": r.uscc,
                    "enterprise": r.enterprise_name,
                    "district": r.district,
                    "item": r.item_id,
                    "category": r.category,
                    "problem": r.problem,
                    "found_on": r.found_on.isoformat(),
                    "deadline": r.deadline.isoformat(),
                    "state": r.state,
                }
                for r in dash.rows
            ],
        }
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return 0
    t = dash.total
    print(
        _("待整改{o}项：整改期内{p}，即将到期{s}（{d}日内），已逾期{x}").format(
            o=t.open, p=t.pending, s=t.due_soon, d=dash.due_soon_days, x=t.overdue
        )
    )
    for d, c in dash.per_district:
        print(_("{d}：待整改{o}，即将到期{s}，已逾期{x}").format(d=d, o=c.open, s=c.due_soon, x=c.overdue))
    print_rows(
        (r.id, r.uscc, r.enterprise_name, r.district, r.item_id, r.problem, r.deadline.isoformat(), rc.STATES[r.state])
        for r in dash.rows
    )


def _followup_start(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.archive import site_id_by_address
    from inspector_app.core.supervision import rectification as rc

    eid = enterprise_id(db, args.uscc)
    team = [inspector_id(db, b) for b in args.team.replace("，", ",").split(",") if b.strip()]
    site_id = None
    if args.site:
        site_id = site_id_by_address(db, eid, args.site)
        if site_id is None:
            raise Refused(_("该企业没有生产地址“{a}”").format(a=args.site))
    iid = rc.start_followup(db, eid, team=team, site_id=site_id, inspected_on=args.on)
    print(iid)
    from inspector_app.core.supervision.checkpoints import followup_groups

    for _no, point, rows in followup_groups(db, iid):  # the problems to re-check by check point (001 §25, §27)
        print_rows((r.id, r.item_id, point, r.problem, r.deadline.isoformat()) for r in rows)


def _followup_mark(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import rectification as rc

    flags = rc.mark(
        db, args.rectification_id, rectified=args.rectified, record=args.record, photo=args.photo, on=args.on
    )
    print(_("已登记：已整改") if args.rectified else _("已登记：仍未整改"))
    for f in flags:
        print(_("提出处理建议：{f}").format(f=f))


def _followup_flags(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import rectification as rc

    print_rows(
        (
            f.id,
            f.raised_on.isoformat(),
            f.enterprise_name,
            f.district,
            f.label,
            cite(f.citation),
            rc.FLAG_STATUSES[f.status],
            f.reason,
        )
        for f in rc.flags(db, status=args.status, district=args.district)
    )


def _followup_decide(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import rectification as rc

    rc.decide_flag(db, args.flag_id, confirm=args.confirm, who=args.who, on=args.on)
    print(_("已采纳") if args.confirm else _("不予采纳"))


def _followup_transfer(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import rectification as rc

    print(
        rc.transfer_to_penalty(
            db,
            enterprise_id(db, args.uscc),
            reason=args.reason,
            who=args.who,
            inspection_id=args.inspection,
            on=args.on,
        )
    )
