"""Signing (core/issuing/signing/): who signs, refusal notes, the content hash, amendments, paper signatures."""

import base64
import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import select, text

from inspector_app.core import settings
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.inspection import inspections
from inspector_app.core.issuing import signing
from inspector_app.core.storage.docs_models import Amendment, InspectionSignoff, Signature
from inspector_app.core.storage.models import ItemResult
from tests.documents import factory


@pytest.fixture
def completed(db, sample, templates, fixed_today):
    return factory.complete(db, sample, templates)


def test_signing_finalises_with_a_hash_over_the_canonical_content(db, completed):
    state = factory.sign(db, completed, days=20)
    assert signing.status(db, completed) == "signed"
    with db.session() as s:
        off = s.scalar(select(InspectionSignoff))
        assert off.content_hash == hashlib.sha256(off.canonical.encode("utf-8")).hexdigest()
        assert off.rectification_days == 20
    c = state.canonical
    assert c["schema"] == signing.SCHEMA
    assert c["template"]["digest"] == inspections.load_inspection(db, completed).template.digest
    assert [m["name"] for m in c["team"]] == ["张伟", "刘洋"]
    assert {a["item_id"]: a["conclusion"] for a in c["answers"]}["1.2"] == "nonconform"
    assert [s["role"] for s in c["signatures"]] == ["inspector", "inspector", "representative"]
    assert all(len(s["image_sha256"]) == 64 for s in c["signatures"])
    assert state.rectification_days == 20 and state.current_hash == state.content_hash
    assert signing.verify_record(db, completed) == []


def test_signed_json_is_stable_and_normalised():
    a = signing.signed_json({"b": "é", "a": [1, {"y": 2, "x": 1}]})
    b = signing.signed_json({"a": [1, {"x": 1, "y": 2}], "b": "e\u0301"})  # decomposed é
    assert a == b == '{"a":[1,{"x":1,"y":2}],"b":"é"}'


def test_a_draft_cannot_be_signed(db, sample, templates, fixed_today):
    iid = inspections.start_inspection(
        db, site_id=sample.site_id, template=templates["industrial"], kind="scheduled", team=sample.inspector_ids[:2]
    )
    with pytest.raises(DomainError, match="尚未完成"):
        factory.sign(db, iid)


def test_unknown_inspection(db):
    with pytest.raises(NotFound):
        signing.sign_inspection(db, "00000000-0000-0000-0000-000000000000", [])
    with pytest.raises(NotFound):
        signing.get_signed(db, "00000000-0000-0000-0000-000000000000")


def test_unsigned_inspection_has_no_signed_state(db, completed):
    with pytest.raises(signing.NotSigned, match="尚未签字"):
        signing.get_signed(db, completed)
    assert signing.status(db, completed) == "completed"


def test_every_team_member_must_sign(db, completed):
    team = factory.team_signatures(db, completed)
    with pytest.raises(ValidationError, match="刘洋"):
        signing.sign_inspection(db, completed, [team[0], factory.representative()])
    with pytest.raises(ValidationError, match="签了两次"):
        signing.sign_inspection(db, completed, [team[0], team[0], factory.representative()])


def test_a_stranger_cannot_sign_for_the_team(db, sample, completed):
    team = factory.team_signatures(db, completed)
    stranger = signing.SignatureInput(
        role="inspector", inspector_id=sample.inspector_ids[2], image=factory.signature_png(), strokes=factory.strokes()
    )
    with pytest.raises(ValidationError, match="不是本次检查组成员"):
        signing.sign_inspection(db, completed, [*team, stranger, factory.representative()])


def test_an_empty_pad_is_not_a_signature(db, completed):
    team = factory.team_signatures(db, completed)
    empty = signing.SignatureInput(role="inspector", inspector_id=team[0].inspector_id)
    with pytest.raises(ValidationError, match="尚未签名"):
        signing.sign_inspection(db, completed, [empty, team[1], factory.representative()])
    with pytest.raises(ValidationError, match="PNG"):
        bad = signing.SignatureInput(
            role="inspector", inspector_id=team[0].inspector_id, image=b"GIF89a", strokes=((1, 2),)
        )
        signing.sign_inspection(db, completed, [bad, team[1], factory.representative()])


