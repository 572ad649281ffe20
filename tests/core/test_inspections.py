"""The inspection service (core/inspection/inspections.py): start, answer, complete — on a real SQLite file."""

import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.inspection.templates import load_templates
from inspector_app.core.storage.models import Inspection, InspectionMember, ItemResult, TemplateSnapshot

FORMS = Path(__file__).parents[2] / "forms"
FOOD_ONLY = ("2.2", "2.3", "4.2")  # 002 附件2 备注栏: 适用于食品相关产品


def counts(db) -> dict[str, int]:
    with db.session() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (Inspection, InspectionMember, ItemResult, TemplateSnapshot)
        }


def start(db, sample, templates, **kw):
    args = dict(
        site_id=sample.site_id,
        template=templates["industrial"],
        kind="scheduled",
        team=sample.inspector_ids[:2],
        inspected_on=date(2026, 6, 15),
        license_id=sample.license_id,
    )
    args.update(kw)
    return svc.start_inspection(db, **args)


def answer_all(db, inspection_id, template, conclusion="conform"):
    for item in template.applicable_items:
        svc.save_answer(db, inspection_id, item.id, conclusion=conclusion, record="现场核查无异常")


# ------------------------------------------------------------------------------------------------- start


def test_start_creates_a_draft_with_team_in_order(db, sample, templates, fixed_today):
    iid = start(db, sample, templates, inspected_on=None, team=[sample.inspector_ids[2], sample.inspector_ids[0]])
    view = svc.load_inspection(db, iid)
    assert view.status == svc.DRAFT
    assert view.inspected_on == fixed_today  # defaults to the app's clock
    assert [m.badge_no for m in view.team] == ["31000003", "31000001"]  # first = 组长
    assert view.uscc == "91350100M000100Y43"
    assert view.license_number == "(沪)XK13-006-00021"
    assert view.template.digest == templates["industrial"].digest


@pytest.mark.parametrize("team_size", [0, 1])
def test_start_with_fewer_than_two_inspectors_is_refused(db, sample, templates, team_size):
    before = counts(db)
    with pytest.raises(ValidationError) as caught:
        start(db, sample, templates, team=sample.inspector_ids[:team_size])
    assert "不少于2名" in str(caught.value) and "《上海市工业产品生产许可证证后监督检查管理办法》第二十四条" in str(
        caught.value
    )
    assert counts(db) == before


def test_start_with_the_same_inspector_twice_is_refused(db, sample, templates):
    before = counts(db)
    with pytest.raises(ValidationError, match="不能重复"):
        start(db, sample, templates, team=[sample.inspector_ids[0], sample.inspector_ids[0]])
    assert counts(db) == before


def test_start_with_unknown_inspector_is_refused(db, sample, templates):
    with pytest.raises(NotFound, match="找不到检查人员"):
        start(db, sample, templates, team=[sample.inspector_ids[0], "no-such-id"])
    assert counts(db)["inspection"] == 0


def test_start_with_unknown_kind_is_refused(db, sample, templates):
    with pytest.raises(ValidationError, match="不是已知的检查类型"):
        start(db, sample, templates, kind="patrol")
    assert counts(db)["inspection"] == 0


def test_start_with_unknown_site_is_refused(db, sample, templates):
    with pytest.raises(NotFound, match="生产地址"):
        start(db, sample, templates, site_id="no-such-site")


def test_start_with_a_license_of_the_other_product_kind_is_refused(db, sample, templates):
    # The food-related license cannot be inspected with the industrial form.
    with pytest.raises(ValidationError, match="不适用于产品类别"):
        start(db, sample, templates, license_id=sample.food_license_id)
    assert counts(db)["inspection"] == 0


def test_food_only_items_are_preset_not_applicable_on_an_industrial_form(db, sample, templates):
    iid = start(db, sample, templates)
    view = svc.load_inspection(db, iid)
    template = templates["industrial"]
    for item_id in FOOD_ONLY:
        assert view.locked(item_id)
        ans = view.answer(item_id)
        assert ans.conclusion == "na"
        assert ans.na_reason == template.item(item_id).na_reason == "适用于食品相关产品"
    assert set(view.answers) == set(FOOD_ONLY)
    assert view.progress() == (0, len(template.items) - len(FOOD_ONLY))


