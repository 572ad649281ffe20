"""PAdES signatures on the official PDFs with this laptop's own key, fully offline (pyHanko).

On first use the laptop makes an ECDSA P-256 key (it validates in other readers; Ed25519 does not) and a
self-signed certificate naming the device and its inspector, both under data_dir()/signing/. When the
device name or inspector in the settings change, a new certificate is made for the same key. `verify`
reports whether a file is intact (the signature is valid and covers the whole file) and who signed it.
A self-signed certificate proves integrity, not identity: the bureau recognises its laptops by the
fingerprint of the public key, which `verify` reports; it stays the same when the certificate is renewed
for new names, so every PDF a laptop ever signed carries one fingerprint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from inspector_app import paths
from inspector_app.core.files import write_atomic
from inspector_app.documents import pdfguard
from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.documents import device_binding

KEY_FILE = "device-key.pem"
CERT_FILE = "device-cert.pem"
FIELD = "XCJCSignature"
CERT_YEARS = 10

_lock = threading.Lock()
_signer_cache: dict[tuple, object] = {}
_identity_cache: dict[tuple, Identity] = {}


@dataclass(frozen=True)
class Identity:
    device: str
    inspector: str
    key_path: Path
    cert_path: Path
    fingerprint: str  # SHA-256 of the certificate (DER), hex
    key_fingerprint: str  # SHA-256 of the public key (SubjectPublicKeyInfo, DER): what verify reports


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    fingerprint: str  # of the key that signed it, as verify_pdf reports it (Verification.fingerprint)


@dataclass(frozen=True)
class Verification:
    intact: bool
    signed: bool
    message: str  # one Chinese sentence for the user
    signer: str = ""  # certificate subject: inspector (device)
    device: str = ""
    fingerprint: str = ""
    signed_at: dt.datetime | None = None
    reason: str = ""
    doc_type: str = ""
    inspection_id: str = ""
    content_hash: str = ""
    number: str = ""
    own_device: bool = False
    spki: bytes = b""  # the signing public key (SubjectPublicKeyInfo, DER): fingerprint = its SHA-256
    binding: device_binding.Binding | None = None  # the device binding the certificate carries, if any
    damaged: bool = False  # the file could not be read as a PDF at all


def signing_dir() -> Path:
    return paths.data_dir() / "signing"


def _names(device: str | None, inspector: str | None) -> tuple[str, str]:
    device = (device or "").strip() or socket.gethostname() or "inspector-laptop"
    inspector = (inspector or "").strip() or os.environ.get("USER") or os.environ.get("USERNAME") or "检查人员"
    return device[:60], inspector[:60]


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, mode=0o600)  # readable by this user only, from its creation


def _subject(device: str, inspector: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{inspector}（{device}）"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, device),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "现场检查"),
            x509.NameAttribute(NameOID.PSEUDONYM, inspector),
        ]
    )


def ensure_identity(device: str | None = None, inspector: str | None = None, device_key=None) -> Identity:
    """This laptop's key and a certificate naming `device` and `inspector` (made on first use). With
    `device_key` = (device id, Ed25519 private key) the certificate carries the device key's statement that
    this PDF key is the device's (documents/device_binding.py), by which a verifier holding the bureau's
    device register recognises the signer."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    device, inspector = _names(device, inspector)
    folder = signing_dir()
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    with _lock:
        # Reading and parsing both files for every document cost ≈ 0.6 ms; unchanged files (same inode, time
        # and size: a new file is written beside and renamed over) and names give the same identity.
        bound_to = device_key[0] if device_key else ""
        stamp = _files_stamp(device, inspector, bound_to, key_path, cert_path)
        if stamp is not None and stamp in _identity_cache:
            return _identity_cache[stamp]
        key: ec.EllipticCurvePrivateKey
        if key_path.exists():
            loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if not isinstance(loaded, ec.EllipticCurvePrivateKey):  # this module writes only P-256 keys
                raise ValueError(f"{key_path}: not an EC private key")
            key = loaded
        else:
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            _write_private(key_path, pem)
        subject = _subject(device, inspector)
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        binding = None
        if device_key:
            from inspector_app.documents import device_binding

            binding = device_binding.encode(device_binding.make(device_key[0], device_key[1], spki))
        cert = None
        if cert_path.exists():
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            cert_key = cert.public_key()
            same_key = (
                isinstance(cert_key, ec.EllipticCurvePublicKey)
                and cert_key.public_numbers() == key.public_key().public_numbers()
            )
            if cert.subject != subject or not same_key or _binding_of(cert) != binding:
                cert = None
        if cert is None:
            now = dt.datetime.now(dt.UTC)
            builder = (
                x509.CertificateBuilder()
                .subject_name(subject)
                .issuer_name(subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=365 * CERT_YEARS))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=True,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            )
            if binding is not None:
                from inspector_app.documents import device_binding

                extension = x509.UnrecognizedExtension(x509.ObjectIdentifier(device_binding.OID), binding)
                builder = builder.add_extension(extension, critical=False)
            cert = builder.sign(key, hashes.SHA256())
            _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        der = cert.public_bytes(serialization.Encoding.DER)
        identity = Identity(
            device, inspector, key_path, cert_path, hashlib.sha256(der).hexdigest(), hashlib.sha256(spki).hexdigest()
        )
        _identity_cache.clear()
        stamp = _files_stamp(device, inspector, bound_to, key_path, cert_path)
        if stamp is not None:
            _identity_cache[stamp] = identity
    return identity


