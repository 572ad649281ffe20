"""The identity of a record version's content: the hash a bundle carries and the state compares.

record_hash() is defined by docs/bundle-format.md ("Record hash"); the streamed path gives the same digest
byte for byte, faster on records with long base64 values (photos, PDFs).
"""

from __future__ import annotations

from collections.abc import Collection
from hashlib import sha256
from typing import Any

from inspector_app.sync.format import canonical_json

# The content hash of a deleted record's last version (its tombstone, bundle format 3): a record deleted
# here after it was synced travels as {"data": null, "files": {}} with its version vector, so the deletion
# reaches the other side and an older copy arriving later does not bring the record back (sync/state.py).
DELETED = "deleted"


def record_hash(kind: Any, data: dict | None, files: dict[str, str], base64: Collection[str] = ()) -> str:
    """The identity of a version's content: hashed data (what the kind deems meaningful) and file digests.

    SHA-256 of canonical_json({"data": …, "files": …}); DELETED for a tombstone. Raises ValueError for data
    that has no canonical JSON (NaN, lone surrogates). `base64`: keys of `data` whose values are known to be
    base64 text (made by b64() or accepted by a strict decoder: kind.base64_keys), which need no scan for
    characters to escape.
    """
    if data is None:
        return DELETED
    view = kind.hash_view(data)
    digests = dict(sorted(files.items()))
    if (
        view.__class__ is dict
        and any(v.__class__ is str and len(v) >= _STREAM_MIN for v in view.values())
        and all(k.__class__ is str for k in view)
    ):
        return _streamed_hash(view, digests, base64 if view is data else ())
    return sha256(canonical_json({"data": view, "files": digests})).hexdigest()


_STREAM_MIN = 4096
_JSON_ESCAPED = bytes(range(0x20)) + b'"\\'  # what canonical JSON escapes in an ASCII string


def _streamed_hash(view: dict, files: dict, base64: Collection[str]) -> str:
    """record_hash of data with long text values (base64 of photos, PDFs), the same digest byte for byte.

    The document is fed to the hash piece by piece in canonical order (sorted keys, no spaces); a long
    ASCII value that needs no escaping goes in as it is. Through the JSON encoder it would be scanned,
    copied into the document and copied again to UTF-8: measured 2× slower on photo records.
    """
    h = sha256(b'{"data":{')
    sep = b""
    for key in sorted(view):
        value = view[key]
        h.update(sep + canonical_json(key) + b":")
        sep = b","
        if value.__class__ is str and len(value) >= _STREAM_MIN and value.isascii():
            raw = value.encode("ascii")
            # Base64 has no control characters; quotes and backslashes are still looked for (memchr-fast).
            if (key in base64 and b'"' not in raw and b"\\" not in raw) or len(
                raw.translate(None, _JSON_ESCAPED)
            ) == len(raw):
                h.update(b'"')
                h.update(raw)
                h.update(b'"')
                continue
        h.update(canonical_json(value))
    h.update(b'},"files":' + canonical_json(files) + b"}")
    return h.hexdigest()
