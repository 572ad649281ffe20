"""Applying a verified bundle in one transaction — or not at all (sync/verify.py checks it first).

Every record is classified against the local copy (sync/decide.py) and everything is written in one
transaction: records, sync states, conflicts, the bundle log and, at the bureau, the receipt. Staged
attachments are moved into place inside it and moved back if it does not commit (sync/staging.py); the
staging folder is removed either way.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspector_app.core.storage.db import Database, serialize
from inspector_app.core.storage.models import utcnow
from inspector_app.core.storage.sync_models import BUREAU, FIELD, BundleLog, Conflict
from inspector_app.i18n import _
from inspector_app.sync import conflicts, receipts, records, staging, state
from inspector_app.sync.decide import Decision, classify, send_along
from inspector_app.sync.format import (
    BundleRefused,
    Manifest,
    canonical_json,
    records_path,
)
from inspector_app.sync.keys import load_identity
from inspector_app.sync.preview import OUTCOMES, Preview, gaps, preview_from
from inspector_app.sync.records import DELETED, RecordKind
from inspector_app.sync.registry import registry as shared_registry
from inspector_app.sync.verify import (
    Progress,
    VerifiedBundle,
)
from inspector_app.sync.verify_manifest import log_status, newer_applied


@dataclass
class ImportResult:
    preview: Preview
    log_id: int | None
    conflict_ids: list[str]

    @property
    def changed(self) -> bool:
        return self.log_id is not None

    def summary_text(self) -> str:
        return self.preview.summary_text()


def apply_bundle(
    db: Database,
    vb: VerifiedBundle,
    *,
    progress: Progress | None = None,
    key_dir: Path | None = None,
    registry: records.Registry | None = None,
) -> ImportResult:
    """Apply a verified bundle in one transaction. The same bundle again changes nothing and says so."""
    reg = registry or shared_registry()
    identity = load_identity(db, key_dir)
    me = identity.device_id
    report = progress or (lambda d, t, m: None)
    m = vb.manifest
    if vb.already_applied is not None:
        with db.session() as s:
            return ImportResult(preview_from(vb, reg, {}, gaps(s, m, True)), None, [])
    if not vb.checked:
        raise BundleRefused("format", _("数据包尚未校验"))
    ctx: staging.Context | None = None
    try:
        with db.session() as s:
            # One apply at a time on a server (SQLite's one writer, in effect): taken before anything is read,
            # so that a clerk importing while another does decides on what the other committed — the same
            # bundle twice is found applied, two laptops' shared records (a template) are not inserted twice.
            # The lock next_seq() takes below, held to the commit; verifying ran in parallel before it.
            serialize(s, state.SEQ_LOCK)
            already = log_status(s, m, vb.manifest_sha256)
            if already is not None:  # applied by someone else since it was verified
                vb.already_applied = already
                return ImportResult(preview_from(vb, reg, {}, gaps(s, m, True)), None, [])
            vb.newer_applied = newer_applied(s, m, reg)
            decisions = classify(s, reg, me, vb)
            log = BundleLog(
                direction="in",
                source=m.source,
                destination=m.destination,
                seq=m.sequence,
                manifest_sha256=vb.manifest_sha256,
                created_at=m.created_at,
                logged_at=utcnow(),
                full=m.full,
                encrypted=vb.encrypted,
                ordered=any(n and reg.kind(k).ordered for k, n in m.counts.items()),
                file_name=vb.path.name[:300],
                counts=json.dumps(m.counts, ensure_ascii=False),
                summary="{}",
                abandoned=json.dumps(list(m.abandoned)),
            )
            s.add(log)
            s.flush()
            ctx = staging.Context(s, me, m.source, vb)
            ctx.journal.ensure(staging.placements(reg, decisions))
            conflict_ids: list[str] = []
            seq = state.next_seq(s)
            steps = len(decisions)
            # Deletions first, children before parents (the reverse of the apply order).
            for kind_name, ds in reversed(decisions.items()):
                gone = [d.rec.id for d in ds if d.outcome == "deleted" and d.exists]
                if gone:
                    try:
                        reg.kind(kind_name).delete(ctx, gone)
                    except IntegrityError as exc:
                        raise BundleRefused(
                            "integrity",
                            _("删除记录时与本机已有的数据不相容（{e}）").format(e=str(exc.orig)[:200]),
                            records_path(kind_name),
                        ) from None
            for step, (kind_name, ds) in enumerate(decisions.items()):
                kind = reg.kind(kind_name)
                report(step, steps, _("正在写入：{k}").format(k=kind.label))
                writes = [(d.rec, d.exists) for d in ds if d.outcome in ("added", "updated")]
                if kind.stateless:
                    for rec, exists in writes:
                        kind.write(ctx, rec, exists)
                    continue
                if writes:
                    try:
                        kind.write_many(ctx, writes)
                        s.flush()
                    except IntegrityError as exc:
                        raise BundleRefused(
                            "integrity",
                            _("记录与本机已有的数据不相容（{e}）").format(e=str(exc.orig)[:200]),
                            records_path(kind_name),
                        ) from None
                new_marks = kind.marks(s, [r.id for r, _e in writes]) if writes else {}
                inserts: list[tuple[str, state.State]] = []
                updates: list[tuple[str, state.State]] = []
                for d in ds:
                    rec, st = d.rec, d.local
                    if d.outcome in ("added", "updated"):
                        vv = state.vv_merge(st.vv, rec.vv) if st else dict(rec.vv)
                        new = state.State(new_marks.get(rec.id, ""), vv, rec.hash, seq, m.source, None)
                        seq += 1
                        (updates if st else inserts).append((rec.id, new))
                    elif d.outcome == "deleted":
                        vv = state.vv_merge(st.vv, rec.vv) if st else dict(rec.vv)
                        (updates if st else inserts).append((rec.id, state.State("", vv, DELETED, seq, m.source, None)))
                        seq += 1
                    elif d.reassert:  # its deletion was ignored: this version supersedes the tombstone
                        assert st is not None, "a reasserted record has a local tombstone"
                        st.vv = state.vv_merge(st.vv, rec.vv)
                        st.vv[me] = st.vv.get(me, 0) + 1
                        st.changed_seq, st.source = seq, me
                        seq += 1
                        updates.append((rec.id, st))
                    elif d.outcome == "same" and st is not None:
                        merged = state.vv_merge(st.vv, rec.vv)
                        if merged != st.vv:
                            st.vv = merged
                            updates.append((rec.id, st))
                    elif d.outcome == "conflict" and not d.duplicate_conflict:
                        conflict_ids.append(_store_conflict(s, kind, d, m, log.id, ctx))
                state.insert_states(s, kind_name, inserts)
                if updates:
                    state.save_states(s, kind_name, updates)
            send_along(s, reg, decisions, me, seq)
            vb.drop_spool()  # every row that keeps a spooled attachment is written, conflicts included
            summary = {k: _count(ds) for k, ds in decisions.items()}
            log.summary = json.dumps(summary, ensure_ascii=False)
            if identity.role == BUREAU and m.source_role == FIELD:
                items = [
                    [k, d.rec.id, d.rec.hash, d.outcome]
                    for k, ds in decisions.items()
                    if not reg.kind(k).stateless
                    for d in ds
                    if _held(d)
                ]
                receipts.issue_receipt(
                    s,
                    self_id=me,
                    source=m.source,
                    destination=m.destination,
                    seq=m.sequence,
                    sha=vb.manifest_sha256,
                    items=items,
                )
            s.flush()
            if ctx.moved:
                staging.sync_disk(ctx.folders)
            missing = gaps(s, m, True)
            log_id = log.id
        preview = preview_from(vb, reg, decisions, missing)
        preview.applied = True
        report(steps, steps, _("导入完成"))
        return ImportResult(preview, log_id, conflict_ids)
    except BaseException:
        if ctx is not None:
            ctx.undo()
        raise


def _held(d: Decision) -> bool:
    """Whether the receipt may tell the sender that we hold its version: not for a record ignored because its
    parent is deleted here, nor for a deletion we did not apply (the record stays and travels back)."""
    if d.rec.refers_to_deleted:
        return False
    return d.rec.data is not None or d.outcome in ("deleted", "same")


def _count(ds: list[Decision]) -> dict[str, int]:
    c = dict.fromkeys(OUTCOMES, 0)
    for d in ds:
        if d.outcome == "conflict" and d.reason == "blocked":
            c["waiting"] = c.get("waiting", 0) + 1
            continue
        c[d.outcome] += 1
    return c


def _store_conflict(s: Session, kind: RecordKind, d: Decision, m: Manifest, log_id: int, ctx: staging.Context) -> str:
    local_id = d.local_id or d.rec.id
    local = kind.dump(s, [local_id]).get(local_id)
    cid = str(uuid.uuid4())
    files_dir = ""
    if d.rec.files:
        target = conflicts.conflicts_root() / cid
        for slot in d.rec.files:
            ctx.keep(d.rec, slot, target / slot)
        files_dir = str(target)
    s.add(
        Conflict(
            id=cid,
            kind=kind.name,
            record_id=d.rec.id,
            detected_at=utcnow(),
            source=m.source,
            bundle_log_id=log_id,
            reason=d.reason,
            local_hash=d.local.hash if d.local else "",
            local_vv=state.vv_dump(d.local.vv if d.local else {}),
            local_data=canonical_json(
                {
                    "id": local_id,
                    "data": local.data if local else None,
                    "files": _local_files(local),
                    "updated_at": local.updated_at if local else None,
                }
            ).decode(),
            incoming_hash=d.rec.hash,
            incoming_vv=state.vv_dump(d.rec.vv),
            incoming_data=canonical_json(
                {"data": d.rec.data, "files": d.rec.files, "updated_at": d.rec.updated_at}
            ).decode(),
            files_dir=files_dir,
            status="open",
            resolution="",
        )
    )
    return cid


def _local_files(local: records.Dumped | None) -> dict:
    if local is None:
        return {}
    out = {}
    for ref in local.files:
        digest, size = ref.digest()
        out[ref.slot] = {"sha256": digest, "size": size, "name": ref.name}
    return out
