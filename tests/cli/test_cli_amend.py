"""`inspector-app amend list|create|sign|delete`: corrections of a signed record (issue 3 §1); the original is
never edited, a correction takes effect once signed (here: signatures made on paper)."""

import pytest
from sqlalchemy import func, select

from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main
from inspector_app.core.issuing import signing
from inspector_app.core.storage.docs_models import Amendment
from inspector_app.core.storage.models import ItemResult
from tests.documents import factory

NEW = "抽查2026年5月出厂检验记录，批号20260512-03缺少黏度项目的检验数据。"


@pytest.fixture
def signed_id(db, sample, templates, fixed_today):
    return factory.signed(db, sample, templates)


def run(db, *args):
    db.close()  # one user of the file at a time (see tests/cli/test_cli_pdf.py)
    return main(["--db", str(db.path), *args])


def amendments(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Amendment))


def test_create_then_sign_on_paper(db, signed_id, capsys):
    original = signing.get_signed(db, signed_id)
    args = ["--item", "4.1", "--record", NEW, "--reason", "记录笔误"]
    assert run(db, "amend", "create", signed_id[:8], *args) == EXIT_OK
    out = capsys.readouterr().out
    assert "第1次更正\t草稿" in out and f"检查项 4.1 检查记录：{factory.PROBLEMS['4.1']} → {NEW}" in out
    assert "amend sign" in out
    (draft,) = signing.get_signed(db, signed_id).amendments
    assert draft.status == "draft" and draft.reason == "记录笔误"
    assert signing.get_signed(db, signed_id).answers()["4.1"].record == factory.PROBLEMS["4.1"]  # not yet in force

    assert run(db, "amend", "list", signed_id) == EXIT_OK
    assert "草稿（未签字，尚未生效）" in capsys.readouterr().out

    assert run(db, "amend", "sign", signed_id, "--rep-name", "李秀英", "--rep-title", "质量部经理") == EXIT_OK
    out = capsys.readouterr().out
    state = signing.get_signed(db, signed_id)
    (amendment,) = state.amendments
    assert amendment.status == "signed" and amendment.previous_hash == original.content_hash
    assert [(s.name, s.source) for s in amendment.signatures] == [("张伟", "paper"), ("刘洋", "paper"),
                                                                ("李秀英", "paper")]  # fmt: skip
    assert state.answers()["4.1"].record == NEW and state.verification_code in out
    assert "签字：张伟、刘洋；企业代表：李秀英" in out
    # The original is never edited in place.
    assert state.canonical == original.canonical
    with db.session() as s:
        assert s.scalar(select(ItemResult.record).where(ItemResult.item_id == "4.1")) == factory.PROBLEMS["4.1"]
    assert signing.verify_record(db, signed_id) == []
    assert run(db, "amend", "list", signed_id) == EXIT_OK
    assert "第1次更正\t已签字\t2026-06-15" in capsys.readouterr().out


def test_several_items_conclusions_by_name_and_the_period(db, signed_id):
    args = ["--item", "3.1", "--conclusion", "不适用", "--item", "5.1", "--conclusion", "符合", "--days", "15"]
    assert run(db, "amend", "create", signed_id, *args, "--reason", "复核") == EXIT_OK
    (draft,) = signing.get_signed(db, signed_id).amendments
    assert [(c.item_id, c.field, c.new) for c in draft.changes] == [
        ("3.1", "conclusion", "na"),
        ("3.1", "na_reason", "环保要求正常停产不适用"),  # the form's stated reason, as the form records it
        ("5.1", "conclusion", "conform"),
        ("5.1", "rectified_on_site", False),  # 当场整改 belongs to a 不符合
        ("", "rectification_days", 15),
    ]
    assert run(db, "amend", "sign", signed_id, "--rep-state", "refused", "--rep-reason", "对更正有异议",
               "--witness", "陈静", "--signed-on", "2026-06-16") == EXIT_OK  # fmt: skip
    state = signing.get_signed(db, signed_id)
    assert state.rectification_days == 15 and state.answers()["3.1"].conclusion == "na"
    rep = state.amendments[0].signatures[-1]
    assert rep.state == "refused" and rep.witness == "陈静" and rep.signed_on.isoformat() == "2026-06-16"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--item", "1.1", "--conclusion", "不适用"], "检查表不允许该项填写“不适用”"),
        (["--item", "1.1", "--conclusion", "合格"], "检查结论“合格”无效"),
        (["--item", "1.1", "--conclusion", "不符合", "--record", ""], "须填写检查记录"),
        (["--item", "1.1", "--rectified"], "当场整改只用于结论为“不符合”"),
        (["--item", "99.1", "--remark", "x"], "不在该检查表中"),
        (["--item", "4.1", "--record", factory.PROBLEMS["4.1"]], "相同"),
        (["--days", "0"], "整改期限"),
    ],
)
def test_refused_corrections_write_nothing(db, signed_id, capsys, args, message):
    assert run(db, "amend", "create", signed_id, *args, "--reason", "原因") == EXIT_REFUSED
    assert message in capsys.readouterr().err
    assert amendments(db) == 0


