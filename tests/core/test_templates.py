"""The checklist templates: the shipped forms match 002 附件2, and a clerk's mistakes are all reported."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from inspector_app.core import catalog
from inspector_app.core.inspection.templates import (
    Template,
    TemplateError,
    load_template,
    load_templates,
    template_for_category,
)

FORMS = Path(__file__).parents[2] / "forms"

# 002 附件2: the nine 检查项目 and how many 检查内容 each has.
SECTIONS = [
    ("证照信息", 3),
    ("生产设施设备", 4),
    ("生产过程控制", 2),
    ("质量检验", 2),
    ("标识标志", 1),
    ("产业政策", 1),
    ("质量违法行为", 1),
    ("质量抽检情况", 1),
    ("其他", 1),
]
FOOD_ONLY = ["2.2", "2.3", "4.2"]  # 002 附件2 备注栏: 适用于食品相关产品
# 002 附件2: rows with a 不适用 box and the reason the form gives.
NA_REASONS = {
    "2.2": "适用于食品相关产品",
    "2.3": "适用于食品相关产品",
    "2.4": "适用于食品相关产品和细则要求产品",
    "3.1": "环保要求正常停产不适用",
    "3.2": "停产不适用",
    "4.1": "停产不适用",
    "4.2": "适用于食品相关产品",
    "6.1": "产品不涉及产业政策则为不适用",
}


@pytest.fixture(scope="module")
def forms() -> dict[str, Template]:
    return load_templates(FORMS)


def problems_of(path: Path) -> list[tuple[str, str | None, str]]:
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    return [(p.file, p.item_id, p.message) for p in caught.value.problems]


def reported(problems, item_id, fragment) -> bool:
    return any(i == item_id and fragment in m for _, i, m in problems)


# ---------------------------------------------------------------------------------- the shipped forms


def test_every_shipped_file_loads(forms):
    assert sorted(p.name for p in FORMS.glob("*.toml")) == ["food.toml", "industrial.toml"]
    for path in FORMS.glob("*.toml"):
        assert load_template(path) == forms[path.stem]
    assert forms["industrial"].product_kind == "industrial"
    assert forms["food"].product_kind == "food"


def test_default_directory_is_the_repo_forms_folder(forms):
    assert load_templates() == forms


@pytest.mark.parametrize("template_id", ["industrial", "food"])
def test_nine_sections_with_the_sub_items_of_the_form(forms, template_id):
    t = forms[template_id]
    assert [(s.title, len(s.items)) for s in t.sections] == SECTIONS
    assert [s.no for s in t.sections] == list(range(1, 10))
    assert len(t.items) == 16
    for section in t.sections:
        for sub, item in enumerate(section.items, start=1):
            assert item.id == f"{section.no}.{sub}"
            assert (item.section_no, item.section_title) == (section.no, section.title)


def test_both_files_are_the_same_paper_form(forms):
    # 002 附件2 is one form with a 产品类别 checkbox: only the header differs.
    industrial, food = forms["industrial"], forms["food"]
    assert industrial.items == food.items
    assert industrial.footnotes == food.footnotes
    assert industrial.version == food.version


def test_official_texts_are_verbatim(forms):
    t = forms["industrial"]
    assert t.item("1.1").text == "核查企业名称,营业执照是否与生产许可证相同,是否存在擅自变更名称的行为。"
    assert t.item("5.1").text == "企业获证产品是否按规定标明了生产许可证标记和编号。"
    assert t.item("9.1").text == "细则中其他需要检查的情况。"
    assert t.item("2.1").text.startswith("对照现场核查或后置现场审查时所保留的")
    assert "逐项核查企业是否具备满足实施细则规定的生产设施" in t.item("2.1").text  # OCR space removed
    assert t.item("2.1").text.endswith("是否满足检验和细则要求。")
    assert t.item("4.1").note == "(1)停产不适用 (2)原辅材料可进行验证。"
    for item in t.items:
        assert item.text.strip() == item.text and "  " not in item.text


def test_footnotes_are_the_four_remarks_of_the_form(forms):
    notes = forms["industrial"].footnotes
    assert len(notes) == 4
    assert notes[0].startswith("上述“检查内容”一栏各项目是否适用")
    assert "分别进行检查" in notes[1]  # 备注(2): several production addresses
    assert "当场整改" in notes[2]  # 备注(3)
    assert "骑缝章" in notes[3]  # 备注(4)


def test_food_only_items_apply_to_food_and_not_industrial(forms):
    industrial, food = forms["industrial"], forms["food"]
    for item_id in FOOD_ONLY:
        item = industrial.item(item_id)
        assert item.applies("food") and not item.applies("industrial")
        assert item not in industrial.applicable_items
        assert item in food.applicable_items
        # automatically 不适用 for industrial products, with the form's reason
        assert item.na_allowed and item.na_reason == "适用于食品相关产品"
    assert len(industrial.applicable_items) == 13
    assert food.applicable_items == food.items
    # 2(4) 适用于食品相关产品和细则要求产品: industrial inspectors may answer 不适用
    item = industrial.item("2.4")
    assert item in industrial.applicable_items and item.na_allowed


def test_not_applicable_only_where_the_form_offers_it(forms):
    t = forms["industrial"]
    assert {i.id: i.na_reason for i in t.items if i.na_allowed} == NA_REASONS
    for item in t.items:
        assert item.na_allowed == bool(item.na_reason)


def test_every_item_maps_to_a_problem_category_and_checkpoint(forms):
    for t in forms.values():
        for item in t.items:
            assert item.category in catalog.PROBLEM_CATEGORIES, item.id
            assert item.checkpoint is None or item.checkpoint in catalog.CHECKPOINTS, item.id


def test_statistics_mapping_of_the_main_items(forms):
    t = forms["industrial"]
    mapping = {i.id: (i.category, i.checkpoint) for i in t.items}
    assert all(mapping[i][0] == "生产资质" for i in ("1.1", "1.2", "1.3"))
    assert mapping["2.1"] == ("生产条件", 2)
    assert mapping["3.2"] == ("技术、工艺文件", 2)
    assert mapping["4.1"] == ("检验情况", 4)
    assert mapping["4.2"] == ("其他", 3)  # 000 二(二): 其他 includes 原辅料查验
    assert mapping["5.1"] == ("许可证标志和编号", 1)
    assert mapping["6.1"][1] == 6


@pytest.mark.parametrize("template_id", ["industrial", "food"])
def test_each_of_the_six_check_points_is_covered(forms, template_id):
    covered = {i.checkpoint for i in forms[template_id].items} - {None}
    assert covered == set(catalog.CHECKPOINTS)  # 001 第二十五条 (一)–(六)


def test_item_lookup(forms):
    t = forms["food"]
    assert t.item("2.3").section_title == "生产设施设备"
    with pytest.raises(KeyError):
        t.item("10.1")


@pytest.mark.parametrize("category", catalog.PRODUCT_CATEGORIES)
def test_template_for_each_product_category(forms, category):
    t = template_for_category(forms, category)
    assert category in t.categories
    assert t.id == ("food" if category == catalog.FOOD_CATEGORY else "industrial")


def test_template_for_category_accepts_ledger_short_names_and_refuses_unknown(forms):
    assert template_for_category(forms, "食品相关产品").id == "food"
    with pytest.raises(TemplateError) as caught:
        template_for_category(forms, "眼镜")
    assert "眼镜" in str(caught.value) and "categories" in str(caught.value)
    with pytest.raises(TemplateError):
        template_for_category({}, "水泥")


# ---------------------------------------------------------------------------------- snapshots and digest


def test_round_trip_through_json_keeps_everything(forms):
    for t in forms.values():
        stored = json.loads(json.dumps(t.to_dict(), ensure_ascii=False))
        again = Template.from_dict(stored)
        assert again == t
        assert again.digest == t.digest == stored["digest"]


def test_digest_is_sha256_of_canonical_json_without_digest(forms):
    t = forms["industrial"]
    content = {k: v for k, v in t.to_dict().items() if k != "digest"}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert t.digest == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert forms["industrial"].digest != forms["food"].digest


def test_digest_changes_when_an_item_text_changes(tmp_path, forms):
    original = (FORMS / "industrial.toml").read_text(encoding="utf-8")
    copy = tmp_path / "industrial.toml"
    copy.write_text("# a clerk's comment\n" + original, encoding="utf-8")
    assert load_template(copy).digest == forms["industrial"].digest  # comments do not count

    copy.write_text(
        original.replace("查看营业执照经营范围是否包含许可证产品。", "查看营业执照经营范围。"), encoding="utf-8"
    )
    changed = load_template(copy)
    assert changed.item("1.2").text == "查看营业执照经营范围。"
    assert changed.digest != forms["industrial"].digest


def test_altered_snapshot_is_refused(forms):
    stored = forms["industrial"].to_dict()
    stored["sections"][0]["items"][0]["text"] = "改过的内容"
    with pytest.raises(TemplateError) as caught:
        Template.from_dict(stored)
    assert "校验值不符" in str(caught.value)


# ---------------------------------------------------------------------------------- a clerk's mistakes

BROKEN = """\
[template]
id = "Steel Bars"
version = 1
title = "钢筋专用记录表"
product_kind = "industrial"
categories = ["钢筋", "直接接触食品的材料等相关产品"]
colour = "red"

