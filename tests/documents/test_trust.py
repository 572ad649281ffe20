"""Issue 13 §1: `pdf verify` must not say 完整 for a forgery.

Every attack is built at test time from a real document of a set-up laptop: a PDF of another program with the
record's /Keywords signed by a fresh self-signed key that calls itself 张伟（laptop-a） (also with the laptop's
real device statement copied into the forged certificate), a changed byte in the signature's zero padding,
an incremental update, a plain PDF of another program. The bureau recognises the laptop through its device
register; a revoked device is not trusted after its revocation.
"""

import io
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from inspector_app.core.storage.db import open_database
from inspector_app.core.storage.models import Inspector
from inspector_app.core.storage.sync_models import Device
from inspector_app.documents import trust
from inspector_app.documents.generate import generate
from inspector_app.sync import keys
from tests.documents import factory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def laptop(db, sample, templates, fixed_today):
    """A field laptop (set up, with its device key) that issued a signed 问题汇总表."""
    identity = keys.setup_device(db, keys.FIELD, name="laptop-a")
    iid = factory.signed(db, sample, templates)
    return identity, iid, generate(db, iid, "summary").pdf


@pytest.fixture
def bureau(tmp_path, monkeypatch, laptop):
    """The bureau's own installation (its data folder, its PDF key) with the laptop registered for 张伟."""
    identity, _iid, _pdf = laptop
    monkeypatch.setenv("INSPECTOR_APP_DATA_DIR", str(tmp_path / "bureau-data"))
    db = open_database(tmp_path / "bureau.sqlite3")
    keys.setup_device(db, keys.BUREAU, name="奉贤局")
    with db.session() as s:
        s.add(Inspector(name="张伟", badge_no="31000001"))
    keys.register_device(db, keys.export_public_key(identity), inspector="31000001")
    yield db
    db.close()


def forged_signature(pdf: bytes, tmp_path: Path, *, cn="张伟（laptop-a）", copy_extension_from: bytes = b"") -> bytes:
    """Sign `pdf` with a fresh key and a self-signed certificate of the forger's choosing (pyHanko)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "laptop-a"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "现场检查"),
        ]
    )
    now = datetime.now().astimezone()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
    )
    if copy_extension_from:
        from pyhanko.pdf_utils.reader import PdfFileReader

        from inspector_app.documents import device_binding

        real = PdfFileReader(io.BytesIO(copy_extension_from)).embedded_signatures[0].signer_cert
        value = device_binding.encode(device_binding.from_certificate(real))
        ext = x509.UnrecognizedExtension(x509.ObjectIdentifier(device_binding.OID), value)
        builder = builder.add_extension(ext, critical=False)
    cert = builder.sign(key, hashes.SHA256())
    key_file, cert_file = tmp_path / "forger.key", tmp_path / "forger.crt"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    signer = signers.SimpleSigner.load(str(key_file), str(cert_file))
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer).getvalue()


def other_program_pdf(keywords: str = "") -> bytes:
    """A PDF as another program makes it (a bare reportlab canvas), optionally with our /Keywords."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "Problem summary (forged)")
    if keywords:
        c.setKeywords(keywords)
    c.save()
    return buf.getvalue()


def incremental_update(pdf: bytes) -> bytes:
    """An update appended after signing that draws on the first page (pyHanko finds it suspicious and logs
    a traceback) and changes the title."""
    from pyhanko.pdf_utils.generic import NameObject, StreamObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = writer.add_object(StreamObject(stream_data=b"0 0 1 rg 100 100 200 50 re f"))
    writer.add_stream_to_page(0, stream)
    info = writer.trailer["/Info"].get_object()
    info[NameObject("/Title")] = TextStringObject("改过的标题")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def keywords_of(pdf: bytes) -> str:
    import pypdf

    return pypdf.PdfReader(io.BytesIO(pdf)).metadata["/Keywords"]


def test_the_laptop_knows_its_own_documents(db, laptop):
    _identity, _iid, pdf = laptop
    verdict = trust.assess(pdf, db)
    assert verdict.kind == trust.INTACT
    assert verdict.first_line.startswith("完整") and "laptop-a" in verdict.first_line


def test_the_bureau_names_the_registered_device_and_its_inspector(bureau, laptop):
    _identity, _iid, pdf = laptop
    verdict = trust.assess(pdf, bureau)
    assert verdict.kind == trust.INTACT and not verdict.verification.own_device
    assert verdict.first_line.startswith("完整") and "laptop-a" in verdict.first_line and "张伟" in verdict.first_line
    assert verdict.how_known == "区局设备登记中"


def test_a_forgery_with_the_records_keywords_and_a_self_signed_key_is_an_unknown_signer(db, bureau, laptop, tmp_path):
    _identity, _iid, pdf = laptop
    forged = forged_signature(other_program_pdf(keywords_of(pdf)), tmp_path)
    for database in (db, bureau):  # at the laptop and at the bureau
        verdict = trust.assess(forged, database)
        assert verdict.verification.intact  # the file itself was not changed after signing…
        assert verdict.kind == trust.UNKNOWN_SIGNER  # …but nobody we know signed it
        assert verdict.first_line.startswith("签名人身份无法确认") and "完整" not in verdict.first_line


