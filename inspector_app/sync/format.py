"""The bundle format: names, versions, limits, the manifest, canonical JSON, and the errors of sync.

A bundle (`.ibundle`) is a zip archive (docs/bundle-format.md):

    bundle.json               header: format, format version, encryption parameters or null
    manifest.json             what the bundle holds; its SHA-256 identifies the bundle
    manifest.sig              Ed25519 signature of the manifest by the source device (base64)
    records/<kind>.jsonl      the records of one kind, one JSON object a line
    files/<kind>/<id>/<slot>  attachments, stored as they are (ZIP_STORED: no recompression of photos)

An encrypted bundle keeps only bundle.json readable; manifest, signature and every member are sealed as
`sealed/manifest`, `sealed/signature` and `sealed/<n>` (n = the member's place in the manifest), so a lost
USB stick reveals neither records nor which kinds or how many.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeGuard

from inspector_app.core.canonical import b64 as b64  # sync's names for them (one implementation)
from inspector_app.core.canonical import canonical_json as canonical_json
from inspector_app.core.canonical import unb64 as unb64
from inspector_app.core.errors import DomainError
from inspector_app.core.safe_input import load_json
from inspector_app.i18n import _

FORMAT = "inspector-app-bundle"
# 2: a photo's thumbnail and print copy travel as attachments, no longer as base64 in its record. A bundle of
# version 1 is refused (its photo records would not fit): the sender upgrades and exports again in full.
# 3: a record deleted after it was synced travels as its tombstone ("data": null). Only a bundle that carries
# one is written as version 3: the others stay readable by builds of version 2.
FORMAT_VERSION = 3
TOMBSTONES_VERSION = 3
NO_TOMBSTONES_VERSION = 2
OLDEST_READ_VERSION = 2
SUFFIX = ".ibundle"
KEY_FORMAT = "inspector-app-device-key"
KEY_SUFFIX = ".ibkey"

HEADER = "bundle.json"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SEALED_DIR = "sealed/"
SEALED_MANIFEST = "sealed/manifest"
SEALED_SIGNATURE = "sealed/signature"
RECORDS_DIR = "records/"
FILES_DIR = "files/"
BROADCAST = "*"  # destination: every device

# Domain separation: a manifest signature can never be mistaken for any other Ed25519 signature.
SIGNATURE_CONTEXT = b"inspector-app bundle manifest v1\n"

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SAFE_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SAFE_SLOT = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Limits:
    """What an import accepts before reading a byte of content; a bureau may raise them in one place."""

    max_members: int = 200_000
    max_total_bytes: int = 16 * 1024**3  # uncompressed, all members
    max_member_bytes: int = 4 * 1024**3
    max_header_bytes: int = 64 * 1024
    max_manifest_bytes: int = 64 * 1024**2
    max_central_directory_bytes: int = 64 * 1024**2
    max_ratio: float = 100.0  # uncompressed / compressed of one member
    ratio_floor: int = 1024**2  # members smaller than this are not judged by their ratio
    max_record_line_bytes: int = 16 * 1024**2
    max_name_bytes: int = 255

    def with_(self, **changes) -> Limits:
        return replace(self, **changes)


DEFAULT_LIMITS = Limits()


def over_limit(what: str, limit: int, actual: int | None = None, unit: str = "bytes") -> str:
    """A refusal for a configured limit (sync/verify.py configured_limits), saying where it is set."""

    def amount(n: int) -> str:
        if unit != "bytes":
            return f"{n:,}"
        if n < 1024**2:
            return _("{n} 字节").format(n=n)
        mb = n / 1024**2
        return f"{mb:,.0f} MB" if mb == int(mb) else f"{mb:,.1f} MB"

    m, a = amount(limit), amount(actual) if actual is not None else None
    if unit == "bytes" and actual is not None and round(actual / 1024**2, 1) == round(limit / 1024**2, 1):
        # Both round to the same figure ("上限 10 MB（实际 10.0 MB）"): exact bytes tell them apart.
        m, a = _("{n} 字节").format(n=f"{limit:,}"), _("{n} 字节").format(n=f"{actual:,}")
    seen = _("（实际 {a}）").format(a=a) if a is not None else ""
    return _("{w}超过上限 {m}{seen}；上限可在“设置 → 数据包”中调整").format(w=what, m=m, seen=seen)


class SyncError(DomainError):
    """A sync operation refused; nothing was written."""


class BundleRefused(SyncError):
    """A bundle that is hostile, damaged, forged, not for us, or not acceptable; the database is unchanged.

    `problem` is a stable code (tests and scripts match on it), `member` the zip member concerned, if any.
    """

    def __init__(self, problem: str, message: str, member: str | None = None):
        where = _("（成员“{m}”）").format(m=member) if member else ""
        super().__init__(_("数据包被拒绝：{msg}{where}。数据库未作任何改动。").format(msg=message, where=where))
        self.problem = problem
        self.member = member
        self.reason = message


class Cancelled(SyncError):
    def __init__(self):
        super().__init__(_("已取消，未作任何改动。"))


# ------------------------------------------------------------------ reading members
class Buffer:
    """Memory reused for one member after another: a new bytes object for each of thousands of 100 KB
    members costs page faults as the allocator maps and returns memory (measured in bench_sync.py: seconds
    for 15,000). A view stays valid until the next view() of the same buffer."""

    def __init__(self) -> None:
        self._b = bytearray()

    def view(self, size: int) -> memoryview:
        if len(self._b) < size:
            self._b = bytearray(max(size, 1024**2))  # a new one: views of the old stay valid
        return memoryview(self._b)[:size]


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    """ISO 8601 in UTC → naive UTC datetime (how the database stores times)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def is_safe_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(_SAFE_ID.match(value))


