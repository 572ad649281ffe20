"""Document numbers (core/issuing/numbers.py): offline, never colliding between laptops, every number recorded."""

from datetime import date

import pytest

from inspector_app.core import settings
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.inspection import inspections
from inspector_app.core.issuing import numbers as docnumbers
from inspector_app.core.storage.db import open_database


@pytest.fixture
def laptops(tmp_path):
    """Two laptops of the same bureau, each with its own database."""
    dbs = [open_database(tmp_path / f"laptop{n}.sqlite3") for n in (1, 2)]
    for db in dbs:
        settings.set_value(db, "bureau.short_name", "奉市监")
    yield dbs
    for db in dbs:
        db.close()


def issue(db, n=1, on=date(2026, 6, 15)):
    with db.session() as s:
        return [docnumbers.issue(s, "notice", on=on).number for _ in range(n)]


def test_numbers_follow_the_pattern_in_sequence(db):
    settings.set_value(db, "bureau.short_name", "奉市监")
    settings.set_value(db, "device.docnumber_prefix", "03-")
    assert issue(db, 3) == ["奉市监责改〔2026〕03-0001号", "奉市监责改〔2026〕03-0002号", "奉市监责改〔2026〕03-0003号"]
    assert issue(db, 1, on=date(2027, 1, 2)) == ["奉市监责改〔2027〕03-0001号"]  # a new year starts again


def test_two_laptops_with_their_own_prefixes_never_collide(laptops):
    a, b = laptops
    settings.set_value(a, "device.docnumber_prefix", "01-")
    settings.set_value(b, "device.docnumber_prefix", "02-")
    numbers_a, numbers_b = issue(a, 50), issue(b, 50)
    assert not set(numbers_a) & set(numbers_b)
    assert len(set(numbers_a)) == 50


def test_two_laptops_with_number_blocks_never_collide(laptops):
    a, b = laptops
    for db, (start, end) in zip(laptops, [(1001, 1999), (2001, 2999)], strict=True):
        settings.set_value(db, "docnumber.pattern", "{short}责改〔{year}〕{serial}号")
        settings.set_value(db, "device.docnumber_block_start", str(start))
        settings.set_value(db, "device.docnumber_block_end", str(end))
    numbers_a, numbers_b = issue(a, 30), issue(b, 30)
    assert numbers_a[0] == "奉市监责改〔2026〕1001号" and numbers_b[0] == "奉市监责改〔2026〕2001号"
    assert not set(numbers_a) & set(numbers_b)


def test_a_laptop_without_a_prefix_gets_no_number_made_up(laptops):
    from inspector_app.core.issuing.number_prefix import PrefixNeeded

    a, _b = laptops
    with pytest.raises(PrefixNeeded, match="还没有选定文书编号前缀") as refused:
        issue(a)
    assert "settings set device.docnumber_prefix FX03" in str(refused.value)
    assert settings.get(a, "device.docnumber_prefix") == "" and docnumbers.list_numbers(a) == []


def test_an_exhausted_block_is_refused(db):
    settings.set_value(db, "device.docnumber_block_start", "5")
    settings.set_value(db, "device.docnumber_block_end", "6")
    issue(db, 2)
    with pytest.raises(DomainError, match="已用完"):
        issue(db)


def test_a_pattern_without_the_prefix_is_refused_when_numbering_by_prefix(db):
    settings.set_value(db, "device.docnumber_prefix", "03-")
    settings.set_value(db, "docnumber.pattern", "{short}〔{year}〕{serial}号")
    with pytest.raises(DomainError, match="相同的号"):
        issue(db)


@pytest.mark.parametrize("pattern", ["{short}〔{year}〕号", "{short}{unknown}{serial}", "{serial:xyz}"])
def test_bad_patterns_are_refused_in_settings(db, pattern):
    with pytest.raises(ValidationError, match="文书编号格式"):
        settings.set_value(db, "docnumber.pattern", pattern)


def test_a_reprint_keeps_the_number_and_a_voided_one_is_never_reused(db, sample, templates):
    iid = inspections.start_inspection(
        db, site_id=sample.site_id, template=templates["industrial"], kind="scheduled", team=sample.inspector_ids[:2]
    )
    settings.set_value(db, "device.docnumber_prefix", "03-")
    first = docnumbers.get_or_issue(db, iid).number
    assert docnumbers.get_or_issue(db, iid).number == first  # a reprint keeps its number
    voided = docnumbers.void(db, first, "打印错误")
    assert voided.status == "voided" and voided.void_reason == "打印错误"
    fresh = docnumbers.get_or_issue(db, iid).number
    assert fresh != first and fresh.endswith("0002号")
    register = docnumbers.list_numbers(db, inspection_id=iid)
    assert [(n.number, n.status) for n in register] == [(first, "voided"), (fresh, "issued")]
    with pytest.raises(DomainError, match="已于"):
        docnumbers.void(db, first, "再次")
    with pytest.raises(ValidationError, match="作废原因"):
        docnumbers.void(db, fresh, " ")
    with pytest.raises(NotFound):
        docnumbers.void(db, "没有这个号", "x")