@pytest.mark.parametrize(
    "fields", [{"conclusion": "conform"}, {"record": "x"}, {"remark": "x"}, {"conclusion": None}, {"na_reason": "x"}]
)
def test_locked_items_cannot_be_edited(db, sample, templates, fields):
    iid = start(db, sample, templates)
    with pytest.raises(ValidationError, match="不适用于本产品类别"):
        svc.save_answer(db, iid, "2.2", **fields)
    assert svc.load_inspection(db, iid).answer("2.2").conclusion == "na"


def test_food_form_has_no_locked_items(db, sample, templates):
    iid = start(db, sample, templates, site_id=sample.site_id, template=templates["food"], license_id=None)
    view = svc.load_inspection(db, iid)
    assert view.answers == {}
    assert not any(view.locked(i.id) for i in view.template.items)


# ----------------------------------------------------------------------------------------------- answers


def test_not_applicable_refused_where_the_form_does_not_allow_it(db, sample, templates):
    iid = start(db, sample, templates)
    assert not templates["industrial"].item("1.1").na_allowed
    with pytest.raises(ValidationError, match="不允许该项填写“不适用”"):
        svc.save_answer(db, iid, "1.1", conclusion="na")
    assert svc.load_inspection(db, iid).answer("1.1").conclusion is None


def test_not_applicable_takes_the_forms_reason_unless_given(db, sample, templates):
    iid = start(db, sample, templates)
    assert svc.save_answer(db, iid, "3.2", conclusion="na").na_reason == "停产不适用"
    assert svc.save_answer(db, iid, "4.1", conclusion="na", na_reason="企业停产整顿").na_reason == "企业停产整顿"


def test_unknown_conclusion_and_unknown_item_are_refused(db, sample, templates):
    iid = start(db, sample, templates)
    with pytest.raises(ValidationError, match="不是有效的检查结论"):
        svc.save_answer(db, iid, "1.1", conclusion="符合")  # labels are for people; the service takes codes
    with pytest.raises(ValidationError, match="不在该检查表中"):
        svc.save_answer(db, iid, "10.1", conclusion="conform")


def test_save_answer_changes_only_the_given_fields(db, sample, templates):
    iid = start(db, sample, templates)
    svc.save_answer(db, iid, "4.1", conclusion="nonconform", record="出厂检验记录缺失", remark="企业已承诺补齐")
    svc.save_answer(db, iid, "4.1", rectified_on_site=True)
    ans = svc.save_answer(db, iid, "4.1", remark="当场补齐")
    assert ans == svc.Answer("4.1", "nonconform", "", "出厂检验记录缺失", "当场补齐", True)
    assert svc.load_inspection(db, iid).answer("4.1") == ans
    # Clearing the conclusion keeps the record.
    cleared = svc.save_answer(db, iid, "4.1", conclusion=None)
    assert cleared.conclusion is None and cleared.record == "出厂检验记录缺失"


def test_leaving_not_applicable_drops_its_reason(db, sample, templates):
    iid = start(db, sample, templates)
    svc.save_answer(db, iid, "3.2", conclusion="na")
    ans = svc.save_answer(db, iid, "3.2", conclusion="conform")
    assert ans.na_reason == ""  # a 符合 item does not keep the reason it was once 不适用


def test_every_save_is_committed_and_increases_the_revision(db, sample, templates, db_path):
    iid = start(db, sample, templates)

    def rev():
        with db.session() as s:
            return s.scalar(select(ItemResult.rev).where(ItemResult.inspection_id == iid, ItemResult.item_id == "1.1"))

    svc.save_answer(db, iid, "1.1", conclusion="conform")
    first = rev()
    svc.save_answer(db, iid, "1.1", record="营业执照与许可证一致")
    svc.save_answer(db, iid, "1.1", remark="无")
    assert rev() == first + 2
    # Another connection (another process, or the app after a crash) sees every committed answer.
    con = sqlite3.connect(db_path)
    try:
        row = con.execute(
            "SELECT conclusion, record, remark, rev FROM item_result WHERE inspection_id = ? AND item_id = '1.1'",
            (iid,),
        ).fetchone()
    finally:
        con.close()
    assert row == ("conform", "营业执照与许可证一致", "无", first + 2)


