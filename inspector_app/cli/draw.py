"""`inspector-app draw run|list|show|verify|export|package|tasks|publish|inspector|conflict`: the double-random
draw, its teams and tasks, and its publication (002).

Exit codes (cli/main.py): 0 done, 1 refused (reasons on stderr, nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.cli.common import enterprise_id, inspector_id, parse_date, parse_year, print_rows, with_db
from inspector_app.cli.main import EXIT_REFUSED, Refused, open_db
from inspector_app.core.errors import DomainError
from inspector_app.core.safe_input import input_file, load_json
from inspector_app.i18n import _

if TYPE_CHECKING:  # the CLI loads core only when a command runs
    from inspector_app.core.storage.db import Database
    from inspector_app.core.supervision.assignments import Task
    from inspector_app.core.supervision.draw import DrawSummary

ORDER = 50.3  # after plan


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "draw",
        help=_("双随机抽取：抽取企业、匹配检查人员、公示（002）"),
        description=_("按规则文件抽取企业并随机组成检查组；结果由公布的种子、名录快照和规则唯一确定，可重算核验"),
    )
    sub = parser.add_subparsers(dest="draw_command", metavar=_("子命令"), required=True)
    p = sub.add_parser("run", help=_("抽取"))
    p.add_argument("--rules", type=Path, help=_("规则文件（默认：forms/draw/draw-rules-2022-shanxi.toml）"))
    p.add_argument("--seed", required=True, help=_("事先公布的随机种子"))
    p.add_argument("--year", type=parse_year, required=True)
    p.add_argument("--district", help=_("只抽取该区（默认全部）"))
    p.add_argument("--on", type=parse_date, help=_("抽取日期（默认今天）"))
    p.add_argument("--team-size", type=int, help=_("每组人数（在规则文件 [teams] min_size–max_size 范围内）"))
    p.add_argument("--by", default="", dest="who")
    p.set_defaults(func=with_db(_draw_run))
    p = sub.add_parser("list", help=_("列出抽取记录"))
    p.set_defaults(func=with_db(_draw_list))
    p = sub.add_parser("show", help=_("抽取记录与检查任务"))
    p.add_argument("draw_id", metavar="ID")
    p.add_argument("--today", type=parse_date)
    p.set_defaults(func=with_db(_draw_show))
    p = sub.add_parser("verify", help=_("重算抽取并核对哈希"))
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("draw_id", nargs="?", metavar="ID")
    g.add_argument("--package", type=Path, help=_("用公布的抽取数据包（JSON）重算，不需要数据库"))
    p.set_defaults(func=_draw_verify)
    p = sub.add_parser("export", help=_("导出公示用结果清单（.xlsx / .csv / .json）"))
    p.add_argument("draw_id", metavar="ID")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--today", type=parse_date)
    p.set_defaults(func=with_db(_draw_export))
    p = sub.add_parser("package", help=_("导出可重算的抽取数据包（种子、规则、名录快照、哈希）"))
    p.add_argument("draw_id", metavar="ID")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=with_db(_draw_package))
    p = sub.add_parser("tasks", help=_("某检查人员的检查任务"))
    p.add_argument("--inspector", required=True, help=_("执法证号"))
    p.add_argument("--open", action="store_true", help=_("只列未完成的"))
    p.add_argument("--today", type=parse_date)
    p.set_defaults(func=with_db(_draw_tasks))
    p = sub.add_parser("publish", help=_("登记检查结果已公示（检查完成之日起20个工作日内公示）"))
    p.add_argument("assignment_ids", nargs="+", metavar=_("任务编号"))
    p.add_argument("--on", type=parse_date)
    p.set_defaults(func=with_db(_draw_publish))
    p = sub.add_parser("inspector", help=_("标记检查人员可任组长、技术专家"))
    p.add_argument("badge", metavar=_("执法证号"))
    p.add_argument("--lead", action=argparse.BooleanOptionalAction, default=None, help=_("可任组长"))
    p.add_argument("--technical", action=argparse.BooleanOptionalAction, default=None, help=_("技术专家"))
    p.set_defaults(func=with_db(_draw_inspector))
    p = sub.add_parser("conflict", help=_("登记检查人员与企业的利益冲突（回避）"))
    p.add_argument("badge", metavar=_("执法证号"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--reason", required=True)
    p.add_argument("--on", type=parse_date)
    p.set_defaults(func=with_db(_draw_conflict))


def _draw_run(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import draw

    s = draw.run_draw_file(
        db,
        args.rules,
        team_size=args.team_size,
        seed=args.seed,
        year=args.year,
        district=args.district,
        on=args.on,
        who=args.who,
    )
    print(s.id)
    _print_summary(s)


def _print_summary(s: DrawSummary) -> None:
    print(
        _("抽取日期 {d}　范围 {sc}　规则 {r}　种子 {seed}").format(
            d=s.drawn_on.isoformat(), sc=s.district or _("全部"), r=s.rules_id, seed=s.seed
        )
    )
    print(_("规则哈希 {h}").format(h=s.rules_hash))
    print(_("名录哈希 {h}").format(h=s.roster_hash))
    print(_("结果哈希 {h}").format(h=s.result_hash))
    for g in s.groups:
        print(_("{t}：{n}家，比例{r:.0%}，抽取{k}家").format(t=g.title, n=g.size, r=g.ratio, k=g.drawn))
    print(_("检查组{t}个，检查任务{a}项").format(t=s.teams, a=s.assignments))
    for uscc, reason in s.unmatched:
        print(_("未匹配检查组：{u}（{r}）").format(u=uscc, r=reason), file=sys.stderr)


def _draw_list(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import draw

    print_rows(
        (i, d.isoformat(), y, dist or _("全部"), r, seed, n) for i, d, y, dist, r, seed, n in draw.list_draws(db)
    )


def _task_rows(tasks: Iterable[Task]) -> Iterator[tuple[object, ...]]:
    from inspector_app.core.supervision.assignments import PUBLICATION_STATES, TASK_STATES
    from inspector_app.core.supervision.draw import ROLES

    return (
        (
            t.assignment_id,
            t.uscc,
            t.enterprise_name,
            t.district,
            t.group_id,
            t.team_no,
            ROLES.get(t.role, t.role),
            t.team,
            TASK_STATES.get(t.status, t.status),
            t.done_on or "",
            t.publish_by or "",
            PUBLICATION_STATES[t.publication],
        )
        for t in tasks
    )


def _draw_show(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import assignments, draw

    _print_summary(draw.get_draw(db, args.draw_id))
    print_rows(_task_rows(assignments.draw_tasks(db, args.draw_id, today=args.today)))


def _draw_verify(args: argparse.Namespace) -> int:
    from inspector_app.core.supervision import draw

    if args.package:
        try:
            package = load_json(input_file(args.package, _("抽取数据包")).read_text(encoding="utf-8"))
        except (OSError, ValueError, DomainError) as e:
            raise Refused(_("无法读取抽取数据包“{f}”：{e}").format(f=args.package, e=e)) from None
        v = draw.verify_package(package)
    else:
        db = open_db(args)
        try:
            v = draw.verify_draw(db, args.draw_id)
        finally:
            db.close()
    for m in v.messages:
        print(m, file=sys.stdout if v.ok else sys.stderr)
    print(_("核验通过：重算结果与记录一致") if v.ok else _("核验未通过"), file=sys.stdout if v.ok else sys.stderr)
    return 0 if v.ok else EXIT_REFUSED


def _draw_export(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import assignments

    print(assignments.export_publication(db, args.draw_id, args.output, today=args.today))


def _draw_package(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import draw

    args.output.write_text(json.dumps(draw.export_package(db, args.draw_id), ensure_ascii=False), encoding="utf-8")
    print(args.output)


def _draw_tasks(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import assignments

    print_rows(
        _task_rows(assignments.tasks_for(db, inspector_id(db, args.inspector), today=args.today, open_only=args.open))
    )


def _draw_publish(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import assignments

    n = assignments.mark_published(db, args.assignment_ids, on=args.on)
    print(_("登记公示{n}项").format(n=n))


def _draw_inspector(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import assignments

    iid = inspector_id(db, args.badge)
    lead, tech = assignments.profiles(db).get(iid, (False, False))
    lead = lead if args.lead is None else args.lead
    tech = tech if args.technical is None else args.technical
    assignments.set_profile(db, iid, can_lead=lead, technical=tech)
    print(
        _("{b}：可任组长={l}，技术专家={t}").format(
            b=args.badge, l=_("是") if lead else _("否"), t=_("是") if tech else _("否")
        )
    )


def _draw_conflict(args: argparse.Namespace, db: Database) -> None:
    from inspector_app.core.supervision import assignments

    print(
        assignments.declare_conflict(
            db, inspector_id(db, args.badge), enterprise_id(db, args.uscc), reason=args.reason, on=args.on
        )
    )
