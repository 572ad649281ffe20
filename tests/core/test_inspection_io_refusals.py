"""Inspection JSON files refused (core/inspection/json_io.py): every problem named with where it is, nothing
written."""

import json

import pytest

from inspector_app.core.inspection import inspections as svc
from inspector_app.core.inspection.json_io import (
    import_inspections,
)
from tests.core.inspection_io_helpers import (
    SITE1,
    SITE2,
    document,
    full_answers,
    one_problem,
    paper_record,
    refused,
    write,
)

# ------------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"answers": [{"item_id": "10.1", "conclusion": "符合"}]},
            "inspections[0].answers[0] (检查项 10.1): "
            "检查表“工业产品生产许可证获证企业监督检查记录表”（第 2 版）中没有检查项 10.1",
        ),
        (
            {"answers": [{"item_id": "1.1", "conclusion": "不适用"}]},
            "inspections[0].answers[0] (检查项 1.1): 检查表不允许该项填写“不适用”，只能是“符合”或“不符合”",
        ),
        (
            {"answers": [{"item_id": "1.1", "conclusion": "基本符合"}]},
            "inspections[0].answers[0] (检查项 1.1): "
            "检查结论文字“基本符合”不认识，只能是“符合”、“不符合”、“不适用”，未填写时写 null",
        ),
        (
            {"answers": [{"item_id": "2.2", "conclusion": "符合"}]},
            "inspections[0].answers[0] (检查项 2.2): "
            "该项适用于食品相关产品，对工业产品自动记为“不适用”（适用于食品相关产品），"
            "不能填写其他内容",
        ),
        (
            {"answers": [{"item_id": "1.1", "conclusion": "符合"}, {"item_id": "1.1", "conclusion": "不符合"}]},
            "inspections[0].answers[1] (检查项 1.1): 与 answers[0] 是同一检查项，每个检查项只能写一次",
        ),
        (
            {"answers": [{"item_id": "1.1", "conclusion": "符合", "rectified_on_site": "否"}]},
            "inspections[0].answers[0] (检查项 1.1): rectified_on_site 应为 true 或 false（不加引号），现在是文字“否”",
        ),
        (
            {"answers": [{"item_id": "1.1", "conclusion": "符合", "rectified_on_site": True}]},
            "inspections[0].answers[0] (检查项 1.1): rectified_on_site 为 true，但只有“不符合”的项目才能登记当场整改",
        ),
        (
            {"answers": [{"item_id": "1.1", "conclusion": "符合", "recrod": "x"}]},
            "inspections[0].answers[0] (检查项 1.1): 未知字段“recrod”（是否想写 record？）",
        ),
        (
            {"answers": [{"item_id": "1.1", "record": 5}]},
            "inspections[0].answers[0] (检查项 1.1).record: 应为文字（用英文双引号括起来），现在是数字 5",
        ),
        (
            {"answers": [{"item_id": "3.2", "conclusion": "不适用", "na_reason": "停" * 201}]},
            "inspections[0].answers[0] (检查项 3.2): 不适用理由不能超过200个字，现在201个字",
        ),
        (
            {"team": [{"name": "张伟", "badge_no": "31000001"}]},
            "inspections[0].team: 检查人员不少于2名"
            "（《上海市工业产品生产许可证证后监督检查管理办法》第二十四条），现在1名",
        ),
        (
            {"team": [{"name": "张伟", "badge_no": "31000001"}, {"name": "王五", "badge_no": "31009999"}]},
            "inspections[0].team[1].badge_no: 执法证号 31009999（王五） 未登记，请先在检查人员名录中添加",
        ),
        (
            {"team": [{"badge_no": "31000001"}, {"badge_no": "31000001"}]},
            "inspections[0].team[1].badge_no: 执法证号 31000001 与 team[0] 重复，同一检查人员不能重复",
        ),
        (
            {"team": [{"badge_no": "31000001", "role": "组长"}, {"badge_no": "31000002", "role": "组长"}]},
            "inspections[0].team: 只能有一名组长，现在有2名",
        ),
        (
            {"team": [{"badge_no": "31000001", "role": "队长"}, {"badge_no": "31000002"}]},
            "inspections[0].team[0].role: “队长”不认识，只能是“组长”或“组员”，或不写",
        ),
        (
            {"enterprise": {"uscc": "91350100M000100Y44"}},
            "inspections[0].enterprise.uscc: “91350100M000100Y44”：第18位校验码应为“3”，实为“4”，请核对前17位是否抄错",
        ),
        (
            {"enterprise": {"uscc": "91110000100000000R", "name": "北京某公司"}},
            "inspections[0].enterprise.uscc: 统一社会信用代码 91110000100000000R 不在企业名录中，请先导入或登记该企业"
            "（文件中的企业名称：北京某公司）",
        ),
        (
            {"site_address": "上海市松江区某路1号"},
            "inspections[0].site_address: “上海市松江区某路1号”不是上海申华塑料制品有限公司的生产地址；"
            f"名录中的生产地址：{SITE1}；{SITE2}",
        ),
        (
            {"license_number": "(沪)XK13-006-09999"},
            "inspections[0].license_number: 许可证 (沪)XK13-006-09999 不属于上海申华塑料制品有限公司；"
            "该企业的许可证：(沪)XK13-006-00021、(沪)XK16-204-00006",
        ),
        (
            {"license_number": "(沪)XK16-204-00006"},
            "inspections[0].license_number: 许可证 (沪)XK16-204-00006 的产品类别是“直接接触食品的材料等相关产品”，"
            "不能使用检查表“工业产品生产许可证获证企业监督检查记录表”",
        ),
        (
            {"license_number": "沪XK-1"},
            "inspections[0].license_number: “沪XK-1”格式不正确，应形如 (沪)XK16-204-00006",
        ),
        ({"inspected_on": "2026-02-30"}, "inspections[0].inspected_on: “2026-02-30”不是存在的日期"),
        (
            {"inspected_on": "2026/6/15"},
            'inspections[0].inspected_on: 文字“2026/6/15” 不是日期，应写成“年-月-日”，如 "2026-06-15"',
        ),
        (
            {"kind": "例行"},
            "inspections[0].kind: 文字“例行” 不认识，只能是 scheduled（定期）、unscheduled（不定期）、special（专项）、"
            "followup（回访）、double_random（双随机）、flight（飞行）、routine（全覆盖例行）",
        ),
        ({"status": "done"}, "inspections[0].status: 文字“done” 不认识，只能是 draft（填写中）、completed（已完成）"),
        (
            {"completed_at": "2026-06-10T12:00:00"},
            "inspections[0].completed_at: 状态为 draft（填写中）的记录不能有完成时间，请删去或写 null",
        ),
        (
            {"id": "paper-001"},
            "inspections[0].id: “paper-001”不是有效的记录编号（UUID，如 3f2b…-…）；"
            "新录入的纸质记录请删去 id，由程序生成",
        ),
        (
            {"signatures": [{"role": "inspector", "badge_no": "31000001"}]},
            "inspections[0].signatures: 状态为 draft（填写中）的记录不能录入签字：签字确认的是全部检查结论。"
            "请填写全部检查项并把 status 写成 completed（已完成），或删去 signatures",
        ),
        (
            {"signed_on": "2026-06-10"},
            "inspections[0].signed_on: 没有签字（signatures 为空）的记录不写 signed_on，请删去或写 null",
        ),
        (
            {"photos": ["a.jpg"]},
            "inspections[0].photos: 本版本尚不支持导入照片（photos），请删去该字段或写成空列表 []",
        ),
        ({"inspectd_on": "2026-06-10"}, "inspections[0]: 未知字段“inspectd_on”（是否想写 inspected_on？）"),
        (
            {"template": {"id": "cement", "version": 1}},
            "inspections[0].template.id: 本机没有检查表模板“cement”（可用：food 第 2 版、industrial 第 2 版）",
        ),
        (
            {"template": {"id": "industrial", "version": 3}},
            "inspections[0].template.version: 本机模板 industrial 是第 2 版，文件要求第 3 版；"
            "请按第 2 版录入，或使用附带模板快照的导出文件",
        ),
        (
            {"template": {"id": "industrial", "version": "1"}},
            "inspections[0].template.version: 应为整数（不加引号），现在是文字“1”",
        ),
    ],
)
def test_each_problem_is_named(roster_db, templates, tmp_path, change, expected):
    assert one_problem(roster_db, tmp_path, templates, paper_record(**change)) == expected