[[sections]]
no = 1
title = "证照信息"

[[sections.items]]
id = "1.1"
text = ""
category = "生产资质"

[[sections.items]]
id = "2.1"
text = "查看营业执照经营范围是否包含许可证产品。"
category = "证照"

[[sections.items]]
id = "1.1"
text = "查看企业生产场所土地等证明材料。"
category = "生产资质"
checkpoint = 7

[[sections]]
no = 2
title = "生产设施设备"

[[sections.items]]
id = "2.2"
text = "生产车间卫生整洁。"
applies_to = ["food"]
category = "生产条件"

[[sections.items]]
id = "2.3"
text = "生产车间是否存在混合生产。"
na_allowed = true
category = "生产条件"

[[sections.items]]
id = "2.4"
text = "库房是否合理有序存放物品。"
na_allowed = "是"
catgory = "生产条件"

[[sections.items]]
text = "没有编号的检查项。"
category = "其他"
"""


def test_broken_file_reports_every_problem_with_file_and_item(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    problems = problems_of(path)
    expected = [
        (None, "Steel Bars"),  # template id with capitals and a space
        (None, "请写全称“建筑用钢筋”"),  # ledger short name instead of the catalogue name
        (None, "属于食品相关产品"),  # food category in an industrial template
        (None, "colour"),  # unknown key
        ("1.1", "text 为空"),
        ("2.1", "应以所在部分的编号 1."),  # id does not match its section
        ("2.1", "“证照” 不认识"),  # unknown problem category
        ("1.1", "与前面的检查项重复"),  # duplicate id
        ("1.1", "checkpoint = 7"),  # out of range
        ("2.2", "本模板用于工业产品"),  # food-only item without na_allowed
        ("2.3", "na_reason"),  # na_allowed without a reason
        ("2.4", "字段 na_allowed 应为小写的 true 或 false"),  # wrong type
        ("2.4", "catgory（是否想写 category？）"),  # typo
        ("2.4", "缺少字段 category"),
        (None, "第 2 部分第 4 个检查项缺少字段 id"),  # item without id is located by position
    ]
    for item_id, fragment in expected:
        assert reported(problems, item_id, fragment), (item_id, fragment, problems)
    assert len(problems) == len(expected)
    assert {file for file, _, _ in problems} == {"broken.toml"}


def test_error_message_lists_each_problem_on_its_own_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == len(caught.value.problems)
    assert all(line.startswith("文件 broken.toml") for line in lines)
    assert "文件 broken.toml，检查项 2.3：" in str(caught.value)


def test_toml_syntax_error_reports_the_line(tmp_path):
    path = tmp_path / "quotes.toml"
    original = (FORMS / "industrial.toml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(original) if text.startswith("title = ")) + 1
    original[line - 1] = "title = “中文引号”"  # the mistake a clerk typing in Chinese makes
    path.write_text("\n".join(original), encoding="utf-8")
    [(file, item_id, message)] = problems_of(path)
    assert file == "quotes.toml" and item_id is None
    assert f"第 {line} 行" in message
    assert "英文双引号" in message


def test_key_written_twice_reports_the_line(tmp_path):
    path = tmp_path / "twice.toml"
    path.write_text('[template]\nid = "a"\nid = "b"\n', encoding="utf-8")
    [(_, _, message)] = problems_of(path)
    assert "第 3 行" in message and "写了两次" in message


def test_file_without_sections(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text('[template]\nid = "x"\nversion = 1\ntitle = "t"\nproduct_kind = "fish"\ncategories = ["水泥"]\n')
    problems = problems_of(path)
    assert reported(problems, None, "没有任何检查部分")
    assert reported(problems, None, "product_kind “fish” 不认识")


def test_non_utf8_file_is_explained_and_bom_is_accepted(tmp_path):
    text = (FORMS / "food.toml").read_text(encoding="utf-8")
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes(text.encode("gbk", errors="replace"))
    [(_, _, message)] = problems_of(gbk)
    assert "UTF-8" in message
    bom = tmp_path / "bom.toml"
    bom.write_bytes(text.encode("utf-8-sig"))
    assert load_template(bom).id == "food"


def test_duplicate_section_numbers(tmp_path):
    text = (FORMS / "food.toml").read_text(encoding="utf-8").replace("no = 9\n", "no = 8\n")
    path = tmp_path / "food.toml"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    assert reported(problems, None, "no = 8 与前面的部分重复")
    assert reported(problems, "9.1", "应以所在部分的编号 8.")


def test_duplicate_template_ids_across_files(tmp_path):
    shutil.copy(FORMS / "food.toml", tmp_path / "food.toml")
    shutil.copy(FORMS / "food.toml", tmp_path / "food-copy.toml")
    with pytest.raises(TemplateError) as caught:
        load_templates(tmp_path)
    messages = [str(p) for p in caught.value.problems]
    assert any("food.toml" in m and 'id = "food"' in m for m in messages), messages


def test_a_category_may_have_only_one_template(tmp_path):
    shutil.copy(FORMS / "industrial.toml", tmp_path / "industrial.toml")
    cement = (FORMS / "industrial.toml").read_text(encoding="utf-8").replace('id = "industrial"', 'id = "cement"')
    (tmp_path / "cement.toml").write_text(cement, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_templates(tmp_path)
    assert "产品类别“水泥”同时出现在文件" in str(caught.value)


def test_load_templates_reports_the_problems_of_every_file(tmp_path):
    (tmp_path / "a.toml").write_text("id = \n", encoding="utf-8")
    (tmp_path / "b.toml").write_text(BROKEN, encoding="utf-8")
    shutil.copy(FORMS / "food.toml", tmp_path / "food.toml")
    with pytest.raises(TemplateError) as caught:
        load_templates(tmp_path)
    files = {p.file for p in caught.value.problems}
    assert files == {"a.toml", "b.toml"}
    assert len(caught.value.problems) == 16


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(TemplateError) as caught:
        load_templates(tmp_path)
    assert "没有任何 .toml" in str(caught.value)
