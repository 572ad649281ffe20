"""Signatures and encryption of bundles, through `cryptography` only.

Signing: Ed25519 over SIGNATURE_CONTEXT + the manifest's bytes.

Encryption to one recipient (so a lost USB stick exposes nothing): an ephemeral X25519 key agrees a secret
with the recipient's X25519 key; HKDF-SHA256 (salt = ephemeral public ‖ recipient public, info binds the
recipient's device id) turns it into one AES-256-GCM key for the bundle. Every sealed stream (manifest,
signature, each member) is cut into chunks of `chunk_size` bytes; chunk j of stream i is sealed with nonce
i (8 bytes) ‖ j (4 bytes) and associated data that also marks the last chunk, so chunks cannot be
reordered, dropped, moved between members or truncated without the tag failing. Streams are decrypted
chunk by chunk: memory stays bounded whatever the member size.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from inspector_app.sync.format import SIGNATURE_CONTEXT, Buffer, Encryption, b64, unb64

TAG = 16
DEFAULT_CHUNK = 1024 * 1024
STREAM_MANIFEST, STREAM_SIGNATURE, STREAM_FIRST_MEMBER = 0, 1, 2


class DecryptionFailed(Exception):
    pass


def raw_public(key) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(private: Ed25519PrivateKey, manifest: bytes) -> bytes:
    return private.sign(SIGNATURE_CONTEXT + manifest)


def verify(public_b64: str, manifest: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_b64, 32)).verify(signature, SIGNATURE_CONTEXT + manifest)
    except (InvalidSignature, ValueError):
        return False
    return True


def _derive(shared: bytes, ephemeral_pub: bytes, recipient_pub: bytes, recipient_id: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral_pub + recipient_pub,
        info=b"inspector-app bundle v1 content key\n" + recipient_id.encode(),
    ).derive(shared)


def _nonce(stream: int, chunk: int) -> bytes:
    return struct.pack(">QI", stream, chunk)


def _aad(stream: int, chunk: int, last: bool) -> bytes:
    return b"ib1" + struct.pack(">QIB", stream, chunk, 1 if last else 0)


def sealed_size(plain_size: int, chunk_size: int) -> int:
    chunks = max(1, -(-plain_size // chunk_size))
    return plain_size + TAG * chunks


class Sealer:
    """Encrypts the streams of one bundle for one recipient."""

    def __init__(self, recipient_id: str, recipient_x25519_b64: str, chunk_size: int = DEFAULT_CHUNK):
        recipient_pub = unb64(recipient_x25519_b64, 32)
        ephemeral = X25519PrivateKey.generate()
        eph_pub = raw_public(ephemeral)
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_pub))
        self._aead = AESGCM(_derive(shared, eph_pub, recipient_pub, recipient_id))
        self.chunk_size = chunk_size
        self.encryption = Encryption(recipient_id, b64(eph_pub), chunk_size)

    def seal_chunk(self, stream: int, index: int, data: bytes | memoryview, last: bool) -> bytes:
        return self._aead.encrypt(_nonce(stream, index), data, _aad(stream, index, last))

    def seal(self, stream: int, data: bytes | memoryview) -> bytes:
        """Seal a whole stream held in memory."""
        return bytes(self.seal_into(stream, data, Buffer()))

    def seal_into(self, stream: int, data: bytes | memoryview, out: Buffer) -> memoryview:
        """seal() into a buffer the caller reuses: the sealed stream, valid until the next use of `out`."""
        view = memoryview(data)
        cs = self.chunk_size
        n = max(1, -(-len(view) // cs))
        size = len(view) + TAG * n
        dest = out.view(size)
        for j in range(n):
            chunk = view[j * cs : (j + 1) * cs]
            at = j * (cs + TAG)
            self._aead.encrypt_into(
                _nonce(stream, j), chunk, _aad(stream, j, j == n - 1), dest[at : at + len(chunk) + TAG]
            )
        return dest[:size]


class Opener:
    """Decrypts the streams of a bundle sealed for us."""

    def __init__(self, encryption: Encryption, my_x25519: X25519PrivateKey, my_id: str):
        eph_pub = unb64(encryption.ephemeral_key, 32)
        shared = my_x25519.exchange(X25519PublicKey.from_public_bytes(eph_pub))
        self._aead = AESGCM(_derive(shared, eph_pub, raw_public(my_x25519), my_id))
        self.chunk_size = encryption.chunk_size

    def plain_size(self, sealed: int) -> int | None:
        """Plaintext size of a sealed stream of `sealed` bytes, or None if no valid stream has that size."""
        cs = self.chunk_size + TAG
        full, rest = divmod(sealed, cs)
        if rest and rest < TAG:
            return None
        chunks = full + (1 if rest else 0)
        if chunks == 0:
            return None
        return sealed - TAG * chunks

    def open_stream(self, stream: int, read: Callable[[int], bytes], sealed: int) -> Iterator[bytes]:
        """Plaintext chunks of a sealed stream of exactly `sealed` bytes read through `read`."""
        if self.plain_size(sealed) is None:
            raise DecryptionFailed("size")
        cs = self.chunk_size + TAG
        left, j = sealed, 0
        while left > 0:
            n = min(cs, left)
            block = read(n)
            if len(block) != n:
                raise DecryptionFailed("truncated")
            left -= n
            try:
                yield self._aead.decrypt(_nonce(stream, j), block, _aad(stream, j, left == 0))
            except InvalidTag:
                raise DecryptionFailed("tag") from None
            j += 1

    def open_bytes_from(self, stream: int, read: Callable[[int], bytes], sealed: int) -> bytes:
        """A whole sealed stream of `sealed` bytes as one bytes object (for members that fit in memory)."""
        parts = list(self.open_stream(stream, read, sealed))
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def open_bytes(self, stream: int, data: bytes) -> bytes:
        view = memoryview(data)
        pos = 0

        def read(n: int) -> bytes:
            nonlocal pos
            chunk = bytes(view[pos : pos + n])
            pos += n
            return chunk

        return b"".join(self.open_stream(stream, read, len(data)))