@pytest.mark.parametrize(
    "missing", ["enterprise", "site_address", "template", "kind", "inspected_on", "status", "team"]
)
def test_required_fields(roster_db, templates, tmp_path, missing):
    rec = paper_record()
    del rec[missing]
    assert one_problem(roster_db, tmp_path, templates, rec) == f"inspections[0]: 缺少字段 {missing}"


def test_a_completed_record_obeys_the_completion_rules(db, sample, templates, tmp_path):
    template = templates["industrial"]
    answers = full_answers(template, **{"4.1": {"conclusion": "不符合", "record": "  "}})
    answers = [a for a in answers if a["item_id"] not in ("1.2", "9.1")]
    problems = refused(
        db, write(tmp_path / "p.json", document(paper_record(status="completed", answers=answers))), templates
    )
    assert problems == [
        "inspections[0].answers (检查项 1.2): 状态为 completed（已完成），但尚未填写检查结论",
        "inspections[0].answers[6] (检查项 4.1): 状态为 completed（已完成），但结论为“不符合”，须填写检查记录",
        "inspections[0].answers (检查项 9.1): 状态为 completed（已完成），但尚未填写检查结论",
    ]
    # The same answers are fine in a draft.
    assert import_inspections(
        db, write(tmp_path / "d.json", document(paper_record(answers=answers))), templates
    ).created


