"""Production-status forms (002 附件3 钢铁, 附件4 水泥): read from forms/status, filled with the record of a steel or
cement enterprise, checked (numbers, units, totals), signed with it — and the plain checklist left as it was."""

from datetime import date
from pathlib import Path

import pytest

from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.inspection.status_file import load_status_forms, read_status_file, status_form_for_category
from inspector_app.core.inspection.status_values import save_status_value
from inspector_app.core.inspection.templates import Template, TemplateError
from inspector_app.core.storage.models import License

FORMS = Path(__file__).parents[2] / "forms" / "status"

# Column heads of the paper forms (002 附件3 / 附件4), as the form files must carry them.
STEEL_HEADS = ["总产量", "钢筋", "轴承钢材", "企业生产现状", "停产/关停日期", "国家监督抽查", "省级及以下抽查",
               "有无违规产能", "棒材产品", "冷轧产品", "高炉", "转炉", "电炉", "轧钢生产线", "棒材线", "线材线",
               "拉力试验机吨位及数量", "是否有国家明令淘汰设备", "是否存在无证生产等违法违规的生产行为",
               "是否保持获证时的生产条件"]  # fmt: skip
CEMENT_HEADS = ["企业所在地(县)", "生产类型", "水泥厂", "熟料厂", "粉磨站", "配制厂", "生产许可证号", "有效期",
                "通用水泥", "熟料", "特种水泥", "生料磨", "回转窑", "水泥磨", "设备型号", "熟料来源(公司)",
                "2021年采购总量"]  # fmt: skip


def words(form) -> str:
    return "|".join(
        [s.title for s in form.sections] + [f.label for f in form.fields] + [o for f in form.fields for o in f.options]
    )


def add_license(db, sample, category: str, number: str) -> str:
    with db.session() as s:
        lic = License(
            enterprise_id=sample.enterprise_id, site_id=sample.site_id, number=number, category=category,
            products="热轧带肋钢筋" if category == "建筑用钢筋" else "通用硅酸盐水泥",
            issue_date=date(2022, 1, 10), expiry_date=date(2027, 1, 9),
        )  # fmt: skip
        s.add(lic)
        s.flush()
        return lic.id


def start(db, sample, templates, license_id):
    return svc.start_inspection(
        db, site_id=sample.site_id, template=templates["industrial"], kind="double_random",
        team=sample.inspector_ids[:2], inspected_on=date(2026, 6, 15), license_id=license_id,
    )  # fmt: skip


@pytest.fixture
def steel(db, sample, templates):
    return start(db, sample, templates, add_license(db, sample, "建筑用钢筋", "(晋)XK05-001-00012"))


def test_the_shipped_forms_carry_the_paper_columns():
    forms = load_status_forms(FORMS)
    assert status_form_for_category(forms, "建筑用钢筋").source == "002 附件3"
    assert status_form_for_category(forms, "水泥").source == "002 附件4"
    assert status_form_for_category(forms, "危险化学品") is None
    for head in STEEL_HEADS:
        assert head in words(forms["steel"]), head
    for head in CEMENT_HEADS:
        assert head in words(forms["cement"]), head


def test_a_steel_record_carries_the_steel_form_and_others_do_not(db, sample, templates, steel):
    view = svc.load_inspection(db, steel)
    assert view.template.status.title == "山西省钢铁获证企业生产状况登记表"
    assert view.template.items == templates["industrial"].items  # the checklist itself is unchanged
    snapshot = Template.from_dict(view.template.to_dict())
    assert snapshot == view.template and snapshot.digest != templates["industrial"].digest
    plain = start(db, sample, templates, sample.license_id)
    # A checklist without a status form keeps its digest: records signed before still verify.
    assert svc.load_inspection(db, plain).template.digest == templates["industrial"].digest
    with pytest.raises(ValidationError, match="只用于钢铁、水泥"):
        save_status_value(db, plain, "2.1", "10")


