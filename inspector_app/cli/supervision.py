"""The supervision loop on the command line: the same core functions as the GUI screens.

    inspector-app classify show|set|new|false-commitment|spot-check|risk …   (001 §8–§33)
    inspector-app plan generate|show --year Y --district D                      (001 §23, §30)
    inspector-app draw run|list|show|verify|export|package|tasks|publish|inspector|conflict   (002)
    inspector-app followup list|start|mark|flags|decide|transfer                (001 §27–§28, 004 二(三))
    inspector-app stats (--year Y | --from D [--to D]) [--district D] [-o FILE.xlsx|.pdf|.json]

Enterprises are named by their unified social credit code, inspectors by their badge number (执法证号).
Exit codes (cli/main.py): 0 done, 1 refused (reasons on stderr, nothing written), 2 usage error.
"""

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from inspector_app.core.catalog import INSPECTION_KINDS
from inspector_app.core.errors import DomainError
from inspector_app.core.safe_input import input_file, load_json
from inspector_app.i18n import _

ORDER = 50  # after inspection


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("“{t}”不是日期，应写成 2026-06-15").format(t=text)) from None


def _year(text: str) -> int:
    try:
        y = int(text)
    except ValueError:
        y = 0
    if not 2000 <= y <= 2100:
        raise argparse.ArgumentTypeError(_("“{t}”不是有效年度").format(t=text))
    return y


def register(subparsers) -> None:
    _register_classify(subparsers)
    _register_plan(subparsers)
    _register_draw(subparsers)
    _register_followup(subparsers)
    _register_stats(subparsers)


# ------------------------------------------------------------------ helpers
def _db(args):
    from inspector_app.cli.main import open_db

    return open_db(args)


def _enterprise(db, uscc: str) -> str:
    from sqlalchemy import select

    from inspector_app.cli.main import Refused
    from inspector_app.core.storage.models import Enterprise

    code = uscc.strip().upper()
    with db.session() as s:
        eid = s.scalar(select(Enterprise.id).where((Enterprise.uscc == code) | (Enterprise.id == uscc.strip())))
    if eid is None:
        raise Refused(_("找不到统一社会信用代码为“{c}”的企业").format(c=uscc))
    return eid


def _inspector(db, badge: str) -> str:
    from sqlalchemy import select

    from inspector_app.cli.main import Refused
    from inspector_app.core.storage.models import Inspector

    with db.session() as s:
        iid = s.scalar(
            select(Inspector.id).where((Inspector.badge_no == badge.strip()) | (Inspector.id == badge.strip()))
        )
    if iid is None:
        raise Refused(_("找不到执法证号为“{b}”的检查人员").format(b=badge))
    return iid


def _run(fn):
    """Open the database, run fn(args, db), close it."""

    def wrapper(args):
        db = _db(args)
        try:
            return fn(args, db) or 0
        finally:
            db.close()

    wrapper.__name__ = fn.__name__
    return wrapper


def _print_rows(rows) -> None:
    for r in rows:
        print("\t".join("" if v is None else str(v) for v in r))


