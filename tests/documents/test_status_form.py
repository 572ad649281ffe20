"""生产状况登记表 (002 附件3 钢铁, 附件4 水泥) printed from a signed record: the paper's columns, the values signed,
tick boxes as on paper; a record without one refuses the document; the signed values verify."""

import pytest

from inspector_app.core.errors import ValidationError
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.inspection.status_values import save_status_value
from inspector_app.core.issuing import signing
from inspector_app.core.storage.models import ItemResult
from inspector_app.documents.generate import generate
from tests.core.test_status_forms import CEMENT_HEADS, STEEL_HEADS, add_license, start
from tests.documents import factory
from tests.documents.factory import flat, pdf_pages, pdf_text

STEEL_VALUES = {
    "2.1": "120.5",
    "2.2": "80",
    "2.3": "12",
    "3.1": ["正常生产"],
    "5.1": "2",
    "5.2": ["合格"],
    "6.1": ["无"],
    "7.1": ["棒材产品", "线材产品"],
    "8.1": "2",
    "8.3": "1",
    "9.1": [["1000", "2"], ["600", "1"]],
    "10.1": ["否"],
    "11.1": ["否"],
    "12.1": ["是"],
}


def signed_with_status(db, sample, templates, category, number, values):
    iid = start(db, sample, templates, add_license(db, sample, category, number))
    for item in templates["industrial"].applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="conform", record="现场核查，符合要求。")
    for field_id, value in values.items():
        save_status_value(db, iid, field_id, value)
    svc.complete_inspection(db, iid)
    factory.sign(db, iid)
    return iid


@pytest.fixture
def steel_signed(db, sample, templates, fixed_today):
    return signed_with_status(db, sample, templates, "建筑用钢筋", "(晋)XK05-001-00012", STEEL_VALUES)


def test_the_steel_form_prints_the_paper_columns_and_the_values(db, steel_signed):
    doc = generate(db, steel_signed, "status")
    text = pdf_text(doc.pdf)
    assert "山西省钢铁获证企业生产状况登记表" in text
    assert "填表单位上海申华塑料制品有限公司" in text and "填表时间2026年6月15日" in text
    for head in STEEL_HEADS:
        assert flat(head) in text, head
    assert "(晋)XK05-001-00012" in text and "2022-01-10—2027-01-09" in text  # 生产许可证编号, 有效期
    assert "总产量（万吨）" in text and "120.5" in text
    assert "☑正常生产☐停产☐关停" in text
    assert "☑有" not in text and "☐有☑无" in text
    assert "吨位（吨）" in text and "数量（台）" in text and "1000" in text
    assert "企业代表确认签字（公章）" in text and "联系人李秀英" in text and "联系电话021-57001234" in text
    assert "填表说明：本表由企业如实填写，并签字盖章确认。" in text
    assert "符合" not in text.replace("不合格", "").replace("合格", "")  # no 符合/不符合 on this form
    assert len(pdf_pages(doc.pdf)) == 1


def test_the_cement_form(db, sample, templates, fixed_today):
    values = {"1.4": "平定县", "2.1": ["水泥厂", "粉磨站"], "5.1": "100", "5.2": "60", "5.4": [["油井水泥", "30"]]}
    iid = signed_with_status(db, sample, templates, "水泥", "(晋)XK08-001-00031", values)
    text = pdf_text(generate(db, iid, "status").pdf)
    assert "山西省水泥获证企业生产状况登记表" in text
    for head in CEMENT_HEADS:
        assert flat(head) in text, head
    assert "平定县" in text and "油井水泥" in text


def test_a_record_without_a_status_form_refuses_it(db, signed_id):
    with pytest.raises(ValidationError, match="只用于钢铁、水泥获证企业"):
        generate(db, signed_id, "status")


def test_the_status_values_are_signed(db, steel_signed):
    assert signing.verify_record(db, steel_signed) == []
    with db.session() as s:
        s.query(ItemResult).filter_by(inspection_id=steel_signed, item_id="S2.1").update({"record": "200"})
    assert signing.verify_record(db, steel_signed) == ["生产状况登记表在签字后被改动"]
