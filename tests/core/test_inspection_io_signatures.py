"""Paper signatures imported with an inspection (core/inspection/json_io.py): a record signed on paper becomes
signed, its documents print, and every bad signature is named."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from inspector_app.core.inspection.json_io import (
    ImportRefused,
    export_inspections,
    import_inspections,
)
from inspector_app.core.issuing import signing
from inspector_app.core.storage.docs_models import InspectionSignoff, Signature
from inspector_app.core.storage.models import (
    Inspection,
)
from inspector_app.documents.generate import generate
from tests.core.inspection_io_helpers import (
    b64,
    document,
    paper_record,
    paper_signatures,
    refused,
    row_counts,
    signed_paper_record,
    write,
)
from tests.documents import factory
from tests.documents.factory import flat, pdf_text

# ------------------------------------------------------------------------------------- signatures


REFUSAL = "企业代表（王建国）拒绝签字。原因：对第4.1项检查结论有异议。见证人：陈静（检查组）。"


def test_a_paper_signed_record_is_imported_and_its_summary_shows_the_refusal(
    db, sample, templates, tmp_path, fixed_today
):
    result = import_inspections(db, write(tmp_path / "signed.json", document(signed_paper_record())), templates)
    assert len(result.created) == 1 and result.signed == result.created and result.warnings == ()
    iid = result.created[0]
    assert signing.status(db, iid) == "signed"
    state = signing.get_signed(db, iid)
    assert (state.signed_on, state.rectification_days) == (date(2026, 6, 10), 20)
    assert [(s.role, s.name, s.source) for s in state.signatures] == [
        ("inspector", "张伟", "paper"),
        ("inspector", "刘洋", "paper"),
        ("representative", "王建国", "paper"),
    ]
    assert [s.image for s in state.inspectors] == [factory.signature_png(1), factory.signature_png(2)]
    rep = state.representative
    assert (rep.state, rep.reason, rep.witness, rep.title, rep.image) == (
        "refused",
        "对第4.1项检查结论有异议",
        "陈静（检查组）",
        "总经理",
        None,
    )
    assert rep.note == REFUSAL
    assert signing.verify_record(db, iid) == []
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Signature)) == 3
        assert s.scalar(select(func.count()).select_from(InspectionSignoff)) == 1
    # The documents can be printed from it.
    text = pdf_text(generate(db, iid, "summary").pdf)
    assert flat(REFUSAL) in text
    assert "出厂检验报告缺少批号" in text and "请企业在20日内（即2026年6月30日前）完成整改" in text


def test_a_representative_who_signed_without_a_scan_and_the_defaults(db, sample, templates, tmp_path, fixed_today):
    team = [{"role": "inspector", "badge_no": "31000001"}, {"role": "inspector", "badge_no": "31000002"}]
    rep = {"role": "企业代表", "name": "李秀英", "title": "质量部经理", "phone": "13800138000", "state": "已签字"}
    rec = signed_paper_record([*team, rep])
    del rec["signed_on"], rec["rectification_days"]
    iid = import_inspections(db, write(tmp_path / "s.json", document(rec)), templates).created[0]
    state = signing.get_signed(db, iid)
    # Signed on the day of the inspection; the period is the bureau's default.
    assert (state.signed_on, state.rectification_days) == (date(2026, 6, 10), 30)
    assert all(s.image is None for s in state.signatures) and state.representative.state == "signed"
    text = pdf_text(generate(db, iid, "summary").pdf)
    assert "李秀英（纸质签字）" in text and "张伟（纸质签字）" in text


def sig_problems(database, tmp_path, templates, signatures=None, **overrides) -> list[str]:
    return refused(
        database, write(tmp_path / "p.json", document(signed_paper_record(signatures, **overrides))), templates
    )


def changed(k: int, **fields) -> list[dict]:
    sigs = paper_signatures()
    for key, value in fields.items():
        if value is None:
            sigs[k].pop(key, None)
        else:
            sigs[k][key] = value
    return sigs


NOT_PNG = b64(b"GIF89a" + bytes(40))


@pytest.mark.parametrize(
    ("signatures", "overrides", "expected"),
    [
        (
            {"role": "inspector"},
            {},
            ["inspections[0].signatures: 应为签字的列表 […]，现在是对象"],
        ),
        (
            ["张伟", *paper_signatures()[1:]],
            {},
            [
                'inspections[0].signatures[0]: 应为对象，如 {"role": "inspector", "badge_no": "31000001"}，'
                "现在是文字“张伟”"
            ],
        ),
        (
            changed(2, witnes="陈静"),
            {},
            ["inspections[0].signatures[2]: 未知字段“witnes”（是否想写 witness？）"],
        ),
        (
            changed(0, image_png_base64="不是base64!"),
            {},
            [
                "inspections[0].signatures[0].image_png_base64: 不是有效的 Base64 文字（只能含 A–Z、a–z、0–9、+、/，"
                "末尾可有 =）；请写签名扫描图片（PNG 文件）的 Base64 编码，没有扫描件时删去该字段"
            ],
        ),
        (
            changed(1, image_png_base64=NOT_PNG),
            {},
            ["inspections[0].signatures[1].image_png_base64: 签名图片应为PNG格式"],
        ),
        (
            paper_signatures()[::2],
            {},
            ["inspections[0].signatures: 以下检查组成员尚未签字：刘洋"],
        ),
        (
            changed(1, badge_no="31000003"),
            {},
            [
                "inspections[0].signatures[1].badge_no: 执法证号 31000003：签字人不是本次检查组成员",
                "inspections[0].signatures: 以下检查组成员尚未签字：刘洋",
            ],
        ),
        (
            changed(1, badge_no="31000001"),
            {},
            [
                "inspections[0].signatures[1].badge_no: 执法证号 31000001：同一检查人员签了两次",
                "inspections[0].signatures: 以下检查组成员尚未签字：刘洋",
            ],
        ),
        (
            changed(1, badge_no="31009999", name="王五"),
            {},
            ["inspections[0].signatures[1].badge_no: 执法证号 31009999（王五） 未登记，请先在检查人员名录中添加"],
        ),
        (
            changed(0, badge_no=None),
            {},
            ["inspections[0].signatures[0]: 检查人员签字须写执法证号 badge_no，与 team 中的一致"],
        ),
        (
            changed(0, state="refused"),
            {},
            ["inspections[0].signatures[0].state: 检查人员必须本人签字"],
        ),
        (
            changed(0, witness="陈静"),
            {},
            ["inspections[0].signatures[0].witness: 检查人员签字只有签名，不填写职务、电话、原因或见证人"],
        ),
        (
            changed(0, role="witness"),
            {},
            [
                "inspections[0].signatures[0].role: 文字“witness” 不认识，"
                "只能是 inspector（检查人员）、representative（企业代表）"
            ],
        ),
        (
            changed(2, state="拒签"),
            {},
            [
                "inspections[0].signatures[2].state: 文字“拒签” 不认识，只能是 signed（已签字）、refused（拒绝签字）、"
                "absent（不在场）"
            ],
        ),
        (
            changed(2, state=None),
            {},
            [
                "inspections[0].signatures[2]: 企业代表缺少字段 state："
                "signed（已签字）、refused（拒绝签字）或 absent（不在场）"
            ],
        ),
        (
            changed(2, reason="  "),
            {},
            ["inspections[0].signatures[2].reason: 请注明拒绝签字的原因（拒绝签字的予以注明）"],
        ),
        (
            changed(2, state="absent", witness=None),
            {},
            ["inspections[0].signatures[2].witness: 请填写见证人姓名"],
        ),
        (
            changed(2, image_png_base64=b64(factory.signature_png(7))),
            {},
            ["inspections[0].signatures[2].image_png_base64: 企业代表拒绝签字，没有签名，不能附签名图片"],
        ),
        (
            changed(2, state="signed", name="", reason=None, witness=None),
            {},
            ["inspections[0].signatures[2].name: 请填写企业代表姓名"],
        ),
        (
            changed(2, state="signed", witness="陈静", reason=None),
            {},
            [
                "inspections[0].signatures[2].witness: "
                "企业代表已签字，不填写原因和见证人；如其拒绝签字或不在场，请选择相应情况"
            ],
        ),
        (
            changed(2, badge_no="31000003"),
            {},
            ["inspections[0].signatures[2].badge_no: 企业代表不是检查人员，不写执法证号 badge_no"],
        ),
        (
            changed(2, phone=13900000000),
            {},
            ["inspections[0].signatures[2].phone: 应为文字（用英文双引号括起来），现在是数字 13900000000"],
        ),
        (
            paper_signatures()[:2],
            {},
            ["inspections[0].signatures: 应有一位企业代表签字，或注明其拒绝签字/不在场"],
        ),
        (
            [*paper_signatures(), paper_signatures()[2]],
            {},
            ["inspections[0].signatures[3].role: 只能有一位企业代表签字（或注明其拒绝签字/不在场），现在有2位"],
        ),
        (None, {"rectification_days": 0}, ["inspections[0].rectification_days: 应为1到365之间的天数，现在是“0”"]),
        (
            None,
            {"rectification_days": "30"},
            ["inspections[0].rectification_days: 应为整改期限的天数（整数，不加引号），如 30，现在是文字“30”"],
        ),
        (
            None,
            {"signed_on": "2026-06-09"},
            ["inspections[0].signed_on: 签字日期 2026-06-09 早于检查日期 2026-06-10，请核对"],
        ),
        (
            None,
            {"signed_on": "2026/6/10"},
            ['inspections[0].signed_on: 文字“2026/6/10” 不是日期，应写成“年-月-日”，如 "2026-06-15"'],
        ),
        (
            # Every problem at once, each at its place.
            [
                {**paper_signatures()[0], "image_png_base64": "%%%"},
                paper_signatures()[1],
                {**paper_signatures()[2], "reason": "", "witness": ""},
            ],
            {},
            [
                "inspections[0].signatures[0].image_png_base64: 不是有效的 Base64 文字（只能含 A–Z、a–z、0–9、+、/，"
                "末尾可有 =）；请写签名扫描图片（PNG 文件）的 Base64 编码，没有扫描件时删去该字段",
                "inspections[0].signatures[2].reason: 请注明拒绝签字的原因（拒绝签字的予以注明）",
                "inspections[0].signatures[2].witness: 请填写见证人姓名",
            ],
        ),
    ],
)
def test_each_signature_problem_is_named(roster_db, templates, tmp_path, signatures, overrides, expected):
    assert sig_problems(roster_db, tmp_path, templates, signatures, **overrides) == expected


def test_a_bad_signature_refuses_the_whole_file(db, sample, templates, tmp_path, fixed_today):
    good = paper_record(inspected_on="2026-06-11")
    bad = signed_paper_record(changed(2, witness=""))
    problems = refused(db, write(tmp_path / "p.json", document(good, bad)), templates)
    assert problems == ["inspections[1].signatures[2].witness: 请填写见证人姓名"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Inspection)) == 0
        assert s.scalar(select(func.count()).select_from(Signature)) == 0


def test_a_completed_record_receives_its_paper_signatures_later(db, sample, templates, tmp_path, fixed_today):
    unsigned = signed_paper_record([])
    del unsigned["signed_on"], unsigned["rectification_days"]
    iid = import_inspections(db, write(tmp_path / "u.json", document(unsigned)), templates).created[0]
    assert signing.status(db, iid) == "completed"
    with db.session() as s:
        rev = s.get(Inspection, iid).rev
    result = import_inspections(db, write(tmp_path / "s.json", document(signed_paper_record())), templates)
    assert result.updated == (iid,) and result.signed == (iid,) and result.created == ()
    assert signing.status(db, iid) == "signed" and signing.verify_record(db, iid) == []
    with db.session() as s:
        assert s.get(Inspection, iid).rev == rev  # the record itself is untouched: only the sign-off is added


def test_a_signed_record_is_immutable(db, sample, templates, tmp_path, fixed_today):
    path = write(tmp_path / "s.json", document(signed_paper_record()))
    iid = import_inspections(db, path, templates).created[0]
    before = row_counts(db)
    # The same file again: nothing.
    again = import_inspections(db, path, templates)
    assert again.unchanged == (iid,) and not again.changed and again.signed == ()
    assert row_counts(db) == before
    # Other signatures: refused, naming what differs.
    other = changed(2, reason="不同意", witness="刘洋")
    other[0]["image_png_base64"] = b64(factory.signature_png(5))
    problems = refused(db, write(tmp_path / "o.json", document(signed_paper_record(other))), templates)
    assert problems == [
        f"inspections[0].signatures: 数据库中的检查记录 {iid}（2026-06-10）已签字确认，签字不能被导入修改；"
        "文件与它不同之处：检查人员 张伟的签名图片；企业代表的原因、见证人。如需更正，请在本机创建更正记录"
    ]
    problems = sig_problems(db, tmp_path, templates, rectification_days=45, signed_on="2026-06-11")
    assert problems == [
        f"inspections[0].signatures: 数据库中的检查记录 {iid}（2026-06-10）已签字确认，签字不能被导入修改；"
        "文件与它不同之处：签字日期（数据库中 2026-06-10，文件中 2026-06-11）；"
        "整改期限（数据库中 20 日，文件中 45 日）。"
        "如需更正，请在本机创建更正记录"
    ]
    # Other answers: refused as for any completed record.
    rec = signed_paper_record()
    rec["answers"][0]["record"] = "改过的记录"
    problems = refused(db, write(tmp_path / "a.json", document(rec)), templates)
    assert problems == [
        f"inspections[0]: 数据库中的检查记录 {iid}（2026-06-10）已签字确认，不能被导入修改；文件中的内容与它不同"
    ]
    # The record without its signatures (an export made before signing): nothing changes, a warning says so.
    unsigned = signed_paper_record([], signed_on=None, rectification_days=None)
    result = import_inspections(db, write(tmp_path / "u.json", document(unsigned)), templates)
    assert result.unchanged == (iid,)
    assert result.warnings == (f"inspections[0]: 数据库中的检查记录 {iid} 已签字确认，文件中没有签字；签字保持不变",)
    assert row_counts(db) == before
    assert signing.verify_record(db, iid) == []


def test_signatures_are_checked_by_a_dry_run_too(db, sample, templates, tmp_path, fixed_today):
    path = write(tmp_path / "s.json", document(signed_paper_record()))
    result = import_inspections(db, path, templates, dry_run=True)
    assert len(result.created) == 1 and result.signed == result.created and not result.written
    assert row_counts(db)["signature"] == 0
    with pytest.raises(ImportRefused, match=r"signatures\[2\]\.witness"):
        import_inspections(
            db,
            write(tmp_path / "b.json", document(signed_paper_record(changed(2, witness=None)))),
            templates,
            dry_run=True,
        )


def test_a_signed_inspection_round_trips_to_another_database(db, sample, templates, tmp_path, other_db, fixed_today):
    pad = factory.signed(db, sample, templates, rep_state="refused")  # signed on this laptop's pad
    paper_signed = factory.complete(db, sample, templates, inspected_on=date(2026, 6, 12))
    signing.sign_inspection(
        db,
        paper_signed,
        [*factory.team_signatures(db, paper_signed), factory.representative()],
        rectification_days=15,
        signed_on=date(2026, 6, 13),
    )
    out = tmp_path / "out.json"
    export_inspections(db, None, out)
    doc = json.loads(out.read_text("utf-8"))
    exported = {i["id"]: i for i in doc["inspections"]}
    assert (exported[pad]["signed_on"], exported[pad]["rectification_days"]) == ("2026-06-15", 30)
    assert exported[pad]["signatures"][0] == {
        "role": "inspector",
        "badge_no": "31000001",
        "name": "张伟",
        "state": "signed",
        "image_png_base64": b64(factory.signature_png(0)),
    }
    rep = factory.representative("refused")
    assert exported[pad]["signatures"][2] == {
        "role": "representative",
        "name": rep.name,
        "title": rep.title,
        "phone": rep.phone,
        "state": "refused",
        "reason": rep.reason,
        "witness": rep.witness,
        "image_png_base64": None,
    }

    result = import_inspections(other_db, out, templates)
    assert set(result.created) == set(result.signed) == {pad, paper_signed}
    for iid in (pad, paper_signed):
        mine, theirs = signing.get_signed(db, iid), signing.get_signed(other_db, iid)
        assert (theirs.signed_on, theirs.rectification_days) == (mine.signed_on, mine.rectification_days)
        fields = ("role", "position", "name", "title", "phone", "state", "reason", "witness", "image", "image_sha256")
        assert [tuple(getattr(s, f) for f in fields) for s in theirs.signatures] == [
            tuple(getattr(s, f) for f in fields) for s in mine.signatures
        ]
        assert all(s.source == "paper" for s in theirs.signatures)  # entered from a file, not drawn here
        assert signing.verify_record(other_db, iid) == []
    assert flat(signing.get_signed(other_db, pad).representative.note) in pdf_text(
        generate(other_db, pad, "summary").pdf
    )
    # Exporting from the other database gives the same file; importing it back anywhere changes nothing.
    export_inspections(other_db, None, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == out.read_bytes()
    before = row_counts(other_db)
    assert set(import_inspections(other_db, out, templates).unchanged) == {pad, paper_signed}
    assert row_counts(other_db) == before
    before = row_counts(db)
    assert set(import_inspections(db, out, templates).unchanged) == {pad, paper_signed}  # pad vs paper: not compared
    assert row_counts(db) == before
