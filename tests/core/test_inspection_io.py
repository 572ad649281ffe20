"""Inspections as JSON (core/inspection/json_io.py): real files on disk, real SQLite, every refusal named."""

import base64
import copy
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspector_app.core.errors import NotFound
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.inspection.json_io import (
    FORMAT,
    ImportRefused,
    export_inspections,
    import_inspections,
    inspections_document,
)
from inspector_app.core.inspection.templates import load_templates
from inspector_app.core.issuing import signing
from inspector_app.core.storage.db import open_database
from inspector_app.core.storage.docs_models import InspectionSignoff, Signature
from inspector_app.core.storage.models import (
    Base,
    Enterprise,
    Inspection,
    Inspector,
    License,
    Site,
)
from inspector_app.documents.generate import generate
from tests.documents import factory
from tests.documents.factory import flat, pdf_text

FORMS = Path(__file__).parents[2] / "forms"
USCC = "91350100M000100Y43"
SITE1 = "上海市奉贤区南桥镇江海路88号"
SITE2 = "上海市奉贤区青村镇光明路6号"


# ---------------------------------------------------------------------------------------------- helpers


def make_roster(database) -> None:
    """The same roster as conftest's `sample`, with other UUIDs (as on another laptop)."""
    with database.session() as s:
        ent = Enterprise(uscc=USCC, name="上海申华塑料制品有限公司", district="奉贤区")
        site = Site(enterprise=ent, address=SITE1, district="奉贤区")
        site2 = Site(enterprise=ent, address=SITE2, district="奉贤区")
        other = Enterprise(uscc="91310000MA1FL0000A", name="上海另一家有限公司", district="松江区")
        s.add_all(
            [
                ent,
                site,
                site2,
                other,
                Site(enterprise=other, address="上海市松江区某路1号", district="松江区"),
                License(
                    enterprise=ent,
                    site=site,
                    number="(沪)XK13-006-00021",
                    category="危险化学品",
                    expiry_date=date(2027, 2, 28),
                ),
                License(
                    enterprise=ent,
                    site=site2,
                    number="(沪)XK16-204-00006",
                    category="直接接触食品的材料等相关产品",
                    expiry_date=date(2026, 7, 31),
                ),
                Inspector(name="陈静", badge_no="31000003"),
                Inspector(name="刘洋", badge_no="31000002"),
                Inspector(name="张伟", badge_no="31000001"),
            ]
        )


@pytest.fixture
def other_db(tmp_path):
    database = open_database(tmp_path / "other.sqlite3")
    make_roster(database)
    yield database
    database.close()


@pytest.fixture(scope="module")
def roster_db(tmp_path_factory):
    """One database for the refusal tests: a refused import writes nothing, so they can share it."""
    database = open_database(tmp_path_factory.mktemp("roster") / "roster.sqlite3")
    make_roster(database)
    yield database
    database.close()


def row_counts(database) -> dict[str, int]:
    with database.session() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def completed_industrial(db, sample, templates) -> str:
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=templates["industrial"],
        kind="scheduled",
        team=[sample.inspector_ids[1], sample.inspector_ids[0]],
        inspected_on=date(2026, 6, 15),
        license_id=sample.license_id,
    )
    for item in templates["industrial"].applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="conform", record=f"{item.id} 现场核查无异常")
    svc.save_answer(db, iid, "4.1", conclusion="nonconform", record="出厂检验报告缺少批号", rectified_on_site=True)
    svc.save_answer(db, iid, "3.2", conclusion="na", remark="停产整顿中")
    svc.save_answer(db, iid, "6.1", conclusion="na", na_reason="产品不涉及产业政策")
    svc.complete_inspection(db, iid)
    return iid


def draft_food(db, sample, templates) -> str:
    iid = svc.start_inspection(
        db,
        site_id=_site2(db),  # the second production address
        template=templates["food"],
        kind="double_random",
        team=sample.inspector_ids,
        inspected_on=date(2026, 6, 14),
        license_id=sample.food_license_id,
    )
    svc.save_answer(db, iid, "2.2", conclusion="nonconform", record="更衣室无鞋靴消毒设施")
    svc.save_answer(db, iid, "1.1", remark="尚未核对营业执照原件")
    return iid


def _site2(db) -> str:
    with db.session() as s:
        return s.scalar(select(Site.id).where(Site.address == SITE2))