def test_the_representative_signs_or_the_refusal_is_noted(db, completed):
    team = factory.team_signatures(db, completed)
    with pytest.raises(ValidationError, match="企业代表"):
        signing.sign_inspection(db, completed, team)
    nameless = signing.SignatureInput(role="representative", image=factory.signature_png(), strokes=factory.strokes())
    with pytest.raises(ValidationError, match="姓名"):
        signing.sign_inspection(db, completed, [*team, nameless])
    no_reason = signing.SignatureInput(role="representative", state="refused", witness="陈静")
    with pytest.raises(ValidationError, match="原因"):
        signing.sign_inspection(db, completed, [*team, no_reason])
    no_witness = signing.SignatureInput(role="representative", state="refused", reason="不同意结论")
    with pytest.raises(ValidationError, match="见证人"):
        signing.sign_inspection(db, completed, [*team, no_witness])
    assert signing.status(db, completed) == "completed"  # nothing was written


@pytest.mark.parametrize("state, words", [("refused", "拒绝签字"), ("absent", "不在场")])
def test_refusal_and_absence_are_recorded_with_reason_and_witness(db, completed, state, words):
    result = factory.sign(db, completed, rep_state=state)
    rep = result.representative
    assert rep.state == state and rep.image is None
    assert words in rep.note and rep.reason in rep.note and "陈静（检查组）" in rep.note
    assert result.canonical["signatures"][-1]["state"] == state


def test_signing_twice_is_refused(db, completed):
    factory.sign(db, completed)
    with pytest.raises(DomainError, match="已签字确认"):
        factory.sign(db, completed)


def test_answers_are_read_only_after_signing(db, completed):
    factory.sign(db, completed)
    with pytest.raises(DomainError):
        inspections.save_answer(db, completed, "1.1", record="改过")


def test_default_period_comes_from_the_bureau_setting(db, completed):
    settings.set_value(db, "rectification.default_days", "45")
    assert factory.sign(db, completed).rectification_days == 45


@pytest.mark.parametrize("days", [0, 366, -3])
def test_period_out_of_range_is_refused(db, completed, days):
    with pytest.raises(ValidationError, match="整改期限"):
        factory.sign(db, completed, days=days)


def test_tampering_with_a_signed_record_is_detected(db, completed):
    factory.sign(db, completed)
    with db.session() as s:
        s.execute(text("UPDATE item_result SET record = '改过了' WHERE item_id = '1.2'"))
    assert any("检查结论和记录" in p for p in signing.verify_record(db, completed))
    with db.session() as s:
        s.execute(
            text("UPDATE signature SET image = :png WHERE role = 'representative'"), {"png": b"\x89PNG\r\n\x1a\n\x00"}
        )
    assert any("签名图片" in p for p in signing.verify_record(db, completed))


def test_verification_code_round_trip_and_lookup(db, completed):
    state = factory.sign(db, completed)
    code = state.verification_code
    assert len(code) == 21 and code.count("-") == 4
    id_prefix, hash_prefix = signing.parse_verification_code(code.lower().replace("-", " "))
    assert completed.replace("-", "").startswith(id_prefix)
    assert state.content_hash.startswith(hash_prefix)
    assert signing.find_by_code(db, code).inspection_id == completed
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    with pytest.raises(ValidationError, match="校验位"):
        signing.parse_verification_code(wrong)


def test_qr_payload_holds_the_full_hash(db, completed):
    state = factory.sign(db, completed)
    payload = signing.qr_payload("notice", completed, state.content_hash)
    assert payload == f"XCJC:1:NOTICE:{completed}:{state.content_hash}".upper()
    assert signing.parse_qr_payload(payload) == ("notice", completed, state.content_hash)
    with pytest.raises(ValidationError, match="二维码"):
        signing.parse_qr_payload("https://example.com")


# ---------------------------------------------------------------------------------------------- amendments


def test_an_amendment_corrects_without_editing_the_original(db, completed):
    original = factory.sign(db, completed)
    am_id = signing.create_amendment(
        db, completed, "记录笔误", [("1.2", "record", "营业执照经营范围未包含“涂料”。"), ("", "rectification_days", 15)]
    )
    draft = signing.get_signed(db, completed)
    assert draft.answers()["1.2"].record == factory.PROBLEMS["1.2"]  # not in force before it is signed
    assert draft.current_hash == original.content_hash

    signed = signing.sign_amendment(db, am_id, [*factory.team_signatures(db, completed), factory.representative()])
    assert signed.status == "signed" and signed.previous_hash == original.content_hash
    state = signing.get_signed(db, completed)
    assert state.answers()["1.2"].record == "营业执照经营范围未包含“涂料”。"
    assert state.rectification_days == 15
    assert state.current_hash == signed.content_hash != original.content_hash
    assert state.canonical == original.canonical  # the original is never edited in place
    with db.session() as s:
        assert s.scalar(select(ItemResult.record).where(ItemResult.item_id == "1.2")) == factory.PROBLEMS["1.2"]
        assert s.scalar(select(Amendment.previous_hash)) == original.content_hash
        assert len(s.scalars(select(Signature).where(Signature.amendment_id == am_id)).all()) == 3
    assert signing.verify_record(db, completed) == []
    with pytest.raises(DomainError, match="已签字"):
        signing.sign_amendment(db, am_id, [*factory.team_signatures(db, completed), factory.representative()])


