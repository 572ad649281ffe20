"""Statistics (000 表1–表4, 000 二(二), 003 附件) on a dataset that reproduces the 2021 Shanghai report.

The dataset (tests/core/shanghai2021.py) is built once per module from real rows; the figures compared
against are those printed in 000.
"""

import json
from datetime import date

import pytest
from openpyxl import load_workbook

from inspector_app.core.supervision import classification, statistics
from inspector_app.core.supervision.statistics import coverage_text, percent
from tests.core import shanghai2021 as sh


@pytest.fixture(scope="module")
def shanghai(tmp_path_factory):
    from inspector_app.core.storage.db import open_database

    db = open_database(tmp_path_factory.mktemp("sh2021") / "sh2021.sqlite3")
    built = sh.build(db)
    yield db, built
    db.close()


@pytest.fixture(scope="module")
def report(shanghai):
    db, _built = shanghai
    return statistics.build_report(db, *statistics.year_period(2021))


def test_table4_per_district_rows(report):  # 000 表4
    got = [
        (r.district, r.enterprises, r.planned, r.inspections, r.problems, r.ordered, r.transferred)
        for r in report.districts
    ]
    assert got == [tuple(row) for row in sh.TABLE4]
    t = report.total
    assert (t.enterprises, t.planned, t.inspections, t.problems, t.ordered, t.transferred) == sh.TOTAL4


def test_table4_coverage(report):  # 000 表4 last column: 100% where there are enterprises, "/" otherwise
    assert [r.coverage for r in report.districts] == ["100%"] * 13 + ["/"] * 3
    assert report.total.coverage == "100%"


def test_table1_enterprises_per_district(report):  # 000 表1
    assert [(r.district, r.enterprises) for r in report.districts] == [(d, n) for d, n, *_ in sh.TABLE4]
    assert report.total.enterprises == 646


def test_table2_per_class(report):  # 000 表2 (mode names of 001 §30)
    assert [(c.classification, c.mode, c.enterprises, c.percent, c.inspections) for c in report.classes] == list(
        sh.TABLE2
    )


def test_table3_certificates(report):  # 000 表3
    assert [(c.name, c.count) for c in report.certificates] == list(sh.TABLE3)
    assert report.certificates_total == sh.CERTIFICATES


def test_problem_breakdown_with_one_decimal(report):  # 000 二(二): 生产条件 172 = 34.6 %
    assert [(p.name, p.count, p.percent) for p in report.problems] == list(sh.PROBLEMS)
    assert (report.other_food, report.other_industrial) == (sh.OTHER_FOOD, sh.OTHER_INDUSTRIAL)


def test_inspector_turnouts(report):  # 000 二(一): 出动检查人员2305人次
    assert report.inspector_turnouts == sh.TURNOUTS


def test_class_held_at_the_end_of_the_period_is_used(shanghai, report):
    db, built = shanghai
    assert classification.supervision(db, built.reclassified_id).classification == "C"  # C since 2022
    report_2022 = statistics.build_report(db, date(2022, 1, 1), date(2022, 12, 31))
    c_2022 = next(c for c in report_2022.classes if c.classification == "C")
    assert c_2022.enterprises == 20  # today's class for a 2022 report


def test_scope_one_district(shanghai):
    db, _b = shanghai
    r = statistics.build_report(db, *statistics.year_period(2021), district="金山区")
    assert [d.district for d in r.districts] == ["金山区"]
    assert (r.total.enterprises, r.total.inspections, r.total.problems, r.total.ordered) == (99, 185, 215, 31)
    assert sum(c.enterprises for c in r.classes) == 99
    assert sum(p.count for p in r.problems) == 215


def test_period_narrower_than_a_year(shanghai):
    db, _b = shanghai
    h1 = statistics.build_report(db, date(2021, 1, 1), date(2021, 6, 30))
    h2 = statistics.build_report(db, date(2021, 7, 1), date(2021, 12, 31))
    assert h1.total.inspections + h2.total.inspections == 1080
    assert h1.total.planned + h2.total.planned == 963
    assert h1.total.problems + h2.total.problems == 497
    assert h1.period_label == "2021-01-01至2021-06-30"


