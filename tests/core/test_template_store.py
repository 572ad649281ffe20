"""Published templates: the bureau publishes a checked file, a newer version wins over forms/, a started
inspection keeps its own version, and every refusal names the file (and item) and changes nothing."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspector_app.core.errors import BureauOnly, ValidationError
from inspector_app.core.inspection import inspections
from inspector_app.core.inspection.template_store import (
    PUBLISHED,
    SHIPPED,
    TemplateRelease,
    available_templates,
    publish_template,
    publish_templates,
    releases,
    template_catalogue,
)
from inspector_app.core.inspection.templates import TemplateError, load_templates, template_for_category
from inspector_app.core.storage.models import Setting, TemplateSnapshot
from inspector_app.core.storage.sync_models import SETTING_DEVICE_ROLE

FORMS = Path(__file__).resolve().parents[2] / "forms"

ITEM_3_3 = """
# Quality manual is a technical document → 技术、工艺文件 (000 二(二)).
[[sections.items]]
id = "3.3"
text = "企业质量手册是否为现行有效版本。"
na_allowed = true
na_reason = "停产不适用"
category = "{category}"
note = "停产不适用"
"""


def industrial_text(version: int, *, item_category: str | None = None, drop: tuple[str, ...] = ()) -> str:
    """forms/industrial.toml at another version, optionally with a new item 3.3 and without some categories."""
    text = (FORMS / "industrial.toml").read_text("utf-8")
    text = text.replace("version = 2\n", f"version = {version}\n", 1)
    for category in drop:
        text = text.replace(f'    "{category}",\n', "", 1)
    if item_category is not None:
        marker = "# ---------------------------------------------------------------- 4 质量检验"
        text = text.replace(marker, ITEM_3_3.format(category=item_category) + "\n" + marker, 1)
    return text


def cement_text(version: int = 1) -> str:
    """A product-specific template for 水泥, copied from the industrial one (docs/template-format.md)."""
    text = industrial_text(version)
    text = text.replace('id = "industrial"', 'id = "cement"', 1)
    text = text.replace('title = "工业产品生产许可证获证企业监督检查记录表"', 'title = "水泥产品监督检查记录表"', 1)
    return re.sub(r"^categories = \[\n.*?^\]\n", 'categories = ["水泥"]\n', text, count=1, flags=re.M | re.S)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def counts(db) -> tuple[int, int]:
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(TemplateRelease)),
            s.scalar(select(func.count()).select_from(TemplateSnapshot)),
        )


def set_role(db, role: str) -> None:
    with db.session() as s:
        s.merge(Setting(key=SETTING_DEVICE_ROLE, value=role))


def refused(db, paths, *fragments: str) -> TemplateError:
    before = counts(db)
    with pytest.raises(TemplateError) as caught:
        publish_templates(db, paths)
    text = str(caught.value)
    for fragment in fragments:
        assert fragment in text, text
    assert counts(db) == before
    return caught.value


# ------------------------------------------------------------------------------------------ publishing


def test_publish_stores_the_checked_content_and_a_release(db, tmp_path):
    path = write(tmp_path, "industrial-v3.toml", industrial_text(3, item_category="技术、工艺文件"))
    release = publish_template(db, path, published_by="王芳")
    assert (release.template_id, release.version, release.file_name, release.published_by) == (
        "industrial",
        3,
        "industrial-v3.toml",
        "王芳",
    )
    assert releases(db) == [release]
    template = available_templates(db)["industrial"]
    assert template.version == 3 and template.digest == release.digest
    assert template.item("3.3").text == "企业质量手册是否为现行有效版本。"
    # The snapshot is the one an inspection would store: content-addressed, same digest.
    with db.session() as s:
        assert s.get(TemplateSnapshot, release.digest).version == 3


def test_a_bad_file_is_refused_naming_file_and_item(db, tmp_path):
    path = write(tmp_path, "bad.toml", industrial_text(3, item_category="工艺文件"))
    error = refused(db, [path], "文件 bad.toml，检查项 3.3：问题分类 category “工艺文件” 不认识")
    assert [(p.file, p.item_id) for p in error.problems] == [("bad.toml", "3.3")]
    assert available_templates(db)["industrial"].version == 2


def test_every_bad_file_is_reported_at_once(db, tmp_path):
    a = write(tmp_path, "a.toml", industrial_text(3, item_category="工艺文件"))
    b = write(tmp_path, "b.toml", "[template]\nid = “cement”\n")
    error = refused(db, [a, b], "文件 a.toml，检查项 3.3", "文件 b.toml：TOML 语法错误，第 2 行")
    assert {p.file for p in error.problems} == {"a.toml", "b.toml"}


def test_a_version_not_higher_than_shipped_or_published_is_refused(db, tmp_path):
    same = write(tmp_path, "same.toml", industrial_text(2, item_category="技术、工艺文件"))
    refused(db, [same], "文件 same.toml", "version = 2 不高于程序自带的模板 industrial（第 2 版）", "version = 3")
    v3 = write(tmp_path, "v3.toml", industrial_text(3, item_category="技术、工艺文件"))
    publish_template(db, v3)
    other_v3 = write(tmp_path, "other.toml", industrial_text(3, item_category="其他"))
    refused(db, [other_v3], "version = 3 不高于区局发布的模板 industrial（第 3 版，文件 v3.toml）", "version = 4")
    older = write(tmp_path, "older.toml", industrial_text(1))
    refused(db, [older], "version = 1 不高于区局发布的模板 industrial（第 3 版")
    refused(db, [v3], "文件 v3.toml：内容与区局发布的模板 industrial（第 3 版，文件 v3.toml）完全相同，无需发布")
    refused(db, [FORMS / "food.toml"], "内容与程序自带的模板 food（第 2 版）完全相同")


def test_a_category_claimed_by_two_templates_is_refused(db, tmp_path):
    cement = write(tmp_path, "cement.toml", cement_text())
    refused(
        db,
        [cement],
        "文件 cement.toml：产品类别“水泥”同时属于待发布的模板 cement（第 1 版，文件 cement.toml）"
        "和程序自带的模板 industrial（第 2 版）",
    )


def test_a_category_left_without_a_template_is_refused(db, tmp_path):
    path = write(tmp_path, "industrial.toml", industrial_text(3, drop=("水泥",)))
    refused(db, [path], "文件 industrial.toml：[template] 中 categories 去掉了产品类别“水泥”")


def test_two_files_with_one_id_are_refused(db, tmp_path):
    a = write(tmp_path, "a.toml", industrial_text(3))
    b = write(tmp_path, "b.toml", industrial_text(4))
    refused(db, [a, b], '文件 b.toml：模板编号 id = "industrial" 与文件 a.toml 重复')


def test_a_product_specific_template_is_published_with_the_general_one(db, tmp_path):
    """docs/template-format.md: give 水泥 its own form and take 水泥 out of the general one, in one step."""
    cement = write(tmp_path, "cement.toml", cement_text())
    general = write(tmp_path, "industrial.toml", industrial_text(3, drop=("水泥",)))
    published = publish_templates(db, [cement, general], published_by="王芳")
    assert [(r.template_id, r.version) for r in published] == [("cement", 1), ("industrial", 3)]
    templates = available_templates(db)
    assert sorted((t.id, t.version) for t in templates.values()) == [("cement", 1), ("food", 2), ("industrial", 3)]
    assert template_for_category(templates, "水泥").id == "cement"
    assert template_for_category(templates, "化肥").id == "industrial"
    assert template_for_category(templates, "直接接触食品的材料等相关产品").id == "food"


def test_a_field_laptop_cannot_publish(db, tmp_path):
    set_role(db, "field")
    path = write(tmp_path, "v3.toml", industrial_text(3))
    before = counts(db)
    with pytest.raises(BureauOnly, match="发布检查表模板由区局进行"):
        publish_template(db, path)
    assert counts(db) == before


def test_the_bureau_and_a_standalone_install_can_publish(db, tmp_path):
    publish_template(db, write(tmp_path, "v3.toml", industrial_text(3)))  # no role: standalone
    set_role(db, "bureau")
    publish_template(db, write(tmp_path, "v4.toml", industrial_text(4)))
    assert available_templates(db)["industrial"].version == 4


# ------------------------------------------------------------------------------------------ merging


def test_without_releases_the_shipped_templates_are_available(db):
    assert available_templates(db) == load_templates(FORMS)


def test_a_newer_shipped_version_wins_and_a_tie_goes_to_the_bureau(db, tmp_path):
    publish_template(db, write(tmp_path, "v3.toml", industrial_text(3, item_category="其他")))
    forms = tmp_path / "forms"
    forms.mkdir()
    write(forms, "food.toml", (FORMS / "food.toml").read_text("utf-8"))
    write(forms, "industrial.toml", industrial_text(3, item_category="技术、工艺文件"))
    # The same number in a newer program: the bureau's copy, its deliberate change, stays in use.
    assert available_templates(db, forms)["industrial"].item("3.3").category == "其他"
    write(forms, "industrial.toml", industrial_text(4))
    assert available_templates(db, forms)["industrial"].version == 4


def test_a_conflict_between_shipped_and_published_is_reported_and_listed(db, tmp_path):
    publish_templates(
        db,
        [
            write(tmp_path, "cement.toml", cement_text()),
            write(tmp_path, "ind.toml", industrial_text(3, drop=("水泥",))),
        ],
    )
    forms = tmp_path / "forms"
    forms.mkdir()
    write(forms, "food.toml", (FORMS / "food.toml").read_text("utf-8"))
    write(forms, "industrial.toml", industrial_text(4))  # a newer program still lists 水泥 in industrial
    with pytest.raises(TemplateError) as caught:
        available_templates(db, forms)
    assert (
        "产品类别“水泥”同时属于区局发布的模板 cement（第 1 版，文件 cement.toml）和程序自带的模板 industrial（第 4 版）"
        in str(caught.value)
    )
    entries = template_catalogue(db, forms)
    assert [(e.id, e.version, e.source, e.in_use) for e in entries] == [
        ("cement", 1, PUBLISHED, True),
        ("food", 2, SHIPPED, True),
        ("industrial", 4, SHIPPED, True),
        ("industrial", 3, PUBLISHED, False),
    ]
    # Publishing the fix is not blocked by the conflict it resolves.
    publish_template(db, write(tmp_path, "ind5.toml", industrial_text(5, drop=("水泥",))), forms=forms)
    assert template_for_category(available_templates(db, forms), "水泥").id == "cement"


# ------------------------------------------------------------------------------------------ inspections


def test_a_new_inspection_uses_v3_and_one_started_on_v2_keeps_v2(db, sample, tmp_path):
    v2 = template_for_category(available_templates(db), "危险化学品")
    assert v2.version == 2
    team = sample.inspector_ids[:2]
    old = inspections.start_inspection(
        db, site_id=sample.site_id, template=v2, kind="scheduled", team=team, license_id=sample.license_id
    )
    publish_template(db, write(tmp_path, "v3.toml", industrial_text(3, item_category="技术、工艺文件")))

    v3 = template_for_category(available_templates(db), "危险化学品")
    assert (v3.id, v3.version) == ("industrial", 3)
    new = inspections.start_inspection(
        db, site_id=sample.site_id, template=v3, kind="scheduled", team=team, license_id=sample.license_id
    )
    old_view, new_view = inspections.load_inspection(db, old), inspections.load_inspection(db, new)
    assert (old_view.template.version, old_view.template.digest) == (2, v2.digest)
    assert (new_view.template.version, new_view.template.digest) == (3, v3.digest)
    assert "3.3" not in [i.id for i in old_view.template.items]
    assert "3.3" in [i.id for i in new_view.template.items]
    # The new item is answered like any other; the old form never grows it.
    inspections.save_answer(db, new, "3.3", conclusion="conform")
    assert inspections.load_inspection(db, new).answer("3.3").conclusion == "conform"
    with pytest.raises(ValidationError, match=r"“3\.3”不在该检查表中"):
        inspections.save_answer(db, old, "3.3", conclusion="conform")