# ------------------------------------------------------------------ classify
def _register_classify(subparsers) -> None:
    parser = subparsers.add_parser(
        "classify",
        help=_("企业分类：查看、调整（AA/A/B/C，001 第八至三十三条）"),
        description=_("企业分类及其历史；规则禁止的调整会被拒绝并说明依据（见 docs/supervision.md）"),
    )
    sub = parser.add_subparsers(dest="classify_command", metavar=_("子命令"), required=True)

    p = sub.add_parser("show", help=_("当前类别、风险等级、监管方式、最低检查频次和调整历史"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    p.set_defaults(func=_run(_classify_show))

    p = sub.add_parser("set", help=_("年度动态调整（不允许越级上升，可以越级下降）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("to_class", choices=["AA", "A", "B", "C"], metavar=_("类别"), help="AA / A / B / C")
    p.add_argument("--reason", required=True, help=_("调整原因"))
    p.add_argument("--by", required=True, dest="who", help=_("经办人"))
    p.add_argument("--on", type=_date, help=_("调整日期（默认今天）"))
    p.add_argument("--category", help=_("只调整该产品类别（生产多种产品的企业，001 第三十一条）"))
    p.add_argument("--commitment", default="", help=_("AA类：自我承诺书编号或日期（001 第八条）"))
    p.set_defaults(func=_run(_classify_set))

    p = sub.add_parser("new", help=_("新获证企业判定为B类（001 第十条）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--by", required=True, dest="who", help=_("经办人"))
    p.add_argument("--on", type=_date)
    p.set_defaults(func=_run(_classify_new))

    p = sub.add_parser("false-commitment", help=_("AA类企业虚假承诺：调整为B或C类，5年内不接受AA承诺（001 第九条）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("to_class", choices=["B", "C"], metavar=_("类别"))
    p.add_argument("--reason", required=True)
    p.add_argument("--by", required=True, dest="who")
    p.add_argument("--on", type=_date)
    p.set_defaults(func=_run(_classify_false))

    p = sub.add_parser("spot-check", help=_("登记监督抽查结果；不合格则调整为C类（001 第三十二条）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--level", required=True, choices=["national", "provincial", "municipal", "district"])
    p.add_argument("--on", type=_date, required=True, help=_("抽查日期"))
    p.add_argument("--batches", type=int, default=1, help=_("抽查批次"))
    p.add_argument("--failed", type=int, default=0, help=_("不合格批次"))
    p.add_argument("--category", help=_("产品类别"))
    p.add_argument("--reference", default="", help=_("抽查文号或报告编号"))
    p.add_argument("--by", default="", dest="who")
    p.set_defaults(func=_run(_classify_spot))

    p = sub.add_parser("risk", help=_("产品质量风险等级 I/II/III（001 第十二至十四条）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("level", choices=["I", "II", "III", "none"], metavar=_("等级"), help="I / II / III / none")
    p.add_argument("--reason", required=True)
    p.add_argument("--by", required=True, dest="who")
    p.add_argument("--on", type=_date)
    p.set_defaults(func=_run(_classify_risk))


def _change_line(c) -> str:
    if c.to_class is not None:
        what = _("{a} → {b}类").format(a=f"{c.from_class}类" if c.from_class else _("（无）"), b=c.to_class)
    else:
        what = _("风险等级 {a} → {b}").format(a=c.from_risk or "—", b=c.to_risk or "—")
    cat = f"［{c.category}］" if c.category else ""
    return "\t".join((c.changed_on.isoformat(), cat + what, c.rule, c.reason, c.who, c.commitment))


def _classify_show(args, db):
    from inspector_app.core.supervision import classification as cl

    eid = _enterprise(db, args.uscc)
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
            x=_("（Ⅰ级产品从严，001 第十四条）") if sup.stricter_by_risk else "",
        )
    )
    print(_("最低检查频次：{t}").format(t=sup.requirement))
    if per_cat:
        print(_("分产品类别：") + "；".join(f"{k} {v}类" for k, v in per_cat.items()))
    if sup.aa_blocked_until:
        print(_("{d}前不接受AA类自我承诺（001 第九条）").format(d=sup.aa_blocked_until.isoformat()))
    for c in hist:
        print(_change_line(c))
    return 0


def _classify_set(args, db):
    from inspector_app.core.supervision import classification as cl

    c = cl.classify(
        db,
        _enterprise(db, args.uscc),
        args.to_class,
        reason=args.reason,
        who=args.who,
        on=args.on,
        category=args.category,
        commitment=args.commitment,
    )
    print(_change_line(c))


def _classify_new(args, db):
    from inspector_app.core.supervision import classification as cl

    print(_change_line(cl.register_new_licensee(db, _enterprise(db, args.uscc), who=args.who, on=args.on)))


def _classify_false(args, db):
    from inspector_app.core.supervision import classification as cl

    c = cl.false_commitment(db, _enterprise(db, args.uscc), args.to_class, reason=args.reason, who=args.who, on=args.on)
    print(_change_line(c))


def _classify_spot(args, db):
    from inspector_app.core.supervision import classification as cl

    check_id, change = cl.record_spot_check(
        db,
        _enterprise(db, args.uscc),
        level=args.level,
        checked_on=args.on,
        batches=args.batches,
        failed_batches=args.failed,
        category=args.category,
        reference=args.reference,
        who=args.who,
    )
    print(check_id)
    if change:
        print(_change_line(change))


def _classify_risk(args, db):
    from inspector_app.core.supervision import classification as cl

    level = None if args.level == "none" else args.level
    print(
        _change_line(
            cl.set_risk_level(db, _enterprise(db, args.uscc), level, reason=args.reason, who=args.who, on=args.on)
        )
    )


# ------------------------------------------------------------------ plan
def _register_plan(subparsers) -> None:
    parser = subparsers.add_parser(
        "plan",
        help=_("年度检查计划：生成、查看进度（001 第二十三、三十条）"),
        description=_("按企业分类和风险等级生成区年度定期检查计划，并对照实际检查显示进度、欠检企业和覆盖率"),
    )
    sub = parser.add_subparsers(dest="plan_command", metavar=_("子命令"), required=True)
    p = sub.add_parser("generate", help=_("生成计划"))
    p.add_argument("--year", type=_year, required=True)
    p.add_argument("--district", required=True)
    p.add_argument("--replace", action="store_true", help=_("替换已有计划"))
    p.add_argument("--by", default="", dest="who")
    p.set_defaults(func=_run(_plan_generate))
    p = sub.add_parser("show", help=_("计划与进度：计划数、已检查数、欠检企业、覆盖率"))
    p.add_argument("--year", type=_year, required=True)
    p.add_argument("--district", required=True)
    p.add_argument("--json", action="store_true")
    p.add_argument("--today", type=_date, help=_("按该日期判断是否滞后（默认今天）"))
    p.set_defaults(func=_run(_plan_show))


def _plan_generate(args, db):
    from inspector_app.core.supervision import planning

    planning.generate_plan(db, args.year, args.district, who=args.who, replace=args.replace)
    p = planning.progress(db, args.year, args.district)
    print(
        _("{d}{y}年度计划：获证企业{e}家，计划检查{n}家次").format(
            d=args.district, y=args.year, e=p.licensed, n=p.planned
        )
    )


def _plan_show(args, db):
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
    _print_rows(
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


# ------------------------------------------------------------------ draw
def _register_draw(subparsers) -> None:
    parser = subparsers.add_parser(
        "draw",
        help=_("双随机抽取：抽取企业、匹配检查人员、公示（002）"),
        description=_("按规则文件抽取企业并随机组成检查组；结果由公布的种子、名录快照和规则唯一确定，可重算核验"),
    )
    sub = parser.add_subparsers(dest="draw_command", metavar=_("子命令"), required=True)
    p = sub.add_parser("run", help=_("抽取"))
    p.add_argument("--rules", type=Path, help=_("规则文件（默认：forms/draw/draw-rules-2022-shanxi.toml）"))
    p.add_argument("--seed", required=True, help=_("事先公布的随机种子"))
    p.add_argument("--year", type=_year, required=True)
    p.add_argument("--district", help=_("只抽取该区（默认全部）"))
    p.add_argument("--on", type=_date, help=_("抽取日期（默认今天）"))
    p.add_argument("--team-size", type=int, help=_("每组人数（覆盖规则文件）"))
    p.add_argument("--by", default="", dest="who")
    p.set_defaults(func=_run(_draw_run))
    p = sub.add_parser("list", help=_("列出抽取记录"))
    p.set_defaults(func=_run(_draw_list))
    p = sub.add_parser("show", help=_("抽取记录与检查任务"))
    p.add_argument("draw_id", metavar="ID")
    p.add_argument("--today", type=_date)
    p.set_defaults(func=_run(_draw_show))
    p = sub.add_parser("verify", help=_("重算抽取并核对哈希"))
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("draw_id", nargs="?", metavar="ID")
    g.add_argument("--package", type=Path, help=_("用公布的抽取数据包（JSON）重算，不需要数据库"))
    p.set_defaults(func=_draw_verify)
    p = sub.add_parser("export", help=_("导出公示用结果清单（.xlsx / .csv / .json）"))
    p.add_argument("draw_id", metavar="ID")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--today", type=_date)
    p.set_defaults(func=_run(_draw_export))
    p = sub.add_parser("package", help=_("导出可重算的抽取数据包（种子、规则、名录快照、哈希）"))
    p.add_argument("draw_id", metavar="ID")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=_run(_draw_package))
    p = sub.add_parser("tasks", help=_("某检查人员的检查任务"))
    p.add_argument("--inspector", required=True, help=_("执法证号"))
    p.add_argument("--open", action="store_true", help=_("只列未完成的"))
    p.add_argument("--today", type=_date)
    p.set_defaults(func=_run(_draw_tasks))
    p = sub.add_parser("publish", help=_("登记检查结果已公示（002 三(五)）"))
    p.add_argument("assignment_ids", nargs="+", metavar=_("任务编号"))
    p.add_argument("--on", type=_date)
    p.set_defaults(func=_run(_draw_publish))
    p = sub.add_parser("inspector", help=_("标记检查人员可任组长、技术专家"))
    p.add_argument("badge", metavar=_("执法证号"))
    p.add_argument("--lead", action=argparse.BooleanOptionalAction, default=None, help=_("可任组长"))
    p.add_argument("--technical", action=argparse.BooleanOptionalAction, default=None, help=_("技术专家"))
    p.set_defaults(func=_run(_draw_inspector))
    p = sub.add_parser("conflict", help=_("登记检查人员与企业的利益冲突（回避）"))
    p.add_argument("badge", metavar=_("执法证号"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--reason", required=True)
    p.add_argument("--on", type=_date)
    p.set_defaults(func=_run(_draw_conflict))


def _draw_run(args, db):
    from inspector_app.core.supervision import draw
    from inspector_app.core.supervision.draw_rules import load_rules

    rules = load_rules(args.rules)
    if args.team_size is not None:
        from inspector_app.core.supervision.draw_rules import rules_from_dict

        d = rules.to_dict()
        d["teams"]["size"] = args.team_size
        rules = rules_from_dict(d)
    s = draw.run_draw(db, rules, seed=args.seed, year=args.year, district=args.district, on=args.on, who=args.who)
    print(s.id)
    _print_summary(s)


def _print_summary(s) -> None:
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


def _draw_list(args, db):
    from inspector_app.core.supervision import draw

    _print_rows(
        (i, d.isoformat(), y, dist or _("全部"), r, seed, n) for i, d, y, dist, r, seed, n in draw.list_draws(db)
    )


def _task_rows(tasks):
    from inspector_app.core.supervision.assignments import PUBLICATION_STATES
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
            _("已完成") if t.status == "done" else _("待检查"),
            t.done_on or "",
            t.publish_by or "",
            PUBLICATION_STATES[t.publication],
        )
        for t in tasks
    )


def _draw_show(args, db):
    from inspector_app.core.supervision import assignments, draw

    _print_summary(draw.get_draw(db, args.draw_id))
    _print_rows(_task_rows(assignments.draw_tasks(db, args.draw_id, today=args.today)))


def _draw_verify(args):
    from inspector_app.cli.main import EXIT_REFUSED
    from inspector_app.core.supervision import draw

    if args.package:
        try:
            package = load_json(input_file(args.package, _("抽取数据包")).read_text(encoding="utf-8"))
        except (OSError, ValueError, DomainError) as e:
            from inspector_app.cli.main import Refused

            raise Refused(_("无法读取抽取数据包“{f}”：{e}").format(f=args.package, e=e)) from None
        v = draw.verify_package(package)
    else:
        db = _db(args)
        try:
            v = draw.verify_draw(db, args.draw_id)
        finally:
            db.close()
    for m in v.messages:
        print(m, file=sys.stdout if v.ok else sys.stderr)
    print(_("核验通过：重算结果与记录一致") if v.ok else _("核验未通过"), file=sys.stdout if v.ok else sys.stderr)
    return 0 if v.ok else EXIT_REFUSED


def _draw_export(args, db):
    from inspector_app.core.supervision import assignments

    print(assignments.export_publication(db, args.draw_id, args.output, today=args.today))


def _draw_package(args, db):
    from inspector_app.core.supervision import draw

    args.output.write_text(json.dumps(draw.export_package(db, args.draw_id), ensure_ascii=False), encoding="utf-8")
    print(args.output)


def _draw_tasks(args, db):
    from inspector_app.core.supervision import assignments

    _print_rows(
        _task_rows(assignments.tasks_for(db, _inspector(db, args.inspector), today=args.today, open_only=args.open))
    )


def _draw_publish(args, db):
    from inspector_app.core.supervision import assignments

    n = assignments.mark_published(db, args.assignment_ids, on=args.on)
    print(_("登记公示{n}项").format(n=n))


def _draw_inspector(args, db):
    from inspector_app.core.supervision import assignments

    iid = _inspector(db, args.badge)
    lead, tech = assignments.profiles(db).get(iid, (False, False))
    lead = lead if args.lead is None else args.lead
    tech = tech if args.technical is None else args.technical
    assignments.set_profile(db, iid, can_lead=lead, technical=tech)
    print(
        _("{b}：可任组长={l}，技术专家={t}").format(
            b=args.badge, l=_("是") if lead else _("否"), t=_("是") if tech else _("否")
        )
    )


def _draw_conflict(args, db):
    from inspector_app.core.supervision import assignments

    print(
        assignments.declare_conflict(
            db, _inspector(db, args.badge), _enterprise(db, args.uscc), reason=args.reason, on=args.on
        )
    )


# ------------------------------------------------------------------ followup
def _register_followup(subparsers) -> None:
    parser = subparsers.add_parser(
        "followup",
        help=_("整改跟踪与回访（001 第二十七、二十八条，004 二(三)）"),
        description=_("未当场整改的不符合项按期限跟踪；回访逐项核实整改，仍未整改的提出停产整改、移交处罚、降级建议"),
    )
    sub = parser.add_subparsers(dest="followup_command", metavar=_("子命令"), required=True)
    p = sub.add_parser("list", help=_("待整改问题：整改期内、即将到期、已逾期"))
    p.add_argument("--district")
    p.add_argument("--today", type=_date)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_run(_followup_list))
    p = sub.add_parser("start", help=_("开始回访检查（预填待复查问题）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--team", required=True, help=_("检查人员执法证号，用逗号分隔，第一位为组长"))
    p.add_argument("--site", help=_("生产地址（企业有多个地址存在问题时必填）"))
    p.add_argument("--on", type=_date)
    p.set_defaults(func=_run(_followup_start))
    p = sub.add_parser("mark", help=_("登记某问题的复查结果"))
    p.add_argument("rectification_id", metavar=_("问题编号"))
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--rectified", action="store_true", help=_("已整改"))
    g.add_argument("--not-rectified", action="store_true", help=_("仍未整改"))
    p.add_argument("--record", required=True, help=_("复查记录"))
    p.add_argument("--photo", default="", help=_("照片文件或编号"))
    p.add_argument("--on", type=_date)
    p.set_defaults(func=_run(_followup_mark))
    p = sub.add_parser("flags", help=_("处理建议：停产整改、移交行政处罚、降级"))
    p.add_argument("--status", choices=["proposed", "confirmed", "dismissed"])
    p.add_argument("--district")
    p.set_defaults(func=_run(_followup_flags))
    p = sub.add_parser("decide", help=_("决定处理建议（采纳或不予采纳）"))
    p.add_argument("flag_id", metavar=_("建议编号"))
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--confirm", action="store_true")
    g.add_argument("--dismiss", action="store_true")
    p.add_argument("--by", required=True, dest="who")
    p.add_argument("--on", type=_date)
    p.set_defaults(func=_run(_followup_decide))
    p = sub.add_parser("transfer", help=_("移交行政处罚（001 第二十八条）"))
    p.add_argument("uscc", metavar=_("统一社会信用代码"))
    p.add_argument("--reason", required=True)
    p.add_argument("--by", required=True, dest="who")
    p.add_argument("--inspection", help=_("检查记录编号"))
    p.add_argument("--on", type=_date)
    p.set_defaults(func=_run(_followup_transfer))


def _followup_list(args, db):
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
    _print_rows(
        (r.id, r.uscc, r.enterprise_name, r.district, r.item_id, r.problem, r.deadline.isoformat(), rc.STATES[r.state])
        for r in dash.rows
    )


def _followup_start(args, db):
    from sqlalchemy import select

    from inspector_app.cli.main import Refused
    from inspector_app.core.storage.models import Site
    from inspector_app.core.supervision import rectification as rc

    eid = _enterprise(db, args.uscc)
    team = [_inspector(db, b) for b in args.team.replace("，", ",").split(",") if b.strip()]
    site_id = None
    if args.site:
        with db.session() as s:
            site_id = s.scalar(select(Site.id).where(Site.enterprise_id == eid, Site.address == args.site.strip()))
        if site_id is None:
            raise Refused(_("该企业没有生产地址“{a}”").format(a=args.site))
    iid = rc.start_followup(db, eid, team=team, site_id=site_id, inspected_on=args.on)
    print(iid)
    _print_rows((r.id, r.item_id, r.problem, r.deadline.isoformat()) for r in rc.followup_problems(db, iid))


def _followup_mark(args, db):
    from inspector_app.core.supervision import rectification as rc

    flags = rc.mark(
        db, args.rectification_id, rectified=args.rectified, record=args.record, photo=args.photo, on=args.on
    )
    print(_("已登记：已整改") if args.rectified else _("已登记：仍未整改"))
    for f in flags:
        print(_("提出处理建议：{f}").format(f=f))


def _followup_flags(args, db):
    from inspector_app.core.supervision import rectification as rc

    _print_rows(
        (
            f.id,
            f.raised_on.isoformat(),
            f.enterprise_name,
            f.district,
            f.label,
            f.citation,
            rc.FLAG_STATUSES[f.status],
            f.reason,
        )
        for f in rc.flags(db, status=args.status, district=args.district)
    )


def _followup_decide(args, db):
    from inspector_app.core.supervision import rectification as rc

    rc.decide_flag(db, args.flag_id, confirm=args.confirm, who=args.who, on=args.on)
    print(_("已采纳") if args.confirm else _("不予采纳"))


def _followup_transfer(args, db):
    from inspector_app.core.supervision import rectification as rc

    print(
        rc.transfer_to_penalty(
            db, _enterprise(db, args.uscc), reason=args.reason, who=args.who, inspection_id=args.inspection, on=args.on
        )
    )


# ------------------------------------------------------------------ stats
def _register_stats(subparsers) -> None:
    p = subparsers.add_parser(
        "stats",
        help=_("统计报表：000 表1–表4、问题分类、专项行动表（导出 XLSX / PDF / JSON）"),
        description=_(
            "统计口径见 docs/statistics.md。用 --year 或 --from [--to] 指定期间（只写 --from 则统计到今天），"
            "--district 指定区（默认全市）。"
        ),
    )
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--year", type=_year)
    g.add_argument("--from", dest="start", type=_date, help=_("开始日期"))
    p.add_argument("--to", dest="end", type=_date, help=_("结束日期（与 --from 同用；不写则到今天）"))
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


def _stats(args):
    from inspector_app.core import clock
    from inspector_app.core.supervision import statistics
    from inspector_app.documents import statistics_report

    if args.year:
        if args.end:
            args._parser.error(_("--to 只能与 --from 同用"))
        start, end = statistics.year_period(args.year)
    else:
        start, end = args.start, args.end or clock.today()  # --from alone: up to today
    if args.output and args.output.suffix.lower() not in statistics_report.EXTENSIONS:
        args._parser.error(_("输出文件扩展名应为 .xlsx、.pdf 或 .json"))
    db = _db(args)
    try:
        report = statistics.build_report(
            db, start, end, district=args.district, campaign_kinds=tuple(args.kinds or ("special",))
        )
    finally:
        db.close()
    if args.output:
        print(statistics_report.export(report, args.output))
        return 0
    print(statistics_report.title(report))
    print(statistics_report.summary_text(report))
    print(_("表4"))
    _print_rows([statistics_report.T4_HEAD, *statistics_report.table4(report)])
    print(_("表2"))
    _print_rows([statistics_report.T2_HEAD, *statistics_report.table2(report)])
    print(_("表3"))
    _print_rows([statistics_report.T3_HEAD, *statistics_report.table3(report)])
    print(_("问题分类"))
    _print_rows([statistics_report.P_HEAD, *statistics_report.problem_rows(report)])
    print(statistics_report.other_note(report))
    return 0