def test_amendments_chain_their_hashes(db, completed):
    factory.sign(db, completed)
    sigs = [*factory.team_signatures(db, completed), factory.representative("refused")]
    first = signing.sign_amendment(
        db, signing.create_amendment(db, completed, "更正一", [("3.1", "remark", "复核")]), sigs
    )
    second = signing.sign_amendment(
        db, signing.create_amendment(db, completed, "更正二", [("3.1", "remark", "再次复核")]), sigs
    )
    assert second.previous_hash == first.content_hash and second.seq == 2


def test_amendment_checks(db, completed):
    with pytest.raises(signing.NotSigned):
        signing.create_amendment(db, completed, "原因", [("1.1", "record", "x")])
    factory.sign(db, completed)
    with pytest.raises(ValidationError, match="原因"):
        signing.create_amendment(db, completed, " ", [("1.1", "record", "x")])
    with pytest.raises(ValidationError, match="不在该检查表中"):
        signing.create_amendment(db, completed, "原因", [("99.1", "record", "x")])
    with pytest.raises(ValidationError, match="不能更正"):
        signing.create_amendment(db, completed, "原因", [("1.1", "item_id", "x")])
    with pytest.raises(ValidationError, match="须填写检查记录"):
        signing.create_amendment(db, completed, "原因", [("1.1", "conclusion", "nonconform"), ("1.1", "record", "")])
    with pytest.raises(ValidationError, match="相同"):
        signing.create_amendment(db, completed, "原因", [("1.2", "record", factory.PROBLEMS["1.2"])])
    with pytest.raises(ValidationError, match="不允许该项填写“不适用”"):  # 1.1 offers no 不适用 box
        signing.create_amendment(db, completed, "原因", [("1.1", "conclusion", "na")])
    with pytest.raises(ValidationError, match="当场整改"):  # 1.1 is 符合
        signing.create_amendment(db, completed, "原因", [("1.1", "rectified_on_site", True)])
    signing.create_amendment(db, completed, "原因", [("1.1", "remark", "补充")])
    with pytest.raises(DomainError, match="未签字的更正"):
        signing.create_amendment(db, completed, "原因", [("1.1", "remark", "再补充")])


# ---------------------------------------------------------------------------------------------- paper signatures


def _paper(db, iid, rep: dict) -> list[dict]:
    team = [{"role": "inspector", "inspector_id": i} for i, _n in signing.team_of(db, iid)]
    team[0]["image_png_base64"] = base64.b64encode(factory.signature_png()).decode()
    return [*team, rep]


def test_paper_signatures_through_the_database(db, completed):
    state = signing.record_paper_signatures(
        db,
        completed,
        _paper(db, completed, {"role": "representative", "state": "refused", "reason": "拒绝", "witness": "陈静"}),
        rectification_days=10,
        signed_on="2026-06-16",
    )
    assert state.signed_on == date(2026, 6, 16) and state.rectification_days == 10
    assert [s.source for s in state.signatures] == ["paper"] * 3
    assert state.inspectors[0].image is not None and state.inspectors[1].image is None
    assert "拒绝签字" in state.representative.note


def test_paper_signatures_inside_an_importers_session(db, completed):
    rep = {"role": "representative", "name": "李秀英", "title": "经理", "phone": "138", "state": "signed"}
    with db.session() as s:
        signing.record_paper_signatures(s, completed, _paper(db, completed, rep))
    assert signing.get_signed(db, completed).representative.name == "李秀英"


def test_paper_signatures_refuse_unknown_fields_and_bad_images(db, completed):
    rep = {"role": "representative", "name": "李秀英", "colour": "red"}
    with pytest.raises(ValidationError, match="colour"):
        signing.record_paper_signatures(db, completed, _paper(db, completed, rep))
    rep = {"role": "representative", "name": "李秀英", "image_png_base64": "不是base64"}
    with pytest.raises(ValidationError, match="Base64"):
        signing.record_paper_signatures(db, completed, _paper(db, completed, rep))
    assert signing.status(db, completed) == "completed"


def test_strokes_are_kept(db, completed):
    factory.sign(db, completed)
    with db.session() as s:
        strokes = s.scalar(select(Signature.strokes).where(Signature.role == "representative"))
    assert json.loads(strokes)[0][0] == [10.0, 40.0]
