"""责令整改通知书: bureau, document number, legal basis, problems, deadline, re-inspection, receipt."""

import pytest

from inspector_app.core import settings
from inspector_app.core.errors import DomainError
from inspector_app.core.issuing import numbers as docnumbers
from inspector_app.core.issuing import signing
from inspector_app.documents.generate import generate
from tests.documents import factory
from tests.documents.factory import flat, pdf_text


def test_the_notice_shows_every_field(db, signed_id):
    settings.set_value(db, "bureau.name", "上海市奉贤区市场监督管理局")
    settings.set_value(db, "bureau.short_name", "奉市监")
    settings.set_value(db, "bureau.contact_phone", "021-67100000")
    settings.set_value(db, "device.docnumber_prefix", "03-")
    settings.set_value(db, "notice.legal_basis", "《上海市工业产品生产许可证证后监督检查管理办法》第二十七条")
    doc = generate(db, signed_id, "notice")
    text = pdf_text(doc.pdf)
    assert doc.number == "奉市监责改〔2026〕03-0001号"
    for expected in [
        "上海市奉贤区市场监督管理局",
        "责令整改通知书",
        "奉市监责改〔2026〕03-0001号",
        "上海申华塑料制品有限公司：",
        "2026年6月15日，本局检查人员张伟、刘洋对你单位（生产地址：上海市奉贤区南桥镇江海路88号）",
        "生产许可证编号：(沪)XK13-006-00021",
        "1." + flat(factory.PROBLEMS["1.2"]) + "（检查项1(2)证照信息）",
        "2." + flat(factory.PROBLEMS["4.1"]),
        "依据《上海市工业产品生产许可证证后监督检查管理办法》第二十七条的规定",
        "现责令你单位于2026年7月15日前完成整改（整改期限30日）",
        "整改期限届满后，本局将对你单位的整改情况进行复查",
        "联系人：张伟",
        "联系电话：021-67100000",
        "送达回证",
        "《责令整改通知书》奉市监责改〔2026〕03-0001号",
        "受送达人签收",
        "送达人张伟、刘洋",
        "核验码：" + signing.get_signed(db, signed_id).verification_code,
    ]:
        assert expected in text, expected
    # a problem rectified on the spot is not ordered again (002 附件2 备注(3))
    assert flat(factory.PROBLEMS["5.1"]) not in text


def test_a_reprint_keeps_its_number_and_every_number_is_recorded(db, signed_id):
    first = generate(db, signed_id, "notice").number
    assert generate(db, signed_id, "notice").number == first
    docnumbers.void(db, first, "打印时卡纸")
    second = generate(db, signed_id, "notice").number
    assert second != first
    assert [(n.number, n.status) for n in docnumbers.list_numbers(db)] == [(first, "voided"), (second, "issued")]


def test_no_notice_without_problems_to_rectify(db, sample, templates, fixed_today):
    iid = factory.signed(db, sample, templates, problems={"5.1": "标签未标注编号，已当场整改。"})
    with pytest.raises(DomainError, match="无需出具责令整改通知书"):
        generate(db, iid, "notice")


def test_fonts_embedded_in_the_notice(db, signed_id):
    assert all(embedded for _b, _s, embedded in factory.font_report(generate(db, signed_id, "notice").pdf))
