"""Alternative problem categories (000 二(二)): an item may be counted under more than one category.

Item 2.1 of 002 附件2 covers production AND test equipment; without a choice 检验手段 (41 项次 in 000) could
never be counted. The template lists the allowed `categories`, a 不符合 records the one that applies
(item_result.problem_category, NULL = the item's default `category`), and the statistics count it there.
"""

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from inspector_app.core.errors import ValidationError
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.inspection.templates import Template, TemplateError, load_template, load_templates
from inspector_app.core.storage.models import ItemResult
from inspector_app.core.supervision import statistics

FORMS = Path(__file__).parents[2] / "forms"


# ---------------------------------------------------------------------------------- the shipped forms


@pytest.mark.parametrize("template_id", ["industrial", "food"])
def test_shipped_forms_offer_alternatives_only_where_the_text_spans_two_categories(templates, template_id):
    t = templates[template_id]
    assert t.version == 2
    alternatives = {i.id: i.categories for i in t.items if i.has_alternative_categories}
    assert alternatives == {
        "2.1": ("生产条件", "检验手段"),  # production AND test equipment (检验设备…检定周期)
        "4.1": ("检验情况", "其他"),  # 原辅材料 testing: 000 counts 原辅料查验 under 其他
    }
    for item in t.items:
        assert item.category in item.categories  # the default is always one of them
        if item.id not in alternatives:
            assert item.categories == (item.category,)
    assert t.item("2.1").category == "生产条件" and t.item("4.1").category == "检验情况"


def test_to_dict_writes_categories_only_for_items_with_alternatives(templates):
    d = templates["industrial"].to_dict()
    items = {i["id"]: i for s in d["sections"] for i in s["items"]}
    assert items["2.1"]["categories"] == ["生产条件", "检验手段"]
    assert items["4.1"]["categories"] == ["检验情况", "其他"]
    assert "categories" not in items["1.1"]
    again = Template.from_dict(json.loads(json.dumps(d, ensure_ascii=False)))
    assert again == templates["industrial"] and again.digest == d["digest"]
    assert again.item("2.1").categories == ("生产条件", "检验手段")


