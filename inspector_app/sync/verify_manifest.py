"""The checks of a bundle before its members are read (sync/verify.py): the sealed manifest opened, the
source device — registered, not revoked, within its validity, its role — and the signature, the
destination, whether this bundle was already applied or its sequence number reused, and the member list
against the manifest (no member more, none less, sizes as declared, only kinds the sender may send).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core.storage.db import Database
from inspector_app.core.storage.device_keys import Identity
from inspector_app.core.storage.models import utcnow
from inspector_app.core.storage.sync_models import BUREAU, ROLES, BundleLog, Device
from inspector_app.i18n import _
from inspector_app.sync import crypto, records
from inspector_app.sync.format import (
    BROADCAST,
    FILES_DIR,
    HEADER,
    MANIFEST,
    RECORDS_DIR,
    SEALED_MANIFEST,
    SEALED_SIGNATURE,
    SIGNATURE,
    BundleRefused,
    Header,
    Manifest,
    records_path,
    sealed_path,
    unb64,
)
from inspector_app.sync.hostile import SafeArchive
from inspector_app.sync.keys import DeviceInfo, device_info

_CLOCK_SKEW_DAYS = 1


def _device_row(db: Database, device_id: str) -> Device | None:
    with db.session() as s:
        row = s.get(Device, device_id)
        if row is not None:
            s.expunge(row)
        return row


def check_source(db: Database, identity: Identity, m: Manifest, body: bytes, sig_text: bytes) -> DeviceInfo:
    where = SIGNATURE
    if m.source == identity.device_id:
        raise BundleRefused("own_bundle", _("这是本机自己导出的数据包"), MANIFEST)
    row = _device_row(db, m.source)
    if row is None:
        raise BundleRefused(
            "unknown_device",
            _("发送设备 {d}（{n}）未在本机登记，无法确认来源").format(d=m.source, n=m.source_name[:40]),
            MANIFEST,
        )
    info = device_info(row, identity.device_id)
    try:
        signature = unb64(sig_text.decode("ascii").strip(), 64)
    except (ValueError, UnicodeDecodeError):
        raise BundleRefused("bad_signature", _("签名格式无效"), where) from None
    if not crypto.verify(row.signing_key, body, signature):
        raise BundleRefused("bad_signature", _("签名验证失败：清单被改动，或不是由登记的设备签发"), where)
    if row.revoked_at is not None:
        raise BundleRefused(
            "revoked_device",
            _("发送设备“{d}”已于{t}被吊销{r}").format(
                d=info.label,
                t=row.revoked_at.strftime("%Y-%m-%d"),
                r=f"（{row.revoked_reason}）" if row.revoked_reason else "",
            ),
            MANIFEST,
        )
    if row.role != m.source_role:
        raise BundleRefused("bad_role", _("发送设备登记的角色与数据包声明的不符"), MANIFEST)
    day = m.created_at.date()
    if (row.valid_from and day < row.valid_from) or (row.valid_until and day > row.valid_until):
        raise BundleRefused(
            "expired_device",
            _("数据包生成于{d}，不在发送设备的有效期（{a}至{b}）内").format(
                d=day, a=row.valid_from or "—", b=row.valid_until or "—"
            ),
            MANIFEST,
        )
    if (m.created_at - utcnow()).days >= _CLOCK_SKEW_DAYS:
        raise BundleRefused(
            "future", _("数据包的生成时间{t}晚于本机当前时间，请检查两台电脑的日期").format(t=m.created_at), MANIFEST
        )
    return info


def check_destination(identity: Identity, m: Manifest) -> None:
    if m.destination == BROADCAST:
        if m.source_role != BUREAU:
            raise BundleRefused("not_for_us", _("只有区局可以群发数据包"), MANIFEST)
        return
    if m.destination != identity.device_id:
        raise BundleRefused(
            "not_for_us",
            _("该数据包是发给设备 {d} 的，不是本机（{me}）").format(d=m.destination, me=identity.device_id),
            MANIFEST,
        )


def log_status(session: Session, m: Manifest, sha: str) -> datetime | None:
    """When this bundle was applied, or None; refuses a sequence number reused with other content."""
    row = session.scalar(
        select(BundleLog).where(
            BundleLog.direction == "in",
            BundleLog.source == m.source,
            BundleLog.destination == m.destination,
            BundleLog.seq == m.sequence,
        )
    )
    if row is None:
        return None
    if row.manifest_sha256 != sha:
        raise BundleRefused(
            "sequence_reused",
            _("来自该设备的第{n}号数据包已导入过，但内容不同（发送设备可能从旧备份恢复过）；请联系管理员").format(
                n=m.sequence
            ),
            MANIFEST,
        )
    return row.logged_at


def newer_applied(session: Session, m: Manifest, reg: records.Registry) -> int | None:
    """The newest roster/assignment bundle of this bureau stream already applied, when this one is older.

    Such a bundle is applied, not refused: its records that a newer bundle already brought compare older
    by their version vectors and are ignored (no rollback), and the records only it carries (an
    incremental bundle that arrived late) are not lost. Refusing it whole left them out for good.
    """
    if m.source_role != BUREAU:
        return None
    if not any(n and (kind := reg.get(k)) is not None and kind.ordered for k, n in m.counts.items()):
        return None
    newest = session.scalar(
        select(func.max(BundleLog.seq)).where(
            BundleLog.direction == "in",
            BundleLog.source == m.source,
            BundleLog.destination == m.destination,
            BundleLog.ordered.is_(True),
        )
    )
    return newest if newest is not None and newest > m.sequence else None


def member_layout(arc: SafeArchive, header: Header, m: Manifest, reg: records.Registry, opener) -> list[str]:
    """The zip member of each manifest member, after checking that the zip holds exactly those."""
    if header.encryption:
        fixed = {HEADER, SEALED_MANIFEST, SEALED_SIGNATURE}
        zip_names = [sealed_path(i) for i in range(len(m.members))]
    else:
        fixed = {HEADER, MANIFEST, SIGNATURE}
        zip_names = [mem.path for mem in m.members]
    expected = fixed | set(zip_names)
    extra = sorted(set(arc.entries) - expected)
    if extra:
        raise BundleRefused("unexpected_member", _("成员不在签名的清单中"), extra[0])
    missing = sorted(expected - set(arc.entries))
    if missing:
        raise BundleRefused("missing_member", _("清单中的成员缺失（文件不完整）"), missing[0])
    for zname, mem in zip(zip_names, m.members, strict=True):
        declared = arc.entries[zname].size
        want = crypto.sealed_size(mem.size, header.encryption.chunk_size) if header.encryption else mem.size
        if declared != want:
            raise BundleRefused(
                "size_mismatch", _("大小与清单不符（{a} ≠ {b} 字节）").format(a=declared, b=want), mem.path
            )
    kinds_with_records = set()
    for mem in m.members:
        if mem.path.startswith(RECORDS_DIR):
            kinds_with_records.add(mem.path[len(RECORDS_DIR) : -len(".jsonl")])
    for kind_name, n in m.counts.items():
        kind = reg.get(kind_name)
        if kind is None:
            raise BundleRefused(
                "unknown_kind",
                _("未知的记录类型“{k}”（发送方的程序版本更新，请先升级本程序）").format(k=kind_name),
                records_path(kind_name),
            )
        if m.source_role not in kind.senders:
            raise BundleRefused(
                "kind_not_allowed",
                _("{r}不能发送“{k}”类记录").format(r=ROLES.get(m.source_role, m.source_role), k=kind.label),
                records_path(kind_name),
            )
        if (n > 0) != (kind_name in kinds_with_records):
            raise BundleRefused("manifest", _("记录数与成员不符"), records_path(kind_name))
    for kind_name in kinds_with_records - set(m.counts):
        raise BundleRefused("manifest", _("清单未列出该类记录的数量"), records_path(kind_name))
    for mem in m.members:
        if mem.path.startswith(FILES_DIR) and m.counts.get(mem.path.split("/")[1], 0) == 0:
            raise BundleRefused("unexpected_member", _("附件不属于数据包中的任何记录"), mem.path)
    return zip_names


def open_sealed(arc: SafeArchive, opener, name: str, stream: int, limit: int) -> bytes:
    size = arc.entries[name].size
    if size > limit + 64 * crypto.TAG:
        raise BundleRefused("too_large", _("成员过大"), name)
    try:
        return b"".join(opener.open_stream(stream, arc.reader(name), size))
    except crypto.DecryptionFailed:
        raise BundleRefused(
            "decrypt_failed", _("解密失败：数据包被改动、损坏，或不是用本机的公钥加密的"), name
        ) from None
