"""Inspections imported from JSON (core/inspection/json_io.py): hand-typed paper records, drafts updated by a
newer file, completed inspections left alone, warnings, and the problem category."""

import json
from datetime import date

import pytest

from inspector_app.core.inspection import inspections as svc
from inspector_app.core.inspection.json_io import (
    export_inspections,
    import_inspections,
)
from inspector_app.core.storage.models import (
    Inspection,
)
from tests.core.inspection_io_helpers import (
    SITE1,
    USCC,
    document,
    full_answers,
    one_problem,
    paper_record,
    refused,
    row_counts,
    write,
)

# ------------------------------------------------------------------------------- paper records and drafts


def test_a_paper_record_without_id_is_created_once(db, sample, templates, tmp_path, fixed_today):
    path = write(tmp_path / "paper.json", document(paper_record()))
    first = import_inspections(db, path, templates)
    assert len(first.created) == 1
    view = svc.load_inspection(db, first.created[0])
    assert view.kind == "scheduled" and view.status == "draft" and view.inspected_on == date(2026, 6, 10)
    assert view.answer("1.1") == svc.Answer("1.1", "conform", "", "名称一致")
    assert view.answer("4.1").conclusion == "nonconform"
    assert view.answer("2.2").conclusion == "na"  # food-only item pre-set as when started in the app
    assert view.template.digest == templates["industrial"].digest
    assert [m.name for m in view.team] == ["张伟", "刘洋"]
    # The same paper record again: found by site, date and form; nothing changes.
    before = row_counts(db)
    again = import_inspections(db, path, templates)
    assert again.created == () and again.unchanged == first.created
    assert row_counts(db) == before


def test_accepts_codes_and_chinese_labels(db, sample, templates, tmp_path):
    rec = paper_record(kind="double_random", status="填写中")
    rec["answers"] = [
        {"item_id": "1.1", "conclusion": "conform"},
        {"item_id": "1.2", "conclusion": "nonconform", "record": "经营范围不含涂料"},
        {"item_id": "3.2", "conclusion": "na"},
        {"item_id": "3.1", "conclusion": "不适用", "na_reason": "环保限产"},
        {"item_id": "1.3", "conclusion": None, "remark": "待核"},
        {"item_id": "5.1", "conclusion": ""},
    ]
    result = import_inspections(db, write(tmp_path / "p.json", document(rec)), templates)
    view = svc.load_inspection(db, result.created[0])
    assert view.kind == "double_random" and view.status == "draft"
    assert view.answer("1.1").conclusion == "conform"
    assert view.answer("1.2").conclusion == "nonconform"
    assert view.answer("3.2").na_reason == "停产不适用"  # the form's reason when none is given
    assert view.answer("3.1").na_reason == "环保限产"
    assert view.answer("1.3") == svc.Answer("1.3", None, "", "", "待核")
    assert "5.1" not in view.answers


def test_the_leader_comes_first_whatever_the_order_in_the_file(db, sample, templates, tmp_path):
    rec = paper_record(
        team=[
            {"name": "张伟", "badge_no": "31000001", "role": "组员"},
            {"name": "刘洋", "badge_no": "31000002"},
            {"name": "陈静", "badge_no": "31000003", "role": "组长"},
        ]
    )
    result = import_inspections(db, write(tmp_path / "p.json", document(rec)), templates)
    assert [m.badge_no for m in svc.load_inspection(db, result.created[0]).team] == ["31000003", "31000001", "31000002"]


def test_a_completed_paper_record_is_imported_as_completed(db, sample, templates, tmp_path, fixed_today):
    template = templates["industrial"]
    rec = paper_record(status="completed", answers=full_answers(template, **{"3.2": {"conclusion": "不适用"}}))
    result = import_inspections(db, write(tmp_path / "p.json", document(rec)), templates)
    view = svc.load_inspection(db, result.created[0])
    assert view.status == "completed" and view.blockers() == []
    with db.session() as s:
        assert s.get(Inspection, view.id).completed_at.isoformat() == "2026-06-15T10:30:00"


def test_a_draft_is_updated_by_a_newer_file_and_can_be_completed(db, two, templates, tmp_path):
    _done, draft = two
    out = tmp_path / "out.json"
    export_inspections(db, [draft], out)
    doc = json.loads(out.read_text("utf-8"))
    rec = doc["inspections"][0]
    rec["answers"] = full_answers(templates["food"], **{"2.2": {"conclusion": "不符合", "record": "无消毒设施"}})
    rec["status"] = "completed"
    rec["team"] = rec["team"][:2]
    rev = svc.load_inspection(db, draft).rev
    result = import_inspections(db, write(out, doc), templates)
    assert result.updated == (draft,) and result.created == ()
    view = svc.load_inspection(db, draft)
    assert view.status == "completed" and view.rev > rev
    assert view.answer("2.2").record == "无消毒设施"
    assert view.answer("1.1") == svc.Answer("1.1", "conform", "", "无异常")  # the old remark is replaced
    assert len(view.team) == 2


