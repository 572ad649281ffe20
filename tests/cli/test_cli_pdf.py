"""`inspector-app pdf summary|record|notice|verify`: files written, exit codes, Chinese errors."""

import pytest

from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, main
from tests.documents import factory
from tests.documents.factory import pdf_text


@pytest.fixture(autouse=True)
def bureau_settings(db):
    """The bureau's settings have arrived (tests of placeholders: tests/cli/test_cli_placeholders.py)."""
    factory.configure_bureau(db)


@pytest.fixture
def signed_id(db, sample, templates, fixed_today):
    return factory.signed(db, sample, templates)


def run(db, *args):
    # Close the test's connections first: while another connection holds the file in WAL mode, the header
    # on disk may not carry the application id yet and core/storage/db.py would refuse the file.
    db.close()
    return main(["--db", str(db.path), *args])


@pytest.mark.parametrize(
    "doc, title", [("summary", "问题汇总表"), ("record", "监督检查记录表"), ("notice", "责令整改通知书")]
)
def test_each_document_is_written_signed_and_verifies(db, signed_id, tmp_path, capsys, doc, title):
    from inspector_app.core import settings

    settings.set_value(db, "device.inspector", "张伟")  # 本机使用人, named in the certificate
    out = tmp_path / "out" / f"{doc}.pdf"
    assert run(db, "pdf", doc, signed_id, "-o", str(out)) == EXIT_OK
    printed = capsys.readouterr().out
    assert "核验码" in printed and str(out) in printed
    assert title in pdf_text(out.read_bytes())
    assert run(db, "pdf", "verify", str(out)) == EXIT_OK
    report = capsys.readouterr().out
    assert report.startswith("完整") and "签名人：张伟" in report and signed_id in report


def test_notice_prints_its_number(db, signed_id, tmp_path, capsys):
    assert run(db, "pdf", "notice", signed_id[:8], "-o", str(tmp_path / "n.pdf")) == EXIT_OK
    assert "文号" in capsys.readouterr().out


def test_record_with_photos(db, sample, templates, fixed_today, tmp_path):
    from inspector_app.core.inspection import photos
    from tests.core.test_photos import jpeg

    iid = factory.complete(db, sample, templates)
    photos.add_photo(db, iid, "4.1", jpeg())
    factory.sign(db, iid)
    out = tmp_path / "r.pdf"
    assert run(db, "pdf", "record", iid, "-o", str(out), "--photos") == EXIT_OK
    assert "附：现场检查照片" in pdf_text(out.read_bytes())


def test_a_changed_byte_makes_verify_fail(db, signed_id, tmp_path, capsys):
    out = tmp_path / "s.pdf"
    run(db, "pdf", "summary", signed_id, "-o", str(out))
    data = bytearray(out.read_bytes())
    at = data.index(b"stream\n") + 20
    data[at] ^= 0x01
    out.write_bytes(bytes(data))
    capsys.readouterr()
    assert run(db, "pdf", "verify", str(out)) == EXIT_REFUSED
    assert "已改动" in capsys.readouterr().out


def test_verify_an_unsigned_or_missing_file(db, tmp_path, capsys):
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    assert run(db, "pdf", "verify", str(plain)) == EXIT_REFUSED
    assert run(db, "pdf", "verify", str(tmp_path / "nothing.pdf")) == EXIT_REFUSED
    assert "无法读取" in capsys.readouterr().out