def test_numbers_are_checked_and_the_field_is_named(db, steel):
    assert save_status_value(db, steel, "2.1", " 120.50 ") == "120.5"
    with pytest.raises(ValidationError) as e:
        save_status_value(db, steel, "2.1", "十二万")
    assert str(e.value) == "2021年钢材产量·总产量（万吨）：“十二万”不是数字，请只填数字，如 12.5"
    with pytest.raises(ValidationError, match="生产设备·高炉（台）：应为整数"):
        save_status_value(db, steel, "8.1", "2.5")
    with pytest.raises(ValidationError, match="电炉（台）：不能小于 0"):
        save_status_value(db, steel, "8.3", "-1")
    with pytest.raises(ValidationError, match="“NaN”不是数字"):
        save_status_value(db, steel, "2.2", "NaN")
    with pytest.raises(ValidationError, match="停产/关停日期：“2022年3月”不是日期"):
        save_status_value(db, steel, "4.1", "2022年3月")
    with pytest.raises(ValidationError, match="第 1 行数量（台）：应为整数"):
        save_status_value(db, steel, "9.1", [["1000", "1.5"]])
    assert svc.load_inspection(db, steel).answers["S2.1"].record == "120.5"  # refusals changed nothing


def test_tick_boxes_as_on_paper(db, steel):
    assert save_status_value(db, steel, "7.1", ["冷轧产品", "棒材产品"]) == '["棒材产品", "冷轧产品"]'
    with pytest.raises(ValidationError, match="企业生产现状：只能勾选一项"):
        save_status_value(db, steel, "3.1", ["正常生产", "停产"])
    with pytest.raises(ValidationError, match="有无违规产能：“符合”不是可勾选的选项"):
        save_status_value(db, steel, "6.1", ["符合"])
    assert save_status_value(db, steel, "6.1", []) == ""


def test_a_total_below_its_parts_blocks_completion(db, templates, steel):
    for item in templates["industrial"].applicable_items:
        svc.save_answer(db, steel, item.id, conclusion="conform")
    save_status_value(db, steel, "2.1", "10")
    save_status_value(db, steel, "2.2", "8")
    save_status_value(db, steel, "2.3", "3")
    with pytest.raises(svc.IncompleteInspection) as e:
        svc.complete_inspection(db, steel)
    assert "2021年钢材产量·总产量（万吨）：钢筋、轴承钢材之和 11 万吨大于总产量 10 万吨" in str(e.value)
    save_status_value(db, steel, "2.1", "11")
    svc.complete_inspection(db, steel)
    with pytest.raises(DomainError, match="已完成"):
        save_status_value(db, steel, "2.1", "12")


def test_cement_special_rows_count_in_the_total(db, sample, templates):
    iid = start(db, sample, templates, add_license(db, sample, "水泥", "(晋)XK08-001-00031"))
    save_status_value(db, iid, "5.1", "100")
    save_status_value(db, iid, "5.2", "60")
    save_status_value(db, iid, "5.3", "500")  # 熟料 (clinker) is not part of the cement total
    save_status_value(db, iid, "5.4", [["油井水泥", "30"], ["", ""], ["道路硅酸盐水泥", "15"]])
    blockers = [b.message for b in svc.completion_blockers(svc.load_inspection(db, iid))]
    assert any("通用水泥、特种水泥之和 105 万吨大于总产量 100 万吨" in m for m in blockers)


def test_a_bad_form_file_lists_every_problem(tmp_path):
    (tmp_path / "bad.toml").write_text(
        """[form]
id = "x"
version = 1
title = "t"
categories = ["水泥"]
[[sections]]
no = 1
title = "产量"
[[sections.fields]]
id = "1.1"
label = "总产量"
kind = "numbr"
total_of = ["1.9"]
[[sections.fields]]
id = "1.2"
label = "有无"
kind = "ticks"
options = ["有"]
""",
        encoding="utf-8",
    )
    _form, problems = read_status_file(tmp_path / "bad.toml")
    text = "\n".join(str(p) for p in problems)
    assert "文件 bad.toml，检查项 1.1：类型 kind “numbr” 不认识" in text
    assert "total_of 中的“1.9”不是本表的其他数字字段" in text
    assert "检查项 1.2：勾选框 ticks 须在 options 写至少两个不重复的选项" in text
    with pytest.raises(TemplateError):
        load_status_forms(tmp_path)
