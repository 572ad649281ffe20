"""Who may sign our PDFs: the laptop's PDF key (ECDSA P-256) certified by its device key (Ed25519).

The PDF signature uses a self-signed certificate (pdfsign.py): it proves that the file was not changed,
not who made it — anyone can make a certificate that says CN=张伟（laptop-a）. The installation's *device*
key (core/storage/device_keys.py, Ed25519) is what the bureau registers and publishes in its device register (the
`sync_device` table, which travels bureau → field with every revocation). So the device key signs a short
statement naming its device id and the SHA-256 of the PDF key (its SubjectPublicKeyInfo), and the statement
goes into the PDF certificate as a non-critical extension (other readers ignore it). A verifier that has the
register checks the statement with the registered key: a forger can copy the extension into his own
certificate, but it names a public key that is not his, and the PDF signature is checked with the key the
certificate carries.

Extension value (DER): SEQUENCE { UTF8String device id, OCTET STRING Ed25519 signature (64 bytes) } over
    b"inspector-app pdf signing key v1\\n" + device id + b"\\n" + hex SHA-256 of the SPKI (DER)
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass

log = logging.getLogger(__name__)

# An OID without registration: 2.25.<a UUID as an integer> (ITU-T X.667).
OID = "2.25." + str(uuid.UUID("7c1e8f0a-3b52-4d6e-9a41-58c2d0f3b7e9").int)
CONTEXT = b"inspector-app pdf signing key v1\n"


@dataclass(frozen=True)
class Binding:
    device_id: str
    signature: bytes


def statement(device_id: str, spki_der: bytes) -> bytes:
    return CONTEXT + device_id.encode() + b"\n" + hashlib.sha256(spki_der).hexdigest().encode()


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        return bytes((tag, n)) + body
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(size))) + size + body


def encode(binding: Binding) -> bytes:
    return _der(0x30, _der(0x0C, binding.device_id.encode()) + _der(0x04, binding.signature))


def decode(value: bytes) -> Binding | None:
    """The binding in an extension value, or None when it is not one (short forms only: it is small)."""
    try:
        if len(value) < 2 or value[0] != 0x30 or value[1] != len(value) - 2:
            return None
        body = value[2:]
        if body[0] != 0x0C or body[1] > 64:
            return None
        device_id = body[2 : 2 + body[1]].decode()
        rest = body[2 + body[1] :]
        if rest[:2] != b"\x04\x40" or len(rest) != 66:
            return None
        return Binding(device_id, bytes(rest[2:]))
    except (IndexError, UnicodeDecodeError):
        return None


def make(device_id: str, device_key, spki_der: bytes) -> Binding:
    """The device key's statement about the PDF key (`device_key`: an Ed25519PrivateKey)."""
    return Binding(device_id, device_key.sign(statement(device_id, spki_der)))


def from_certificate(cert) -> Binding | None:
    """The binding carried by an asn1crypto x509.Certificate (as pyHanko gives the signer's), if any."""
    try:
        for ext in cert["tbs_certificate"]["extensions"]:
            if ext["extn_id"].dotted == OID:
                return decode(bytes(ext["extn_value"].contents))
    except (KeyError, TypeError, ValueError):
        return None
    return None


def holds(binding: Binding, spki_der: bytes, signing_key_b64: str) -> bool:
    """Whether the registered device key (base64 of the raw Ed25519 public key) made this statement."""
    import base64

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(signing_key_b64, validate=True))
        key.verify(binding.signature, statement(binding.device_id, spki_der))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def own_device_key(db):
    """(device id, Ed25519 private key) of this installation, or None when it was never set up (a test
    database, a standalone install) or its key file cannot be read (logged: documents still print)."""
    from inspector_app.core.storage.device_keys import DeviceKeyError, device_id, load_identity

    if not device_id(db):
        return None
    try:
        identity = load_identity(db)
    except DeviceKeyError as exc:
        log.warning("device key not available for document signing: %s", exc)
        return None
    return identity.device_id, identity.signing
