"""监督检查记录表 (002 附件2): every item marked, multi-page with page x of y, header and seal strip repeated."""

import re

from inspector_app.core.inspection import photos
from inspector_app.core.issuing import signing
from inspector_app.documents import record
from inspector_app.documents.generate import generate
from tests.core.test_photos import jpeg
from tests.documents import factory
from tests.documents.factory import flat, pdf_pages, pdf_text


def test_every_item_is_printed_with_its_conclusion_marked(db, signed_id, templates):
    text = pdf_text(generate(db, signed_id, "record").pdf)
    assert "工业产品生产许可证获证企业“双随机、一公开”监督检查记录表" in text
    assert "产品类别☑工业产品☐食品相关产品" in text
    for head in record.LAYOUT["heads"]:
        assert head in text
    for item in templates["industrial"].items:
        assert flat(item.text)[:20] in text, item.id
    assert "☐符合☑不符合" + flat(factory.PROBLEMS["1.2"]) in text
    assert text.count("☑符合") == len(templates["industrial"].applicable_items) - 3
    assert text.count("☑不适用") == 3  # the food-only items, with the form's reason
    assert "适用于食品相关产品" in text
    assert "已当场整改" in text
    for note in ["(1)上述“检查内容”", "(2)企业有多个生产地址的，应分别进行检查", "(4)本检查记录加盖骑缝章有效。"]:
        assert note in text
    assert "检查组成员签字" in text and "张伟" in text and "刘洋" in text
    assert "检查时间：2026年6月15日" in text
    assert "企业代表确认签字（盖章）" in text and "李秀英（质量部经理）" in text


def test_a_long_record_runs_over_pages_with_header_page_numbers_and_seal_strip(db, sample, templates, fixed_today):
    iid = factory.signed(db, sample, templates, long_records=4, team=3)
    pdf = generate(db, iid, "record").pdf
    pages = pdf_pages(pdf)
    n = len(pages)
    assert n >= 3
    code = signing.get_signed(db, iid).verification_code
    for number, page in enumerate(pages, start=1):
        text = flat(page)
        assert f"第{number}页共{n}页" in text
        assert "企业名称（盖章）上海申华塑料制品有限公司" in text  # the header on every page
        if "☐符合" in text or "☑符合" in text:  # a page of the items table repeats its column heads
            assert "检查内容" in text and "检查结论" in text
        assert "骑缝章" in text
        assert code in text
    assert len(re.findall("第\\d+页共", flat("".join(pages)))) == n


def test_the_refusal_note_on_the_record(db, refused_id):
    assert "企业代表（王建国）拒绝签字。" in pdf_text(generate(db, refused_id, "record").pdf)


def test_photo_appendix(db, sample, templates, fixed_today):
    iid = factory.complete(db, sample, templates)
    info = photos.add_photo(db, iid, "4.1", jpeg(1600, 1200), filename="检验记录.jpg", caption="缺少黏度数据")
    factory.sign(db, iid)
    without = generate(db, iid, "record")
    assert "附：现场检查照片" not in pdf_text(without.pdf)
    pdf = generate(db, iid, "record", with_photos=True).pdf
    last = flat(pdf_pages(pdf)[-1])
    assert "附：现场检查照片（共1张）" in last
    assert "照片1检查项4(1)拍摄于2026-06-1510:31" in last and "缺少黏度数据" in last
    assert info.sha256[:32] in last
    assert pdf.count(b"/Subtype /Image") > without.pdf.count(b"/Subtype /Image")  # the photo is embedded


def test_amendments_are_printed_after_the_signatures(db, signed_id):
    am = signing.create_amendment(db, signed_id, "检查记录笔误", [("1.2", "record", "经营范围未含涂料。")])
    signing.sign_amendment(db, am, [*factory.team_signatures(db, signed_id), factory.representative()])
    text = pdf_text(generate(db, signed_id, "record").pdf)
    assert "更正记录" in text and "第1次更正" in text and "更正原因：检查记录笔误" in text
    assert "检查项1(2)检查记录：" in text and "→经营范围未含涂料。" in text
    state = signing.get_signed(db, signed_id)
    assert state.verification_code in text and state.current_hash != state.content_hash


def test_fonts_embedded_in_the_record(db, signed_id):
    assert all(embedded for _b, _s, embedded in factory.font_report(generate(db, signed_id, "record").pdf))
