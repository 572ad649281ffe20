"""The double-random draw (002 一(四), 二(一), 三(一)–(二), 三(五)): ratios, teams, avoidance, reproducibility."""

import hashlib
import json
import math
from datetime import date

import pytest

from inspector_app.core.identifiers import uscc_check_char
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.storage.models import Enterprise, Inspector, License, Site
from inspector_app.core.storage.supervision_models import Assignment, InspectorProfile
from inspector_app.core.supervision import assignments, classification, draw
from inspector_app.core.supervision.draw_rules import RulesError, load_rules, rules_from_dict

ON = date(2022, 6, 10)  # 002 一(二): 检查时间 2022年6月10日至11月10日
SEED = "2022-06-10 晋公证摇号 731905"
# per product category: how many enterprises (one license each)
ROSTER = {
    "危险化学品包装物及容器": 7,
    "危险化学品": 20,
    "电线电缆": 11,
    "化肥": 4,
    "直接接触食品的材料等相关产品": 40,
    "水泥": 9,
    "建筑用钢筋": 3,
}


def _uscc(n: int) -> str:
    body = f"91140000MA{n:07d}"
    return body + uscc_check_char(body)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def make(db, n_inspectors=24, leaders=5, experts=5) -> dict:
    ids: dict[str, str] = {}
    n = 0
    with db.session() as s:
        for cat, count in ROSTER.items():
            for _ in range(count):
                n += 1
                e = Enterprise(
                    uscc=_uscc(n), name=f"山西{cat[:2]}企业{n:03d}", district="太原市" if n % 2 else "大同市"
                )
                site = Site(enterprise=e, address=f"地址{n}", district=e.district)
                s.add_all(
                    [
                        e,
                        site,
                        License(
                            enterprise=e,
                            site=site,
                            number=f"(晋)XK13-{n:03d}-{n:05d}",
                            category=cat,
                            expiry_date=date(2026, 1, 1),
                        ),
                    ]
                )
                s.flush()
                ids[e.uscc] = e.id
        for i in range(n_inspectors):
            insp = Inspector(name=f"检查员{i:02d}", badge_no=f"14{i:04d}")
            s.add(insp)
            s.flush()
            s.add(
                InspectorProfile(inspector_id=insp.id, can_lead=i < leaders, technical=leaders <= i < leaders + experts)
            )
    return ids


def test_shipped_rules_are_the_2022_shanxi_ratios(rules):  # 002 一(四)
    assert [(g.id, g.ratio) for g in rules.groups] == [
        ("spot_check_failed", 1.0),
        ("hazchem_packaging", 1.0),
        ("key_products", 0.3),
        ("others", 0.2),
    ]
    assert rules.group("key_products").categories == ("危险化学品", "电线电缆", "化肥")
    assert [(m.level, m.years) for m in rules.group("spot_check_failed").spot_check_failed] == [
        ("national", 5),
        ("provincial", 1),
    ]
    assert (rules.teams.size, rules.teams.leader, rules.teams.technical_deputy) == (5, True, True)  # 002 二(一)
    assert rules.publication.working_days == 20  # 002 三(五)


def test_ratios_are_respected_per_group(db, rules):
    ids = make(db)
    # two failures put cement and food enterprises into the 100 % group (national 2019, provincial 2021);
    # one too old (national 2016) and one of the draw year (provincial 2022) do not.
    usccs = list(ids)
    failed = {
        usccs[50]: ("national", date(2019, 4, 1)),
        usccs[80]: ("provincial", date(2021, 9, 1)),
        usccs[51]: ("national", date(2016, 4, 1)),
        usccs[52]: ("provincial", date(2022, 3, 1)),
    }
    for uscc, (level, when) in failed.items():
        classification.record_spot_check(db, ids[uscc], level=level, checked_on=when, failed_batches=1)
    summary = draw.run_draw(db, rules, seed=SEED, year=2022, on=ON, who="省局")
    groups = {g.id: g for g in summary.groups}
    assert (groups["spot_check_failed"].size, groups["spot_check_failed"].drawn) == (2, 2)
    assert (groups["hazchem_packaging"].size, groups["hazchem_packaging"].drawn) == (7, 7)
    assert (groups["key_products"].size, groups["key_products"].drawn) == (35, math.ceil(35 * 0.3))
    assert (groups["others"].size, groups["others"].drawn) == (50, math.ceil(50 * 0.2))
    result = draw.compute_draw(draw.take_snapshot(db, year=2022, on=ON), rules, SEED)
    drawn_groups = {p.uscc: p.group_id for p in result.picks}
    assert drawn_groups[usccs[50]] == "spot_check_failed" and drawn_groups[usccs[80]] == "spot_check_failed"
    assert summary.assignments == 2 + 7 + 11 + 10