def test_a_snapshot_recorded_before_version_2_keeps_its_digest(templates):
    """Inspections recorded with version 1 stored snapshots without `categories`: they must still load."""
    d = templates["industrial"].to_dict()
    d["version"] = 1
    for s in d["sections"]:
        for i in s["items"]:
            i.pop("categories", None)
    del d["digest"]
    canonical = json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    d["digest"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    old = Template.from_dict(d)  # no TemplateError: the digest still matches
    assert old.digest == d["digest"] and old.to_dict() == d
    assert old.item("2.1").categories == ("生产条件",)


def test_digest_changes_when_the_categories_change(tmp_path, templates):
    copy = tmp_path / "industrial.toml"
    text = (FORMS / "industrial.toml").read_text(encoding="utf-8")
    copy.write_text(text.replace('categories = ["检验情况", "其他"]\n', ""), encoding="utf-8")
    changed = load_template(copy)
    assert changed.item("4.1").categories == ("检验情况",)
    assert changed.digest != templates["industrial"].digest


# ---------------------------------------------------------------------------------- a clerk's mistakes

BROKEN = """\
[template]
id = "steel"
version = 1
title = "钢筋专用记录表"
product_kind = "industrial"
categories = ["建筑用钢筋"]

[[sections]]
no = 1
title = "生产设施设备"

[[sections.items]]
id = "1.1"
text = "检验设备是否在检定周期内。"
category = "生产条件"
categories = ["生产条件", "检验设备"]

[[sections.items]]
id = "1.2"
text = "生产设备是否满足要求。"
category = "生产条件"
categories = ["生产条件", "检验手段", "生产条件"]

[[sections.items]]
id = "1.3"
text = "检验手段是否满足要求。"
category = "生产条件"
categories = ["检验手段", "检验情况"]

[[sections.items]]
id = "1.4"
text = "其他。"
category = "其他"
categories = []

[[sections.items]]
id = "1.5"
text = "其他。"
category = "其他"
categories = "其他"

[[sections.items]]
id = "1.6"
text = "正确的一项。"
category = "检验手段"
categories = ["生产条件", "检验手段"]
"""


def test_every_categories_mistake_is_reported_with_file_and_item(tmp_path):
    path = tmp_path / "steel.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    got = [(p.file, p.item_id, p.message) for p in caught.value.problems]
    expected = [
        ("1.1", "“检验设备”不认识"),
        ("1.2", "“生产条件”重复"),
        ("1.3", "默认问题分类 category “生产条件” 不在 categories 中"),
        ("1.4", "categories 为空"),
        ("1.5", "字段 categories 应为文字列表"),
    ]
    for item_id, fragment in expected:
        assert any(i == item_id and fragment in m for _f, i, m in got), (item_id, fragment, got)
    assert len(got) == len(expected)
    assert {f for f, _i, _m in got} == {"steel.toml"}
    assert "文件 steel.toml，检查项 1.3：" in str(caught.value)


def test_a_valid_alternative_loads(tmp_path):
    good = BROKEN[: BROKEN.index("[[sections.items]]")] + BROKEN[BROKEN.index('[[sections.items]]\nid = "1.6"') :]
    path = tmp_path / "steel.toml"
    path.write_text(good, encoding="utf-8")
    item = load_template(path).item("1.6")
    assert (item.category, item.categories) == ("检验手段", ("生产条件", "检验手段"))


def test_load_templates_reports_categories_problems_of_the_shipped_file(tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    path = forms / "food.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('categories = ["生产条件", "检验手段"]', 'categories = ["检验手段"]'), "utf-8")
    with pytest.raises(TemplateError) as caught:
        load_templates(forms)
    (problem,) = caught.value.problems
    assert (problem.file, problem.item_id) == ("food.toml", "2.1")


# ---------------------------------------------------------------------------------- recording the choice


@pytest.fixture
def draft(db, sample, templates, fixed_today) -> str:
    return svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=templates["industrial"],
        kind="scheduled",
        team=sample.inspector_ids[:2],
        license_id=sample.license_id,
    )


def stored(db, inspection_id, item_id) -> str | None:
    with db.session() as s:
        return s.scalar(
            select(ItemResult.problem_category).where(
                ItemResult.inspection_id == inspection_id, ItemResult.item_id == item_id
            )
        )


def test_a_nonconformity_records_its_category_and_defaults_to_null(db, draft):
    ans = svc.save_answer(db, draft, "2.1", conclusion="nonconform", record="检验设备超过检定周期")
    assert ans.problem_category is None and stored(db, draft, "2.1") is None  # NULL = 生产条件
    ans = svc.save_answer(db, draft, "2.1", problem_category="检验手段")
    assert ans.problem_category == "检验手段" and stored(db, draft, "2.1") == "检验手段"
    assert svc.load_inspection(db, draft).answer("2.1").problem_category == "检验手段"
    # Other fields keep it; choosing the default again stores NULL.
    assert svc.save_answer(db, draft, "2.1", record="天平未检定").problem_category == "检验手段"
    assert svc.save_answer(db, draft, "2.1", problem_category="生产条件").problem_category is None
    # Conclusion and category in one call.
    ans = svc.save_answer(db, draft, "4.1", conclusion="nonconform", record="原料无验收记录", problem_category="其他")
    assert (ans.conclusion, ans.problem_category) == ("nonconform", "其他")


@pytest.mark.parametrize("conclusion", ["conform", "na", None])
def test_another_conclusion_clears_the_category(db, draft, conclusion):
    svc.save_answer(db, draft, "4.1", conclusion="nonconform", record="原料无验收记录", problem_category="其他")
    ans = svc.save_answer(db, draft, "4.1", conclusion=conclusion)
    assert ans.problem_category is None and stored(db, draft, "4.1") is None
    # Back to 不符合: the default again, not the old choice.
    assert svc.save_answer(db, draft, "4.1", conclusion="nonconform").problem_category is None


def test_a_category_the_item_does_not_offer_is_refused(db, draft):
    svc.save_answer(db, draft, "2.1", conclusion="nonconform", record="设备带病运行")
    with pytest.raises(ValidationError) as caught:
        svc.save_answer(db, draft, "2.1", problem_category="生产资质")
    assert "检查项 2.1" in str(caught.value) and "“生产条件”、“检验手段”" in str(caught.value)
    svc.save_answer(db, draft, "5.1", conclusion="nonconform", record="未标注编号")
    with pytest.raises(ValidationError, match=r"检查项 5\.1.*只计入“许可证标志和编号”"):
        svc.save_answer(db, draft, "5.1", problem_category="其他")
    with pytest.raises(ValidationError, match="不是该项可选的问题类别"):
        svc.save_answer(db, draft, "2.1", problem_category="检验设备")
    assert stored(db, draft, "2.1") is None  # nothing written by a refused call
    # The item's default is always accepted (stored as NULL).
    assert svc.save_answer(db, draft, "5.1", problem_category="许可证标志和编号").problem_category is None


def test_a_category_needs_a_nonconformity(db, draft):
    svc.save_answer(db, draft, "2.1", conclusion="conform")
    with pytest.raises(ValidationError, match="只有检查结论为“不符合”时才能选择问题类别"):
        svc.save_answer(db, draft, "2.1", problem_category="检验手段")
    with pytest.raises(ValidationError, match="只有检查结论为“不符合”"):
        svc.save_answer(db, draft, "2.1", conclusion="conform", problem_category="检验手段")
    assert stored(db, draft, "2.1") is None


# ---------------------------------------------------------------------------------- statistics


def completed(db, sample, template, on: date, nonconform: dict[str, str | None]) -> str:
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=template,
        kind="scheduled",
        team=sample.inspector_ids[:2],
        inspected_on=on,
        license_id=sample.license_id,
    )
    for item in template.applicable_items:
        if item.id in nonconform:
            svc.save_answer(
                db,
                iid,
                item.id,
                conclusion="nonconform",
                record="问题记录",
                problem_category=nonconform[item.id],
            )
        else:
            svc.save_answer(db, iid, item.id, conclusion="conform", record="无异常")
    svc.complete_inspection(db, iid)
    return iid


