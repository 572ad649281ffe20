"""问题汇总表 (002 附件1): every field a user looks for, embedded fonts, the refusal note."""

import pytest

from inspector_app.core import settings
from inspector_app.core.issuing import signing
from inspector_app.documents import data, fonts, summary
from inspector_app.documents.generate import generate
from tests.documents import factory
from tests.documents.factory import flat, pdf_pages, pdf_text


def test_the_summary_shows_every_field(db, signed_id):
    settings.set_value(db, "bureau.name", "上海市奉贤区市场监督管理局")
    doc = generate(db, signed_id, "summary")
    pages = pdf_pages(doc.pdf)
    assert len(pages) == 1
    text = flat(pages[0])
    state = signing.get_signed(db, signed_id)
    for expected in [
        "“双随机、一公开”监督检查问题汇总表",
        "上海申华塑料制品有限公司（企业名称）",
        "根据上海市奉贤区市场监督管理局工作安排",
        "生产许可证(沪)XK13-006-00021",
        "有效期2022年3月1日—2027年2月28日",
        "获证产品涂料",
        "现场检查发现问题汇总如下",
        "1.〔1(2)证照信息〕" + flat(factory.PROBLEMS["1.2"]),
        "2.〔4(1)质量检验〕" + flat(factory.PROBLEMS["4.1"]),
        "3.〔5标识标志〕" + flat(factory.PROBLEMS["5.1"]) + "（已当场整改）",
        "检查内容：查看营业执照经营范围是否包含许可证产品。",
        "请企业在30日内（即2026年7月15日前）完成整改",
        "检查组签字",
        "张伟",
        "刘洋",
        "企业代表确认签字（公章）",
        "李秀英（质量部经理）",
        "联系人：李秀英",
        "联系电话：13800138000",
        "2026年6月15日",
        "备注企业要限期整改，逾期未整改或整改后仍未达到许可条件的企业，依法撤销生产许可证。",
        "核验码：" + state.verification_code,
        "第1页共1页",
    ]:
        assert expected in text, expected
    assert "问题汇总表" in doc.filename and doc.filename.endswith("20260615.pdf")


def test_fonts_are_embedded_and_nothing_else_is_used(db, signed_id):
    pdf = generate(db, signed_id, "summary").pdf
    report = factory.font_report(pdf)
    assert report and all(embedded for _b, _s, embedded in report), report
    assert all(subtype == "/TrueType" for _b, subtype, _e in report)
    assert all("NotoSerifCJKsc" in base for base, _s, _e in report)


def test_the_refusal_is_printed_in_place_of_the_signature(db, refused_id):
    text = pdf_text(generate(db, refused_id, "summary").pdf)
    assert "企业代表（王建国）拒绝签字。原因：企业负责人对第4项检查结论有异议。见证人：陈静（检查组）。" in text
    # Contact and phone are the enterprise's (one person), not the refusing representative's phone.
    assert "联系人：李秀英" in text and "联系电话：021-57001234" in text and "13900000000" not in text


def test_absence_is_printed_too(db, sample, templates, fixed_today):
    iid = factory.signed(db, sample, templates, rep_state="absent")
    assert "企业代表（王建国）不在场，未能签字。原因：企业负责人外出，联系不上" in pdf_text(
        generate(db, iid, "summary").pdf
    )


def test_period_per_inspection_and_other_kinds(db, sample, templates, fixed_today):
    iid = factory.complete(db, sample, templates, kind="scheduled")
    factory.sign(db, iid, days=15)
    text = pdf_text(generate(db, iid, "summary").pdf)
    assert text.startswith("监督检查问题汇总表") or "监督检查问题汇总表" in text
    assert "双随机" not in text
    assert "检查组按照定期检查的方式" in text and "请企业在15日内（即2026年6月30日前）" in text


def test_no_problems(db, sample, templates, fixed_today):
    iid = factory.signed(db, sample, templates, problems={})
    text = pdf_text(generate(db, iid, "summary").pdf)
    assert "本次检查未发现问题。" in text and "日内" not in text


def test_a_missing_glyph_is_refused_or_marked(db, sample, templates, fixed_today):
    from inspector_app.core.storage.models import Enterprise

    with db.session() as s:
        s.get(Enterprise, sample.enterprise_id).name = "上海𠀾记塑料制品有限公司"
    iid = factory.signed(db, sample, templates)
    with pytest.raises(fonts.MissingGlyphs, match="企业名称"):
        generate(db, iid, "summary")
    doc = generate(db, iid, "summary", strict=False)
    assert any("U+2003E" in w for w in doc.warnings)
    assert "上海〓记塑料制品有限公司" in pdf_text(doc.pdf)


def test_size_of_a_summary_without_photos(db, signed_id):
    assert len(generate(db, signed_id, "summary").pdf) < 300_000


def test_unsigned_inspections_have_no_documents(db, sample, templates, fixed_today):
    iid = factory.complete(db, sample, templates)
    with pytest.raises(signing.NotSigned):
        data.load(db, iid, "summary")


def test_the_layout_is_data():
    assert summary.LAYOUT["title_double_random"] == "“双随机、一公开”监督检查问题汇总表"
    assert len(summary.LAYOUT["margins_mm"]) == 4
