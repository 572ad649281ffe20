"""The signed QR code on every page: what a paper document proves offline.

Version 2 (documents printed by an installation that was set up as a field laptop or the bureau):

    XCJC:2:<base45 of 108 bytes>

    1   version (2)
    1   document (1 问题汇总表, 2 监督检查记录表, 3 责令整改通知书)
    16  inspection id (UUID bytes)
    16  the first 128 bits of the content hash the document prints (after amendments)
    8   key id: the first 8 bytes of SHA-256 of the issuing device's Ed25519 public key
    2   the day it was issued, days since 2000-01-01
    64  Ed25519 signature of the issuing device over b"XCJC-QR-2\\n" + the 44 bytes above

The signature is the device key the bureau registers and publishes (sync/keys.py, the `sync_device`
register, which every laptop receives with the revocations), so anyone holding the register can tell without
the network that the code was made by a registered device that was not revoked on that day. A code made up
or altered by a forger fails; a genuine code copied onto a forged paper leads to the genuine record, which
the lookup shows for comparison (lookup.py). Base45 (RFC 9285) keeps every character in QR's alphanumeric
mode: 169 characters, a version-7 symbol (45 modules) at level M, decoded from a page rendered at 300 dpi
(tests/documents/test_lookup_qr.py).

Version 1 (`XCJC:1:<DOC>:<ID>:<HASH>`, core/issuing/signing.qr_payload) is still read: it is printed by an
installation never set up (no device key) and by earlier versions, and carries no signature.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from inspector_app.core.errors import ValidationError
from inspector_app.i18n import _

PREFIX = "XCJC:2:"
DOCS = {"summary": 1, "record": 2, "notice": 3}
DOC_OF = {v: k for k, v in DOCS.items()}
EPOCH = date(2000, 1, 1)
CONTEXT = b"XCJC-QR-2\n"
_SIGNED_LEN = 44
_TOTAL = _SIGNED_LEN + 64
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        out += [B45[n % 45], B45[n // 45 % 45], B45[n // 2025]]
    if len(data) % 2:
        out += [B45[data[-1] % 45], B45[data[-1] // 45]]
    return "".join(out)


def b45decode(text: str) -> bytes:
    values = [B45.index(c) for c in text]  # ValueError for a character outside the alphabet
    if len(values) % 3 == 1:
        raise ValueError("base45 length")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        n = sum(v * 45**k for k, v in enumerate(chunk))
        if len(chunk) == 3:
            if n > 0xFFFF:
                raise ValueError("base45 value")
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                raise ValueError("base45 value")
            out.append(n)
    return bytes(out)


def key_id(signing_public_raw: bytes) -> bytes:
    return hashlib.sha256(signing_public_raw).digest()[:8]


@dataclass(frozen=True)
class QrContent:
    version: int
    doc_type: str
    inspection_id: str
    hash_prefix: str  # hex: 32 digits (v2) or the whole hash (v1)
    key_id: bytes = b""
    issued_on: date | None = None
    signature: bytes = b""
    signed_part: bytes = b""

    @property
    def signed(self) -> bool:
        return self.version >= 2


def make(doc_type: str, inspection_id: str, content_hash: str, device_key, day: date) -> str:
    """The version-2 payload, signed with `device_key` = (device id, Ed25519 private key)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    _device_id, private = device_key
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    body = (
        bytes((2, DOCS[doc_type]))
        + uuid.UUID(inspection_id).bytes
        + bytes.fromhex(content_hash)[:16]
        + key_id(public)
        + (day - EPOCH).days.to_bytes(2, "big")
    )
    return PREFIX + b45encode(body + private.sign(CONTEXT + body))


def parse(text: str) -> QrContent:
    """What a scanned code says (not yet whether to believe it: see lookup.check_qr)."""
    text = text.strip()
    bad = ValidationError(_("二维码"), _("不是本程序出具的文书二维码"))
    if text.upper().startswith("XCJC:1:"):
        from inspector_app.core.issuing.doc_types import RECORD_DOC_TITLES
        from inspector_app.core.issuing.signing import parse_qr_payload

        doc_type, inspection_id, content_hash = parse_qr_payload(text)
        if doc_type not in DOCS and doc_type not in RECORD_DOC_TITLES:  # 分类告知书, 约谈记录: version 1 only
            raise bad
        return QrContent(1, doc_type, inspection_id, content_hash)
    if not text.startswith(PREFIX):
        raise bad
    try:
        raw = b45decode(text[len(PREFIX) :])
    except ValueError:
        raise ValidationError(_("二维码"), _("二维码内容不完整或已损坏")) from None
    if len(raw) != _TOTAL or raw[0] != 2 or raw[1] not in DOC_OF:
        raise ValidationError(_("二维码"), _("二维码内容不完整或已损坏"))
    body = raw[:_SIGNED_LEN]
    return QrContent(
        version=2,
        doc_type=DOC_OF[raw[1]],
        inspection_id=str(uuid.UUID(bytes=body[2:18])),
        hash_prefix=body[18:34].hex(),
        key_id=body[34:42],
        issued_on=EPOCH + timedelta(days=int.from_bytes(body[42:44], "big")),
        signature=raw[_SIGNED_LEN:],
        signed_part=CONTEXT + body,
    )


def signature_holds(content: QrContent, signing_public_raw: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(signing_public_raw).verify(content.signature, content.signed_part)
    except (InvalidSignature, ValueError):
        return False
    return True