def test_exports_carry_the_same_tables(shanghai, report, tmp_path):
    from inspector_app.documents import statistics_report as statistics_export

    _db, _b = shanghai
    j = statistics_export.export(report, tmp_path / "r.json")
    data = json.loads(j.read_text(encoding="utf-8"))
    assert data["total"]["inspections"] == 1080 and data["problems"][0] == {
        "name": "生产条件",
        "count": 172,
        "percent": "34.6%",
    }
    x = statistics_export.export(report, tmp_path / "r.xlsx")
    wb = load_workbook(x)
    assert {"表1", "表2", "表3", "表4", "问题分类", "专项行动"} <= set(wb.sheetnames)
    ws = wb["表4"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["奉贤区", 123, 131, 152, 35, 15, 2, "100%"] in values
    assert ws["A3"].font.bold  # formatted header
    p = statistics_export.export(report, tmp_path / "r.pdf")
    head = p.read_bytes()[:5]
    assert head == b"%PDF-"
    with pytest.raises(Exception, match="扩展名"):
        statistics_export.export(report, tmp_path / "r.txt")


def test_campaign_table(db, sample, templates):  # 003 附件: 风险排查/监督抽查 生产领域 computed, the rest blank
    from inspector_app.core.inspection import inspections as svc

    t = templates["industrial"]
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=t,
        kind="special",
        team=sample.inspector_ids[:2],
        inspected_on=date(2022, 5, 10),
        license_id=sample.license_id,
    )
    for item in t.applicable_items:
        svc.save_answer(
            db, iid, item.id, conclusion="nonconform" if item.id == "4.1" else "conform", record="无出厂检验记录"
        )
    svc.complete_inspection(db, iid)
    classification.record_spot_check(
        db,
        sample.enterprise_id,
        level="municipal",
        checked_on=date(2022, 6, 1),
        batches=3,
        failed_batches=2,
        category="危险化学品",
    )
    classification.record_spot_check(
        db,
        sample.enterprise_id,
        level="municipal",
        checked_on=date(2021, 6, 1),
        batches=2,
        failed_batches=1,
        category="危险化学品",
    )
    r = statistics.build_report(db, date(2022, 3, 1), date(2022, 10, 31))
    (row,) = r.campaign
    assert row.category == "危险化学品"
    assert row.values[:8] == (1, 1, None, None, 1, 3, 2, "+100.0%")
    assert row.values[8:] == (None,) * 15 + (0,)  # 约谈企业（家）: counted (interviews.py), none here
    assert len(statistics.CAMPAIGN_COLUMNS) == 24


@pytest.mark.parametrize(
    ("part", "whole", "decimals", "text"),
    [
        (172, 497, 1, "34.6%"),
        (25, 497, 1, "5.0%"),
        (325, 646, 0, "50%"),
        (302, 646, 0, "47%"),
        (19, 646, 0, "3%"),
        (1, 8, 1, "12.5%"),
        (1, 0, 1, "/"),
        (1, 40, 0, "3%"),
    ],
)
def test_percent_rounds_half_up(part, whole, decimals, text):
    assert percent(part, whole, decimals) == text


def test_coverage_never_shows_a_rounded_100():
    assert coverage_text(999, 1000) == "99.9%"
    assert coverage_text(9999, 10000) == "99.9%"
    assert coverage_text(12, 10) == "100%"
    assert coverage_text(0, 0) == "/"


def test_empty_database_gives_zero_tables(db):
    r = statistics.build_report(db, *statistics.year_period(2026))
    assert r.total.enterprises == 0 and r.total.coverage == "/"
    assert all(p.percent == "/" for p in r.problems)
    assert len(r.districts) == 16


def test_end_before_start_is_refused(db):
    with pytest.raises(Exception, match="早于"):
        statistics.build_report(db, date(2021, 12, 31), date(2021, 1, 1))


def test_an_unknown_district_is_refused_with_the_valid_ones(shanghai):
    from inspector_app.core.errors import ValidationError

    db, _b = shanghai
    with pytest.raises(ValidationError) as e:
        statistics.build_report(db, *statistics.year_period(2021), district="火星区")
    text = str(e.value)
    assert text.startswith("统计范围：“火星区”不是本市的区") and "奉贤区、松江区" in text and "长宁区" in text
    # a catalogue district, even without enterprises, and an empty scope (the whole city) are fine
    assert statistics.build_report(db, *statistics.year_period(2021), district="黄浦区").total.enterprises >= 0
    assert statistics.build_report(db, *statistics.year_period(2021), district="").district is None


def test_a_district_recorded_on_enterprises_outside_the_catalogue_is_accepted(db, sample):
    from inspector_app.core.storage.models import Enterprise, Site

    with db.session() as s:  # e.g. another province's roster: the enterprise and its production sites
        s.get(Enterprise, sample.enterprise_id).district = "太原市"
        for site in s.query(Site).filter(Site.enterprise_id == sample.enterprise_id):
            site.district = "太原市"
    r = statistics.build_report(db, *statistics.year_period(2026), district="太原市")
    assert [(d.district, d.enterprises, d.sites) for d in r.districts] == [
        ("太原市", 1, 1)
    ]  # the food license expired in July