def is_kind_name(value: Any) -> bool:
    return isinstance(value, str) and bool(_SAFE_KIND.match(value))


def is_slot_name(value: Any) -> bool:
    return isinstance(value, str) and bool(_SAFE_SLOT.match(value))


def is_sha256(value: Any) -> bool:
    return isinstance(value, str) and bool(_HEX64.match(value))


def records_path(kind: str) -> str:
    return f"{RECORDS_DIR}{kind}.jsonl"


def file_path(kind: str, record_id: str, slot: str) -> str:
    return f"{FILES_DIR}{kind}/{record_id}/{slot}"


def sealed_path(index: int) -> str:
    return f"{SEALED_DIR}{index:08d}"


# ------------------------------------------------------------------ header and manifest
@dataclass(frozen=True)
class Encryption:
    recipient: str
    ephemeral_key: str  # X25519 public key, base64
    chunk_size: int
    scheme: str = "X25519-HKDF-SHA256-AES256GCM"

    def to_dict(self) -> dict:
        return {
            "scheme": self.scheme,
            "recipient": self.recipient,
            "ephemeral_key": self.ephemeral_key,
            "chunk_size": self.chunk_size,
        }


@dataclass(frozen=True)
class Header:
    format_version: int
    encryption: Encryption | None

    def to_bytes(self) -> bytes:
        return canonical_json(
            {
                "format": FORMAT,
                "format_version": self.format_version,
                "encryption": self.encryption.to_dict() if self.encryption else None,
            }
        )


@dataclass(frozen=True)
class Member:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    format_version: int
    app_version: str
    source: str  # device id
    source_role: str
    source_name: str
    sequence: int
    destination: str  # device id or BROADCAST
    created_at: datetime  # naive UTC
    full: bool
    counts: dict[str, int]  # records per kind
    members: tuple[Member, ...]
    abandoned: tuple[int, ...] = ()  # earlier numbers of this stream whose export never finished
    extra: dict = field(default_factory=dict)  # fields a newer minor version may add; kept, never trusted

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "app_version": self.app_version,
            "source": {"device_id": self.source, "role": self.source_role, "name": self.source_name},
            "sequence": self.sequence,
            "destination": self.destination,
            "created_at": iso_utc(self.created_at),
            "full": self.full,
            "counts": dict(sorted(self.counts.items())),
            "members": [{"path": m.path, "size": m.size, "sha256": m.sha256} for m in self.members],
            **({"abandoned": list(self.abandoned)} if self.abandoned else {}),
            **self.extra,
        }

    def to_bytes(self) -> bytes:
        return canonical_json(self.to_dict())

    def member(self, path: str) -> Member | None:
        for m in self.members:
            if m.path == path:
                return m
        return None


def _check_version(version: Any, where: str) -> int:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleRefused("format", _("格式版本无效"), where)
    if version < OLDEST_READ_VERSION:
        raise BundleRefused(
            "old_version",
            _(
                "数据包格式版本为 {v}，由旧版本的程序生成，本程序不再读取；请发送方升级程序后完整导出（--full）一次"
            ).format(v=version),
            where,
        )
    if version > FORMAT_VERSION:
        raise BundleRefused(
            "future_version",
            _("数据包格式版本为 {v}，本程序只支持到 {mine}，请先升级本程序").format(v=version, mine=FORMAT_VERSION),
            where,
        )
    return version


