"""The 回访 form (001 §27, 004 二(三)): earlier problems, evidence, verdicts saved at once, proposals."""

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.supervision import followup_form as ff
from inspector_app.core.supervision import rectification as rc

ON = date(2026, 5, 1)
VISIT = ON + timedelta(days=40)  # after the 30-day deadline


def _problems(db, sample, templates, items=("2.1", "4.1")):
    t = templates["industrial"]
    iid = svc.start_inspection(
        db, site_id=sample.site_id, template=t, kind="scheduled", team=sample.inspector_ids[:2], inspected_on=ON,
        license_id=sample.license_id,
    )  # fmt: skip
    for item in t.applicable_items:
        if item.id in items:
            svc.save_answer(db, iid, item.id, conclusion="nonconform", record=f"问题{item.id}")
        else:
            svc.save_answer(db, iid, item.id, conclusion="conform")
    svc.complete_inspection(db, iid)
    return rc.start_followup(db, sample.enterprise_id, team=sample.inspector_ids[:2], inspected_on=VISIT)


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buf, "JPEG")
    return buf.getvalue()


def test_the_form_lists_only_the_earlier_problems(db, sample, templates):
    fu = _problems(db, sample, templates)
    form = ff.load(db, fu)
    assert [(p.item_id, p.problem, p.deadline, p.verdict) for p in form.problems] == [
        ("2.1", "问题2.1", ON + timedelta(days=30), None),
        ("4.1", "问题4.1", ON + timedelta(days=30), None),
    ]
    assert form.editable and form.missing == 2 and form.visit_on == VISIT
    assert form.team == ("张伟", "刘洋") and form.site_address == "上海市奉贤区南桥镇江海路88号"
    assert form.problems[0].item_title  # the item's own words, not only its number


def test_verdicts_are_saved_at_once_and_can_change_while_a_draft(db, sample, templates):
    fu = _problems(db, sample, templates)
    p21, p41 = ff.load(db, fu).problems
    with pytest.raises(ValidationError):
        ff.give_verdict(db, p21.rectification_id, ff.PARTIAL, "  ")
    ff.give_verdict(db, p21.rectification_id, ff.PARTIAL, "灭火器已换，消防通道仍堵塞")
    ff.give_verdict(db, p41.rectification_id, rc.RECTIFIED, "出厂检验记录已补齐")
    form = ff.load(db, fu)
    a, b = form.problems
    assert (a.verdict_label, a.evidence, b.verdict_label) == ("部分整改", "灭火器已换，消防通道仍堵塞", "已整改")
    # 004 二(三): still present after the deadline → stop production (and transfer, downgrade) proposed.
    assert a.overdue_on(form.visit_on) and not b.overdue_on(form.visit_on)
    assert a.proposals == ("责令停产整改（待决定）", "移交行政处罚（待决定）", "分类降级建议（待决定）")
    assert b.proposals == ()
    answers = svc.load_inspection(db, fu).answers
    assert (answers["2.1"].conclusion, answers["4.1"].conclusion) == ("nonconform", "conform")
    assert answers["2.1"].record == "部分整改：灭火器已换，消防通道仍堵塞"

    # Changed on second look: the proposals are withdrawn, nothing is left twice.
    ff.give_verdict(db, p21.rectification_id, rc.RECTIFIED, "消防通道已清理")
    a = ff.load(db, fu).problems[0]
    assert (a.verdict, a.proposals) == (rc.RECTIFIED, ())
    assert rc.flags(db) == []
    assert svc.load_inspection(db, fu).answers["2.1"].record == "已整改：消防通道已清理"


def test_completing_needs_every_verdict_then_persisting_problems_reopen(db, sample, templates):
    fu = _problems(db, sample, templates)
    p21, p41 = ff.load(db, fu).problems
    ff.give_verdict(db, p21.rectification_id, rc.NOT_RECTIFIED, "未见整改")
    with pytest.raises(DomainError, match="还有1个问题"):
        ff.complete(db, fu)
    ff.save_evidence(db, p41.rectification_id, "记录已补")
    assert ff.load(db, fu).problems[1].evidence == "记录已补"
    ff.give_verdict(db, p41.rectification_id, rc.RECTIFIED, "记录已补")
    ff.complete(db, fu)
    assert not ff.load(db, fu).editable
    with pytest.raises(DomainError, match="已完成"):
        ff.give_verdict(db, p41.rectification_id, rc.NOT_RECTIFIED, "x")
    # The problem still present opens a new rectification on the 回访 (docs/supervision.md §4).
    rows = rc.dashboard(db, today=VISIT).rows
    assert [(r.inspection_id, r.item_id) for r in rows] == [(fu, "2.1")]


def test_an_evidence_photo_goes_with_its_problem(db, sample, templates):
    fu = _problems(db, sample, templates)
    p21 = ff.load(db, fu).problems[0]
    ff.add_evidence_photo(db, p21.rectification_id, _jpeg(), filename="通道.jpg")
    a, b = ff.load(db, fu).problems
    assert [p.filename for p in a.photos] == ["通道.jpg"] and b.photos == ()


def test_a_completed_followup_is_signed_and_printed(db, sample, templates, fixed_today):
    from inspector_app.documents.generate import generate
    from tests.documents import factory
    from tests.documents.factory import flat, pdf_text

    fu = _problems(db, sample, templates, items=("2.1",))
    (p,) = ff.load(db, fu).problems
    ff.give_verdict(db, p.rectification_id, ff.PARTIAL, "灭火器已换，消防通道仍堵塞")
    ff.complete(db, fu)
    factory.sign(db, fu, on=VISIT)
    text = flat(pdf_text(generate(db, fu, "record").pdf))
    assert "部分整改：灭火器已换，消防通道仍堵塞" in text
