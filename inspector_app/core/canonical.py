"""The one serialisation that is hashed and signed, and the base64 text keys and binary values travel in.

Canonical JSON: sorted keys, no spaces, UTF-8, no NaN (docs/bundle-format.md). Used by sync (manifests,
record hashes, key files), by the device key store (core/storage/device_keys.py) and by signing (as text, with
its strings in NFC first: core/issuing/signing/content.py); sync/format.py re-exports these names.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

# json.dumps with these options builds a new encoder on every call; one instance holds only the options.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def canonical_json(obj: Any) -> bytes:
    """The one serialisation that is hashed and signed: sorted keys, no spaces, UTF-8."""
    return _CANONICAL.encode(obj).encode()


def canonical_text(obj: Any) -> str:
    """canonical_json before its UTF-8 encoding: for what is stored as text beside its hash."""
    return _CANONICAL.encode(obj)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, length: int | None = None) -> bytes:
    """Strict base64 (base64.b64decode(validate=True)); ValueError if invalid, TypeError if not text."""
    if not isinstance(text, str):
        raise TypeError("base64 text expected")
    raw = binascii.a2b_base64(text, strict_mode=True)  # straight from the str: no ASCII copy first
    if length is not None and len(raw) != length:
        raise ValueError(f"expected {length} bytes")
    return raw
