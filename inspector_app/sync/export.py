"""Writing a bundle: choose the records, write a temporary file next to the target, sync it, rename it.

Three short steps, so the UI's database worker is never blocked for long:
1. one write transaction brings the sync state up to date with local edits, reserves the next sequence
   number of the destination's stream and serialises the chosen records;
2. outside any transaction the zip is written to `.<name>.<pid>.<random>.part` in the target folder
   (attachments read ahead on a worker thread, hashed once, stored as they are), flushed and fsynced;
   renamed over the target name, and the folder fsynced;
3. one write transaction records what was sent (the stream's high-water mark, the bundle log, receipts).

A kill or a full disk during step 2 leaves no `.ibundle` (only a `.part` file, removed by the next export
to that folder); a cancel or an error removes the `.part` file at once and gives the sequence number back.
A kill between the rename and step 3 leaves a complete bundle and sends its records again next time,
which the receiver recognises as the same versions.

Step 1 is sync/export_select.py, step 2 sync/export_write.py; this module runs the three steps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete

from inspector_app.core.storage.db import Database
from inspector_app.core.storage.device_keys import Identity
from inspector_app.core.storage.models import utcnow
from inspector_app.core.storage.sync_models import BUREAU, FIELD, BundleLog, Device, Outbox
from inspector_app.i18n import _
from inspector_app.sync import receipts, records
from inspector_app.sync.export_select import select_records
from inspector_app.sync.export_write import ExportResult, write_bundle
from inspector_app.sync.format import BROADCAST, SUFFIX, Cancelled, SyncError
from inspector_app.sync.keys import find_device, load_identity
from inspector_app.sync.registry import registry as shared_registry

Progress = Callable[[int, int, str], None]


def resolve_destination(session, identity: Identity, to: str | None) -> tuple[str, Device | None]:
    """The destination stream: a registered device, or BROADCAST (bureau only)."""
    if to is None or not to.strip():
        if identity.role == BUREAU:
            return BROADCAST, None
        bureaus = [
            d
            for d in session.query(Device).filter(Device.role == BUREAU, Device.revoked_at.is_(None))
            if d.id != identity.device_id
        ]
        if not bureaus:
            raise SyncError(_("尚未登记区局的公钥：请先导入区局提供的 .ibkey 文件（命令 devices register）。"))
        if len(bureaus) > 1:
            raise SyncError(_("登记了多个区局设备，请用 --to 指明发往哪一个。"))
        return bureaus[0].id, bureaus[0]
    to = to.strip()
    if to in (BROADCAST, "all", "全部"):
        if identity.role == FIELD:
            raise SyncError(_("现场检查终端的数据包须发给区局（或指定设备），不能群发。"))
        return BROADCAST, None
    dev = find_device(session, to)
    if dev.id == identity.device_id:
        raise SyncError(_("不能发给本机自己。"))
    if dev.revoked_at is not None:
        raise SyncError(_("设备“{d}”已被吊销，不能再向它发送数据。").format(d=dev.inspector_name or dev.name or dev.id))
    return dev.id, dev


def _label(dest: str, dev: Device | None) -> str:
    if dev is None:
        return _("全部设备")
    return dev.inspector_name or dev.name or dev.id[:8]


def suggest_file_name(db: Database, to: str | None = None, key_dir: Path | None = None) -> str:
    identity = load_identity(db, key_dir)
    with db.session() as s:
        dest, _dev = resolve_destination(s, identity, to)
        box = s.get(Outbox, dest)
        seq = (box.last_seq if box else 0) + 1
    target = "all" if dest == BROADCAST else dest[:8]
    return f"{identity.role}-{identity.device_id[:8]}-to-{target}-{seq:04d}{SUFFIX}"


def _release(db: Database, dest: str, seq: int) -> None:
    """Give back a reserved sequence number after a cancel or failure (unless another export used the next)."""
    try:
        with db.session() as s:
            box = s.get(Outbox, dest)
            if box is not None and box.last_seq == seq:
                box.last_seq = seq - 1
    except Exception:
        pass


def export_bundle(
    db: Database,
    out: str | Path,
    *,
    to: str | None = None,
    full: bool = False,
    encrypt: bool | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    key_dir: Path | None = None,
    registry: records.Registry | None = None,
) -> ExportResult:
    """Export everything new for `to` since the last bundle to it (or everything, `full`)."""
    out = Path(out)
    reg = registry or shared_registry()
    identity = load_identity(db, key_dir)
    if out.exists() and not overwrite:
        raise SyncError(_("文件“{p}”已存在，请换一个文件名。").format(p=out))
    if not out.parent.is_dir():
        raise SyncError(_("文件夹“{p}”不存在。").format(p=out.parent))
    check = cancelled or (lambda: False)
    report = progress or (lambda done, total, text: None)

    with db.session() as s:
        dest, dev = resolve_destination(s, identity, to)
        if encrypt is None:
            encrypt = identity.role == FIELD and dest != BROADCAST
        if encrypt and dev is None:
            raise SyncError(_("加密的数据包只能发给一台指定的设备。"))
        recipient = (dev.id, dev.encryption_key) if (encrypt and dev is not None) else None
        report(0, 1, _("正在整理要导出的记录…"))
        seq, abandoned, chosen, high, receipt_ids = select_records(s, identity, reg, dest, full)
    try:
        if check():
            raise Cancelled()
        label = _label(dest, dev)
        result = write_bundle(out, identity, reg, dest, label, seq, chosen, full, recipient, report, check, abandoned)
    except BaseException:
        _release(db, dest, seq)
        raise
    counts = result.counts
    with db.session() as s:
        box = s.get(Outbox, dest)
        assert box is not None, "the outbox row was created when the sequence number was reserved"
        box.sent_upto = max(box.sent_upto, high)
        box.last_export_at = utcnow()
        # A device restored from an old backup may number a bundle again: the log keeps the latest.
        s.execute(
            delete(BundleLog).where(
                BundleLog.direction == "out",
                BundleLog.source == identity.device_id,
                BundleLog.destination == dest,
                BundleLog.seq == seq,
            )
        )
        s.add(
            BundleLog(
                direction="out",
                source=identity.device_id,
                destination=dest,
                seq=seq,
                manifest_sha256=result.manifest_sha256,
                created_at=result.created_at,
                full=full,
                encrypted=recipient is not None,
                ordered=any(kind.ordered for k, n in counts.items() if n and (kind := reg.get(k))),
                file_name=out.name,
                counts=json.dumps(counts, ensure_ascii=False),
                summary="{}",
            )
        )
        receipts.mark_sent(s, receipt_ids)
    return result