@pytest.fixture
def two(db, sample, templates, fixed_today):
    """A completed industrial inspection and a food draft at the second site."""
    return completed_industrial(db, sample, templates), draft_food(db, sample, templates)


def write(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def paper_record(**overrides) -> dict:
    """A hand-typed paper record: no id, no digest, Chinese labels, only some answers (a draft)."""
    record = {
        "enterprise": {"uscc": USCC, "name": "上海申华塑料制品有限公司"},
        "site_address": SITE1,
        "license_number": "(沪)XK13-006-00021",
        "template": {"id": "industrial", "version": 2},
        "kind": "定期",
        "inspected_on": "2026-06-10",
        "status": "draft",
        "team": [{"name": "张伟", "badge_no": "31000001", "role": "组长"}, {"name": "刘洋", "badge_no": "31000002"}],
        "answers": [
            {"item_id": "1.1", "conclusion": "符合", "record": "名称一致"},
            {"item_id": "4.1", "conclusion": "不符合", "record": "无出厂检验记录"},
        ],
    }
    record.update(overrides)
    return record


def full_answers(template, **changes) -> list[dict]:
    answers = [{"item_id": i.id, "conclusion": "conform", "record": "无异常"} for i in template.applicable_items]
    for a in answers:
        if a["item_id"] in changes:
            a.update(changes[a["item_id"]])
    return answers


def document(*inspections) -> dict:
    return {"format": FORMAT, "format_version": 1, "inspections": list(inspections)}


def refused(database, path, templates) -> list[str]:
    before = row_counts(database)
    with pytest.raises(ImportRefused) as caught:
        import_inspections(database, path, templates)
    assert row_counts(database) == before, "a refused import must write nothing"
    assert "未写入任何数据" in str(caught.value)
    return caught.value.problems


# ------------------------------------------------------------------------------------------------ export


def test_export_writes_readable_utf8_json_with_the_template_snapshot(db, two, templates, tmp_path):
    done, draft = two
    out = tmp_path / "out.json"
    assert export_inspections(db, None, out) == 2
    raw = out.read_bytes()
    text = raw.decode("utf-8")
    assert "上海申华塑料制品有限公司" in text and "\\u" not in text  # Chinese as itself, not escaped
    assert text.startswith('{\n  "format": "inspector-app/inspection"') and text.endswith("}\n")
    doc = json.loads(text)
    assert list(doc) == ["format", "format_version", "templates", "inspections"]
    assert [t["id"] for t in doc["templates"]] == ["food", "industrial"]
    assert {t["digest"] for t in doc["templates"]} == {templates["food"].digest, templates["industrial"].digest}
    # Ordered by inspection date: the food draft (14 June) first.
    first, second = doc["inspections"]
    assert (first["id"], second["id"]) == (draft, done)
    assert list(second) == [
        "id",
        "enterprise",
        "site_address",
        "license_number",
        "template",
        "kind",
        "inspected_on",
        "status",
        "completed_at",
        "team",
        "answers",
        "signed_on",
        "rectification_days",
        "signatures",
        "photos",
    ]
    # Not signed: no signing date, no period, no signatures.
    assert (second["signed_on"], second["rectification_days"], second["signatures"]) == (None, None, [])
    assert second["template"] == {"id": "industrial", "version": 2, "digest": templates["industrial"].digest}
    assert second["enterprise"] == {"uscc": USCC, "name": "上海申华塑料制品有限公司"}
    assert second["license_number"] == "(沪)XK13-006-00021"
    assert (second["status"], second["completed_at"], second["kind"]) == (
        "completed",
        "2026-06-15T10:30:00",
        "scheduled",
    )
    assert second["team"] == [
        {"name": "刘洋", "badge_no": "31000002", "role": "组长"},
        {"name": "张伟", "badge_no": "31000001", "role": "组员"},
    ]
    answers = {a["item_id"]: a for a in second["answers"]}
    assert [a["item_id"] for a in second["answers"]] == [i.id for i in templates["industrial"].items]
    assert answers["4.1"] == {
        "item_id": "4.1",
        "conclusion": "不符合",
        "record": "出厂检验报告缺少批号",
        "remark": "",
        "na_reason": "",
        "rectified_on_site": True,
        "problem_category": None,
    }
    assert answers["2.2"]["conclusion"] == "不适用" and answers["2.2"]["na_reason"] == "适用于食品相关产品"
    assert answers["6.1"]["na_reason"] == "产品不涉及产业政策"
    assert first["status"] == "draft" and first["completed_at"] is None
    assert {a["item_id"] for a in first["answers"]} == {"1.1", "2.2"}
    assert first["answers"][0] == {
        "item_id": "1.1",
        "conclusion": None,
        "record": "",
        "remark": "尚未核对营业执照原件",
        "na_reason": "",
        "rectified_on_site": False,
        "problem_category": None,
    }


def test_export_is_stable(db, two, tmp_path):
    export_inspections(db, None, tmp_path / "a.json")
    export_inspections(db, None, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_export_of_chosen_ids_keeps_their_order(db, two, tmp_path):
    done, draft = two
    export_inspections(db, [done, draft, done], tmp_path / "x.json")
    doc = json.loads((tmp_path / "x.json").read_text("utf-8"))
    assert [i["id"] for i in doc["inspections"]] == [done, draft]
    export_inspections(db, [done], tmp_path / "one.json")
    doc = json.loads((tmp_path / "one.json").read_text("utf-8"))
    assert [t["id"] for t in doc["templates"]] == ["industrial"]


def test_export_of_an_unknown_id_writes_nothing(db, two, tmp_path):
    out = tmp_path / "x.json"
    with pytest.raises(NotFound, match="no-such-id"):
        export_inspections(db, [two[0], "no-such-id"], out)
    assert not out.exists()
    assert list(tmp_path.glob(".x.json.*")) == []


def test_export_of_an_empty_database(db, tmp_path):
    assert export_inspections(db, None, tmp_path / "e.json") == 0
    assert inspections_document(db)["inspections"] == []


# --------------------------------------------------------------------------------------- round trip


def test_export_then_import_into_a_fresh_database_gives_identical_answers(db, two, templates, tmp_path, other_db):
    out = export_inspections(db, None, tmp_path / "out.json") and tmp_path / "out.json"
    result = import_inspections(other_db, out, templates)
    assert set(result.created) == set(two) and result.updated == result.unchanged == ()
    assert result.warnings == ()
    for iid in two:
        mine, theirs = svc.load_inspection(db, iid), svc.load_inspection(other_db, iid)
        assert theirs.answers == mine.answers
        assert [m.badge_no for m in theirs.team] == [m.badge_no for m in mine.team]
        assert theirs.template == mine.template
        assert (theirs.status, theirs.kind, theirs.inspected_on, theirs.license_number, theirs.site_address) == (
            mine.status,
            mine.kind,
            mine.inspected_on,
            mine.license_number,
            mine.site_address,
        )
        assert theirs.enterprise_id == mine.enterprise_id  # matched by USCC, whose id it is (core/storage/identity.py)
    # Exporting again from the other database gives the same file, byte for byte.
    export_inspections(other_db, None, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == out.read_bytes()


def test_importing_the_same_file_twice_changes_nothing(db, two, templates, tmp_path, other_db):
    out = tmp_path / "out.json"
    export_inspections(db, None, out)
    import_inspections(other_db, out, templates)
    before = row_counts(other_db)
    with other_db.session() as s:
        revs = {i.id: i.rev for i in s.scalars(select(Inspection))}
    result = import_inspections(other_db, out, templates)
    assert result.created == result.updated == ()
    assert set(result.unchanged) == set(two)
    assert not result.changed
    assert row_counts(other_db) == before
    with other_db.session() as s:
        assert {i.id: i.rev for i in s.scalars(select(Inspection))} == revs
    # Importing back into the database it came from changes nothing either.
    assert set(import_inspections(db, out, templates).unchanged) == set(two)


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


# ------------------------------------------------------------------------------------------ refusals


def one_problem(db, tmp_path, templates, rec) -> str:
    problems = refused(db, write(tmp_path / "p.json", document(rec)), templates)
    assert len(problems) == 1, problems
    return problems[0]


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
            "inspections[0].team: 检查人员不少于2名（001 第二十四条），现在1名",
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


# ---------------------------------------------------------------------------------------- templates


@pytest.fixture
def forms_v2(tmp_path):
    """The forms folder after a clerk changed item 1.1 of the industrial form and made it version 3."""
    forms = tmp_path / "forms_v2"
    shutil.copytree(FORMS, forms)
    path = forms / "industrial.toml"
    text = path.read_text("utf-8").replace("version = 2", "version = 3", 1)
    path.write_text(text.replace("是否存在擅自变更名称的行为。", "是否擅自变更名称。", 1), "utf-8")
    return load_templates(forms)


def test_an_export_carries_its_template_to_a_machine_with_newer_forms(db, two, templates, tmp_path, other_db, forms_v2):
    done, _draft = two
    out = tmp_path / "out.json"
    export_inspections(db, [done], out)
    result = import_inspections(other_db, out, forms_v2)
    assert result.created == (done,)
    assert result.warnings == (
        "inspections[0].template: 检查表模板 industrial 第 2 版 不是本机 forms 中的模板，按文件附带的模板快照导入",
    )
    view = svc.load_inspection(other_db, done)
    assert view.template == templates["industrial"]
    assert view.answers == svc.load_inspection(db, done).answers
    # Once the snapshot is in the database, the same file imports without a warning and changes nothing.
    again = import_inspections(other_db, out, forms_v2)
    assert again.unchanged == (done,) and again.warnings == ()


def test_without_the_snapshot_a_digest_of_another_version_is_refused(db, two, templates, tmp_path, other_db, forms_v2):
    done, _draft = two
    out = tmp_path / "out.json"
    export_inspections(db, [done], out)
    doc = json.loads(out.read_text("utf-8"))
    del doc["templates"]
    problems = refused(other_db, write(out, doc), forms_v2)
    digest = templates["industrial"].digest
    assert problems == [
        f"inspections[0].template.digest: 检查表模板 industrial 第 2 版 的校验值 {digest[:12]}… "
        "与本机 forms 中的同名模板（第 3 版）内容不同，文件中也没有附带该模板快照（templates）。"
        "请使用本程序导出的完整文件；纸质记录请删去 digest，按本机模板录入"
    ]
    # With the same forms as the exporting machine, the digest alone is enough.
    assert import_inspections(other_db, out, templates).created == (done,)


def test_a_tampered_template_snapshot_is_refused(db, two, templates, tmp_path, other_db):
    out = tmp_path / "out.json"
    export_inspections(db, [two[0]], out)
    doc = json.loads(out.read_text("utf-8"))
    doc["templates"][0]["sections"][0]["items"][0]["text"] = "改过的检查内容"
    problems = refused(other_db, write(out, doc), templates)
    assert problems[0] == "templates[0]: 内容与其校验值不符，快照已被改动或损坏；请从备份恢复。"


def test_a_digest_naming_another_template_is_refused(db, sample, templates, tmp_path):
    rec = paper_record(template={"id": "industrial", "version": 2, "digest": templates["food"].digest})
    problem = one_problem(db, tmp_path, templates, rec)
    assert problem == (
        f"inspections[0].template: 校验值 {templates['food'].digest[:12]}… 对应的是模板 food 第 2 版，"
        "与文件中写的 检查表模板 industrial 第 2 版 不符"
    )


def test_an_exported_record_survives_a_round_trip_through_an_edit(db, two, templates, tmp_path, other_db):
    """Scripts may load the export, change a draft and write it back: the structure stays importable."""
    out = tmp_path / "out.json"
    export_inspections(db, None, out)
    doc = json.loads(out.read_text("utf-8"))
    edited = copy.deepcopy(doc)
    draft = next(i for i in edited["inspections"] if i["status"] == "draft")
    draft["answers"].append({"item_id": "9.1", "conclusion": "符合"})
    import_inspections(other_db, out, templates)
    result = import_inspections(other_db, write(tmp_path / "edited.json", edited), templates)
    assert result.updated == (draft["id"],) and len(result.unchanged) == 1
    assert svc.load_inspection(other_db, draft["id"]).answer("9.1").conclusion == "conform"


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


# ------------------------------------------------------------------------------------- signatures


REFUSAL = "企业代表（王建国）拒绝签字。原因：对第4.1项检查结论有异议。见证人：陈静（检查组）。"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def paper_signatures() -> list[dict]:
    """What a clerk types from a record signed on paper: both inspectors with a scan, the representative refused."""
    return [
        {
            "role": "inspector",
            "badge_no": "31000001",
            "name": "张伟",
            "image_png_base64": b64(factory.signature_png(1)),
        },
        {"role": "检查人员", "badge_no": "31000002", "image_png_base64": b64(factory.signature_png(2))},
        {
            "role": "representative",
            "name": "王建国",
            "title": "总经理",
            "phone": "13900000000",
            "state": "拒绝签字",
            "reason": "对第4.1项检查结论有异议",
            "witness": "陈静（检查组）",
        },
    ]


def signed_paper_record(signatures=None, **overrides) -> dict:
    """A completed paper record (one 不符合, 4.1) with its paper signatures."""
    answers = full_answers(
        load_templates(FORMS)["industrial"], **{"4.1": {"conclusion": "不符合", "record": "出厂检验报告缺少批号"}}
    )
    record = paper_record(status="completed", answers=answers, signatures=paper_signatures())
    record.update(signed_on="2026-06-10", rectification_days=20)
    if signatures is not None:
        record["signatures"] = signatures
    record.update(overrides)
    return record


def test_a_paper_signed_record_is_imported_and_its_summary_shows_the_refusal(
    db, sample, templates, tmp_path, fixed_today
):
    result = import_inspections(db, write(tmp_path / "signed.json", document(signed_paper_record())), templates)
    assert len(result.created) == 1 and result.signed == result.created and result.warnings == ()
    iid = result.created[0]
    assert signing.status(db, iid) == "signed"
    state = signing.get_signed(db, iid)
    assert (state.signed_on, state.rectification_days) == (date(2026, 6, 10), 20)
    assert [(s.role, s.name, s.source) for s in state.signatures] == [
        ("inspector", "张伟", "paper"),
        ("inspector", "刘洋", "paper"),
        ("representative", "王建国", "paper"),
    ]
    assert [s.image for s in state.inspectors] == [factory.signature_png(1), factory.signature_png(2)]
    rep = state.representative
    assert (rep.state, rep.reason, rep.witness, rep.title, rep.image) == (
        "refused",
        "对第4.1项检查结论有异议",
        "陈静（检查组）",
        "总经理",
        None,
    )
    assert rep.note == REFUSAL
    assert signing.verify_record(db, iid) == []
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Signature)) == 3
        assert s.scalar(select(func.count()).select_from(InspectionSignoff)) == 1
    # The documents can be printed from it.
    text = pdf_text(generate(db, iid, "summary").pdf)
    assert flat(REFUSAL) in text
    assert "出厂检验报告缺少批号" in text and "请企业在20日内（即2026年6月30日前）完成整改" in text


def test_a_representative_who_signed_without_a_scan_and_the_defaults(db, sample, templates, tmp_path, fixed_today):
    team = [{"role": "inspector", "badge_no": "31000001"}, {"role": "inspector", "badge_no": "31000002"}]
    rep = {"role": "企业代表", "name": "李秀英", "title": "质量部经理", "phone": "13800138000", "state": "已签字"}
    rec = signed_paper_record([*team, rep])
    del rec["signed_on"], rec["rectification_days"]
    iid = import_inspections(db, write(tmp_path / "s.json", document(rec)), templates).created[0]
    state = signing.get_signed(db, iid)
    # Signed on the day of the inspection; the period is the bureau's default.
    assert (state.signed_on, state.rectification_days) == (date(2026, 6, 10), 30)
    assert all(s.image is None for s in state.signatures) and state.representative.state == "signed"
    text = pdf_text(generate(db, iid, "summary").pdf)
    assert "李秀英（纸质签字）" in text and "张伟（纸质签字）" in text


def sig_problems(database, tmp_path, templates, signatures=None, **overrides) -> list[str]:
    return refused(
        database, write(tmp_path / "p.json", document(signed_paper_record(signatures, **overrides))), templates
    )


def changed(k: int, **fields) -> list[dict]:
    sigs = paper_signatures()
    for key, value in fields.items():
        if value is None:
            sigs[k].pop(key, None)
        else:
            sigs[k][key] = value
    return sigs


NOT_PNG = b64(b"GIF89a" + bytes(40))


@pytest.mark.parametrize(
    ("signatures", "overrides", "expected"),
    [
        (
            {"role": "inspector"},
            {},
            ["inspections[0].signatures: 应为签字的列表 […]，现在是对象"],
        ),
        (
            ["张伟", *paper_signatures()[1:]],
            {},
            [
                'inspections[0].signatures[0]: 应为对象，如 {"role": "inspector", "badge_no": "31000001"}，'
                "现在是文字“张伟”"
            ],
        ),
        (
            changed(2, witnes="陈静"),
            {},
            ["inspections[0].signatures[2]: 未知字段“witnes”（是否想写 witness？）"],
        ),
        (
            changed(0, image_png_base64="不是base64!"),
            {},
            [
                "inspections[0].signatures[0].image_png_base64: 不是有效的 Base64 文字（只能含 A–Z、a–z、0–9、+、/，"
                "末尾可有 =）；请写签名扫描图片（PNG 文件）的 Base64 编码，没有扫描件时删去该字段"
            ],
        ),
        (
            changed(1, image_png_base64=NOT_PNG),
            {},
            ["inspections[0].signatures[1].image_png_base64: 签名图片应为PNG格式"],
        ),
        (
            paper_signatures()[::2],
            {},
            ["inspections[0].signatures: 以下检查组成员尚未签字：刘洋"],
        ),
        (
            changed(1, badge_no="31000003"),
            {},
            [
                "inspections[0].signatures[1].badge_no: 执法证号 31000003：签字人不是本次检查组成员",
                "inspections[0].signatures: 以下检查组成员尚未签字：刘洋",
            ],
        ),
        (
            changed(1, badge_no="31000001"),
            {},
            [
                "inspections[0].signatures[1].badge_no: 执法证号 31000001：同一检查人员签了两次",
                "inspections[0].signatures: 以下检查组成员尚未签字：刘洋",
            ],
        ),
        (
            changed(1, badge_no="31009999", name="王五"),
            {},
            ["inspections[0].signatures[1].badge_no: 执法证号 31009999（王五） 未登记，请先在检查人员名录中添加"],
        ),
        (
            changed(0, badge_no=None),
            {},
            ["inspections[0].signatures[0]: 检查人员签字须写执法证号 badge_no，与 team 中的一致"],
        ),
        (
            changed(0, state="refused"),
            {},
            ["inspections[0].signatures[0].state: 检查人员必须本人签字"],
        ),
        (
            changed(0, witness="陈静"),
            {},
            ["inspections[0].signatures[0].witness: 检查人员签字只有签名，不填写职务、电话、原因或见证人"],
        ),
        (
            changed(0, role="witness"),
            {},
            [
                "inspections[0].signatures[0].role: 文字“witness” 不认识，"
                "只能是 inspector（检查人员）、representative（企业代表）"
            ],
        ),
        (
            changed(2, state="拒签"),
            {},
            [
                "inspections[0].signatures[2].state: 文字“拒签” 不认识，只能是 signed（已签字）、refused（拒绝签字）、"
                "absent（不在场）"
            ],
        ),
        (
            changed(2, state=None),
            {},
            [
                "inspections[0].signatures[2]: 企业代表缺少字段 state："
                "signed（已签字）、refused（拒绝签字）或 absent（不在场）"
            ],
        ),
        (
            changed(2, reason="  "),
            {},
            ["inspections[0].signatures[2].reason: 请注明拒绝签字的原因（002 三(四)：拒绝签字的予以注明）"],
        ),
        (
            changed(2, state="absent", witness=None),
            {},
            ["inspections[0].signatures[2].witness: 请填写见证人姓名"],
        ),
        (
            changed(2, image_png_base64=b64(factory.signature_png(7))),
            {},
            ["inspections[0].signatures[2].image_png_base64: 企业代表拒绝签字，没有签名，不能附签名图片"],
        ),
        (
            changed(2, state="signed", name="", reason=None, witness=None),
            {},
            ["inspections[0].signatures[2].name: 请填写企业代表姓名"],
        ),
        (
            changed(2, state="signed", witness="陈静", reason=None),
            {},
            [
                "inspections[0].signatures[2].witness: "
                "企业代表已签字，不填写原因和见证人；如其拒绝签字或不在场，请选择相应情况"
            ],
        ),
        (
            changed(2, badge_no="31000003"),
            {},
            ["inspections[0].signatures[2].badge_no: 企业代表不是检查人员，不写执法证号 badge_no"],
        ),
        (
            changed(2, phone=13900000000),
            {},
            ["inspections[0].signatures[2].phone: 应为文字（用英文双引号括起来），现在是数字 13900000000"],
        ),
        (
            paper_signatures()[:2],
            {},
            ["inspections[0].signatures: 应有一位企业代表签字，或注明其拒绝签字/不在场"],
        ),
        (
            [*paper_signatures(), paper_signatures()[2]],
            {},
            ["inspections[0].signatures[3].role: 只能有一位企业代表签字（或注明其拒绝签字/不在场），现在有2位"],
        ),
        (None, {"rectification_days": 0}, ["inspections[0].rectification_days: 应为1到365之间的天数，现在是“0”"]),
        (
            None,
            {"rectification_days": "30"},
            ["inspections[0].rectification_days: 应为整改期限的天数（整数，不加引号），如 30，现在是文字“30”"],
        ),
        (
            None,
            {"signed_on": "2026-06-09"},
            ["inspections[0].signed_on: 签字日期 2026-06-09 早于检查日期 2026-06-10，请核对"],
        ),
        (
            None,
            {"signed_on": "2026/6/10"},
            ['inspections[0].signed_on: 文字“2026/6/10” 不是日期，应写成“年-月-日”，如 "2026-06-15"'],
        ),
        (
            # Every problem at once, each at its place.
            [
                {**paper_signatures()[0], "image_png_base64": "%%%"},
                paper_signatures()[1],
                {**paper_signatures()[2], "reason": "", "witness": ""},
            ],
            {},
            [
                "inspections[0].signatures[0].image_png_base64: 不是有效的 Base64 文字（只能含 A–Z、a–z、0–9、+、/，"
                "末尾可有 =）；请写签名扫描图片（PNG 文件）的 Base64 编码，没有扫描件时删去该字段",
                "inspections[0].signatures[2].reason: 请注明拒绝签字的原因（002 三(四)：拒绝签字的予以注明）",
                "inspections[0].signatures[2].witness: 请填写见证人姓名",
            ],
        ),
    ],
)
def test_each_signature_problem_is_named(roster_db, templates, tmp_path, signatures, overrides, expected):
    assert sig_problems(roster_db, tmp_path, templates, signatures, **overrides) == expected


def test_a_bad_signature_refuses_the_whole_file(db, sample, templates, tmp_path, fixed_today):
    good = paper_record(inspected_on="2026-06-11")
    bad = signed_paper_record(changed(2, witness=""))
    problems = refused(db, write(tmp_path / "p.json", document(good, bad)), templates)
    assert problems == ["inspections[1].signatures[2].witness: 请填写见证人姓名"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Inspection)) == 0
        assert s.scalar(select(func.count()).select_from(Signature)) == 0