def test_a_draft_update_replaces_answers_with_the_files(db, sample, templates, tmp_path):
    path = write(tmp_path / "p.json", document(paper_record()))
    iid = import_inspections(db, path, templates).created[0]
    svc.save_answer(db, iid, "1.2", conclusion="conform")  # typed in the app after the import
    rev = svc.load_inspection(db, iid).rev
    rec = paper_record(answers=[{"item_id": "1.1", "conclusion": "不符合", "record": "名称不一致"}])
    result = import_inspections(db, write(path, document(rec)), templates)
    assert result.updated == (iid,)
    view = svc.load_inspection(db, iid)
    assert view.rev == rev + 1  # only answers changed, yet the record's revision tells sync it is newer
    assert set(view.answers) == {"1.1", "2.2", "2.3", "4.2"}  # the file is the whole record
    assert view.answer("1.1").record == "名称不一致"


def test_a_completed_inspection_is_never_changed_by_an_import(db, two, templates, tmp_path):
    done, _draft = two
    out = tmp_path / "out.json"
    export_inspections(db, [done], out)
    doc = json.loads(out.read_text("utf-8"))
    doc["inspections"][0]["answers"][0]["record"] = "事后改写"
    before = svc.load_inspection(db, done)
    problems = refused(db, write(out, doc), templates)
    assert problems == [
        f"inspections[0]: 数据库中的检查记录 {done}（2026-06-15）已完成，不能被导入修改；文件中的内容与它不同"
    ]
    assert svc.load_inspection(db, done) == before
    # Nor turned back into a draft.
    doc = json.loads(json.dumps(doc).replace("事后改写", "1.1 现场核查无异常"))
    doc["inspections"][0]["status"] = "draft"
    doc["inspections"][0]["completed_at"] = None
    assert "已完成，不能被导入修改" in refused(db, write(out, doc), templates)[0]


def test_a_paper_record_matching_a_completed_inspection_is_refused(db, two, templates, tmp_path):
    rec = paper_record(inspected_on="2026-06-15")  # same site, day and form as the completed one
    problems = refused(db, write(tmp_path / "p.json", document(rec)), templates)
    assert "已完成，不能被导入修改" in problems[0]


def test_dry_run_writes_nothing(db, sample, templates, tmp_path):
    before = row_counts(db)
    result = import_inspections(db, write(tmp_path / "p.json", document(paper_record())), templates, dry_run=True)
    assert len(result.created) == 1 and not result.written
    assert row_counts(db) == before


def test_a_file_with_no_inspections_is_fine(db, templates, tmp_path):
    result = import_inspections(db, write(tmp_path / "e.json", document()), templates)
    assert result == type(result)()


# -------------------------------------------------------------------------------------------- warnings


def test_name_mismatches_are_warnings(db, sample, templates, tmp_path, fixed_today):
    rec = paper_record()
    rec["enterprise"]["name"] = "申华塑料"
    rec["team"][1]["name"] = "刘阳"
    result = import_inspections(db, write(tmp_path / "p.json", document(rec)), templates)
    assert len(result.created) == 1
    assert result.warnings == (
        "inspections[0].enterprise.name: 文件中为“申华塑料”，名录中为“上海申华塑料制品有限公司”；"
        f"已按统一社会信用代码 {USCC} 匹配，请核对",
        "inspections[0].team[1].name: 文件中为“刘阳”，执法证号 31000002 登记的是“刘洋”；已按执法证号匹配，请核对",
    )


def test_a_date_after_today_is_a_warning(db, sample, templates, tmp_path, fixed_today):
    result = import_inspections(
        db, write(tmp_path / "p.json", document(paper_record(inspected_on="2026-06-16"))), templates
    )
    assert result.warnings == ("inspections[0].inspected_on: 检查日期 2026-06-16 晚于今天，请核对",)


def test_full_width_and_spacing_differences_still_match(db, sample, templates, tmp_path):
    rec = paper_record(site_address=" 上海市奉贤区南桥镇江海路８８号 ", license_number="（沪）XK13-006-00021")
    rec["enterprise"]["uscc"] = USCC.lower()
    result = import_inspections(db, write(tmp_path / "p.json", document(rec)), templates)
    view = svc.load_inspection(db, result.created[0])
    assert (view.site_address, view.license_number) == (SITE1, "(沪)XK13-006-00021")


