"""The kinds of the documents and supervision work travel too: a signed inspection with its signatures
and evidence photo (the original file byte for byte), and the bureau's plans and spot checks."""

import io
from datetime import date

from sqlalchemy import select

from inspector_app.core import inspections, photos, signing
from inspector_app.core.docs_models import InspectionSignoff, Photo, Signature
from inspector_app.core.models import Enterprise
from inspector_app.core.supervision_models import AnnualPlan, SpotCheck
from inspector_app.sync.records import registry
from tests.documents import factory


def _jpeg(color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "JPEG")
    return buf.getvalue()


def _signed_inspection(w):
    iid = w.start(w.a)
    w.answer_all(w.a, iid)
    info = photos.add_photo(w.a.db, iid, w.items[0], _jpeg(), filename="现场.jpg")
    inspections.complete_inspection(w.a.db, iid)
    team = [
        signing.SignatureInput(
            role="inspector", inspector_id=i, image=factory.signature_png(n), strokes=factory.strokes(n)
        )
        for n, i in enumerate(w.inspector_ids[:2])
    ]
    signing.sign_inspection(w.a.db, iid, [*team, factory.representative()])
    return iid, info


def test_the_documents_kinds_are_registered():
    names = {k.name for k in registry().kinds()}
    assert {"inspection_signoff", "amendment", "signature", "photo", "doc_number"} <= names
    assert {"annual_plan", "draw", "assignment", "rectification", "spot_check"} <= names


def test_a_signed_inspection_travels_with_signatures_and_photo(world):
    w = world
    iid, info = _signed_inspection(w)
    r = w.a.export()
    assert r.counts["inspection_signoff"] == 1 and r.counts["signature"] == 3 and r.counts["photo"] == 1
    assert r.files == 1
    original = photos.original_path(info.sha256, "jpg").read_bytes()
    photos.original_path(info.sha256, "jpg").unlink()  # one data dir for all three nodes in tests
    w.bureau.import_(r.path)
    assert photos.original_path(info.sha256, "jpg").read_bytes() == original
    with w.bureau.db.session() as s:
        assert s.scalar(select(InspectionSignoff.inspection_id)) == iid
        assert len(s.scalars(select(Signature)).all()) == 3
    state = signing.get_signed(w.bureau.db, iid)
    assert state.content_hash == signing.get_signed(w.a.db, iid).content_hash


def test_a_changed_copy_of_a_signed_record_is_a_conflict(world):
    w = world
    _signed_inspection(w)
    w.bureau.import_(w.a.export().path)
    with w.a.db.session() as s:  # something that must never happen after signing, done behind the app's back
        s.scalar(select(Photo)).caption = "事后修改"
    res = w.bureau.import_(w.a.export().path)
    assert [(c.kind, c.reason) for c in res.preview.conflicts] == [("photo", "immutable")]
    with w.bureau.db.session() as s:
        assert s.scalar(select(Photo.caption)) == ""


def test_bureau_plans_and_spot_checks_reach_the_laptops_and_win(world):
    w = world
    with w.bureau.db.session() as s:
        ent_id = s.scalar(select(Enterprise.id))
        s.add(AnnualPlan(year=2026, district="奉贤区", created_on=date(2026, 1, 5), created_by="科长"))
        s.add(SpotCheck(enterprise_id=ent_id, level="national", checked_on=date(2026, 3, 1), failed_batches=1))
    r = w.bureau.export()
    assert r.counts["annual_plan"] == 1 and r.counts["spot_check"] == 1
    w.a.import_(r.path)
    with w.a.db.session() as s:
        check = s.scalar(select(SpotCheck))
        assert check.failed_batches == 1
        check.failed_batches = 5  # a local edit of the bureau's record
    with w.bureau.db.session() as s:
        s.scalar(select(SpotCheck)).failed_batches = 2
    res = w.a.import_(w.bureau.export().path)
    assert res.preview.total("conflict") == 0
    with w.a.db.session() as s:
        assert s.scalar(select(SpotCheck.failed_batches)) == 2
    assert "spot_check" not in w.a.export().counts  # a laptop never sends the bureau's kinds


def test_classification_is_changed_at_the_bureau_and_reaches_the_laptop_with_its_history(world):
    import pytest

    from inspector_app.core import classification, planning
    from inspector_app.core.errors import BureauOnly
    from inspector_app.core.supervision_models import ClassificationChange

    w = world
    with w.a.db.session() as s:
        ent_id = s.scalar(select(Enterprise.id))
    # on the laptop the bureau's work is refused and nothing is written that could travel
    with pytest.raises(BureauOnly, match="请在区局的电脑上操作"):
        classification.classify(w.a.db, ent_id, "C", reason="监督抽查不合格", who="张伟")
    with pytest.raises(BureauOnly):
        planning.generate_plan(w.a.db, 2026, "奉贤区")
    with w.a.db.session() as s:
        assert s.scalar(select(Enterprise.classification)) == "B"
        assert s.scalar(select(AnnualPlan.id)) is None
    # at the bureau the change is made with its history row, and both reach the laptop
    classification.classify(w.bureau.db, ent_id, "C", reason="监督抽查不合格", who="科长")
    planning.generate_plan(w.bureau.db, 2026, "奉贤区", who="科长")
    r = w.bureau.export()
    assert r.counts["classification_change"] == 1 and r.counts["annual_plan"] == 1
    res = w.a.import_(r.path)
    assert res.preview.total("conflict") == 0
    with w.a.db.session() as s:
        assert s.scalar(select(Enterprise.classification)) == "C"
        assert s.scalar(select(ClassificationChange.to_class)) == "C"
    assert [h.to_class for h in classification.history(w.a.db, ent_id)] == ["C"]
