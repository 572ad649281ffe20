"""The verification code (核验码) and the QR payload of a signed state: text only, no database.

See docs/documents.md for the format.
"""

from __future__ import annotations

import hashlib
import uuid

from inspector_app.core.errors import ValidationError
from inspector_app.i18n import _

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_ALPHABET = _CROCKFORD  # public: core/issuing/code_typos.py names a mistyped character


def _b32(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    bits = len(data) * 8
    chars = []
    for shift in range(bits - 5, -5, -5):
        chars.append(_CROCKFORD[(n >> shift) & 31] if shift >= 0 else _CROCKFORD[(n << -shift) & 31])
    return "".join(chars)


def verification_code(inspection_id: str, content_hash: str) -> str:
    """16 Crockford base-32 characters (the first 40 bits of the inspection id and of the content hash) and a
    check character, grouped by four: e.g. 8Z3K-1QWE-2MXD-8RTV-H."""
    payload = uuid.UUID(inspection_id).bytes[:5] + bytes.fromhex(content_hash)[:5]
    body = _b32(payload)
    check = _CROCKFORD[hashlib.sha256(body.encode()).digest()[0] & 31]
    groups = [body[i : i + 4] for i in range(0, 16, 4)]
    return "-".join([*groups, check])


def parse_verification_code(code: str) -> tuple[str, str]:
    """(hex prefix of the inspection id, hex prefix of the content hash); refuses a mistyped code."""
    clean = code.strip().upper().replace("-", "").replace(" ", "")
    clean = clean.translate(str.maketrans("OIL", "011"))
    if len(clean) != 17 or any(c not in _CROCKFORD for c in clean):
        raise ValidationError(_("核验码"), _("应为17位（4组4位加1位校验位），请核对后重新输入"))
    body, check = clean[:16], clean[16]
    if _CROCKFORD[hashlib.sha256(body.encode()).digest()[0] & 31] != check:
        raise ValidationError(_("核验码"), _("校验位不符，可能抄错了一位，请核对后重新输入"))
    n = 0
    for c in body:
        n = (n << 5) | _CROCKFORD.index(c)
    raw = n.to_bytes(10, "big")
    return raw[:5].hex(), raw[5:].hex()


def qr_payload(doc_type: str, inspection_id: str, content_hash: str) -> str:
    """The text of a document's QR code: XCJC:1:<DOCUMENT>:<INSPECTION ID>:<CONTENT HASH>, upper case so
    that it fits QR's compact alphanumeric mode (a smaller code, quicker to print and to scan); a reader
    lower-cases the id and hash (parse_qr_payload)."""
    return ":".join(["XCJC", "1", doc_type, inspection_id, content_hash]).upper()


def parse_qr_payload(text: str) -> tuple[str, str, str]:
    """(document type, inspection id, content hash) from a scanned QR code."""
    parts = text.strip().split(":")
    if len(parts) != 5 or parts[0].upper() != "XCJC" or parts[1] != "1":
        raise ValidationError(_("二维码"), _("不是本程序出具的文书二维码"))
    return parts[2].lower(), parts[3].lower(), parts[4].lower()