def test_a_na_reason_on_another_conclusion_is_not_imported_and_says_so(db, sample, templates, tmp_path, fixed_today):
    rec = paper_record(answers=[{"item_id": "3.2", "conclusion": "符合", "na_reason": "停产"}])
    result = import_inspections(db, write(tmp_path / "p.json", document(rec)), templates)
    expected = "inspections[0].answers[0] (检查项 3.2): 结论不是“不适用”，不适用理由（na_reason）未导入"
    assert result.warnings == (expected,)
    assert svc.load_inspection(db, result.created[0]).answer("3.2") == svc.Answer("3.2", "conform")


# ------------------------------------------------------------------------ problem category (000 二(二))


def test_problem_category_is_exported_and_survives_the_round_trip(db, sample, templates, tmp_path, other_db):
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=templates["industrial"],
        kind="unscheduled",
        team=sample.inspector_ids[:2],
        inspected_on=date(2026, 6, 16),
        license_id=sample.license_id,
    )
    svc.save_answer(db, iid, "2.1", conclusion="nonconform", record="天平超过检定周期", problem_category="检验手段")
    svc.save_answer(db, iid, "4.1", conclusion="nonconform", record="出厂检验记录缺失")  # default 检验情况
    out = tmp_path / "out.json"
    export_inspections(db, [iid], out)
    doc = json.loads(out.read_text("utf-8"))
    answers = {a["item_id"]: a for a in doc["inspections"][0]["answers"]}
    assert answers["2.1"]["problem_category"] == "检验手段"
    assert answers["4.1"]["problem_category"] is None  # null: the item's default category
    assert list(answers["2.1"])[-1] == "problem_category"

    assert import_inspections(other_db, out, templates).created == (iid,)
    theirs = svc.load_inspection(other_db, iid)
    assert theirs.answers == svc.load_inspection(db, iid).answers
    assert theirs.answer("2.1").problem_category == "检验手段"
    export_inspections(other_db, [iid], tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == out.read_bytes()

    # Changing only the category of a draft is a change: the draft is updated.
    answers["4.1"]["problem_category"] = "其他"
    result = import_inspections(other_db, write(tmp_path / "edited.json", doc), templates)
    assert result.updated == (iid,)
    assert svc.load_inspection(other_db, iid).answer("4.1").problem_category == "其他"


def test_a_paper_record_may_name_the_problem_category(db, sample, templates, tmp_path):
    rec = paper_record(
        answers=[
            {"item_id": "2.1", "conclusion": "不符合", "record": "检验设备未检定", "problem_category": "检验手段"},
            {"item_id": "4.1", "conclusion": "不符合", "record": "无出厂检验记录", "problem_category": "检验情况"},
            {"item_id": "1.1", "conclusion": "符合", "problem_category": None},
        ]
    )
    (iid,) = import_inspections(db, write(tmp_path / "p.json", document(rec)), templates).created
    view = svc.load_inspection(db, iid)
    assert view.answer("2.1").problem_category == "检验手段"
    assert view.answer("4.1").problem_category is None  # the default is stored as null
    assert view.answer("1.1").problem_category is None


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            {"item_id": "2.1", "conclusion": "不符合", "record": "x", "problem_category": "生产资质"},
            "inspections[0].answers[0] (检查项 2.1): "
            "“生产资质”不是该项可选的问题类别，只能是“生产条件”、“检验手段”之一",
        ),
        (
            {"item_id": "5.1", "conclusion": "不符合", "record": "x", "problem_category": "其他"},
            "inspections[0].answers[0] (检查项 5.1): “其他”不是该项可选的问题类别，该项的问题只计入“许可证标志和编号”",
        ),
        (
            {"item_id": "2.1", "conclusion": "符合", "problem_category": "检验手段"},
            "inspections[0].answers[0] (检查项 2.1): 只有检查结论为“不符合”时才能选择问题类别",
        ),
        (
            {"item_id": "2.1", "conclusion": "不符合", "record": "x", "problem_category": 3},
            'inspections[0].answers[0] (检查项 2.1): problem_category 应为问题类别文字，如 "检验手段"，或 null，'
            "现在是数字 3",
        ),
        (
            {"item_id": "2.2", "conclusion": "不适用", "problem_category": "生产条件"},
            "inspections[0].answers[0] (检查项 2.2): 该项适用于食品相关产品，对工业产品自动记为“不适用”"
            "（适用于食品相关产品），不能填写其他内容",
        ),
    ],
)
def test_a_wrong_problem_category_is_named(roster_db, templates, tmp_path, answer, expected):
    assert one_problem(roster_db, tmp_path, templates, paper_record(answers=[answer])) == expected