# ------------------------------------------------------------------------------------------- completion


def test_completion_blockers_name_unanswered_items_and_nonconform_without_record(db, sample, templates):
    iid = start(db, sample, templates)
    template = templates["industrial"]
    answer_all(db, iid, template)
    svc.save_answer(db, iid, "1.2", conclusion=None)
    svc.save_answer(db, iid, "5.1", conclusion="nonconform", record="  ")
    blockers = svc.load_inspection(db, iid).blockers()
    assert [(b.item_id, b.message) for b in blockers] == [
        ("1.2", "检查项 1.2 尚未填写检查结论"),
        ("5.1", "检查项 5.1 结论为“不符合”，须填写检查记录"),
    ]
    with pytest.raises(svc.IncompleteInspection) as caught:
        svc.complete_inspection(db, iid)
    assert caught.value.blockers == blockers
    assert "请先处理以下2项" in str(caught.value)
    assert svc.load_inspection(db, iid).status == svc.DRAFT


def test_a_fresh_form_is_blocked_by_every_applicable_item(db, sample, templates):
    iid = start(db, sample, templates)
    blockers = svc.load_inspection(db, iid).blockers()
    expected = [i.id for i in templates["industrial"].applicable_items]
    assert [b.item_id for b in blockers] == expected  # in form order; locked items are not blockers


def test_complete_sets_status_and_time(db, sample, templates, fixed_today):
    iid = start(db, sample, templates)
    answer_all(db, iid, templates["industrial"])
    svc.save_answer(db, iid, "4.1", conclusion="nonconform", record="无出厂检验报告")
    svc.save_answer(db, iid, "3.2", conclusion="na")
    assert svc.load_inspection(db, iid).blockers() == []
    svc.complete_inspection(db, iid)
    view = svc.load_inspection(db, iid)
    assert view.status == svc.COMPLETED
    with db.session() as s:
        assert s.get(Inspection, iid).completed_at == datetime(2026, 6, 15, 10, 30)


def test_a_completed_inspection_is_read_only(db, sample, templates):
    iid = start(db, sample, templates)
    answer_all(db, iid, templates["industrial"])
    svc.complete_inspection(db, iid)
    before = svc.load_inspection(db, iid)
    attempts = [
        lambda: svc.save_answer(db, iid, "1.1", record="改动"),
        lambda: svc.save_answer(db, iid, "1.1", conclusion="nonconform"),
        lambda: svc.complete_inspection(db, iid),
        lambda: svc.delete_draft(db, iid),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError, match="已完成，不能再修改"):
            attempt()
    assert svc.load_inspection(db, iid) == before


def test_delete_draft_removes_answers_and_team(db, sample, templates):
    iid = start(db, sample, templates)
    svc.save_answer(db, iid, "1.1", conclusion="conform")
    svc.delete_draft(db, iid)
    assert counts(db) | {"template_snapshot": 0} == dict.fromkeys(counts(db), 0)
    with pytest.raises(NotFound):
        svc.load_inspection(db, iid)


# --------------------------------------------------------------------------------------- template snapshot


