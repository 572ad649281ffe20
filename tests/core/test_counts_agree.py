"""获证企业 and 覆盖率 have one definition (core.supervision.statistics_scope.licensed_and_inspected), and the plan,
表1, 表4 and the summary line show the same figures for the same district and year."""

from datetime import date

from inspector_app.core.storage.models import Enterprise, License, Site
from inspector_app.core.supervision import planning, statistics
from inspector_app.documents import statistics_report
from tests.ui.test_supervision_views import complete


def add_enterprise(db, name: str, uscc: str, expiry: date) -> None:
    with db.session() as s:
        ent = Enterprise(uscc=uscc, name=name, district="奉贤区", classification="B", risk_level="II")
        site = Site(enterprise=ent, address="上海市奉贤区工业路9号", district="奉贤区")
        s.add_all(
            [
                ent,
                site,
                License(
                    enterprise=ent,
                    site=site,
                    number=f"(沪)XK13-006-{uscc[-5:]}",
                    category="危险化学品",
                    expiry_date=expiry,
                ),
            ]
        )


def test_plan_and_statistics_count_the_same_enterprises_and_coverage(db, sample, templates, fixed_today):
    complete(db, sample, templates)  # the sample enterprise, inspected in May
    add_enterprise(db, "上海年中到期化工有限公司", "91310120MA1HK0009X", date(2026, 4, 30))  # licensed until April
    add_enterprise(db, "上海未检查化工有限公司", "91310120MA1HK0010Y", date(2028, 4, 30))
    plan = planning.progress(db, 2026, "奉贤区")
    report = statistics.build_report(db, date(2026, 1, 1), date(2026, 12, 31), district="奉贤区")
    [row] = [r for r in report.districts if r.district == "奉贤区"]
    assert plan.licensed == row.enterprises == report.total.enterprises == 2  # the April license is over
    assert plan.inspected == row.inspected_enterprises == 1
    assert plan.coverage == row.coverage == report.total.coverage == "50.0%"
    # The enterprise whose license ended in April is still on the plan's list (it held one this year).
    assert "上海年中到期化工有限公司" in {r.name for r in plan.rows}


def test_table4_total_coverage_is_the_summary_lines(db, sample, templates, fixed_today):
    complete(db, sample, templates)
    add_enterprise(db, "上海未检查化工有限公司", "91310120MA1HK0010Y", date(2028, 4, 30))
    report = statistics.build_report(db, date(2026, 1, 1), date(2026, 12, 31))
    total = statistics_report.table4(report)[-1]
    assert total[-1] == report.total.coverage != "/"
    assert f"覆盖率{report.total.coverage}" in statistics_report.summary_text(report)