def test_unknown_inspection(db, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    assert run(db, "pdf", "summary", "12345678-0000", "-o", str(out)) == EXIT_REFUSED
    assert "找不到检查记录" in capsys.readouterr().err
    assert not out.exists()


def test_unsigned_inspection(db, sample, templates, fixed_today, tmp_path, capsys):
    iid = factory.complete(db, sample, templates)
    out = tmp_path / "x.pdf"
    assert run(db, "pdf", "record", iid, "-o", str(out)) == EXIT_REFUSED
    assert "尚未签字确认" in capsys.readouterr().err
    assert not out.exists()


def test_missing_glyphs_refused_unless_allowed(db, sample, templates, fixed_today, tmp_path, capsys):
    from inspector_app.core.storage.models import Enterprise

    with db.session() as s:
        s.get(Enterprise, sample.enterprise_id).name = "𠀾记五金厂"
    iid = factory.signed(db, sample, templates)
    out = tmp_path / "x.pdf"
    assert run(db, "pdf", "summary", iid, "-o", str(out)) == EXIT_REFUSED
    assert "U+2003E" in capsys.readouterr().err and not out.exists()
    assert run(db, "pdf", "summary", iid, "-o", str(out), "--allow-missing-glyphs") == EXIT_OK
    assert "〓" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- issued documents


def test_issuing_archives_the_file_and_issued_lists_and_exports_it(db, signed_id, tmp_path, capsys):
    from inspector_app.core.issuing import issued as issued_docs
    from inspector_app.documents.pdfsign import verify_file

    summary, notice = tmp_path / "s.pdf", tmp_path / "n.pdf"
    assert run(db, "pdf", "summary", signed_id, "-o", str(summary)) == EXIT_OK
    assert run(db, "pdf", "notice", signed_id[:8], "-o", str(notice)) == EXIT_OK
    capsys.readouterr()
    assert run(db, "pdf", "issued", signed_id[:8]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert signed_id in lines[0]
    assert (
        len(lines) == 3
        and lines[1].split()[:2] == ["1", "问题汇总表"]
        and lines[2].split()[:2] == ["2", "责令整改通知书"]
    )
    assert "另存为PDF" in lines[1] and "责改" in lines[2]  # how, and the notice's number
    (first, second) = issued_docs.list_issued(db, signed_id)
    assert first.sha256[:16] in lines[1] and second.verification_code in lines[2]

    copy = tmp_path / "copy" / "notice.pdf"
    assert run(db, "pdf", "issued", signed_id, "--export", "2", "-o", str(copy)) == EXIT_OK
    assert "已另存责令整改通知书" in capsys.readouterr().out
    assert copy.read_bytes() == notice.read_bytes() and verify_file(copy).intact

    # verify knows the archived copy, and says when a valid file is not one of them.
    assert run(db, "pdf", "verify", str(copy)) == EXIT_OK
    assert "存档：与已出具文书存档一致（责令整改通知书" in capsys.readouterr().out
    other = tmp_path / "other.pdf"
    from inspector_app.documents.generate import generate

    other.write_bytes(generate(db, signed_id, "summary").pdf)  # generated, never issued
    assert run(db, "pdf", "verify", str(other)) == EXIT_OK
    assert "存档中没有与此文件完全相同的文书" in capsys.readouterr().out


def test_issued_refusals(db, sample, templates, fixed_today, signed_id, tmp_path, capsys):
    assert run(db, "pdf", "issued", signed_id) == EXIT_OK
    assert "尚未出具文书" in capsys.readouterr().out
    out = tmp_path / "x.pdf"
    assert run(db, "pdf", "issued", signed_id, "--export", "1", "-o", str(out)) == EXIT_REFUSED
    assert "没有第 1 份（共 0 份）" in capsys.readouterr().err and not out.exists()
    assert run(db, "pdf", "issued", signed_id, "--export", "1") == EXIT_REFUSED
    assert "须一起使用" in capsys.readouterr().err
    assert run(db, "pdf", "issued", "12345678-0000") == EXIT_REFUSED
    assert "找不到检查记录" in capsys.readouterr().err


def test_a_refused_document_is_not_archived(db, sample, templates, fixed_today, tmp_path):
    from inspector_app.core.issuing import issued as issued_docs

    iid = factory.complete(db, sample, templates)  # completed, not signed: refused
    assert run(db, "pdf", "summary", iid, "-o", str(tmp_path / "x.pdf")) == EXIT_REFUSED
    assert issued_docs.list_issued(db, iid) == [] and not issued_docs.issued_dir().exists()
