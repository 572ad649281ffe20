"""The six check points of a routine inspection (001 §25), as the templates' `checkpoint` field maps the items.

001 §25 names what a routine inspection looks at — (一) 许可证编号和标志 … (六) 执行产业政策 — and the
record form of 002 附件2 is laid out by 检查项目, not by check point; each item of a template says which point it
covers (docs/template-format.md). Three uses:
- the record: which items covered each point and what was found (`record_groups`, printed under the form);
- the follow-up (复查, 001 §27): the problems to re-check, grouped by the point they fall under
  (`followup_groups`);
- statistics: per point, the items checked and the 不符合 found in a period (`checkpoint_statistics`). The
  bureau's report (000) does not count by check point; this table is the district's own view, its counting
  rule in docs/statistics.md.
Items that cover none of the six (证照信息, 质量违法行为, …) are grouped as 其他 (point 0).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, select

from inspector_app.core.catalog import CHECKPOINTS
from inspector_app.core.inspection.inspections import COMPLETED
from inspector_app.core.inspection.snapshots import template_from_snapshot
from inspector_app.core.inspection.templates import Template
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, Inspection, ItemResult, TemplateSnapshot
from inspector_app.core.supervision.rectification import RectificationRow, followup_problems

OTHER = 0
NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}
REGULATION = "《上海市工业产品生产许可证证后监督检查管理办法》第二十五条"


def point_name(no: int) -> str:
    """'（一）生产许可证编号和标志标注' as 001 §25 numbers them; '其他' for items outside the six."""
    return f"（{NUMERALS[no]}）{CHECKPOINTS[no]}" if no in CHECKPOINTS else "其他"


@dataclass(frozen=True)
class RecordGroup:
    no: int
    name: str
    items: tuple[tuple[str, str | None], ...]  # (item id, conclusion) in form order


def record_groups(template: Template, answers: dict) -> list[RecordGroup]:
    """The record's items by check point, the six in 001 §25's order, then 其他; points no item covers are left
    out. `answers`: item id → Answer (or anything with `.conclusion`)."""
    by_point: dict[int, list] = defaultdict(list)
    for item in template.items:
        ans = answers.get(item.id)
        by_point[item.checkpoint or OTHER].append((item.id, ans.conclusion if ans else None))
    order = [*sorted(p for p in by_point if p), *([OTHER] if OTHER in by_point else [])]
    return [RecordGroup(p, point_name(p), tuple(by_point[p])) for p in order]


def _points(session, digests) -> dict[tuple[str, str], int]:
    """(template digest, item id) → check point, from the inspections' own template snapshots."""
    out = {}
    q = select(TemplateSnapshot.digest, TemplateSnapshot.content).where(TemplateSnapshot.digest.in_(set(digests)))
    for digest, content in session.execute(q):
        out.update({(digest, i.id): i.checkpoint or OTHER for i in template_from_snapshot(digest, content).items})
    return out


def followup_groups(db: Database, followup_inspection_id: str) -> list[tuple[int, str, list[RectificationRow]]]:
    """The problems a follow-up (复查, 001 §27) re-checks, by the check point of the item they were found on."""
    rows = followup_problems(db, followup_inspection_id)
    with db.session() as s:
        digests = dict(
            s.execute(
                select(Inspection.id, Inspection.template_digest).where(
                    Inspection.id.in_({r.inspection_id for r in rows})
                )
            ).all()
        )
        points = _points(s, digests.values())
    groups: dict[int, list[RectificationRow]] = defaultdict(list)
    for r in rows:
        groups[points.get((digests[r.inspection_id], r.item_id), OTHER)].append(r)
    order = [*sorted(p for p in groups if p), *([OTHER] if OTHER in groups else [])]
    return [(p, point_name(p), groups[p]) for p in order]


@dataclass(frozen=True)
class CheckpointRow:
    no: int
    name: str
    checked: int  # 检查项次: items of this point answered 符合 or 不符合 on completed records
    problems: int  # 不符合项次
    enterprises: int  # 家: enterprises with at least one 不符合 on this point

    @property
    def rate(self) -> str:
        """不符合 share of the items checked, one decimal as the bureau's report rounds (000 二(二))."""
        return f"{self.problems / self.checked * 100:.1f}%" if self.checked else "—"


def checkpoint_statistics(db: Database, start: date, end: date, *, district: str | None = None) -> list[CheckpointRow]:
    """Per check point of 001 §25 (then 其他): items checked, 不符合 found, enterprises concerned, in completed
    inspections dated in [start, end]; 不适用 and unanswered items are not checked (docs/statistics.md)."""
    with db.session() as s:
        q = (
            select(Inspection.enterprise_id, Inspection.template_digest, ItemResult.item_id, ItemResult.conclusion)
            .join(ItemResult, ItemResult.inspection_id == Inspection.id)
            .where(
                and_(Inspection.status == COMPLETED, Inspection.inspected_on >= start, Inspection.inspected_on <= end),
                ItemResult.conclusion.in_(("conform", "nonconform")),
            )
        )
        if district:
            q = q.join(Enterprise, Enterprise.id == Inspection.enterprise_id).where(Enterprise.district == district)
        rows = s.execute(q).all()
        points = _points(s, {r.template_digest for r in rows})
    checked: dict[int, int] = defaultdict(int)
    problems: dict[int, int] = defaultdict(int)
    firms: dict[int, set] = defaultdict(set)
    for ent, digest, item_id, conclusion in rows:
        p = points.get((digest, item_id), OTHER)
        checked[p] += 1
        if conclusion == "nonconform":
            problems[p] += 1
            firms[p].add(ent)
    out = [CheckpointRow(p, point_name(p), checked[p], problems[p], len(firms[p])) for p in CHECKPOINTS]
    if checked[OTHER]:
        out.append(CheckpointRow(OTHER, point_name(OTHER), checked[OTHER], problems[OTHER], len(firms[OTHER])))
    return out
