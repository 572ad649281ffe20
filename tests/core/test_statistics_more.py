"""000's figures outside its tables on the 2021 Shanghai world (tests/core/shanghai2021.py + shanghai2021_more.py):
告知承诺 and 全覆盖例行检查, 中心城区/郊区, 违法线索, 监督抽查, 飞行检查. Expected values are 000's words."""

import pytest

from inspector_app.core import settings
from inspector_app.core.errors import ValidationError
from inspector_app.core.supervision import statistics
from tests.core import shanghai2021 as sh
from tests.core import shanghai2021_more as more


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from inspector_app.core.storage.db import open_database

    db = open_database(tmp_path_factory.mktemp("sh2021more") / "sh2021.sqlite3")
    sh.build(db)
    more.add_other_figures(db)
    yield db
    db.close()


@pytest.fixture(scope="module")
def report(world):
    return statistics.build_report(world, *statistics.year_period(2021))


def test_the_tables_of_the_report_are_unchanged(report):  # the extra rows move none of 表1–表4
    t = report.total
    assert (t.enterprises, t.planned, t.inspections, t.problems, t.ordered, t.transferred) == sh.TOTAL4
    assert [(p.name, p.count, p.percent) for p in report.problems] == list(sh.PROBLEMS)
    assert report.inspector_turnouts == sh.TURNOUTS


def test_full_coverage_routine_inspections(report):  # 000 二(一): 含全覆盖例行检查169家次、348人次
    c = report.more.commitment
    assert (c.inspections, c.turnouts) == (more.ROUTINE_INSPECTIONS, more.ROUTINE_TURNOUTS)
    # 告知承诺 licenses: one issued on 2021-12-20 not yet visited → 168 of 169 = 99.4 % (never shown as 100 %)
    assert (c.issued, c.covered, c.coverage) == (more.COMMITMENT_ISSUED, more.COMMITMENT_COVERED, "99.4%")
    assert c.licenses == more.COMMITMENT_HELD


def test_central_and_suburban_shares(report):  # 000 一(一): 13个区，郊区98.3％，中心城区1.7％
    r = report.more.regions
    assert r.districts == more.DISTRICTS_WITH_ENTERPRISES
    assert (r.central, r.central_share, r.suburban, r.suburban_share) == (
        more.CENTRAL,
        more.CENTRAL_SHARE,
        more.SUBURBAN,
        more.SUBURBAN_SHARE,
    )


def test_central_districts_are_a_setting(world):
    with world.session() as s:
        settings.write(s, "statistics.central_districts", "黄浦区、徐汇区")
    try:
        r = statistics.build_report(world, *statistics.year_period(2021)).more.regions
        assert (r.central, r.central_share) == (3, "0.5%")  # 徐汇区 3 of 646
    finally:
        with world.session() as s:
            settings.write(s, "statistics.central_districts", settings.DEFAULTS["statistics.central_districts"].default)
    with pytest.raises(ValidationError, match="浦西区"):
        settings.validate("statistics.central_districts", "黄浦区、浦西区")


def test_leads_of_routine_supervision(report):  # 000 二(二): 日常监督检查中发现6条违法线索
    assert report.more.leads == more.LEADS


def test_spot_check_summary(report):  # 000 三: 本市499家企业609批次，不合格18批次，不合格检出率3.0％
    sp = report.more.spot
    assert (sp.enterprises, sp.batches, sp.failed, sp.rate) == (
        more.SPOT_ENTERPRISES,
        more.SPOT_BATCHES,
        more.SPOT_FAILED,
        more.SPOT_RATE,
    )
    assert sp.products == more.SPOT_PRODUCTS


def test_flight_inspection_summary(report):  # 000 四: 8个区12家，电线电缆4、危化2、包装物2、食品相关4，22项问题
    f = report.more.flight
    assert (f.enterprises, f.districts, f.problems) == (
        more.FLIGHT_ENTERPRISES,
        more.FLIGHT_DISTRICTS,
        more.FLIGHT_PROBLEMS,
    )
    assert (f.first, f.last) == (more.FLIGHT_FIRST.isoformat(), more.FLIGHT_LAST.isoformat())
    assert [(c.category, c.enterprises) for c in f.by_category] == list(more.FLIGHT_CATEGORIES)


def test_figures_in_the_json(report):
    d = report.to_dict()["more"]
    assert d["spot"]["rate"] == "3.0%" and d["regions"]["central_share"] == "1.7%"


def test_the_figures_on_paper_and_in_the_workbook(report, tmp_path):  # PDF and XLSX carry the same sentences
    from openpyxl import load_workbook

    from inspector_app.documents import statistics_report
    from tests.documents.factory import pdf_text

    pdf = statistics_report.export(report, tmp_path / "r.pdf")
    text = pdf_text(pdf.read_bytes())
    assert "位于郊区的企业635家，占98.3%" in text and "占1.7%" in text
    assert "全覆盖例行检查169家次，出动检查人员348人次" in text
    assert "发现6条违法线索" in text
    assert "不合格产品18批次，不合格检出率为3.0%" in text
    assert "2021-08-19至2021-09-28期间，共对8个区的12家获证企业进行飞行检查" in text and "发现问题22项" in text
    assert not any(w in text for w in ("docs/", "statistics.md", "003附件", "000表", "001§"))
    wb = load_workbook(statistics_report.export(report, tmp_path / "r.xlsx"))
    rows = [r for r in wb["其他情况"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert [r[0] for r in rows] == ["区域分布", "告知承诺", "违法线索", "监督抽查", "飞行检查"]
    assert "电线电缆企业4家、危险化学品企业2家、危险化学品包装物及容器企业2家" in rows[4][1]


def test_the_cli_prints_the_figures(world, tmp_path, capsys):
    import sqlite3

    from inspector_app.cli.main import main

    path = tmp_path / "copy.sqlite3"
    src, dst = sqlite3.connect(world.path), sqlite3.connect(path)  # a copy, as another process would open it
    src.backup(dst)
    src.close()
    dst.close()
    assert main(["--db", str(path), "stats", "--year", "2021"]) == 0
    out = capsys.readouterr().out
    assert "监督抽查：共抽查499家企业生产的22种609批次产品，发现不合格产品18批次，不合格检出率为3.0%。" in out
    assert "违法线索：日常监督检查中发现6条违法线索" in out
