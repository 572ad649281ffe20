"""Units of the format: version vectors, the sealed streams, manifests, member names."""

import os

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from inspector_app.sync import crypto
from inspector_app.sync import state as vv
from inspector_app.sync.format import (
    FORMAT_VERSION,
    OLDEST_READ_VERSION,
    BundleRefused,
    b64,
    canonical_json,
    parse_manifest,
)
from inspector_app.sync.hostile import _name_key, name_problem


def test_version_vectors():
    assert vv.vv_compare({"a": 1}, {"a": 1}) == vv.EQUAL
    assert vv.vv_compare({"a": 2}, {"a": 1}) == vv.NEWER
    assert vv.vv_compare({"a": 1}, {"a": 1, "b": 1}) == vv.OLDER
    assert vv.vv_compare({"a": 2}, {"a": 1, "b": 1}) == vv.CONCURRENT
    assert vv.vv_merge({"a": 2}, {"a": 1, "b": 1}) == {"a": 2, "b": 1}


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 5000])
def test_sealed_streams_round_trip_and_resist_tampering(size):
    me = X25519PrivateKey.generate()
    sealer = crypto.Sealer("dev-1", b64(crypto.raw_public(me)), chunk_size=1024)
    data = os.urandom(size)
    sealed = sealer.seal(7, data)
    assert len(sealed) == crypto.sealed_size(size, 1024)
    opener = crypto.Opener(sealer.encryption, me, "dev-1")
    assert opener.open_bytes(7, sealed) == data
    with pytest.raises(crypto.DecryptionFailed):
        opener.open_bytes(8, sealed)  # another stream's nonce
    if size > 1024:
        with pytest.raises(crypto.DecryptionFailed):
            opener.open_bytes(7, sealed[: 1024 + crypto.TAG])  # truncated at a chunk boundary
    flipped = bytearray(sealed)
    flipped[-1] ^= 1
    with pytest.raises(crypto.DecryptionFailed):
        opener.open_bytes(7, bytes(flipped))
    with pytest.raises(crypto.DecryptionFailed):
        crypto.Opener(sealer.encryption, me, "dev-2").open_bytes(7, sealed)  # bound to the recipient id
    with pytest.raises(crypto.DecryptionFailed):
        crypto.Opener(sealer.encryption, X25519PrivateKey.generate(), "dev-1").open_bytes(7, sealed)


def _manifest(**patch):
    m = {
        "format": "inspector-app-bundle",
        "format_version": FORMAT_VERSION,
        "app_version": "0.1.0",
        "source": {"device_id": "abc", "role": "field", "name": ""},
        "sequence": 1,
        "destination": "*",
        "created_at": "2026-06-15T08:00:00Z",
        "full": False,
        "counts": {},
        "members": [],
    }
    m.update(patch)
    return canonical_json(m)


def test_manifest_checks():
    assert parse_manifest(_manifest()).sequence == 1
    for patch, problem in (
        ({"sequence": 0}, "manifest"),
        ({"sequence": True}, "manifest"),
        ({"destination": "../x"}, "manifest"),
        ({"created_at": "yesterday"}, "manifest"),
        ({"members": [{"path": "records/../x.jsonl", "size": 1, "sha256": "0" * 64}]}, "unsafe_name"),
        ({"members": [{"path": "records/a.jsonl", "size": 1, "sha256": "xyz"}]}, "manifest"),
        ({"members": [{"path": "records/a.jsonl", "size": 1, "sha256": "0" * 64}] * 2}, "duplicate"),
        ({"format_version": FORMAT_VERSION + 1}, "future_version"),
        ({"format_version": OLDEST_READ_VERSION - 1}, "old_version"),
    ):
        with pytest.raises(BundleRefused) as exc:
            parse_manifest(_manifest(**patch))
        assert exc.value.problem == problem, patch


def test_member_name_rules():
    assert name_problem("records/inspection.jsonl") is None
    assert name_problem("files/photo/0f3a/photo") is None
    for bad in ("../x", "/x", "C:x", "a\\b", "a//b", "a/./b", "a/", "CON", "aux.txt", "a/b ", "x\x00"):
        assert name_problem(bad), bad
    assert _name_key("Files/A") == _name_key("files/a")
    assert _name_key("files/caf\u00e9") == _name_key("files/cafe\u0301")
