"""The roster import and the classification rules (001 §8, §9, §33): a ledger sets the class of an enterprise
the archive does not know; it changes a known enterprise's class only as `classify` would. Cases from the text:

- 001 §8: AA only with the enterprise's written commitment (承诺书) — a ledger carries none.
- 001 §33: no skip-level upgrade (C → A a year later), one upgrade a year; a downgrade at any time.
- 001 §9: after a false commitment, no AA for five years.
"""

from datetime import date

import pytest
from sqlalchemy import select

from inspector_app.core import clock
from inspector_app.core.roster.importer import import_roster
from inspector_app.core.storage.models import Enterprise
from inspector_app.core.supervision import classification
from tests.core.roster_io_helpers import USCC1, USCC2, row, second_enterprise, write_csv


@pytest.fixture
def on(monkeypatch):
    """Set the app's clock: on(date)."""

    def set_today(d: date) -> date:
        monkeypatch.setattr(clock, "today", lambda: d)
        return d

    return set_today


def _state(db, uscc=USCC1):
    with db.session() as s:
        eid, cls = s.execute(select(Enterprise.id, Enterprise.classification).where(Enterprise.uscc == uscc)).one()
    return cls, [(c.from_class, c.to_class) for c in classification.history(db, eid)]


def _import(db, path, rows, **kw):
    return import_roster(db, write_csv(path, rows), **kw)


def test_a_new_enterprise_takes_the_class_the_roster_gives_even_aa(db, tmp_path, on):
    on(date(2026, 6, 15))
    report = _import(db, tmp_path / "r.csv", [row(企业分类="AA")])
    assert report.written and not report.errors
    assert _state(db) == ("AA", [(None, "AA")])


def test_c_reimported_as_a_a_year_later_is_a_bad_row(db, tmp_path, on):  # 001 §33 不允许越级上升
    on(date(2025, 6, 1))
    _import(db, tmp_path / "r1.csv", [row(企业分类="C")])
    on(date(2026, 6, 15))
    rows = [row(企业分类="A"), second_enterprise()]
    report = _import(db, tmp_path / "r2.csv", rows)
    assert not report.written
    [err] = [str(e) for e in report.errors]
    assert err.startswith("第2行（列“企业分类”）：该企业已建档，当前为C类；名录将其改为A类不符合企业分类规则")
    assert "不允许越级上升：C类只能调整为B类" in err
    assert _state(db) == ("C", [(None, "C")])
    # --skip-invalid: the row is left out with the same reason, the other enterprise is written
    report = _import(db, tmp_path / "r2.csv", rows, skip_invalid=True)
    assert report.written and report.rows_skipped == 1 and report.enterprises_added == 1
    assert _state(db) == ("C", [(None, "C")]) and _state(db, USCC2)[0] == "A"
    # one level up after a year is what the measures allow
    assert _import(db, tmp_path / "r3.csv", [row(企业分类="B")]).written
    assert _state(db) == ("B", [(None, "C"), ("C", "B")])


def test_an_upgrade_within_the_year_is_refused_a_downgrade_is_not(db, tmp_path, on):  # 001 §33 调整周期1年
    on(date(2026, 1, 10))
    _import(db, tmp_path / "r1.csv", [row(企业分类="B")])
    on(date(2026, 6, 15))
    report = _import(db, tmp_path / "r2.csv", [row(企业分类="A")])
    assert not report.written and "不足1年，不能上调类别" in str(report.errors[0])
    assert _import(db, tmp_path / "r3.csv", [row(企业分类="C")]).written  # 可以越级下降 at any time
    assert _state(db) == ("C", [(None, "B"), ("B", "C")])


def test_aa_without_the_written_commitment_is_a_bad_row(db, tmp_path, on):  # 001 §8 书面承诺
    on(date(2025, 1, 10))
    _import(db, tmp_path / "r1.csv", [row(企业分类="A")])
    on(date(2026, 6, 15))
    report = _import(db, tmp_path / "r2.csv", [row(企业分类="AA")])
    assert not report.written
    assert "定为AA类须由企业作出书面承诺" in str(report.errors[0])
    assert _state(db) == ("A", [(None, "A")])
    # the bureau records the commitment where it classifies: then the ledger's AA is no change at all
    with db.session() as s:
        eid = s.scalar(select(Enterprise.id).where(Enterprise.uscc == USCC1))
    classification.classify(db, eid, "AA", reason="年度评定", who="张伟", commitment="承诺书2026-018")
    report = _import(db, tmp_path / "r2.csv", [row(企业分类="AA")])
    assert report.written and not report.errors and report.enterprises_unchanged == 1


def test_aa_is_barred_five_years_after_a_false_commitment(db, tmp_path, on):  # 001 §9
    on(date(2020, 3, 1))
    _import(db, tmp_path / "r1.csv", [row(企业分类="AA")])
    with db.session() as s:
        eid = s.scalar(select(Enterprise.id).where(Enterprise.uscc == USCC1))
    on(date(2021, 3, 1))
    classification.false_commitment(db, eid, "B", reason="承诺不实", who="张伟")
    on(date(2022, 6, 1))
    classification.classify(db, eid, "A", reason="年度评定", who="张伟")
    on(date(2024, 6, 1))  # a year and more after the last change, but within five years of the false commitment
    report = _import(db, tmp_path / "r2.csv", [row(企业分类="AA")])
    assert not report.written
    assert "2026-03-01前不再接受其AA类自我承诺" in str(report.errors[0])
    assert _state(db)[0] == "A"


def test_sites_in_two_districts_are_imported_with_a_warning(db, tmp_path, on):  # 001 §15
    on(date(2026, 6, 15))
    rows = [
        row(),
        row(
            **{
                "所在区": "金山区",
                "生产地址": "上海市金山区亭林镇工业路9号",
                "生产许可证编号": "(沪)XK13-006-00099",
                "产品类别": "危险化学品",
            }
        ),
    ]
    report = _import(db, tmp_path / "r.csv", rows)
    assert report.written and not report.errors
    [warning] = [str(w) for w in report.warnings]
    assert warning.startswith("第3行（列“所在区”）：该企业的生产地址分布在不同的区（第2行为奉贤区，此行为金山区）")
    from inspector_app.core.storage.models import Site

    with db.session() as s:
        assert sorted(s.scalars(select(Site.district))) == ["奉贤区", "金山区"]