def test_a_completed_record_receives_its_paper_signatures_later(db, sample, templates, tmp_path, fixed_today):
    unsigned = signed_paper_record([])
    del unsigned["signed_on"], unsigned["rectification_days"]
    iid = import_inspections(db, write(tmp_path / "u.json", document(unsigned)), templates).created[0]
    assert signing.status(db, iid) == "completed"
    with db.session() as s:
        rev = s.get(Inspection, iid).rev
    result = import_inspections(db, write(tmp_path / "s.json", document(signed_paper_record())), templates)
    assert result.updated == (iid,) and result.signed == (iid,) and result.created == ()
    assert signing.status(db, iid) == "signed" and signing.verify_record(db, iid) == []
    with db.session() as s:
        assert s.get(Inspection, iid).rev == rev  # the record itself is untouched: only the sign-off is added


def test_a_signed_record_is_immutable(db, sample, templates, tmp_path, fixed_today):
    path = write(tmp_path / "s.json", document(signed_paper_record()))
    iid = import_inspections(db, path, templates).created[0]
    before = row_counts(db)
    # The same file again: nothing.
    again = import_inspections(db, path, templates)
    assert again.unchanged == (iid,) and not again.changed and again.signed == ()
    assert row_counts(db) == before
    # Other signatures: refused, naming what differs.
    other = changed(2, reason="不同意", witness="刘洋")
    other[0]["image_png_base64"] = b64(factory.signature_png(5))
    problems = refused(db, write(tmp_path / "o.json", document(signed_paper_record(other))), templates)
    assert problems == [
        f"inspections[0].signatures: 数据库中的检查记录 {iid}（2026-06-10）已签字确认，签字不能被导入修改；"
        "文件与它不同之处：检查人员 张伟的签名图片；企业代表的原因、见证人。如需更正，请在本机创建更正记录"
    ]
    problems = sig_problems(db, tmp_path, templates, rectification_days=45, signed_on="2026-06-11")
    assert problems == [
        f"inspections[0].signatures: 数据库中的检查记录 {iid}（2026-06-10）已签字确认，签字不能被导入修改；"
        "文件与它不同之处：签字日期（数据库中 2026-06-10，文件中 2026-06-11）；"
        "整改期限（数据库中 20 日，文件中 45 日）。"
        "如需更正，请在本机创建更正记录"
    ]
    # Other answers: refused as for any completed record.
    rec = signed_paper_record()
    rec["answers"][0]["record"] = "改过的记录"
    problems = refused(db, write(tmp_path / "a.json", document(rec)), templates)
    assert problems == [
        f"inspections[0]: 数据库中的检查记录 {iid}（2026-06-10）已签字确认，不能被导入修改；文件中的内容与它不同"
    ]
    # The record without its signatures (an export made before signing): nothing changes, a warning says so.
    unsigned = signed_paper_record([], signed_on=None, rectification_days=None)
    result = import_inspections(db, write(tmp_path / "u.json", document(unsigned)), templates)
    assert result.unchanged == (iid,)
    assert result.warnings == (f"inspections[0]: 数据库中的检查记录 {iid} 已签字确认，文件中没有签字；签字保持不变",)
    assert row_counts(db) == before
    assert signing.verify_record(db, iid) == []


