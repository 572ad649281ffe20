"""The 分类告知书 and the 约谈记录 are in the register of issued documents (issue 15 review): `pdf verify` answers
for them as for an inspection's documents (intact, a known device, in the archive with its number), and
`pdf lookup` finds them by the 核验码 printed on them or by their QR code."""

from datetime import date

import pytest

from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, main
from inspector_app.core import settings
from inspector_app.core.issuing import issued
from inspector_app.core.supervision import classification, interviews
from inspector_app.sync import keys
from tests.documents import factory

USCC = "91350100M000100Y43"
BASIS = "2025-01-01｜｜全部｜《××市工业产品生产许可证后续监管办法》第十一条"


def run(db, *args):
    db.close()
    return main(["--db", str(db.path), *args])


@pytest.fixture
def laptop(db, sample, fixed_today):
    keys.setup_device(db, keys.BUREAU, name="bureau-a")
    factory.configure_bureau(db)
    settings.set_value(db, "class_notice.legal_bases", BASIS)
    return db


def _class_notice(db, sample, tmp_path, capsys):
    classification.classify(db, sample.enterprise_id, "C", reason="监督抽查不合格", who="张伟", on=date(2026, 5, 2))
    out = tmp_path / "分类告知书.pdf"
    assert run(db, "classify", "notice", USCC, "-o", str(out)) == EXIT_OK
    said = capsys.readouterr().out
    return out, said.split("核验码 ")[1][:21], said.split("　")[0]


def _interview(db, sample, tmp_path, capsys):
    iid = interviews.add(db, sample.enterprise_id, held_on=date(2026, 5, 1), kind="quality", interviewee="王建国",
                         interviewers=["张伟", "刘洋"], reason="抽查不合格")  # fmt: skip
    out = tmp_path / "约谈记录.pdf"
    assert run(db, "interview", "print", iid, "-o", str(out)) == EXIT_OK
    said = capsys.readouterr().out
    return out, said.split("核验码 ")[1][:21], said.split("　")[0]


@pytest.mark.parametrize(("make", "title"), [(_class_notice, "分类告知书"), (_interview, "约谈记录")])
def test_a_printed_record_document_verifies_and_is_found_by_its_code(laptop, sample, tmp_path, capsys, make, title):
    out, code, number = make(laptop, sample, tmp_path, capsys)
    assert run(laptop, "pdf", "verify", str(out)) == EXIT_OK
    said = capsys.readouterr().out
    assert said.startswith("完整：") and "bureau-a" in said
    assert f"存档：与已出具文书存档一致（{title}" in said and "存档中没有" not in said
    assert f"文号：{number}" in said and f"{title}记录：" in said and "检查记录" not in said

    copy = tmp_path / "copy.pdf"
    assert run(laptop, "pdf", "lookup", code, "--export", str(copy)) == EXIT_OK
    said = capsys.readouterr().out
    assert said.startswith(f"找到出具的{title}") and f"文号 {number}" in said
    assert "上海申华塑料制品有限公司" in said and "存档原文书的电子签名：完整" in said
    assert copy.read_bytes() == out.read_bytes()  # the exact bytes handed out


@pytest.mark.parametrize("make", [_class_notice, _interview])
def test_a_tampered_copy_fails(laptop, sample, tmp_path, capsys, make):
    out, _code, _number = make(laptop, sample, tmp_path, capsys)
    data = out.read_bytes()
    at = len(data) // 3  # inside the signed range: one byte of the page
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :])
    assert run(laptop, "pdf", "verify", str(tampered)) == EXIT_REFUSED
    said = capsys.readouterr().out
    assert said.startswith("已改动") and "与已出具文书存档一致" not in said


def test_the_register_entry_names_the_record_and_no_inspection(laptop, sample, tmp_path, capsys):
    out, _code, number = _interview(laptop, sample, tmp_path, capsys)
    found = issued.find_copy(laptop, out.read_bytes())
    assert found is not None and found.inspection_id == "" and found.record_id and found.number == number
    assert issued.list_issued_for_record(laptop, found.record_id) == [found]


def test_lookup_by_the_qr_text_of_a_class_notice(laptop, sample, tmp_path, capsys):
    from inspector_app.core.issuing.signing import qr_payload

    out, _code, number = _class_notice(laptop, sample, tmp_path, capsys)
    found = issued.find_copy(laptop, out.read_bytes())
    assert found is not None
    text = qr_payload(found.doc_type, found.record_id, found.content_hash)  # what the page's QR mark says
    assert run(laptop, "pdf", "lookup", text) == EXIT_OK
    said = capsys.readouterr().out
    assert said.startswith("找到出具的分类告知书") and f"文号 {number}" in said and "旧版二维码（未签名）" in said