def test_the_reason_is_required(db, signed_id, capsys):
    assert run(db, "amend", "create", signed_id, "--item", "4.1", "--record", NEW, "--reason", " ") == EXIT_REFUSED
    assert "更正原因：不能为空" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        run(db, "amend", "create", signed_id, "--item", "4.1", "--record", NEW)
    assert exc.value.code == EXIT_USAGE
    assert amendments(db) == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--record", NEW], "须写在 --item 检查项之后"),
        (["--item", "4.1"], "之后没有更正内容"),
        (["--item", "4.1", "--record", "a", "--record", "b"], "写了两次"),
        ([], "请用 --item"),
    ],
)
def test_usage_errors(db, signed_id, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        run(db, "amend", "create", signed_id, *args, "--reason", "原因")
    assert exc.value.code == EXIT_USAGE and message in capsys.readouterr().err
    assert amendments(db) == 0


def test_one_draft_at_a_time_refused_signatures_and_delete(db, signed_id, capsys):
    assert run(db, "amend", "create", signed_id, "--item", "3.1", "--remark", "复核", "--reason", "补充") == EXIT_OK
    assert run(db, "amend", "create", signed_id, "--item", "3.1", "--remark", "再", "--reason", "补充") == EXIT_REFUSED
    assert "还有一份未签字的更正" in capsys.readouterr().err
    assert run(db, "amend", "sign", signed_id) == EXIT_REFUSED  # a signed representative needs a name
    assert "请填写企业代表姓名" in capsys.readouterr().err
    assert run(db, "amend", "sign", signed_id, "--rep-state", "absent", "--rep-reason", "外出") == EXIT_REFUSED
    assert "见证人" in capsys.readouterr().err
    assert run(db, "amend", "sign", signed_id, "--rep-name", "李秀英", "--signed-on", "6/16") == EXIT_REFUSED
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert [a.status for a in signing.get_signed(db, signed_id).amendments] == ["draft"]  # still unsigned
    assert run(db, "amend", "delete", signed_id) == EXIT_OK
    assert "已删除第1次更正（草稿）" in capsys.readouterr().out
    assert amendments(db) == 0
    assert run(db, "amend", "delete", signed_id) == EXIT_REFUSED
    assert "没有未签字的更正" in capsys.readouterr().err


def test_an_unsigned_record_is_not_amended(db, sample, templates, fixed_today, capsys):
    iid = factory.complete(db, sample, templates)
    assert run(db, "amend", "create", iid, "--item", "4.1", "--record", NEW, "--reason", "x") == EXIT_REFUSED
    assert "尚未签字确认" in capsys.readouterr().err
    assert run(db, "amend", "list", iid) == EXIT_OK
    assert "尚未签字确认" in capsys.readouterr().err
    assert run(db, "amend", "list", "0000000000") == EXIT_REFUSED
    assert amendments(db) == 0


def test_a_status_value_is_not_corrected_and_the_reason_is_said(db, sample, templates, fixed_today, capsys):
    """002 附件3: the production-status form's values are not corrected by an 更正 (docs/documents.md)."""
    from tests.core.test_inspection_io_status import sign_steel

    iid = sign_steel(db, sample, templates)
    code = run(db, "amend", "create", iid, "--item", "S2.1", "--record", "130", "--reason", "产量填错")
    assert code == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "更正 2021年钢材产量·总产量（万吨）：生产状况登记表的数值签字后不能在本程序中更正" in err
    assert "Traceback" not in err
    assert amendments(db) == 0
