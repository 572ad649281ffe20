"""`inspector-app demo`: load the demo roster (000 表1–表3 proportions) and inspectors into the database.

Loading twice adds nothing: enterprises, licenses and inspectors already present are left as they are.
"""

from __future__ import annotations

import argparse

from inspector_app.i18n import _

ORDER = 10  # first in the help: set up the roster, then check the forms


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo",
        help=_("载入演示数据（646家企业、688张许可证、20名检查人员）"),
        description=_(
            "载入按2021年上海市通报（表1–表3）比例生成的演示台账和检查人员。已有的企业、许可证和检查人员保持不变，"
            "重复载入不会产生重复数据。"
        ),
    )
    p.add_argument(
        "--seed", type=int, default=None, metavar=_("整数"), help=_("随机种子（默认 2021；同一种子生成相同数据）")
    )
    p.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import open_db
    from inspector_app.core.demo import DEMO_SEED, load_demo

    db = open_db(args)
    try:
        report = load_demo(db, seed=DEMO_SEED if args.seed is None else args.seed)
    finally:
        db.close()
    if not (report.enterprises_added or report.licenses_added or report.inspectors_added):
        text = _("演示数据已在 {db} 中，未重复载入（{n} 家企业保持不变）")
        print(text.format(db=db.location, n=report.enterprises_skipped))
        return 0
    print(
        _("演示数据已载入 {db}：新增企业 {e} 家、许可证 {l} 张、生产地址 {s} 个、检查人员 {i} 名").format(
            db=db.location,
            e=report.enterprises_added,
            l=report.licenses_added,
            s=report.sites_added,
            i=report.inspectors_added,
        )
    )
    if report.enterprises_skipped:
        print(_("已在库中、保持不变的企业 {n} 家").format(n=report.enterprises_skipped))
    return 0