def test_signatures_are_checked_by_a_dry_run_too(db, sample, templates, tmp_path, fixed_today):
    path = write(tmp_path / "s.json", document(signed_paper_record()))
    result = import_inspections(db, path, templates, dry_run=True)
    assert len(result.created) == 1 and result.signed == result.created and not result.written
    assert row_counts(db)["signature"] == 0
    with pytest.raises(ImportRefused, match=r"signatures\[2\]\.witness"):
        import_inspections(
            db,
            write(tmp_path / "b.json", document(signed_paper_record(changed(2, witness=None)))),
            templates,
            dry_run=True,
        )


def test_a_signed_inspection_round_trips_to_another_database(db, sample, templates, tmp_path, other_db, fixed_today):
    pad = factory.signed(db, sample, templates, rep_state="refused")  # signed on this laptop's pad
    paper_signed = factory.complete(db, sample, templates, inspected_on=date(2026, 6, 12))
    signing.sign_inspection(
        db,
        paper_signed,
        [*factory.team_signatures(db, paper_signed), factory.representative()],
        rectification_days=15,
        signed_on=date(2026, 6, 13),
    )
    out = tmp_path / "out.json"
    export_inspections(db, None, out)
    doc = json.loads(out.read_text("utf-8"))
    exported = {i["id"]: i for i in doc["inspections"]}
    assert (exported[pad]["signed_on"], exported[pad]["rectification_days"]) == ("2026-06-15", 30)
    assert exported[pad]["signatures"][0] == {
        "role": "inspector",
        "badge_no": "31000001",
        "name": "张伟",
        "state": "signed",
        "image_png_base64": b64(factory.signature_png(0)),
    }
    rep = factory.representative("refused")
    assert exported[pad]["signatures"][2] == {
        "role": "representative",
        "name": rep.name,
        "title": rep.title,
        "phone": rep.phone,
        "state": "refused",
        "reason": rep.reason,
        "witness": rep.witness,
        "image_png_base64": None,
    }

    result = import_inspections(other_db, out, templates)
    assert set(result.created) == set(result.signed) == {pad, paper_signed}
    for iid in (pad, paper_signed):
        mine, theirs = signing.get_signed(db, iid), signing.get_signed(other_db, iid)
        assert (theirs.signed_on, theirs.rectification_days) == (mine.signed_on, mine.rectification_days)
        fields = ("role", "position", "name", "title", "phone", "state", "reason", "witness", "image", "image_sha256")
        assert [tuple(getattr(s, f) for f in fields) for s in theirs.signatures] == [
            tuple(getattr(s, f) for f in fields) for s in mine.signatures
        ]
        assert all(s.source == "paper" for s in theirs.signatures)  # entered from a file, not drawn here
        assert signing.verify_record(other_db, iid) == []
    assert flat(signing.get_signed(other_db, pad).representative.note) in pdf_text(
        generate(other_db, pad, "summary").pdf
    )
    # Exporting from the other database gives the same file; importing it back anywhere changes nothing.
    export_inspections(other_db, None, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == out.read_bytes()
    before = row_counts(other_db)
    assert set(import_inspections(other_db, out, templates).unchanged) == {pad, paper_signed}
    assert row_counts(other_db) == before
    before = row_counts(db)
    assert set(import_inspections(db, out, templates).unchanged) == {pad, paper_signed}  # pad vs paper: not compared
    assert row_counts(db) == before
