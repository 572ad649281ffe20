"""`inspector-app pdf summary|record|notice|verify`: files written, exit codes, Chinese errors."""

import pytest

from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, main
from tests.documents import factory
from tests.documents.factory import pdf_text


@pytest.fixture
def signed_id(db, sample, templates, fixed_today):
    return factory.signed(db, sample, templates)


def run(db, *args):
    # Close the test's connections first: while another connection holds the file in WAL mode, the header
    # on disk may not carry the application id yet and core/db.py would refuse the file.
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
    from inspector_app.core import photos
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
    from inspector_app.core.models import Enterprise

    with db.session() as s:
        s.get(Enterprise, sample.enterprise_id).name = "𠀾记五金厂"
    iid = factory.signed(db, sample, templates)
    out = tmp_path / "x.pdf"
    assert run(db, "pdf", "summary", iid, "-o", str(out)) == EXIT_REFUSED
    assert "U+2003E" in capsys.readouterr().err and not out.exists()
    assert run(db, "pdf", "summary", iid, "-o", str(out), "--allow-missing-glyphs") == EXIT_OK
    assert "〓" in capsys.readouterr().err
