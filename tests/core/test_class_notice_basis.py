"""The 分类告知书 cites its legal basis by the same rule as the 责令整改通知书 (core/issuing/legal_basis.py): the line
of `class_notice.legal_bases` in force on the notice's date for the enterprise's products, or no notice at all
and a message that says where to set one. The earlier single value is read as one line without bounds."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from inspector_app.core import settings
from inspector_app.core.catalog import FOOD_CATEGORY
from inspector_app.core.errors import ValidationError
from inspector_app.core.issuing import legal_basis
from inspector_app.core.supervision import class_notice, classification
from inspector_app.documents.supervision_docs import print_class_notice

OLD = "《上海市工业产品生产许可证证后监督检查管理办法》第十一条"
NEW = "《××市工业产品生产许可证后续监管办法》第十一条"


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


@pytest.fixture
def classified(db, sample, fixed_today):
    classification.classify(db, sample.enterprise_id, "C", reason="监督抽查不合格", who="张伟", on=date(2026, 5, 2))
    return sample.enterprise_id


def test_the_line_in_force_on_the_notice_date_is_cited(db, classified):
    lines = f"2017-05-01｜2022-04-30｜工业产品｜{OLD}\n2022-05-01｜｜全部｜{NEW}"
    settings.set_value(db, "class_notice.legal_bases", lines)
    text = _text(print_class_notice(db, classified).pdf)
    assert NEW in text and OLD not in text  # 001 §54: the measures expired on 2022-04-30


def test_none_in_force_refuses_and_says_where_to_set_it(db, classified):
    settings.set_value(db, "class_notice.legal_bases", f"2017-05-01｜2022-04-30｜工业产品｜{OLD}")
    with pytest.raises(legal_basis.NoLegalBasis) as caught:
        print_class_notice(db, classified)
    said = str(caught.value)
    assert "2026-06-15" in said and "分类告知书法律依据" in said and "不能出具分类告知书" in said
    assert "settings set class_notice.legal_bases" in said
    assert class_notice.list_notices(db) == []  # no record, no number taken


def test_a_bad_line_is_refused_by_the_same_checks_as_the_notice(db):
    with pytest.raises(ValidationError, match="第2行的有效期止早于有效期起"):
        settings.set_value(db, "class_notice.legal_bases", f"｜｜全部｜{NEW}\n2026-01-01｜2025-01-01｜全部｜{OLD}")
    with pytest.raises(ValidationError, match="第1行与第2行的有效期重叠"):
        settings.set_value(db, "class_notice.legal_bases", f"｜｜全部｜{NEW}\n2026-01-01｜｜工业产品｜{OLD}")


def test_a_food_only_enterprise_needs_a_line_for_food_related_products(db, classified):
    from inspector_app.core.storage.models import License

    with db.session() as s:  # the sample holds one industrial and one food-related license
        categories = [lic.category for lic in s.query(License).filter_by(enterprise_id=classified)]
    assert legal_basis.kind_of(categories) == "industrial"
    assert legal_basis.kind_of([FOOD_CATEGORY, FOOD_CATEGORY]) == "food"
    settings.set_value(db, "class_notice.legal_bases", f"｜｜工业产品｜{NEW}")
    assert NEW in _text(print_class_notice(db, classified).pdf)


def test_an_earlier_single_value_is_one_line_without_bounds(db, classified):
    settings.set_value(db, "class_notice.legal_basis", NEW)
    assert NEW in _text(print_class_notice(db, classified).pdf)
    settings.set_value(db, "class_notice.legal_bases", f"2030-01-01｜｜全部｜{OLD}")  # the new setting wins
    with pytest.raises(legal_basis.NoLegalBasis):
        print_class_notice(db, classified)