def _binding_of(cert) -> bytes | None:
    """The device binding extension's value in a cryptography certificate, or None."""
    from cryptography import x509

    from inspector_app.documents import device_binding

    try:
        ext = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(device_binding.OID))
    except x509.ExtensionNotFound:
        return None
    return ext.value.value


def _files_stamp(device: str, inspector: str, bound_to: str, *files: Path) -> tuple | None:
    try:
        return (device, inspector, bound_to, *((str(f), *_stat(f)) for f in files))
    except OSError:
        return None


def _stat(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


def _signer(identity: Identity):
    """pyHanko's SimpleSigner for this laptop's key and certificate, loaded once per certificate (reading and
    parsing the PEM files for every document took longer than signing)."""
    from pyhanko.sign import signers

    stamp = (str(identity.key_path), identity.cert_path.stat().st_mtime_ns, identity.fingerprint)
    with _lock:
        signer = _signer_cache.get(stamp)
        if signer is None:
            signer = signers.SimpleSigner.load(str(identity.key_path), str(identity.cert_path))
            if signer is None:
                raise RuntimeError(f"cannot load the signing key {identity.key_path}")
            _signer_cache.clear()
            _signer_cache[stamp] = signer
        return signer


def sign_pdf(
    pdf: bytes,
    *,
    reason: str,
    location: str = "",
    device: str | None = None,
    inspector: str | None = None,
    device_key=None,
) -> bytes:
    """PAdES B-B signature (invisible) over the whole document with this laptop's key (certified by
    `device_key`, see ensure_identity)."""
    return sign_with_fingerprint(
        pdf, reason=reason, location=location, device=device, inspector=inspector, device_key=device_key
    ).pdf


def sign_with_fingerprint(
    pdf: bytes,
    *,
    reason: str,
    location: str = "",
    device: str | None = None,
    inspector: str | None = None,
    device_key=None,
) -> SignedPdf:
    """sign_pdf, and the fingerprint of the key that signed, for the archive of issued documents (reading it
    back from the signed file with verify_pdf cost a fifth of a document's time)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    pdfguard.quiet_pyhanko_logging()
    identity = ensure_identity(device, inspector, device_key)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        name=f"{identity.inspector}（{identity.device}）",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    # bytes_reserved: room for the CMS blob (ECDSA signature + certificate ≈ 1.5 KB); without it pyHanko
    # signs a dry run first to measure the size, doubling the signing time.
    out = signers.sign_pdf(writer, meta, signer=_signer(identity), bytes_reserved=8192)
    return SignedPdf(out.getvalue(), identity.key_fingerprint)


class _Metadata(TypedDict, total=False):
    doc_type: str
    inspection_id: str
    content_hash: str
    number: str


def _metadata(reader) -> _Metadata:
    try:
        keywords = str(reader.trailer["/Info"].get("/Keywords", ""))
    except Exception:
        return {}
    parts = keywords.split(":")
    if len(parts) < 5 or parts[0] != "XCJC":
        return {}
    return {
        "doc_type": parts[2],
        "inspection_id": parts[3],
        "content_hash": parts[4],
        "number": ":".join(parts[5:]),
    }


def verify_pdf(data: bytes) -> Verification:
    """intact = a valid signature that covers the entire file; anything else is reported as altered."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    pdfguard.quiet_pyhanko_logging()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:
        return Verification(
            False, False, _("文件已损坏或不是PDF文件，无法核验（{e}）").format(e=type(exc).__name__), damaged=True
        )
    meta = _metadata(reader)
    if not sigs:
        return Verification(False, False, _("该文件没有电子签名，无法证明未被改动。"), **meta)
    sig = sigs[-1]
    spki, binding = b"", None
    try:
        from inspector_app.documents import device_binding

        cert = sig.signer_cert
        subject = cert.subject.native
        signer = subject.get("common_name", "")
        device = subject.get("organizational_unit_name", "")
        spki = cert.public_key.dump()  # SubjectPublicKeyInfo, DER
        fingerprint = hashlib.sha256(spki).hexdigest()
        binding = device_binding.from_certificate(cert)
    except Exception:
        signer = device = fingerprint = ""
    own = False
    try:
        own_path = signing_dir() / CERT_FILE
        if own_path.exists() and fingerprint:
            from cryptography import x509
            from cryptography.hazmat.primitives import serialization

            own_cert = x509.load_pem_x509_certificate(own_path.read_bytes())
            own_key = own_cert.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            own = hashlib.sha256(own_key).hexdigest() == fingerprint
    except Exception:
        own = False
    common = dict(
        signer=signer, device=device, fingerprint=fingerprint, own_device=own, spki=spki, binding=binding, **meta
    )
    try:
        # Integrity, not identity: the signer's own (self-signed) certificate is the trust root here, so that
        # no path building is attempted; whose certificate it is comes from the fingerprint (own_device).
        context = ValidationContext(trust_roots=[sig.signer_cert], allow_fetching=False)
        status = validate_pdf_signature(sig, context)
    except Exception as exc:  # pyHanko raises several kinds for a damaged signature
        return Verification(False, True, _("签名无法验证，文件可能已被改动（{e}）").format(e=exc), **common)
    signed_at = status.signer_reported_dt
    reason = ""
    try:
        reason = str(sig.sig_object.get("/Reason", ""))
    except Exception:
        pass
    common.update(signed_at=signed_at, reason=reason)
    if not (status.intact and status.valid):
        return Verification(False, True, _("文件内容在签名后被改动，签名无效。"), **common)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or len(sigs) > 1:
        return Verification(False, True, _("签名本身有效，但签名后文件又被追加修改，请以出具机关存档为准。"), **common)
    if not pdfguard.padding_untouched(data, sig):
        # The unused room after the signature in /Contents is covered neither by /ByteRange nor by the CMS.
        return Verification(False, True, _("签名区中的预留部分被改动，文件不是出具时的原样。"), **common)
    return Verification(True, True, _("文件完整，签名有效，签名后未被改动。"), **common)


def verify_file(path: str | Path) -> Verification:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return Verification(False, False, _("无法读取文件“{p}”：{e}").format(p=path, e=exc.strerror))
    return verify_pdf(data)