def test_changing_the_template_file_never_changes_a_recorded_inspection(db, sample, templates, tmp_path):
    first = start(db, sample, templates)
    svc.save_answer(db, first, "1.1", conclusion="conform", record="一致")
    original = svc.load_inspection(db, first)

    # A clerk edits forms/industrial.toml: new text for 1.1, version 3.
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    path = forms / "industrial.toml"
    text = path.read_text(encoding="utf-8")
    old_text = templates["industrial"].item("1.1").text
    assert old_text in text and "version = 2" in text
    path.write_text(
        text.replace(old_text, "核查企业名称是否与生产许可证一致。").replace("version = 2", "version = 3", 1), "utf-8"
    )
    changed = load_templates(forms)["industrial"]
    assert changed.digest != templates["industrial"].digest

    second = start(db, sample, {"industrial": changed}, template=changed)
    again = svc.load_inspection(db, first)
    assert again.template == original.template
    assert again.template.digest == templates["industrial"].digest
    assert again.template.version == 2
    assert again.template.item("1.1").text == old_text
    assert again.answers == original.answers
    newer = svc.load_inspection(db, second)
    assert (newer.template.version, newer.template.item("1.1").text) == (3, "核查企业名称是否与生产许可证一致。")
    with db.session() as s:
        rows = {i.id: (i.template_digest, i.template_version) for i in s.scalars(select(Inspection))}
        assert s.scalar(select(func.count()).select_from(TemplateSnapshot)) == 2
    assert rows == {first: (templates["industrial"].digest, 2), second: (changed.digest, 3)}


def test_the_same_template_is_stored_once(db, sample, templates):
    start(db, sample, templates)
    start(db, sample, templates, inspected_on=date(2026, 6, 16))
    assert counts(db)["template_snapshot"] == 1


# ------------------------------------------------------------------------------ the rule of a conclusion


def test_a_conclusion_other_than_nonconform_clears_on_site_rectification_and_category(db, sample, templates):
    """The bug of issue 14: 不符合 + 当场整改 → 符合 kept 当场整改, a state a later correction refused."""
    iid = start(db, sample, templates)
    svc.save_answer(db, iid, "4.1", conclusion="nonconform", record="出厂检验记录缺失", rectified_on_site=True)
    ans = svc.save_answer(db, iid, "4.1", conclusion="conform")
    assert (ans.conclusion, ans.rectified_on_site, ans.problem_category) == ("conform", False, None)
    assert ans.record == "出厂检验记录缺失"  # what was written stays
    assert svc.load_inspection(db, iid).answer("4.1") == ans
    with pytest.raises(ValidationError, match="只有“不符合”的项目才能登记当场整改"):
        svc.save_answer(db, iid, "4.1", rectified_on_site=True)
    assert svc.load_inspection(db, iid).answer("4.1") == ans


def test_a_record_once_rectified_then_conform_can_be_signed_and_corrected(db, sample, templates, fixed_today):
    from inspector_app.core.issuing import signing
    from tests.documents import factory

    iid = factory.complete(db, sample, templates)
    with db.session() as s:  # back to a draft to change 5.1 (不符合 + 当场整改 in the factory) to 符合
        s.get(Inspection, iid).status = svc.DRAFT
    svc.save_answer(db, iid, "5.1", conclusion="conform")
    svc.complete_inspection(db, iid)
    factory.sign(db, iid)
    assert signing.get_signed(db, iid).answers()["5.1"].rectified_on_site is False
    assert signing.create_amendment(db, iid, "复核", [("4.1", "remark", "已复核")])


def test_with_conclusion_is_the_rule_every_caller_shows(templates):
    template = templates["industrial"]
    item, na_item = template.item("4.1"), template.item("3.2")
    problem = svc.Answer("4.1", "nonconform", "", "记录", "备注", True, item.categories[-1])
    assert svc.with_conclusion(item, problem, "conform") == svc.Answer("4.1", "conform", "", "记录", "备注")
    assert svc.with_conclusion(item, problem, None) == svc.Answer("4.1", None, "", "记录", "备注")
    assert svc.with_conclusion(item, problem, "nonconform") == problem
    assert svc.with_conclusion(na_item, svc.Answer("3.2"), "na").na_reason == "停产不适用"  # the form's reason
    assert svc.with_conclusion(na_item, svc.Answer("3.2", na_reason="停产整顿"), "na").na_reason == "停产整顿"
    assert svc.with_conclusion(na_item, svc.Answer("3.2", "na", "停产整顿"), "conform").na_reason == ""
    with pytest.raises(ValidationError, match="检查表不允许该项填写“不适用”"):
        svc.with_conclusion(template.item("1.1"), svc.Answer("1.1"), "na")
    with pytest.raises(ValidationError, match="不是有效的检查结论"):
        svc.with_conclusion(item, problem, "合格")