def test_a_copied_device_statement_does_not_make_a_forged_key_known(bureau, laptop, tmp_path):
    _identity, _iid, pdf = laptop
    forged = forged_signature(other_program_pdf(keywords_of(pdf)), tmp_path, copy_extension_from=pdf)
    verdict = trust.assess(forged, bureau)
    assert verdict.kind == trust.UNKNOWN_SIGNER and "伪造" in verdict.first_line


def test_a_device_revoked_before_the_signing_time_is_not_trusted(bureau, laptop):
    _identity, _iid, pdf = laptop
    with bureau.session() as s:
        row = s.get(Device, _identity.device_id)
        row.revoked_at = datetime.now() - timedelta(hours=1)  # the document was signed just now
    verdict = trust.assess(pdf, bureau)
    assert verdict.kind == trust.UNKNOWN_SIGNER and "吊销" in verdict.first_line
    with bureau.session() as s:
        s.get(Device, _identity.device_id).revoked_at = datetime.now() + timedelta(hours=1)  # revoked later
    assert trust.assess(pdf, bureau).kind == trust.INTACT


def test_without_the_register_a_foreign_key_is_unknown(laptop, tmp_path, monkeypatch):
    """Another installation with no register (and no database) cannot tell who signed."""
    _identity, _iid, pdf = laptop
    monkeypatch.setenv("INSPECTOR_APP_DATA_DIR", str(tmp_path / "elsewhere"))
    assert trust.assess(pdf, None).kind == trust.UNKNOWN_SIGNER


def test_a_changed_byte_in_the_signature_padding_is_altered(db, laptop):
    _identity, _iid, pdf = laptop
    at = pdf.index(b"/Contents <") + len(b"/Contents <")
    end = pdf.index(b">", at)
    zero = pdf.rindex(b"00", at, end)  # in the zero padding after the CMS container
    for new in (b"1", b"F"):
        tampered = pdf[:zero] + new + pdf[zero + 1 :]
        assert len(tampered) == len(pdf)
        verdict = trust.assess(tampered, db)
        assert verdict.kind == trust.ALTERED and verdict.first_line.startswith("已改动")


def test_a_case_change_of_the_signature_hex_is_altered(db, laptop):
    _identity, _iid, pdf = laptop
    at = pdf.index(b"/Contents <") + len(b"/Contents <")
    letter = next(i for i in range(at, at + 200) if pdf[i : i + 1] in b"ABCDEF")
    tampered = pdf[:letter] + pdf[letter : letter + 1].lower() + pdf[letter + 1 :]
    assert trust.assess(tampered, db).kind == trust.ALTERED


def test_an_incremental_update_is_altered(db, laptop):
    _identity, _iid, pdf = laptop
    assert trust.assess(incremental_update(pdf), db).kind == trust.ALTERED


def test_a_pdf_of_another_program_is_not_ours(db, laptop):
    verdict = trust.assess(other_program_pdf(), db)
    assert verdict.kind == trust.NOT_OURS and verdict.first_line.startswith("不是本程序出具的文书")
    _identity, _iid, pdf = laptop
    unsigned_copy = trust.assess(other_program_pdf(keywords_of(pdf)), db)  # our keywords, no signature
    assert unsigned_copy.kind == trust.ALTERED and "没有电子签名" in unsigned_copy.first_line
    assert trust.assess(b"GIF89a not a pdf", db).kind == trust.NOT_OURS


def _cli(db_path: Path, data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "INSPECTOR_APP_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "inspector_app", "--db", str(db_path), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_the_cli_says_which_of_the_four_and_never_prints_a_traceback(bureau, laptop, tmp_path):
    """As a user runs it: a separate process, stderr as the terminal shows it (pyHanko's logger included)."""
    _identity, _iid, pdf = laptop
    at = pdf.index(b"/Contents <")
    zero = pdf.rindex(b"00", at, pdf.index(b">", at))
    files = {
        "genuine.pdf": (pdf, 0, "完整："),
        "forged.pdf": (forged_signature(other_program_pdf(keywords_of(pdf)), tmp_path), 1, "签名人身份无法确认："),
        "padding.pdf": (pdf[:zero] + b"7" + pdf[zero + 1 :], 1, "已改动："),
        "updated.pdf": (incremental_update(pdf), 1, "已改动："),
        "other.pdf": (other_program_pdf(), 1, "不是本程序出具的文书："),
        "broken.pdf": (pdf[: len(pdf) // 2], 1, "已改动："),
    }
    bureau.close()
    for name, (data, code, first) in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        run = _cli(tmp_path / "bureau.sqlite3", tmp_path / "bureau-data", "pdf", "verify", str(path))
        assert run.returncode == code, (name, run.stdout, run.stderr)
        assert run.stdout.splitlines()[0].startswith(first), (name, run.stdout)
        assert "Traceback" not in run.stderr and "Error" not in run.stderr, (name, run.stderr)
    bureau_db, bureau_data = tmp_path / "bureau.sqlite3", tmp_path / "bureau-data"
    genuine = _cli(bureau_db, bureau_data, "pdf", "verify", str(tmp_path / "genuine.pdf"))
    assert "张伟" in genuine.stdout.splitlines()[0]
