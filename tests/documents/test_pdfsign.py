"""PAdES signatures with the laptop's own ECDSA P-256 key; verification fails after any change."""

import io

from inspector_app.documents import pdfsign
from inspector_app.documents.generate import generate


def test_the_device_key_is_made_once_and_the_certificate_names_device_and_inspector():
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    a = pdfsign.ensure_identity("奉贤局-笔记本03", "张伟")
    key = load_pem_private_key(a.key_path.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    cert = x509.load_pem_x509_certificate(a.cert_path.read_bytes())
    assert "张伟（奉贤局-笔记本03）" in cert.subject.rfc4514_string()
    b = pdfsign.ensure_identity("奉贤局-笔记本03", "张伟")
    assert b.fingerprint == a.fingerprint  # same certificate
    c = pdfsign.ensure_identity("奉贤局-笔记本03", "刘洋")
    assert c.fingerprint != a.fingerprint and c.key_path.read_bytes() == a.key_path.read_bytes()  # same key
    assert (a.key_path.stat().st_mode & 0o077) == 0


def test_a_signed_document_verifies_as_intact(db, signed_id):
    from inspector_app.core import settings

    settings.set_value(db, "device.inspector", "陈静")
    doc = generate(db, signed_id, "summary")
    result = pdfsign.verify_pdf(doc.pdf)
    assert result.intact and result.signed and result.own_device
    assert result.inspection_id == signed_id and result.doc_type == "summary"
    assert "陈静" in result.signer  # the laptop's user, as the settings name it
    assert "问题汇总表" in result.reason


def test_the_laptop_keeps_one_fingerprint_whoever_leads_the_team(db, signed_id):
    """The bureau recognises a laptop by the fingerprint verify reports: a renamed device or another team
    leader must not change it."""
    from inspector_app.core import settings

    first = pdfsign.verify_pdf(generate(db, signed_id, "summary").pdf)
    settings.set_value(db, "device.name", "奉贤局-笔记本07")  # a new certificate for the same key
    second = pdfsign.verify_pdf(generate(db, signed_id, "notice").pdf)
    assert "奉贤局-笔记本07" in second.signer and "奉贤局-笔记本07" not in first.signer
    assert first.fingerprint == second.fingerprint and len(first.fingerprint) == 64
    assert first.own_device and second.own_device


def test_one_changed_byte_of_signed_content_fails(db, signed_id):
    pdf = bytearray(generate(db, signed_id, "summary").pdf)
    # flip one byte inside the first content stream (covered by the signature's byte range)
    start = pdf.index(b"stream\n") + len(b"stream\n")
    pdf[start + 10] ^= 0x01
    result = pdfsign.verify_pdf(bytes(pdf))
    assert not result.intact and result.signed


def test_a_changed_text_byte_fails(db, signed_id):
    pdf = generate(db, signed_id, "notice").pdf
    at = pdf.index(b"/Keywords")
    tampered = pdf[: at + 12] + bytes([pdf[at + 12] ^ 0x01]) + pdf[at + 13 :]
    assert not pdfsign.verify_pdf(tampered).intact


def test_an_update_appended_after_signing_is_reported(db, signed_id):
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    pdf = generate(db, signed_id, "summary").pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info = writer.trailer["/Info"].get_object()
    info[NameObject("/Title")] = TextStringObject("改过的标题")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    result = pdfsign.verify_pdf(out.getvalue())
    assert not result.intact


def test_unsigned_or_broken_files(db, signed_id):
    unsigned = generate(db, signed_id, "summary", sign=False).pdf
    result = pdfsign.verify_pdf(unsigned)
    assert not result.intact and not result.signed and "没有电子签名" in result.message
    assert not pdfsign.verify_pdf(b"not a pdf at all").intact


def test_without_a_device_user_the_certificate_names_whom_the_bureau_registered(db, signed_id):
    from inspector_app.core.storage.models import Setting
    from inspector_app.core.storage.sync_models import SETTING_DEVICE_ID, Device

    with db.session() as s:
        device = Device(role="field", signing_key="k" * 44, encryption_key="e" * 44, inspector_name="刘洋")
        s.add(device)
        s.flush()
        s.add(Setting(key=SETTING_DEVICE_ID, value=device.id))
    result = pdfsign.verify_pdf(generate(db, signed_id, "summary").pdf)
    assert result.intact and result.signer.startswith("刘洋")