def test_rerun_gives_the_identical_result_and_another_seed_another(db, rules):
    make(db)
    snap = draw.take_snapshot(db, year=2022, on=ON)
    a = draw.compute_draw(snap, rules, SEED)
    b = draw.compute_draw(json.loads(json.dumps(snap)), load_rules(), SEED)  # from a copy and a fresh parse
    assert a == b and a.digest == b.digest
    text = draw.snapshot_text(snap)
    assert draw.parse_snapshot_text(text) == {**snap, "version": 1}  # the published text round-trips
    assert draw.compute_draw(draw.parse_snapshot_text(text), rules, SEED).digest == a.digest
    assert draw.snapshot_hash(snap) == hashlib.sha256(text.encode("utf-8")).hexdigest() == a.roster_hash
    c = draw.compute_draw(snap, rules, SEED + "x")
    assert {p.uscc for p in c.picks} != {p.uscc for p in a.picks}
    assert [(g.size, g.drawn) for g in c.groups] == [(g.size, g.drawn) for g in a.groups]  # same ratios


def test_stored_draw_verifies_and_a_tampered_package_does_not(db, rules):
    ids = make(db)
    summary = draw.run_draw(db, rules, seed=SEED, year=2022, on=ON)
    v = draw.verify_draw(db, summary.id)
    assert v.ok and len(v.messages) == 5  # three hashes, the stored result's hash, the assignments
    package = draw.export_package(db, summary.id)
    assert package["seed"] == SEED and package["roster_hash"] == summary.roster_hash
    assert package["rules_hash"] == summary.rules_hash and package["result_hash"] == summary.result_hash
    lines = package["snapshot"].splitlines(keepends=True)
    package["snapshot"] = "".join(line for line in lines if not line.startswith("E\t" + next(iter(ids))))  # edited
    v = draw.verify_package(json.loads(json.dumps(package)))
    assert not v.ok and any("名录快照哈希不一致" in m for m in v.messages)
    # the roster changing in the database later does not change the stored draw
    with db.session() as s:
        s.add(Inspector(name="新人", badge_no="149999"))
    assert draw.verify_draw(db, summary.id).ok


def test_teams_have_size_leader_and_technical_deputy(db, rules):  # 002 二(一)
    make(db)
    result = draw.compute_draw(draw.take_snapshot(db, year=2022, on=ON), rules, SEED)
    snap = draw.take_snapshot(db, year=2022, on=ON)
    info = {i["badge"]: i for i in snap["inspectors"]}
    assert len(result.teams) == 4  # 24 inspectors // 5 (5 leaders, 5 experts available)
    for team in result.teams:
        assert len(team) == 5
        assert [r for _b, r in team].count("leader") == 1 and team[0][1] == "leader"
        assert info[team[0][0]]["lead"] and team[1][1] == "deputy" and info[team[1][0]]["tech"]
    badges = [b for t in result.teams for b, _r in t]
    assert len(badges) == len(set(badges))


