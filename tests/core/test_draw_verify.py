"""`draw verify` covers the stored result (002 三(一)–(二)): the assignments, not only the hashes.

Cases: a drawn enterprise swapped for an undrawn one, an assignment deleted, a team member replaced, the roles
of two members exchanged. Each fails verification naming what differs; export for publication and recording a
publication refuse such a draw.
"""

from datetime import date

import pytest
from sqlalchemy import delete, select

from inspector_app.core.storage.models import Enterprise, Inspector
from inspector_app.core.storage.supervision_models import Assignment, AssignmentMember
from inspector_app.core.supervision import assignments, draw
from tests.core.test_draw import ON, SEED, make


def _drawn(db, rules):
    ids = make(db)
    summary = draw.run_draw(db, rules, seed=SEED, year=2022, on=ON)
    result = draw.get_draw(db, summary.id)
    assert draw.verify_draw(db, summary.id).ok and result.result_hash == summary.result_hash
    with db.session() as s:
        rows = s.execute(
            select(Assignment.id, Enterprise.uscc)
            .join(Enterprise, Enterprise.id == Assignment.enterprise_id)
            .where(Assignment.team_no > 0)
            .order_by(Enterprise.uscc)
        ).all()
    drawn = {u for _a, u in rows}
    undrawn = sorted(set(ids) - drawn)
    return summary, ids, rows, undrawn


def _refused_everywhere(db, summary, assignment_id, tmp_path, expected):
    v = draw.verify_draw(db, summary.id)
    assert not v.ok
    assert any(expected in m for m in v.problems), v.problems
    assert any("已存检查任务的结果哈希不一致" in m for m in v.problems)
    with pytest.raises(draw.DrawNotVerified, match="核验未通过，不能导出公示清单") as e:
        assignments.export_publication(db, summary.id, tmp_path / "pub.csv", today=ON)
    assert expected in str(e.value)
    assert not (tmp_path / "pub.csv").exists()
    with db.session() as s:
        s.get(Assignment, assignment_id).status = "done"
    with pytest.raises(draw.DrawNotVerified):
        assignments.mark_published(db, [assignment_id], on=date(2022, 7, 1))
    with db.session() as s:
        assert s.get(Assignment, assignment_id).published_on is None


@pytest.fixture(scope="module")
def rules():
    from inspector_app.core.supervision.draw_rules import load_rules

    return load_rules()


def test_a_drawn_enterprise_swapped_for_an_undrawn_one_fails(db, rules, tmp_path):
    summary, ids, rows, undrawn = _drawn(db, rules)
    aid, uscc = rows[0]
    with db.session() as s:
        s.get(Assignment, aid).enterprise_id = ids[undrawn[0]]
    _refused_everywhere(db, summary, aid, tmp_path, f"抽中的企业{uscc}没有检查任务")
    assert any(f"企业{undrawn[0]}" in m and "未被抽中" in m for m in draw.verify_draw(db, summary.id).problems)


def test_a_deleted_assignment_fails(db, rules, tmp_path):
    summary, _ids, rows, _undrawn = _drawn(db, rules)
    (aid, uscc), (other, _u) = rows[0], rows[1]
    with db.session() as s:
        s.execute(delete(AssignmentMember).where(AssignmentMember.assignment_id == aid))
        s.execute(delete(Assignment).where(Assignment.id == aid))
    _refused_everywhere(db, summary, other, tmp_path, f"抽中的企业{uscc}没有检查任务")


def test_a_replaced_team_member_fails(db, rules, tmp_path):
    summary, _ids, rows, _undrawn = _drawn(db, rules)
    aid, uscc = rows[0]
    with db.session() as s:
        members = s.scalars(select(AssignmentMember).where(AssignmentMember.assignment_id == aid)).all()
        in_team = {m.inspector_id for m in members}
        outsider = next(i for i in s.scalars(select(Inspector)) if i.id not in in_team)
        members[-1].inspector_id = outsider.id
    _refused_everywhere(db, summary, aid, tmp_path, f"企业{uscc}")
    text = "\n".join(draw.verify_draw(db, summary.id).problems)
    assert "检查任务与抽取结果不同" in text and outsider.badge_no in text


def test_exchanged_roles_and_order_fail(db, rules, tmp_path):
    summary, _ids, rows, _undrawn = _drawn(db, rules)
    aid, uscc = rows[0]
    with db.session() as s:
        leader, deputy = s.scalars(
            select(AssignmentMember).where(AssignmentMember.assignment_id == aid).order_by(AssignmentMember.position)
        ).all()[:2]
        leader.role, deputy.role = deputy.role, leader.role
    _refused_everywhere(db, summary, aid, tmp_path, f"企业{uscc}")
    assert "组长" in "\n".join(draw.verify_draw(db, summary.id).problems)