def test_a_test_equipment_finding_on_2_1_counts_under_inspection_means(db, sample, templates):
    t = templates["industrial"]
    completed(db, sample, t, date(2021, 3, 1), {"2.1": "检验手段", "4.1": "其他", "5.1": None})
    completed(db, sample, t, date(2021, 4, 1), {"2.1": None, "4.1": None})
    r = statistics.build_report(db, *statistics.year_period(2021))
    counts = {p.name: p.count for p in r.problems}
    assert counts == {
        "生产条件": 1,  # 2.1 with its default
        "检验情况": 1,  # 4.1 with its default
        "检验手段": 1,  # 2.1 recorded as 检验手段
        "技术、工艺文件": 0,
        "许可证标志和编号": 1,
        "生产资质": 0,
        "其他": 1,  # 4.1 recorded as 其他 (原辅料查验)
    }
    assert (r.other_food, r.other_industrial) == (0, 1)
    assert r.total.problems == 5 == sum(counts.values())
    assert {p.name: p.percent for p in r.problems}["检验手段"] == "20.0%"


def test_a_stored_category_the_snapshot_does_not_allow_falls_back_to_the_default(db, sample, templates):
    """A hand-edited database or a record synced from elsewhere must not invent a category."""
    iid = completed(db, sample, templates["industrial"], date(2021, 3, 1), {"5.1": None})
    with db.session() as s:
        row = s.scalar(select(ItemResult).where(ItemResult.inspection_id == iid, ItemResult.item_id == "5.1"))
        row.problem_category = "检验手段"
    r = statistics.build_report(db, *statistics.year_period(2021))
    counts = {p.name: p.count for p in r.problems}
    assert counts["许可证标志和编号"] == 1 and counts["检验手段"] == 0
