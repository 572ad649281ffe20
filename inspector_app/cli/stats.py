"""`inspector-app stats (--year Y | --from D [--to D]) [--district D] [-o FILE.xlsx|.pdf|.json]`: the bureau's
tables (000 表1–表4), on screen or exported.

Exit codes (cli/main.py): 0 done, 1 refused (reasons on stderr, nothing written), 2 usage error.
"""

import argparse
from pathlib import Path

from inspector_app.cli.common import parse_date, parse_year, print_rows
from inspector_app.cli.main import open_db
from inspector_app.core.catalog import INSPECTION_KINDS
from inspector_app.i18n import _

ORDER = 50.5  # last of the supervision groups


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "stats",
        help=_(
            "统计报表：表1–表4、问题分类、告知承诺、区域分布、违法线索、监督抽查、飞行检查、专项行动表"
            "（导出 XLSX / PDF / JSON）"
        ),
        description=_(
            "问题按“项次”（结论为“不符合”的检查项）计，检查按“家次”计。"
            "用 --year 或 --from [--to] 指定期间（只写 --from 则统计到今天），"
            "--district 指定区（默认全市）。"
        ),
    )
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--year", type=parse_year)
    g.add_argument("--from", dest="start", type=parse_date, help=_("开始日期"))
    p.add_argument("--to", dest="end", type=parse_date, help=_("结束日期（与 --from 同用；不写则到今天）"))
    p.add_argument("--district", help=_("区（默认全市）"))
    p.add_argument(
        "--campaign-kind",
        action="append",
        dest="kinds",
        metavar="KIND",
        help=_("专项行动表统计的检查类型（默认 special，可重复）：{k}").format(
            k="、".join(f"{k}（{v}）" for k, v in INSPECTION_KINDS.items())
        ),
    )
    p.add_argument("-o", "--output", type=Path, help=_("输出文件 .xlsx / .pdf / .json（不写则在屏幕显示）"))
    p.set_defaults(func=_stats, _parser=p)


def _stats(args: argparse.Namespace) -> int:
    from inspector_app.core import clock
    from inspector_app.core.supervision import checkpoints, statistics
    from inspector_app.documents import statistics_report

    if args.year:
        if args.end:
            args._parser.error(_("--to 只能与 --from 同用"))
        start, end = statistics.year_period(args.year)
    else:
        start, end = args.start, args.end or clock.today()  # --from alone: up to today
    if args.output and args.output.suffix.lower() not in statistics_report.EXTENSIONS:
        args._parser.error(_("输出文件扩展名应为 .xlsx、.pdf 或 .json"))
    db = open_db(args)
    try:
        report = statistics.build_report(
            db, start, end, district=args.district, campaign_kinds=tuple(args.kinds or ("special",))
        )
        points = None if args.output else checkpoints.checkpoint_statistics(db, start, end, district=args.district)
    finally:
        db.close()
    if args.output:
        print(statistics_report.export(report, args.output))
        return 0
    print(statistics_report.title(report))
    print(statistics_report.summary_text(report))
    print(_("表4"))
    print_rows([statistics_report.T4_HEAD, *statistics_report.table4(report)])
    print(_("表2"))
    print_rows([statistics_report.T2_HEAD, *statistics_report.table2(report)])
    print(_("表3"))
    print_rows([statistics_report.T3_HEAD, *statistics_report.table3(report)])
    print(_("问题分类"))
    print_rows([statistics_report.P_HEAD, *statistics_report.problem_rows(report)])
    print(statistics_report.other_note(report))
    print(_("按检查重点（{r}）").format(r=checkpoints.REGULATION))
    head = (_("检查重点"), _("检查项次"), _("不符合项次"), _("不符合率"), _("涉及企业（家）"))
    print_rows([head, *((p.name, p.checked, p.problems, p.rate, p.enterprises) for p in points)])
    for head, text in statistics_report.other_figures(report):
        print(f"{head}：{text}")
    return 0