def test_inspectors_of_the_last_inspection_and_conflicts_are_avoided(db, rules, templates):
    ids = make(db, n_inspectors=12, leaders=3, experts=3)  # 2 teams
    usccs = list(ids)
    snap = draw.take_snapshot(db, year=2022, on=ON)
    first = draw.compute_draw(snap, rules, SEED)
    target = next(p for p in first.picks if p.team_no)
    badge_ids = _badge_ids(db)
    # the whole first team inspected the enterprise last time, and someone of team 2 declared a conflict
    with db.session() as s:
        site = s.query(Site).filter_by(enterprise_id=ids[target.uscc]).one().id
    team1 = [badge_ids[b] for b, _r in first.teams[0]]
    iid = svc.start_inspection(
        db,
        site_id=site,
        template=templates["industrial"] if "食品" not in _cat(db, target.uscc) else templates["food"],
        kind="scheduled",
        team=team1,
        inspected_on=date(2021, 5, 1),
    )
    assert iid
    conflicted = first.teams[1][2][0]
    assignments.declare_conflict(db, badge_ids[conflicted], ids[target.uscc], reason="亲属在该企业任职", on=ON)
    snap2 = draw.take_snapshot(db, year=2022, on=ON)
    e = next(x for x in snap2["enterprises"] if x["uscc"] == target.uscc)
    assert set(e["last_team"]) == {b for b, _r in first.teams[0]} and e["conflicts"] == [conflicted]
    result = draw.compute_draw(snap2, rules, SEED)
    pick = next((p for p in result.picks if p.uscc == target.uscc), None)
    if pick is None:  # the new snapshot reshuffles the lot: force the enterprise into the draw with a 100 % rule
        forced = rules_from_dict(
            {**rules.to_dict(), "groups": [{"id": "all", "title": "全部", "ratio": 1.0, "rest": True}]}
        )
        result = draw.compute_draw(snap2, forced, SEED)
        pick = next(p for p in result.picks if p.uscc == target.uscc)
    avoid = set(e["last_team"]) | {conflicted}
    assert pick.team_no and not avoid & {b for b, _r in pick.members}
    assert len(usccs) == sum(ROSTER.values())
    for p in result.picks:  # nobody anywhere is sent where they must not go
        e = next(x for x in snap2["enterprises"] if x["uscc"] == p.uscc)
        assert not (set(e["last_team"]) | set(e["conflicts"])) & {b for b, _r in p.members}


def test_not_enough_inspectors_is_refused_with_reason(db, rules):
    make(db, n_inspectors=6, leaders=0, experts=0)
    with pytest.raises(draw.DrawRefused, match="可任组长"):
        draw.run_draw(db, rules, seed=SEED, year=2022, on=ON)
    with pytest.raises(Exception, match="随机种子"):
        draw.compute_draw(draw.take_snapshot(db, year=2022, on=ON), rules, " ")


