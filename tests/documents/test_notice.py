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
    settings.set_value(db, "notice.legal_bases", "2026-01-01｜2026-12-31｜工业产品｜《某某办法》第二十七条")
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
        "依据《某某办法》第二十七条的规定",
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


def test_the_notice_is_set_in_the_gbt9704_faces(db, signed_id):
    """GB/T 9704: 仿宋 text, 黑体 headings, a bold Song title (小标宋); the regular Song face only for the
    characters 仿宋 lacks (none here) and the page furniture."""
    faces = {base.split("+")[-1] for base, _s, _e in factory.font_report(generate(db, signed_id, "notice").pdf)}
    assert {"XCJCFangsong-Regular", "NotoSansCJKsc-Regular", "NotoSerifCJKsc-Bold"} <= faces


# ---------------------------------------------------------------- the legal basis by date and product kind
# 001 §54: 自2017年5月1日起施行，有效期至2022年4月30日; 001 §2: 食品相关产品不适用本办法.
def test_the_shipped_basis_is_never_in_force_after_its_expiry_nor_for_food_related_products():
    from datetime import date

    from inspector_app.core.issuing.legal_basis import DEFAULT, NoLegalBasis, for_notice

    assert "第二十七条" in for_notice(DEFAULT, date(2022, 4, 30), "危险化学品", bureau=True)  # its last day
    for on, category in (
        (date(2022, 5, 1), "危险化学品"),  # the day after it expired
        (date(2026, 6, 15), "电线电缆"),
        (date(2019, 6, 1), "直接接触食品的材料等相关产品"),  # in force, but never for food-related products
        (date(2017, 4, 30), "水泥"),  # before it took effect
    ):
        with pytest.raises(NoLegalBasis) as e:
            for_notice(DEFAULT, on, category, bureau=True)
        text = str(e.value)
        assert f"没有在{on.isoformat()}有效" in text
        assert "文件 → 设置… → 文书文字 → 整改通知书法律依据" in text and "settings set notice.legal_bases" in text


def test_the_notice_takes_the_basis_in_force_for_the_enterprises_kind():
    from datetime import date

    from inspector_app.core.issuing.legal_basis import for_notice

    value = "\n".join(
        [
            "2017-05-01｜2022-04-30｜工业产品｜《甲办法》第二十七条",
            "2022-05-01｜｜工业产品｜《乙办法》第十条",
            "2023-03-01｜｜食品相关产品｜《丙办法》第五条",
        ]
    )
    assert for_notice(value, date(2021, 3, 1), "水泥", bureau=True) == "《甲办法》第二十七条"
    assert for_notice(value, date(2026, 6, 15), "水泥", bureau=True) == "《乙办法》第十条"
    assert for_notice(value, date(2026, 6, 15), "直接接触食品的材料等相关产品", bureau=True) == "《丙办法》第五条"
    with pytest.raises(DomainError, match="适用于食品相关产品"):
        for_notice(value, date(2022, 6, 1), "直接接触食品的材料等相关产品", bureau=False)


@pytest.mark.parametrize(
    "value, reason",
    [
        ("2022-05-01｜工业产品｜《乙办法》", "第1行应有4栏"),
        ("2022-13-01｜｜工业产品｜《乙办法》", "第1行的有效期起“2022-13-01”不是日期"),
        ("2022-05-01｜2022-01-01｜工业产品｜《乙办法》", "有效期止早于有效期起"),
        ("｜｜化工产品｜《乙办法》", "适用产品“化工产品”应为 全部、工业产品、食品相关产品 之一"),
        ("2020-01-01｜｜全部｜《甲》\n2022-05-01｜｜工业产品｜《乙》", "第1行与第2行的有效期重叠"),
    ],
)
def test_a_bad_basis_setting_is_refused_naming_the_line(db, value, reason):
    with pytest.raises(settings.SettingsRefused, match=reason):
        settings.update(db, {"notice.legal_bases": value})


def test_printing_a_notice_without_a_basis_in_force_is_refused_and_takes_no_number(db, signed_id):
    settings.set_value(db, "notice.legal_bases", "2017-05-01｜2022-04-30｜工业产品｜《甲办法》第二十七条")
    with pytest.raises(DomainError, match="没有在2026-06-15有效、适用于工业产品"):
        generate(db, signed_id, "notice")
    assert docnumbers.list_numbers(db, inspection_id=signed_id) == []


def test_a_gbk_character_outside_the_fangsong_face_prints_in_the_notice(db, sample, templates, fixed_today):
    """仿宋 covers GB 2312; a rarer character (喆) in a record is set in the regular face, not refused."""
    iid = factory.signed(db, sample, templates, problems={"1.2": "营业执照记载的负责人王喆与许可证不一致。"})
    text = flat(pdf_text(generate(db, iid, "notice").pdf))
    assert "负责人王喆与许可证不一致" in text
