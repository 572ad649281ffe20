"""The archive of issued documents: a saved or printed PDF is kept byte for byte, once, and still verifies."""

import hashlib
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.issuing import issued as issued_docs
from inspector_app.core.storage.bureau_models import StoredFile
from inspector_app.core.storage.docs_models import IssuedDocument
from inspector_app.documents import issue
from inspector_app.documents.generate import generate
from inspector_app.documents.pdfsign import ensure_identity, verify_pdf
from tests.documents import factory


@pytest.fixture
def signed_id(db, sample, templates, fixed_today):
    return factory.signed(db, sample, templates)


def count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(IssuedDocument))


def test_record_keeps_the_exact_bytes_once_and_they_still_verify(db, signed_id):
    from inspector_app.core import settings

    settings.set_value(db, "device.name", "奉贤局-笔记本03")
    doc = generate(db, signed_id, "summary")
    info = issue.record_issued(db, doc, issued_docs.SAVED)
    assert (info.inspection_id, info.doc_type, info.how, info.number) == (signed_id, "summary", "saved", "")
    assert info.verification_code == doc.verification_code and info.content_hash == doc.content_hash
    assert info.sha256 == hashlib.sha256(doc.pdf).hexdigest() and info.size == len(doc.pdf)
    assert info.device == "奉贤局-笔记本03" and info.filename == doc.filename
    # Stored content-addressed under the data folder, like the photo originals (a server: in the database).
    path = issued_docs.archive_path(info.sha256)
    assert issued_docs.issued_pdf(db, info.id) == doc.pdf
    if db.is_server:
        assert not path.exists()
    else:
        assert path.parent.parent == issued_docs.issued_dir() and path.read_bytes() == doc.pdf
        assert not list(path.parent.glob("*.part"))

    # The same bytes again (printed from the same preview) are the same document.
    again = issue.record_issued(db, doc, issued_docs.PRINTED)
    assert again.id == info.id and again.how == "saved" and count(db) == 1

    data = issued_docs.issued_pdf(db, info.id)
    assert data == doc.pdf
    check = verify_pdf(data)
    assert check.intact and check.inspection_id == signed_id and check.own_device
    assert info.signer_fingerprint == check.fingerprint != ""


def test_each_generation_is_its_own_document_listed_in_order(db, signed_id, tmp_path):
    first = issue.record_issued(db, generate(db, signed_id, "summary"), "saved")
    notice = generate(db, signed_id, "notice")
    second = issue.save_issued(db, notice, tmp_path / "out" / "通知书.pdf")
    assert (tmp_path / "out" / "通知书.pdf").read_bytes() == notice.pdf
    # A new generation is signed anew (a new signing time), so it is a new document with its own file.
    third = issue.record_issued(db, generate(db, signed_id, "summary"), "printed")
    listed = issued_docs.list_issued(db, signed_id)
    assert [d.id for d in listed] == [first.id, second.id, third.id]
    assert [(d.title, d.how_label) for d in listed] == [
        ("问题汇总表", "另存为PDF"),
        ("责令整改通知书", "另存为PDF"),
        ("问题汇总表", "打印"),
    ]
    assert second.number == notice.number != "" and first.sha256 != third.sha256
    assert issued_docs.list_issued(db, "00000000-0000-0000-0000-000000000000") == []


def test_export_writes_the_archived_copy(db, signed_id, tmp_path):
    doc = generate(db, signed_id, "record")
    info = issue.record_issued(db, doc, "printed")
    out = issued_docs.export_issued(db, info.id, tmp_path / "copy" / "记录表.pdf")
    assert out.read_bytes() == doc.pdf and verify_pdf(out.read_bytes()).intact
    assert issued_docs.find_copy(db, doc.pdf).id == info.id
    assert issued_docs.find_copy(db, doc.pdf + b"\n") is None
    assert issued_docs.devices_of_key(db, info.signer_fingerprint) == []  # no device name set: nothing to name


def _replace_kept(db, sha256: str, data: bytes | None) -> None:
    """Damage (data) or lose (None) the kept copy, where this engine keeps it."""
    if db.is_server:
        with db.session() as s:
            row = s.get(StoredFile, sha256)
            if data is None:
                s.delete(row)
            else:
                row.data = data
        return
    path = issued_docs.archive_path(sha256)
    if data is None:
        path.unlink()
    else:
        path.write_bytes(data)


def test_a_damaged_or_missing_archive_file_is_reported_not_returned(db, signed_id):
    doc = generate(db, signed_id, "summary")
    info = issue.record_issued(db, doc, "saved")
    damaged = bytearray(doc.pdf)
    damaged[len(damaged) // 2] ^= 1
    _replace_kept(db, info.sha256, bytes(damaged))
    with pytest.raises(DomainError, match="已损坏"):
        issued_docs.issued_pdf(db, info.id)
    _replace_kept(db, info.sha256, None)
    with pytest.raises(DomainError, match="缺失"):
        issued_docs.issued_pdf(db, info.id)
    # Issuing the same bytes again puts the file back.
    issue.record_issued(db, doc, "saved")
    assert issued_docs.issued_pdf(db, info.id) == doc.pdf
    with pytest.raises(NotFound):
        issued_docs.issued_pdf(db, "00000000-0000-0000-0000-000000000000")


def test_refused_input_changes_nothing(db, signed_id, tmp_path):
    doc = generate(db, signed_id, "summary")
    with pytest.raises(ValidationError, match="出具方式"):
        issue.record_issued(db, doc, "faxed")
    with pytest.raises(NotFound):
        issue.record_issued(db, replace(doc, inspection_id="00000000-0000-0000-0000-000000000000"), "saved")
    assert count(db) == 0 and not issued_docs.issued_dir().exists()
    # A file that cannot be written is not archived either.
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    with pytest.raises(ValidationError, match="无法写入"):
        issue.save_issued(db, doc, blocker / "x.pdf")
    assert count(db) == 0


def test_the_signer_fingerprint_is_the_laptops_key(db, signed_id):
    """What the bureau compares later: the key's fingerprint as verify reports it, not the certificate's."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    info = issue.record_issued(db, generate(db, signed_id, "summary"), "saved")
    cert = x509.load_pem_x509_certificate(ensure_identity().cert_path.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert info.signer_fingerprint == hashlib.sha256(spki).hexdigest()