def test_rules_file_problems_are_listed(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(
        '[rules]\nid = "x"\ntitle = "t"\n[[groups]]\nid = "a"\nratio = 1.5\ncategories = ["石油"]\n'
        '[[groups]]\nid = "a"\nratio = 0.2\n[teams]\nsize = 1\n[publication]\nholidays = ["2022-13-01"]\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as e:
        load_rules(p)
    text = str(e.value)
    for expected in ("ratio 应为", "“石油”不在发证目录", "id “a” 重复", "rest = true", "size 应为2到20", "2022-13-01"):
        assert expected in text


def test_publication_deadline_counts_working_days(rules):  # 002 三(五): 20 个工作日
    pub = rules.publication
    assert pub.deadline(date(2022, 6, 10)) == date(2022, 7, 8)  # a Friday; four plain weeks
    assert pub.deadline(date(2022, 9, 20)) == date(2022, 10, 21)  # 国庆 10-01..10-07 off, 10-08/10-09 worked (调休)
    assert pub.deadline(date(2022, 9, 30)) == date(2022, 11, 2)
    assert pub.working_days_left(date(2022, 10, 17), date(2022, 10, 21)) == 4
    assert pub.working_days_left(date(2022, 10, 25), date(2022, 10, 21)) == -2


def test_assignments_task_list_done_and_publication(db, rules, templates, tmp_path):
    make(db)
    summary = draw.run_draw(db, rules, seed=SEED, year=2022, on=ON)
    badge_ids = _badge_ids(db)
    tasks = assignments.draw_tasks(db, summary.id, today=ON)
    assert len(tasks) == summary.assignments and all(t.status == "open" for t in tasks)
    leader_badge = draw.get_draw(db, summary.id)  # same summary from the stored record
    assert leader_badge.result_hash == summary.result_hash
    task = tasks[0]
    with db.session() as s:
        a = s.get(Assignment, task.assignment_id)
        leader_id = a.members[0].inspector_id
    mine = assignments.tasks_for(db, leader_id, today=ON)
    assert task.assignment_id in {t.assignment_id for t in mine}
    assert next(t for t in mine if t.assignment_id == task.assignment_id).role == "leader"
    # start the inspection from the assignment, with the drawn team, and complete it
    cat = _cat(db, task.uscc)
    tpl = templates["food"] if "食品" in cat else templates["industrial"]
    iid = assignments.start_from_assignment(db, task.assignment_id, template=tpl, on=date(2022, 9, 20))
    view = svc.load_inspection(db, iid)
    assert view.kind == "double_random" and len(view.team) == 5
    for item in tpl.applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="nonconform" if item.id == "5.1" else "conform", record="未标注")
    svc.complete_inspection(db, iid)
    with db.session() as s:  # 检查完成之日 is the completion day
        from inspector_app.core.storage.models import Inspection

        s.get(Inspection, iid).completed_at = s.get(Inspection, iid).completed_at.replace(2022, 9, 20)
    done = next(t for t in assignments.draw_tasks(db, summary.id, today=date(2022, 10, 20)) if t.inspection_id == iid)
    assert (done.status, done.done_on, done.publish_by, done.problems) == (
        "done",
        date(2022, 9, 20),
        date(2022, 10, 21),
        1,
    )
    assert (done.publication, done.working_days_left) == ("due_soon", 1)
    late = next(t for t in assignments.draw_tasks(db, summary.id, today=date(2022, 10, 27)) if t.inspection_id == iid)
    assert late.publication == "overdue"
    assert assignments.mark_published(db, [done.assignment_id], on=date(2022, 10, 24)) == 1
    pub = next(t for t in assignments.draw_tasks(db, summary.id, today=date(2022, 10, 27)) if t.inspection_id == iid)
    assert pub.publication == "published"
    with pytest.raises(Exception, match="尚未完成"):
        assignments.mark_published(db, [tasks[1].assignment_id])
    for ext in (".xlsx", ".csv", ".json"):
        out = assignments.export_publication(db, summary.id, tmp_path / f"pub{ext}", today=date(2022, 10, 27))
        assert out.stat().st_size > 100
    data = json.loads((tmp_path / "pub.json").read_text(encoding="utf-8"))
    assert data["seed"] == SEED and len(data["rows"]) == summary.assignments
    assert any(r[9] == "发现问题1项" for r in data["rows"])
    assert len(badge_ids) == 24


def _badge_ids(db) -> dict[str, str]:
    with db.session() as s:
        return {i.badge_no: i.id for i in s.query(Inspector)}


def _cat(db, uscc) -> str:
    with db.session() as s:
        e = s.query(Enterprise).filter_by(uscc=uscc).one()
        return s.query(License).filter_by(enterprise_id=e.id).first().category


def _counts(db) -> tuple[int, int]:
    from inspector_app.core.storage.supervision_models import Draw

    with db.session() as s:
        return s.query(Draw).count(), s.query(Assignment).count()


def test_an_identical_rerun_is_refused_and_points_at_the_draw(db, rules):  # docs/supervision.md
    make(db)
    first = draw.run_draw(db, rules, seed=SEED, year=2022, on=ON)
    before = _counts(db)
    with pytest.raises(draw.DrawRefused) as e:
        draw.run_draw(db, rules, seed=SEED, year=2022, on=ON)
    text = str(e.value)
    assert f"抽取编号 {first.id}" in text and "结果完全相同" in text
    assert f"draw show {first.id}" in text and f"draw verify {first.id}" in text
    # a day later the snapshot (its date) differs, but the published seed has been used: refused as well
    with pytest.raises(draw.DrawRefused, match=r"公布的种子只用于一次抽取.*新的种子"):
        draw.run_draw(db, rules, seed=SEED, year=2022, on=date(2022, 6, 11))
    assert _counts(db) == before
    # per enterprise, one assignment of this draw
    with db.session() as s:
        per = [eid for (eid,) in s.query(Assignment.enterprise_id)]
    assert len(per) == len(set(per))
    # another published seed, another scope or other rules make another draw
    assert draw.run_draw(db, rules, seed=SEED + " 补抽", year=2022, on=ON).id != first.id
    assert draw.run_draw(db, rules, seed=SEED, year=2022, on=ON, district="太原市").district == "太原市"
    other = rules.with_team_size(6)
    assert draw.run_draw(db, other, seed=SEED, year=2022, on=ON).rules_hash != first.rules_hash


def test_drawing_and_its_inputs_are_bureau_work(db, rules, templates):
    from inspector_app.core.errors import BureauOnly
    from tests.core.roles import as_device

    ids = make(db)
    as_device(db, "bureau")
    summary = draw.run_draw(db, rules, seed=SEED, year=2022, on=ON)
    badge_ids = _badge_ids(db)
    task = assignments.draw_tasks(db, summary.id, today=ON)[0]
    before = _counts(db)
    as_device(db, "field")
    for attempt, what in (
        (lambda: draw.run_draw(db, rules, seed="另一个种子", year=2022, on=ON), "双随机抽取"),
        (lambda: assignments.set_profile(db, badge_ids["140000"], can_lead=False, technical=True), "抽取资格"),
        (lambda: assignments.declare_conflict(db, badge_ids["140000"], ids[task.uscc], reason="亲属"), "利益冲突"),
        (lambda: assignments.mark_published(db, [task.assignment_id], on=ON), "公示"),
    ):
        with pytest.raises(BureauOnly, match=rf"{what}.*由区局进行.*请在区局的电脑上操作"):
            attempt()
    assert _counts(db) == before
    assert assignments.profiles(db)[badge_ids["140000"]] == (True, False)
    # the inspectors' side stays allowed on the laptop: task lists, the draw record, starting a task
    with db.session() as s:
        member = s.get(Assignment, task.assignment_id).members[0].inspector_id
    assert task.assignment_id in {t.assignment_id for t in assignments.tasks_for(db, member, today=ON)}
    assert draw.verify_draw(db, summary.id).ok
    tpl = templates["food"] if "食品" in _cat(db, task.uscc) else templates["industrial"]
    assert assignments.start_from_assignment(db, task.assignment_id, template=tpl, on=date(2022, 9, 20))


def test_team_size_is_bounded_by_the_rules_file(db, rules, tmp_path):  # 002 二(一): 每组5-6人
    assert (rules.teams.size, rules.teams.bounds()) == (5, (5, 6))
    assert rules.with_team_size(6).teams.size == 6
    for size in (2, 4, 7, 20):
        with pytest.raises(RulesError, match=r"每组人数\d+超出规则允许的范围（5到6人"):
            rules.with_team_size(size)
    make(db)
    with pytest.raises(RulesError, match="超出规则允许的范围"):
        draw.run_draw_file(db, None, team_size=3, seed=SEED, year=2022, on=ON)
    assert _counts(db) == (0, 0)
    # a file without bounds allows its own size only; a file with them is checked when loaded
    p = tmp_path / "fixed.toml"
    p.write_text('[rules]\nid = "x"\ntitle = "t"\n[[groups]]\nid = "a"\nratio = 1.0\nrest = true\n[teams]\nsize = 4\n')
    fixed = load_rules(p)
    assert fixed.teams.bounds() == (4, 4) and "min_size" not in fixed.to_dict()["teams"]
    with pytest.raises(RulesError, match="（4人"):
        fixed.with_team_size(5)
    p.write_text(p.read_text(encoding="utf-8") + "min_size = 5\nmax_size = 30\n", encoding="utf-8")
    with pytest.raises(RulesError) as e:
        load_rules(p)
    assert "max_size 应为2到20" in str(e.value) and "size 应在 min_size 与 max_size 之间" in str(e.value)
