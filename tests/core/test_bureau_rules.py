"""The bureau's own draw rules and headings, and the demo's pool of inspectors (issue 16 §3)."""

from collections import Counter

import pytest

from inspector_app.core import settings
from inspector_app.core.demo import load_demo
from inspector_app.core.errors import DomainError
from inspector_app.core.supervision import bureau_rules, draw
from inspector_app.core.supervision.assignments import draw_tasks
from inspector_app.core.supervision.draw_rules import RulesError, default_rules_path
from tests.core.roles import as_device


def test_without_its_own_file_a_bureau_draws_under_its_own_heading(db):
    settings.update(db, {"bureau.name": "上海市奉贤区市场监督管理局"})
    choice = bureau_rules.bureau_rules(db, 2026)
    assert not choice.own
    assert choice.rules.title == "上海市奉贤区市场监督管理局2026年度工业产品生产许可证获证企业“双随机、一公开”监督检查"
    assert "山西" not in choice.rules.title
    assert [g.ratio for g in choice.rules.groups] == [1.0, 1.0, 0.3, 0.2]  # the shipped groups


def test_an_imported_file_is_checked_kept_and_used(db, tmp_path):
    own = tmp_path / "奉贤.toml"
    text = default_rules_path().read_text(encoding="utf-8")
    own.write_text(
        text.replace('id = "shanxi-2022"', 'id = "fengxian-2026"')
        .replace("山西省2022年度", "奉贤区2026年度")
        .replace("size = 5", "size = 3"),
        encoding="utf-8",
    )
    choice = bureau_rules.import_rules(db, own, 2026)
    assert choice.own and choice.rules.teams.size == 3
    again = bureau_rules.bureau_rules(db, 2027)  # another screen, another year: the same file
    assert again.rules.title.startswith("奉贤区2026年度") and again.rules.id == "fengxian-2026"

    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("ratio = 0.3", "ratio = 3"), encoding="utf-8")
    with pytest.raises(RulesError, match=r"bad\.toml"):
        bureau_rules.import_rules(db, bad, 2026)
    assert bureau_rules.bureau_rules(db, 2026).rules.id == "fengxian-2026"  # unchanged
    assert not bureau_rules.reset_rules(db, 2026).own
    assert not bureau_rules.bureau_rules(db, 2026).own


def test_a_laptop_may_not_set_the_rules(db):
    as_device(db, "field")
    with pytest.raises(DomainError, match="区局"):
        bureau_rules.import_rules(db, default_rules_path(), 2026)


def test_the_demo_pool_draws_over_several_teams(db, fixed_today):
    """All 166 tasks once went to one team: 8 unmarked demo inspectors, teams of 5 → one team (if any)."""
    load_demo(db)
    summary = draw.run_draw_file(db, None, team_size=None, seed="20260615", year=2026, on=fixed_today)
    assert summary.teams == 4 and not summary.unmatched
    loads = Counter(t.team_no for t in draw_tasks(db, summary.id))
    assert len(loads) == 4 and max(loads.values()) - min(loads.values()) <= 1
    assert summary.rules_title.startswith("××区市场监督管理局2026年度")


def test_a_pool_without_marks_is_refused_naming_the_screen(db, sample, fixed_today):
    from inspector_app.core.supervision import inspectors

    for n in range(6):
        inspectors.add(db, f"3399{n}", f"人员{n}")
    with pytest.raises(draw.DrawRefused) as e:
        draw.run_draw_file(db, None, team_size=None, seed="1", year=2026, on=fixed_today)
    assert "检查人员 → 管理检查人员" in str(e.value) and "可任组长" in str(e.value)
