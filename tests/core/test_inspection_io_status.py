"""The production-status form's values (002 附件3 钢铁) in the inspection JSON: exported with the record, imported
on another laptop with the same checks as the form screen, and a signed record still verifies there."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from inspector_app.core.inspection import inspections as svc
from inspector_app.core.inspection.json_io import export_inspections, import_inspections
from inspector_app.core.inspection.status_values import save_status_value
from inspector_app.core.issuing import signing
from inspector_app.core.storage.models import Enterprise, License
from tests.core.inspection_io_helpers import USCC, refused, write
from tests.core.test_status_forms import add_license, start
from tests.documents import factory

STEEL_NUMBER = "(晋)XK05-001-00012"


def sign_steel(db, sample, templates) -> str:
    """A steel enterprise's record with its status form filled, completed and signed."""
    iid = start(db, sample, templates, add_license(db, sample, "建筑用钢筋", STEEL_NUMBER))
    for item in templates["industrial"].applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="conform", record="无异常")
    save_status_value(db, iid, "2.1", "120.5")
    save_status_value(db, iid, "2.2", "100")
    save_status_value(db, iid, "3.1", ["正常生产"])
    save_status_value(db, iid, "7.1", ["冷轧产品", "棒材产品"])
    save_status_value(db, iid, "9.1", [["1000", "2"], ["300", "1"]])
    svc.complete_inspection(db, iid)
    factory.sign(db, iid)
    return iid


@pytest.fixture
def signed_steel(db, sample, templates):
    return sign_steel(db, sample, templates)


@pytest.fixture
def steel_roster(other_db):
    """The other laptop knows the same steel license."""
    with other_db.session() as s:
        ent = s.scalar(select(Enterprise).where(Enterprise.uscc == USCC))
        s.add(
            License(
                enterprise=ent, site=ent.sites[0], number=STEEL_NUMBER, category="建筑用钢筋",
                products="热轧带肋钢筋", issue_date=date(2022, 1, 10), expiry_date=date(2027, 1, 9),
            )
        )  # fmt: skip
    return other_db


def status_of(database, iid) -> dict[str, str]:
    return {k: a.record for k, a in svc.load_inspection(database, iid).answers.items() if k.startswith("S")}


def test_status_values_go_out_and_come_back_and_the_signed_record_still_verifies(
    db, signed_steel, templates, tmp_path, steel_roster
):
    out = tmp_path / "out.json"
    export_inspections(db, [signed_steel], out)
    values = json.loads(out.read_text("utf-8"))["inspections"][0]["status_values"]
    assert values[:3] == [
        {"field_id": "2.1", "value": "120.5"},
        {"field_id": "2.2", "value": "100"},
        {"field_id": "3.1", "value": ["正常生产"]},
    ]
    assert {"field_id": "9.1", "value": [["1000", "2"], ["300", "1"]]} in values
    result = import_inspections(steel_roster, out, templates)
    assert result.created == result.signed == (signed_steel,)
    assert status_of(steel_roster, signed_steel) == status_of(db, signed_steel)
    assert status_of(db, signed_steel)["S7.1"] == '["棒材产品", "冷轧产品"]'
    assert signing.verify_record(steel_roster, signed_steel) == []
    # Back home, the same file is the same record (its status values included): nothing changes.
    assert import_inspections(db, out, templates).unchanged == (signed_steel,)
    export_inspections(steel_roster, None, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == out.read_bytes()


def test_a_bad_number_is_refused_naming_the_path_and_the_field(db, signed_steel, templates, tmp_path, steel_roster):
    out = tmp_path / "out.json"
    export_inspections(db, [signed_steel], out)
    doc = json.loads(out.read_text("utf-8"))
    doc["inspections"][0]["status_values"][0]["value"] = "十二万"
    doc["inspections"][0]["status_values"].append({"field_id": "8.1", "value": 2.5})
    assert doc["inspections"][0]["status_values"][4]["field_id"] == "9.1"
    doc["inspections"][0]["status_values"][4]["value"] = [["1000", "1.5"]]
    problems = refused(steel_roster, write(tmp_path / "bad.json", doc), templates)
    assert problems == [
        "inspections[0].status_values[0] (2021年钢材产量·总产量（万吨）): “十二万”不是数字，请只填数字，如 12.5",
        "inspections[0].status_values[4] (拉力试验机吨位及数量 第 1 行数量（台）): 应为整数（台），“1.5”不是整数",
        "inspections[0].status_values[5] (生产设备·高炉（台）): 应为整数（台），“2.5”不是整数",
    ]


def test_status_values_where_the_record_has_no_status_form_are_refused(db, sample, templates, tmp_path, other_db):
    iid = start(db, sample, templates, sample.license_id)  # a 危险化学品 license: no status form
    out = tmp_path / "out.json"
    export_inspections(db, [iid], out)
    doc = json.loads(out.read_text("utf-8"))
    assert doc["inspections"][0]["status_values"] == []
    doc["inspections"][0]["status_values"] = [{"field_id": "2.1", "value": "10"}]
    (problem,) = refused(other_db, write(tmp_path / "bad.json", doc), templates)
    assert problem.startswith("inspections[0].status_values: 本检查不填写生产状况登记表")


def test_a_completed_record_whose_total_is_below_its_parts_is_refused(db, signed_steel, templates, tmp_path, other_db):
    out = tmp_path / "out.json"
    export_inspections(db, [signed_steel], out)
    doc = json.loads(out.read_text("utf-8"))
    record = doc["inspections"][0]
    record["id"] = None
    record["signatures"], record["signed_on"], record["rectification_days"] = [], None, None
    record["status_values"][1]["value"] = "130"  # 钢筋 more than the total 120.5
    problems = refused(db, write(tmp_path / "bad.json", doc), templates)
    assert any(
        p.startswith("inspections[0].status_values: 状态为 completed（已完成），但2021年钢材产量·总产量（万吨）：钢筋")
        for p in problems
    ), problems