def _json_object(data: bytes, where: str) -> dict:
    try:
        obj = load_json(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleRefused("format", _("不是有效的JSON：{e}").format(e=exc), where) from None
    if not isinstance(obj, dict):
        raise BundleRefused("format", _("应为JSON对象"), where)
    return obj


def parse_header(data: bytes) -> Header:
    obj = _json_object(data, HEADER)
    if obj.get("format") != FORMAT:
        raise BundleRefused("format", _("不是本程序的数据包（格式标识不符）"), HEADER)
    version = _check_version(obj.get("format_version"), HEADER)
    enc = obj.get("encryption")
    if enc is None:
        return Header(version, None)
    if not isinstance(enc, dict) or enc.get("scheme") != Encryption.scheme:
        raise BundleRefused("format", _("不支持的加密方式"), HEADER)
    recipient, key, chunk = enc.get("recipient"), enc.get("ephemeral_key"), enc.get("chunk_size")
    if not isinstance(key, str):
        raise BundleRefused("format", _("加密参数无效"), HEADER)
    try:
        unb64(key, 32)
    except (ValueError, TypeError, AttributeError):
        raise BundleRefused("format", _("加密参数无效"), HEADER) from None
    if not is_safe_id(recipient) or not isinstance(chunk, int) or not 1024 <= chunk <= 64 * 1024**2:
        raise BundleRefused("format", _("加密参数无效"), HEADER)
    return Header(version, Encryption(recipient, key, chunk))


def parse_manifest(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    where = MANIFEST
    obj = _json_object(data, where)
    if obj.get("format") != FORMAT:
        raise BundleRefused("format", _("不是本程序的数据包清单"), where)
    version = _check_version(obj.get("format_version"), where)

    def bad(what: str) -> BundleRefused:
        return BundleRefused("manifest", _("清单字段“{f}”无效").format(f=what), where)

    src = obj.get("source")
    if not isinstance(src, dict) or not is_safe_id(src.get("device_id")):
        raise bad("source")
    if src.get("role") not in ("field", "bureau") or not isinstance(src.get("name", ""), str):
        raise bad("source")
    seq = obj.get("sequence")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise bad("sequence")
    dest = obj.get("destination")
    if not isinstance(dest, str) or not (dest == BROADCAST or is_safe_id(dest)):
        raise bad("destination")
    try:
        created = parse_utc(obj["created_at"])
    except (KeyError, TypeError, ValueError):
        raise bad("created_at") from None
    if not isinstance(obj.get("full"), bool):
        raise bad("full")
    if not isinstance(obj.get("app_version"), str):
        raise bad("app_version")
    counts = obj.get("counts")
    if not isinstance(counts, dict) or not all(
        is_kind_name(k) and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in counts.items()
    ):
        raise bad("counts")
    raw_members = obj.get("members")
    if not isinstance(raw_members, list) or len(raw_members) > limits.max_members:
        raise bad("members")
    members = []
    seen: set[str] = set()
    total = 0
    for m in raw_members:
        if not isinstance(m, dict) or set(m) != {"path", "size", "sha256"}:
            raise bad("members")
        path, size, digest = m["path"], m["size"], m["sha256"]
        if not isinstance(path, str) or not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise bad("members")
        if not is_sha256(digest):
            raise BundleRefused("manifest", _("清单中成员的SHA-256无效"), path)
        if not _member_path_ok(path):
            raise BundleRefused("unsafe_name", _("清单中的成员路径不安全或不合规"), path)
        if path in seen:
            raise BundleRefused("duplicate", _("清单中成员重复"), path)
        if size > limits.max_member_bytes:
            raise BundleRefused("too_large", over_limit(_("文件大小"), limits.max_member_bytes, size), path)
        total += size
        seen.add(path)
        members.append(Member(path, size, digest))
    if total > limits.max_total_bytes:
        raise BundleRefused("too_large", over_limit(_("数据包内容总大小"), limits.max_total_bytes, total), where)
    abandoned = obj.get("abandoned", [])
    if (
        not isinstance(abandoned, list)
        or len(abandoned) >= seq
        or not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n < seq for n in abandoned)
        or len(set(abandoned)) != len(abandoned)
    ):
        raise bad("abandoned")
    known = {
        "abandoned",
        "format",
        "format_version",
        "app_version",
        "source",
        "sequence",
        "destination",
        "created_at",
        "full",
        "counts",
        "members",
    }
    return Manifest(
        format_version=version,
        app_version=obj["app_version"],
        source=src["device_id"],
        source_role=src["role"],
        source_name=src.get("name", ""),
        sequence=seq,
        destination=dest,
        created_at=created,
        full=obj["full"],
        counts=dict(counts),
        members=tuple(members),
        abandoned=tuple(sorted(abandoned)),
        extra={k: v for k, v in obj.items() if k not in known},
    )


def _member_path_ok(path: str) -> bool:
    """A manifest path is one of the two layouts, built from safe names only."""
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == "records":
        return parts[1].endswith(".jsonl") and is_kind_name(parts[1][: -len(".jsonl")])
    if len(parts) == 4 and parts[0] == "files":
        return is_kind_name(parts[1]) and is_safe_id(parts[2]) and is_slot_name(parts[3])
    return False