def test_every_problem_of_the_file_is_reported_at_once(db, sample, templates, tmp_path):
    bad = paper_record(
        kind="例行",
        team=[{"badge_no": "31009999"}],
        answers=[{"item_id": "1.1", "conclusion": "不适用"}, {"item_id": "99.9", "conclusion": "符合"}],
    )
    good = paper_record(inspected_on="2026-06-11")
    problems = refused(db, write(tmp_path / "p.json", document(good, bad, "not an object")), templates)
    assert [p.split(":")[0] for p in problems] == [
        "inspections[1].kind",
        "inspections[1].team[0].badge_no",
        "inspections[1].team",
        "inspections[1].answers[0] (检查项 1.1)",
        "inspections[1].answers[1] (检查项 99.9)",
        "inspections[2]",
    ]
    assert "检查人员不少于2名" in problems[2]


def test_the_same_record_twice_in_one_file_is_refused(db, sample, templates, tmp_path):
    problems = refused(db, write(tmp_path / "p.json", document(paper_record(), paper_record())), templates)
    assert problems == [
        "inspections[1]: 与 inspections[0] 是同一生产地址、同一日期的同一检查表；如确是两次检查，请分别写 id"
    ]
    rid = "3f2b1c9e-0000-4000-8000-000000000001"
    rec = paper_record(id=rid)
    problems = refused(db, write(tmp_path / "p.json", document(rec, paper_record(id=rid.upper()))), templates)
    assert problems == ["inspections[1].id: 与 inspections[0] 的编号相同"]


def test_a_given_id_is_kept(db, sample, templates, tmp_path):
    rid = "3f2b1c9e-0000-4000-8000-000000000001"
    result = import_inspections(db, write(tmp_path / "p.json", document(paper_record(id=rid.upper()))), templates)
    assert result.created == (rid,)
    assert svc.load_inspection(db, rid).status == "draft"


def test_a_draft_cannot_move_to_another_site_or_template(db, sample, templates, tmp_path):
    rid = "3f2b1c9e-0000-4000-8000-000000000001"
    import_inspections(db, write(tmp_path / "p.json", document(paper_record(id=rid))), templates)
    moved = paper_record(id=rid, site_address=SITE2)
    assert one_problem(db, tmp_path, templates, moved) == (
        f"inspections[0]: 数据库中的检查记录 {rid} 属于另一企业或生产地址，不能改为本文件中的企业和地址"
    )
    food = paper_record(id=rid, template={"id": "food", "version": 2}, license_number=None, answers=[])
    problem = one_problem(db, tmp_path, templates, food)
    assert problem.startswith(f"inspections[0].template: 数据库中的草稿 {rid} 使用模板 industrial 第 2 版")


# ---------------------------------------------------------------------------------- file-level problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"format": "inspector-app/inspection",\n "format_version": 1,,\n "inspections": []}',
            "JSON 格式错误，第 2 行第 22 列：字段名要用英文双引号括起来，或最后一项后面多了逗号"
            "（Expecting property name enclosed in double quotes）",
        ),
        (
            '{"format": "inspector-app/inspection", "format_version": 1, "inspections": [\n  {"kind": “定期”}]}',
            "JSON 格式错误，第 2 行第 12 列：缺少值，或多了逗号，或用了中文引号“”（Expecting value）",
        ),
        ("", "JSON 格式错误，第 1 行第 1 列：缺少值，或多了逗号，或用了中文引号“”（Expecting value）"),
        ("[]", "文件最外层应为 JSON 对象 {…}，现在是列表"),
        ('{"inspections": []}', "format: 不是检查记录文件：缺少 format 字段（应为“inspector-app/inspection”）"),
        (
            '{"format": "inspector-app/bundle", "format_version": 1, "inspections": []}',
            "format: 不是检查记录文件：format 应为“inspector-app/inspection”，现在是文字“inspector-app/bundle”",
        ),
        (
            '{"format": "inspector-app/inspection", "format_version": 2, "inspections": []}',
            "format_version: 文件由更新版本的程序导出（格式版本 2），本程序只认识到第 1 版，请升级本程序后再导入",
        ),
        (
            '{"format": "inspector-app/inspection", "format_version": 1, "inspection": []}',
            "未知字段“inspection”（是否想写 inspections？）",
        ),
        (
            '{"format": "inspector-app/inspection", "format_version": 1, "inspections": [], "inspections": []}',
            "同一个对象中字段“inspections”写了两次，请只保留一个",
        ),
    ],
)
def test_file_level_problems(roster_db, templates, tmp_path, text, expected):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    problems = refused(roster_db, path, templates)
    assert expected in problems, problems


def test_a_file_that_is_not_utf8_or_missing(db, templates, tmp_path):
    path = tmp_path / "gbk.json"
    path.write_bytes(json.dumps(document(paper_record()), ensure_ascii=False).encode("gbk"))
    assert refused(db, path, templates)[0].startswith("文件不是 UTF-8 编码")
    assert refused(db, tmp_path / "nowhere.json", templates)[0].startswith("无法读取文件")


def test_a_byte_order_mark_is_accepted(db, sample, templates, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(document(paper_record()), ensure_ascii=False).encode("utf-8"))
    assert len(import_inspections(db, path, templates).created) == 1