def test_campaign_kinds_are_inspection_kinds(db):
    from inspector_app.core.errors import ValidationError

    with pytest.raises(ValidationError) as e:
        statistics.build_report(db, *statistics.year_period(2026), campaign_kinds=("special", "bogus"))
    text = str(e.value)
    assert "“bogus”不是检查类型" in text and "special（专项）" in text and "flight（飞行）" in text
    with pytest.raises(ValidationError, match="至少给出一种"):
        statistics.build_report(db, *statistics.year_period(2026), campaign_kinds=())
    r = statistics.build_report(db, *statistics.year_period(2026), campaign_kinds=("special", "flight", "special"))
    assert r.campaign_kinds == ("special", "flight")


def test_class_at_the_end_of_each_period_follows_the_dated_history(db, sample, fixed_today):  # docs/statistics.md
    eid = sample.enterprise_id
    classification.register_new_licensee(db, eid, who="张伟", on=date(2021, 1, 10))
    classification.classify(db, eid, "A", reason="年度评定良好", who="刘洋", on=date(2022, 2, 1))

    def class_at(year: int) -> str:
        r = statistics.build_report(db, *statistics.year_period(year))
        (row,) = [c for c in r.classes if c.enterprises]
        return row.classification

    assert [class_at(y) for y in (2021, 2022, 2025)] == ["B", "A", "A"]
    # A failed spot check dated 2021-06-01, recorded after the 2022 review, would write "A → C on 2021-06-01"
    # (the enterprise was B then) and make today's class C, so that 2022 would report C although the
    # enterprise was A all that year. It is refused; the reports stay as they were.
    with pytest.raises(Exception, match="早于该企业最近一次分类记录（2022-02-01"):
        classification.record_spot_check(db, eid, level="provincial", checked_on=date(2021, 6, 1), failed_batches=1)
    assert [class_at(y) for y in (2021, 2022, 2025)] == ["B", "A", "A"]
    classification.record_spot_check(db, eid, level="national", checked_on=date(2023, 3, 1), failed_batches=1)
    assert [class_at(y) for y in (2021, 2022, 2023, 2025)] == ["B", "A", "C", "C"]


# ---------------------------------------------------------------- 001 §15: the district of the production site
def test_an_inspection_counts_in_the_district_of_the_site_inspected(db, sample, templates, fixed_today):
    """001 §15 (注册地和生产地不在同一行政区域的，由生产地的区级市场监管局负责): the sample enterprise is recorded in
    奉贤区 with two production sites; the second is moved to 金山区. An inspection there, its problem (not
    rectified on the spot: an order) and its team count in 金山区; 表1 shows 1（1） in each district."""
    from inspector_app.core.inspection import inspections as svc
    from inspector_app.core.storage.models import Site
    from inspector_app.documents.statistics_report import table1

    with db.session() as s:
        second = s.query(Site).filter(Site.enterprise_id == sample.enterprise_id, Site.id != sample.site_id).one()
        second.district, second_id = "金山区", second.id
    tpl = templates["food"]
    iid = svc.start_inspection(
        db,
        site_id=second_id,
        license_id=sample.food_license_id,
        template=tpl,
        team=sample.inspector_ids[:2],
        kind="scheduled",
        inspected_on=date(2026, 6, 15),
    )
    for item in tpl.applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="nonconform" if item.id == "4.1" else "conform", record="无")
    svc.complete_inspection(db, iid)
    half = (date(2026, 1, 1), date(2026, 6, 30))  # both licenses valid on its last day
    r = statistics.build_report(db, *half)
    rows = {d.district: d for d in r.districts}
    jinshan, fengxian = rows["金山区"], rows["奉贤区"]
    assert (jinshan.enterprises, jinshan.sites, jinshan.inspections, jinshan.problems, jinshan.ordered) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert (fengxian.enterprises, fengxian.sites, fengxian.inspections, fengxian.problems) == (1, 1, 0, 0)
    assert (jinshan.coverage, fengxian.coverage) == ("100%", "0.0%")
    assert (r.total.enterprises, r.total.sites, r.total.inspections) == (1, 2, 1)  # one enterprise, two sites
    t1 = {row[1]: row[2] for row in table1(r)}
    assert (t1["奉贤区"], t1["金山区"], t1[""]) == ("1（1）", "1（1）", "1（2）")
    only = statistics.build_report(db, *half, district="金山区")
    assert (only.total.inspections, only.total.problems, only.total.ordered, only.inspector_turnouts) == (1, 1, 1, 2)
    fx = statistics.build_report(db, *half, district="奉贤区")
    assert (fx.total.inspections, fx.total.problems, fx.inspector_turnouts) == (0, 0, 0)
