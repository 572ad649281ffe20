"""The bureau's own draw rules (002 一(四), 二(一), 三(五)): which rules file the bureau draws with, and the
heading its draws carry.

The shipped file is the 2022 Shanxi campaign's (forms/draw/draw-rules-2022-shanxi.toml): a worked example,
whose title ("山西省2022年度…") is not any other bureau's. So:
- a bureau that imports its own rules file (GUI 双随机抽取 → 导入本局规则…) draws with it; the file is
  checked like `draw run --rules` and kept, as its canonical JSON, in the setting `draw.rules`, so that it
  travels with the bureau's other settings and every screen of the bureau uses the same rules;
- a bureau without its own file draws with the shipped groups, ratios and team rules under a heading made
  of its own name (setting `bureau.name`) and the draw's year:
  “{局名}{年度}年度工业产品生产许可证获证企业“双随机、一公开”监督检查”.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from inspector_app.core import settings
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.sync_models import require_bureau
from inspector_app.core.supervision.draw_rules import Rules, load_rules, rules_from_canonical
from inspector_app.i18n import _

KEY = "draw.rules"
HEADING = "{bureau}{year}年度工业产品生产许可证获证企业“双随机、一公开”监督检查"


@dataclass(frozen=True)
class RulesChoice:
    """What the draw screen shows of the rules a draw of `year` would use."""

    own: bool  # the bureau imported its own file
    rules: Rules


def _rules(stored: str, bureau: str, year: int) -> Rules:
    if stored.strip():
        return rules_from_canonical(stored)
    shipped = load_rules(None)
    return replace(shipped, id=f"bureau-{year}", title=HEADING.format(bureau=bureau, year=year))


def bureau_rules(db: Database, year: int) -> RulesChoice:
    with db.session() as s:
        stored, bureau = settings.read(s, KEY), settings.read(s, "bureau.name")
    return RulesChoice(bool(stored.strip()), _rules(stored, bureau, year))


def import_rules(db: Database, path: str | Path, year: int) -> RulesChoice:
    """Check a rules file (every problem listed, RulesError) and make it the bureau's; at the bureau only."""
    rules = load_rules(Path(path))
    with db.session() as s:
        require_bureau(s, _("双随机抽取规则的设置"))
        settings.store(s, KEY, rules.canonical())
    return RulesChoice(True, rules)


def reset_rules(db: Database, year: int) -> RulesChoice:
    """Back to the shipped groups under the bureau's own heading."""
    with db.session() as s:
        require_bureau(s, _("双随机抽取规则的设置"))
        settings.store(s, KEY, "")
        bureau = settings.read(s, "bureau.name")
    return RulesChoice(False, _rules("", bureau, year))
