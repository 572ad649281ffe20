"""`inspector-app classify show|set|new|false-commitment|spot-check|risk …`: the enterprise's class AA/A/B/C,
its risk level and their history (001 §8–§33); the same core functions as the GUI's archive.

Exit codes (cli/main.py): 0 done, 1 refused (reasons on stderr, nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from inspector_app.cli.classify_notice import add_commands
from inspector_app.cli.common import enterprise_id, parse_date, with_db
from inspector_app.core.regulations import cite
from inspector_app.i18n import _

if TYPE_CHECKING:  # the CLI loads core only when a command runs
    from inspector_app.core.storage.db import Database
    from inspector_app.core.supervision.classification import ChangeView

ORDER = 50.1  # after pdf, with the other supervision groups: classify, plan, draw, followup, stats


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "classify",
        help=_("企业分类：查看、调整（AA/A/B/C，《上海市工业产品生产许可证证后监督检查管理办法》第八至三十三条）"),
        description=_("企业分类及其历史；规则禁止的调整会被拒绝并说明依据"),
    )
    sub = parser.add_subparsers(dest="classify_command", metavar=_("子命令"), required=True)

    p = sub.add_parser("show", help=_("当前类别、风险等级、监管方式、最低检查频次和调整历史"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    p.set_defaults(func=with_db(_classify_show))

    p = sub.add_parser("set", help=_("年度动态调整（不允许越级上升，可以越级下降）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("to_class", choices=["AA", "A", "B", "C"], metavar=_("类别"), help="AA / A / B / C")
    p.add_argument("--reason", required=True, help=_("调整原因"))
    p.add_argument("--by", required=True, dest="who", help=_("经办人"))
    p.add_argument("--on", type=parse_date, help=_("调整日期（默认今天）"))
    p.add_argument(
        "--category",
        help=_("只调整该产品类别（生产多种产品的企业，《上海市工业产品生产许可证证后监督检查管理办法》第三十一条）"),
    )
    p.add_argument(
        "--commitment",
        default="",
        help=_("AA类：自我承诺书编号或日期（《上海市工业产品生产许可证证后监督检查管理办法》第八条）"),
    )
    p.set_defaults(func=with_db(_classify_set))

    p = sub.add_parser("new", help=_("新获证企业判定为B类（《上海市工业产品生产许可证证后监督检查管理办法》第十条）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--by", required=True, dest="who", help=_("经办人"))
    p.add_argument("--on", type=parse_date)
    p.set_defaults(func=with_db(_classify_new))

    p = sub.add_parser(
        "false-commitment",
        help=_(
            "AA类企业虚假承诺：调整为B或C类，5年内不接受AA承诺（《上海市工业产品生产许可证证后监督检查管理办法》第九条）"
        ),
    )
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("to_class", choices=["B", "C"], metavar=_("类别"))
    p.add_argument("--reason", required=True)
    p.add_argument("--by", required=True, dest="who")
    p.add_argument("--on", type=parse_date)
    p.set_defaults(func=with_db(_classify_false))

    p = sub.add_parser(
        "spot-check",
        help=_("登记监督抽查结果；不合格则调整为C类（《上海市工业产品生产许可证证后监督检查管理办法》第三十二条）"),
    )
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--level", required=True, choices=["national", "provincial", "municipal", "district"])
    p.add_argument("--on", type=parse_date, required=True, help=_("抽查日期"))
    p.add_argument("--batches", type=int, default=1, help=_("抽查批次"))
    p.add_argument("--failed", type=int, default=0, help=_("不合格批次"))
    p.add_argument("--category", help=_("产品类别"))
    p.add_argument("--reference", default="", help=_("抽查文号或报告编号"))
    p.add_argument("--product", default="", help=_("抽查产品名称，如“密胺塑料餐具”（统计抽查产品种数）"))
    p.add_argument("--by", default="", dest="who")
    p.set_defaults(func=with_db(_classify_spot))

    p = sub.add_parser(
        "risk", help=_("产品质量风险等级 I/II/III（《上海市工业产品生产许可证证后监督检查管理办法》第十二至十四条）")
    )
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("level", choices=["I", "II", "III", "none"], metavar=_("等级"), help="I / II / III / none")
    p.add_argument("--reason", required=True)
    p.add_argument("--by", required=True, dest="who")
    p.add_argument("--on", type=parse_date)
    p.set_defaults(func=with_db(_classify_risk))

    add_commands(sub)  # overdue, notice (cli/classify_notice.py)


def _change_line(c: ChangeView) -> str:
    if c.to_class is not None:
        what = _("{a} → {b}类").format(a=f"{c.from_class}类" if c.from_class else _("（无）"), b=c.to_class)
    else:
        what = _("风险等级 {a} → {b}").format(a=c.from_risk or "—", b=c.to_risk or "—")
    cat = f"［{c.category}］" if c.category else ""
    return "\t".join((c.changed_on.isoformat(), cat + what, cite(c.rule), c.reason, c.who, c.commitment))


def _classify_show(args: argparse.Namespace, db: Database) -> int | None:
    from inspector_app.core.supervision import classification as cl

    eid = enterprise_id(db, args.uscc)
    sup = cl.supervision(db, eid)
    hist = cl.history(db, eid)
    per_cat = cl.product_classes(db, eid)
    if args.json:
        data = {
            "classification": sup.classification,
            "risk_level": sup.risk_level,
            "mode_class": sup.mode_class,
            "mode": sup.mode,
            "requirement": sup.requirement,
            "aa_blocked_until": sup.aa_blocked_until.isoformat() if sup.aa_blocked_until else None,
            "product_classes": per_cat,
            "history": [{**c.__dict__, "changed_on": c.changed_on.isoformat()} for c in hist],
        }
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return 0
    print(
        _("类别：{c}　风险等级：{r}　监管方式：{m}{x}").format(
            c=sup.classification,
            r=sup.risk_level or "—",
            m=sup.mode,
            x=_("（Ⅰ级产品从严，《上海市工业产品生产许可证证后监督检查管理办法》第十四条）")
            if sup.stricter_by_risk
            else "",
        )
    )
    print(_("最低检查频次：{t}").format(t=sup.requirement))
    if per_cat:
        print(_("分产品类别：") + "；".join(f"{k} {v}类" for k, v in per_cat.items()))
    if sup.aa_blocked_until:
        print(
            _("{d}前不接受AA类自我承诺（《上海市工业产品生产许可证证后监督检查管理办法》第九条）").format(
                d=sup.aa_blocked_until.isoformat()
            )
        )
    for c in hist:
        print(_change_line(c))
    return 0


def _classify_set(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import classification as cl

    c = cl.classify(
        db,
        enterprise_id(db, args.uscc),
        args.to_class,
        reason=args.reason,
        who=args.who,
        on=args.on,
        category=args.category,
        commitment=args.commitment,
    )
    print(_change_line(c))


def _classify_new(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import classification as cl

    print(_change_line(cl.register_new_licensee(db, enterprise_id(db, args.uscc), who=args.who, on=args.on)))


def _classify_false(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import classification as cl

    c = cl.false_commitment(
        db, enterprise_id(db, args.uscc), args.to_class, reason=args.reason, who=args.who, on=args.on
    )
    print(_change_line(c))


def _classify_spot(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import classification as cl

    check_id, change = cl.record_spot_check(
        db,
        enterprise_id(db, args.uscc),
        level=args.level,
        checked_on=args.on,
        batches=args.batches,
        failed_batches=args.failed,
        category=args.category,
        reference=args.reference,
        who=args.who,
        product=args.product,
    )
    print(check_id)
    if change:
        print(_change_line(change))


def _classify_risk(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import classification as cl

    level = None if args.level == "none" else args.level
    print(
        _change_line(
            cl.set_risk_level(db, enterprise_id(db, args.uscc), level, reason=args.reason, who=args.who, on=args.on)
        )
    )
