"""Previewing a verified bundle and applying it in one transaction — or not at all (verify.py checks it).

apply_bundle() classifies every record against the local copy (added / updated / same / older /
conflict, by version vectors) and writes everything in one transaction: records, sync states, conflicts,
the bundle log and, at the bureau, the receipt. Staged attachments are moved into place inside it and
moved back if it does not commit; the staging folder is removed either way.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import utcnow
from inspector_app.core.storage.sync_models import BUREAU, FIELD, BundleLog, Conflict
from inspector_app.i18n import _
from inspector_app.sync import cascade, conflicts, crypto, receipts, records, state
from inspector_app.sync.format import (
    DEFAULT_LIMITS,
    HEADER,
    MANIFEST,
    SEALED_MANIFEST,
    BundleRefused,
    Cancelled,
    Limits,
    Manifest,
    SyncError,
    canonical_json,
    parse_header,
    parse_manifest,
    records_path,
)
from inspector_app.sync.history import missing_numbers
from inspector_app.sync.hostile import open_archive
from inspector_app.sync.import_guard import guarded
from inspector_app.sync.keys import DeviceInfo, load_identity
from inspector_app.sync.leftovers import Journal
from inspector_app.sync.records import DELETED, Incoming, RecordKind
from inspector_app.sync.verify import (
    Progress,
    VerifiedBundle,
    configured_limits,
    log_status,
    newer_applied,
    open_sealed,
    verify_bundle,
)

OUTCOMES = ("added", "updated", "deleted", "same", "older", "conflict")


def conflicts_root() -> Path:
    from inspector_app import paths

    return paths.data_dir() / "sync-conflicts"


@dataclass
class KindSummary:
    kind: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))


@dataclass(frozen=True)
class ConflictInfo:
    kind: str
    label: str
    record_id: str
    title: str
    reason: str  # "concurrent" / "immutable"


@dataclass(frozen=True)
class DeletionInfo:
    """A local record the import will delete (its tombstone arrived)."""

    kind: str
    label: str
    record_id: str
    title: str


@dataclass
class Preview:
    source: DeviceInfo
    sequence: int
    destination: str
    created_at: datetime
    encrypted: bool
    full: bool
    already_applied: datetime | None
    kinds: list[KindSummary]
    conflicts: list[ConflictInfo]
    gaps: list[int]  # sequence numbers of this source's stream still missing once this one is in
    newer_applied: int | None = None  # this roster/assignment bundle is older than that one, applied already
    applied: bool = False
    deletions: list[DeletionInfo] = field(default_factory=list)
    kept: int = 0  # records deleted there but kept here (edited here, or something here still needs them)
    waiting: int = 0  # records held back behind a conflict (their parent is kept out): not conflicts of their own

    def total(self, outcome: str) -> int:
        return sum(k.counts[outcome] for k in self.kinds)

    def summary_text(self) -> str:
        if self.already_applied and not self.applied:
            return _("该数据包（来自{s}，第{n}号）已于{t}导入过，本次未作任何改动。").format(
                s=self.source.label, n=self.sequence, t=self.already_applied.strftime("%Y-%m-%d %H:%M")
            )
        head = _("来自{s}的第{n}号数据包：").format(s=self.source.label, n=self.sequence)
        parts = [
            _("新增 {n} 条").format(n=self.total("added")),
            _("更新 {n} 条").format(n=self.total("updated")),
            _("删除 {n} 条").format(n=self.total("deleted")),
            _("相同 {n} 条").format(n=self.total("same")),
            _("较旧而忽略 {n} 条").format(n=self.total("older")),
            _("冲突 {n} 条").format(n=self.total("conflict")),
        ]
        text = head + "，".join(parts) + "。"
        if self.newer_applied:
            text += _(
                "该数据包比已导入的第{m}号旧：已有较新版本的记录不会被回退（计入较旧而忽略），其余记录照常导入。"
            ).format(m=self.newer_applied)
        if self.kept:
            text += _(
                "另有 {n} 条记录对方已删除，但本机改过或仍有相关记录，予以保留（计入较旧而忽略），并会发回对方。"
            ).format(n=self.kept)
        if self.waiting:
            text += _("另有 {n} 条相关记录随冲突的记录暂缓，处理该冲突时一并处理。").format(n=self.waiting)
        if self.conflicts:
            text += _("冲突的记录两个版本都已保留，请在“同步冲突”中处理。")
        if self.gaps:
            text += _("注意：尚未收到该设备的第 {g} 号数据包。").format(g="、".join(map(str, self.gaps[:20])))
        return text


# ------------------------------------------------------------------ classification and apply
@dataclass
class _Decision:
    rec: Incoming
    outcome: str
    exists: bool
    local: state.State | None
    reason: str = ""  # for conflicts
    duplicate_conflict: bool = False  # the same conflict (same incoming version) is already recorded
    local_id: str | None = None  # for a "duplicate": the local record with the same natural key
    title: str = ""  # for a deletion: the local record's
    reassert: bool = False  # a deletion ignored for an edit here: the local version supersedes it (travels on)


def _classify(s: Session, reg: records.Registry, me: str, vb: VerifiedBundle) -> dict[str, list[_Decision]]:
    source_role = vb.manifest.source_role
    out: dict[str, list[_Decision]] = {}
    held_back: dict[str, set[str]] = defaultdict(set)  # table → ids of this bundle that will not be written
    for kind in reg.kinds():
        recs = vb.records.get(kind.name)
        if not recs:
            continue
        decisions = []
        if kind.stateless:
            for rec in recs:
                exists = kind.exists(s, rec.id)
                decisions.append(_Decision(rec, "same" if exists else "added", exists, None))
            out[kind.name] = decisions
            continue
        ids = [r.id for r in recs]
        marks = kind.marks(s, ids)  # which of them exist here, and their change markers: one query for both
        states, dumped = state.refresh(s, kind, me, ids, marks=marks)
        present = set(marks)
        need_local = []
        for rec in recs:
            exists = rec.id in present
            st = states.get(rec.id)
            if rec.refers_to_deleted:  # its parent was deleted (here, or by this bundle): moot
                decisions.append(_Decision(rec, "older", exists, st))
                continue
            if rec.data is None or (st is not None and st.hash == DELETED):
                decisions.append(_deletion(rec, exists, st, kind.authority == source_role))
                if decisions[-1].outcome == "deleted" and exists:
                    need_local.append(rec.id)
                continue
            if not exists:
                decisions.append(_Decision(rec, "added", False, st))
                continue
            if st.hash == rec.hash:
                decisions.append(_Decision(rec, "same", True, st))
                continue
            rel = state.vv_compare(rec.vv, st.vv)
            if rel == state.OLDER:
                decisions.append(_Decision(rec, "older", True, st))
            elif rel == state.NEWER:
                decisions.append(_Decision(rec, "updated", True, st))
                need_local.append(rec.id)
            elif rel == state.CONCURRENT and kind.authority == source_role:
                decisions.append(_Decision(rec, "updated", True, st))
            else:
                decisions.append(_Decision(rec, "conflict", True, st, "concurrent"))
        # A newer copy must still not overwrite an immutable local record (e.g. a completed form), nor a
        # deletion remove an undeletable one: the signed record stands.
        if need_local:
            local = {**dumped, **kind.dump(s, [i for i in need_local if i not in dumped])}
            for d in decisions:
                if d.rec.id not in local:
                    continue
                data = local[d.rec.id].data
                if d.outcome == "updated" and kind.immutable(s, d.rec.id, data):
                    d.outcome, d.reason = "conflict", "immutable"
                elif d.outcome == "deleted" and kind.undeletable(s, d.rec.id, data):
                    d.outcome = "older"
        gone = {d.rec.id: d for d in decisions if d.outcome == "deleted" and d.exists}
        if gone:  # what a person will see disappear
            for rid, local_rec in kind.dump(s, list(gone)).items():
                gone[rid].title = conflicts.record_title(s, kind, local_rec.data, rid)
        # A new record that is an existing one under another id (same USCC, …): kept as a conflict — unless
        # the bundle deletes that one (a plan replaced by a new one).
        added = [d for d in decisions if d.outcome == "added"]
        if added:
            dups = kind.duplicates(s, [d.rec for d in added])
            for d in added:
                if d.rec.id in dups and dups[d.rec.id] not in gone:
                    d.outcome, d.reason, d.local_id = "conflict", "duplicate", dups[d.rec.id]
        # A record that needs one held back (its enterprise kept as a duplicate) is held back too.
        if held_back:
            for d in decisions:
                if d.outcome in ("added", "updated") and any(
                    ref in held_back.get(table, ()) for table, _f, ref in kind.references(d.rec.data)
                ):
                    d.outcome, d.reason = "conflict", "blocked"
        known: dict[tuple[str, str], str] = {}
        conflicted = [d.rec.id for d in decisions if d.outcome == "conflict"]
        for chunk in records._chunks(conflicted):
            q = select(Conflict.record_id, Conflict.incoming_hash, Conflict.status).where(
                Conflict.kind == kind.name, Conflict.record_id.in_(chunk)
            )
            for rid, h, status in s.execute(q):
                if known.get((rid, h)) != "open":
                    known[(rid, h)] = status
        for d in decisions:
            if d.outcome != "conflict":
                continue
            if (d.rec.id, d.rec.hash) in known:
                if known[(d.rec.id, d.rec.hash)] == "open":
                    d.duplicate_conflict = True  # already kept, waiting for a person
                elif d.reason in ("duplicate", "blocked"):
                    d.outcome = "older"  # a person already decided about this very version
            if not d.exists:
                held_back[kind.table_name].add(d.rec.id)
            if d.reason != "blocked":  # as a person knows it: an enterprise by name and credit code
                d.title = conflicts.record_title(s, kind, d.rec.data, d.rec.id)
        out[kind.name] = decisions
    cascade.spare_parents(s, reg, out)
    cascade.spare_children(s, reg, out)
    return out


def _deletion(rec: Incoming, exists: bool, st: state.State | None, authority: bool) -> _Decision:
    """An incoming tombstone, or any incoming copy of a record deleted here (its state is a tombstone).

    The later version wins; between a deletion and a concurrent edit, the edit does (nothing is lost, and
    the edited copy travels back to the deleter, whose tombstone it supersedes in the same way) — unless
    the deletion comes from the kind's authority (the bureau resetting one of its settings).
    """
    if st is None:  # never synced here: nothing to delete, but an older copy arriving later must not revive it
        return _Decision(rec, "deleted", exists, None)
    if rec.hash == st.hash:  # deleted on both sides
        return _Decision(rec, "same", exists, st)
    rel = state.vv_compare(rec.vv, st.vv)
    if rec.data is None:
        if rel == state.NEWER or (rel == state.CONCURRENT and authority):
            return _Decision(rec, "deleted", exists, st)
        return _Decision(rec, "older", exists, st, reassert=rel == state.CONCURRENT)
    if rel in (state.NEWER, state.CONCURRENT):  # edited there after (or while) it was deleted here: back
        return _Decision(rec, "added", exists, st)
    return _Decision(rec, "older", exists, st)


def _gaps(s: Session, m: Manifest, include: bool) -> list[int]:
    logs = list(
        s.execute(
            select(BundleLog.seq, BundleLog.abandoned).where(
                BundleLog.direction == "in", BundleLog.source == m.source, BundleLog.destination == m.destination
            )
        )
    )
    if include:
        logs.append(SimpleNamespace(seq=m.sequence, abandoned=json.dumps(list(m.abandoned))))
    return missing_numbers(logs)


def _preview_from(vb: VerifiedBundle, reg: records.Registry, decisions, gaps: list[int]) -> Preview:
    kinds, conflict_list, deletions = [], [], []
    waiting = 0
    for kind_name, ds in decisions.items():
        kind = reg.get(kind_name)
        ks = KindSummary(kind_name, kind.label)
        for d in ds:
            if d.outcome == "conflict" and d.reason == "blocked":
                waiting += 1  # follows the record it needs (sync/conflict_groups.py)
                continue
            ks.counts[d.outcome] += 1
            if d.outcome == "conflict":
                title = d.title or kind.title(d.rec.data)
                conflict_list.append(ConflictInfo(kind_name, kind.label, d.rec.id, title, d.reason))
            elif d.outcome == "deleted" and d.exists:
                deletions.append(DeletionInfo(kind_name, kind.label, d.rec.id, d.title or d.rec.id[:8]))
        kinds.append(ks)
    m = vb.manifest
    return Preview(
        source=vb.source,
        sequence=m.sequence,
        destination=m.destination,
        created_at=m.created_at,
        encrypted=vb.encrypted,
        full=m.full,
        already_applied=vb.already_applied,
        kinds=kinds,
        conflicts=conflict_list,
        gaps=gaps,
        newer_applied=vb.newer_applied,
        deletions=deletions,
        kept=sum(d.reassert for ds in decisions.values() for d in ds),
        waiting=waiting,
    )


def preview_bundle(db: Database, vb: VerifiedBundle, key_dir: Path | None = None, registry=None) -> Preview:
    """What applying would do, computed in a transaction that is rolled back."""
    reg = registry or records.registry()
    me = load_identity(db, key_dir).device_id
    if vb.already_applied is not None:
        with db.session() as s:
            return _preview_from(vb, reg, {}, _gaps(s, vb.manifest, True))
    with Session(db.engine) as s:
        try:
            decisions = _classify(s, reg, me, vb)
            gaps = _gaps(s, vb.manifest, True)
        finally:
            s.rollback()
    return _preview_from(vb, reg, decisions, gaps)


class _Context(records.ApplyContext):
    def __init__(self, session: Session, self_id: str, source_id: str, vb: VerifiedBundle):
        self.session, self.self_id, self.source_id = session, self_id, source_id
        self._vb = vb
        self.moved: list[tuple[Path | None, Path]] = []  # (None, written file) for keep()
        self.folders: set[str] = set()
        self.journal = Journal(vb.staging)  # what a crash before the commit would leave (sync/leftovers.py)

    def staged(self, rec: Incoming, slot: str) -> Path:
        return Path(self._vb.staged[rec.files[slot]["path"]])

    def read(self, rec: Incoming, slot: str) -> bytes:
        path = rec.files[slot]["path"]
        spool = self._vb.spool
        return spool.get(path) if spool is not None and path in spool else self.staged(rec, slot).read_bytes()

    def _make_room(self, final: Path) -> None:
        """The folder of `final` exists, and nothing is at `final` yet."""
        folder = os.path.dirname(final)
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        if os.path.lexists(final):
            raise FileExistsError(final)

    def adopt(self, staged: Path, final: Path) -> None:
        self._make_room(final)
        self.journal.ensure((final,))
        try:
            os.rename(staged, final)  # same file system: the usual case, instant
        except OSError:
            shutil.move(staged, final)
        self.moved.append((staged, final))

    def keep(self, rec: Incoming, slot: str, final: Path) -> None:
        """Put an attachment's verified file at `final` (a conflict's copy): moved, or written from the spool."""
        spool = self._vb.spool
        if spool is None or rec.files[slot]["path"] not in spool:
            self.adopt(self.staged(rec, slot), final)
            return
        self._make_room(final)
        self.journal.ensure((final,))
        with open(final, "xb") as f:
            self.moved.append((None, final))  # removed again if the import does not commit
            f.write(self.read(rec, slot))
            if sys.platform == "win32":  # no sync() of a whole file system there (see _sync_disk)
                f.flush()
                os.fsync(f.fileno())

    def undo(self) -> None:
        for staged, final in reversed(self.moved):
            if staged is None:
                final.unlink(missing_ok=True)
                continue
            try:
                shutil.move(final, staged)
            except OSError:
                try:
                    final.unlink()
                except OSError:
                    pass
        self.moved.clear()


def _sync_disk(folders: set[str] | None = None) -> None:
    """Make the moved attachments durable before the commit that refers to them.

    Linux: syncfs() of each file system the files went to (not every disk of the machine, e.g. the USB
    stick being read). Elsewhere os.sync(): everything. Windows: each file was flushed when staged.
    """
    if sys.platform.startswith("linux") and folders:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if hasattr(libc, "syncfs"):
            done: set[int] = set()
            for folder in folders:
                try:
                    dev = os.stat(folder).st_dev
                    if dev in done:
                        continue
                    fd = os.open(folder, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    if libc.syncfs(fd) == 0:
                        done.add(dev)
                finally:
                    os.close(fd)
            if len(done) == len({os.stat(f).st_dev for f in folders if os.path.exists(f)}):
                return
    if hasattr(os, "sync"):
        os.sync()


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
    reg = registry or records.registry()
    identity = load_identity(db, key_dir)
    me = identity.device_id
    report = progress or (lambda d, t, m: None)
    m = vb.manifest
    if vb.already_applied is not None:
        with db.session() as s:
            return ImportResult(_preview_from(vb, reg, {}, _gaps(s, m, True)), None, [])
    if not vb.checked:
        raise BundleRefused("format", _("数据包尚未校验"))
    ctx: _Context | None = None
    try:
        with db.session() as s:
            already = log_status(s, m, vb.manifest_sha256)
            if already is not None:  # applied by someone else since it was verified
                vb.already_applied = already
                return ImportResult(_preview_from(vb, reg, {}, _gaps(s, m, True)), None, [])
            vb.newer_applied = newer_applied(s, m, reg)
            decisions = _classify(s, reg, me, vb)
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
                ordered=any(n and reg.get(k).ordered for k, n in m.counts.items()),
                file_name=vb.path.name[:300],
                counts=json.dumps(m.counts, ensure_ascii=False),
                summary="{}",
                abandoned=json.dumps(list(m.abandoned)),
            )
            s.add(log)
            s.flush()
            ctx = _Context(s, me, m.source, vb)
            ctx.journal.ensure(_placements(reg, decisions))
            conflict_ids: list[str] = []
            seq = state.next_seq(s)
            steps = len(decisions)
            # Deletions first, children before parents (the reverse of the apply order).
            for kind_name, ds in reversed(decisions.items()):
                gone = [d.rec.id for d in ds if d.outcome == "deleted" and d.exists]
                if gone:
                    try:
                        reg.get(kind_name).delete(ctx, gone)
                    except IntegrityError as exc:
                        raise BundleRefused(
                            "integrity",
                            _("删除记录时与本机已有的数据不相容（{e}）").format(e=str(exc.orig)[:200]),
                            records_path(kind_name),
                        ) from None
            for step, (kind_name, ds) in enumerate(decisions.items()):
                kind = reg.get(kind_name)
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
                inserts, updates = [], []
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
            cascade.send_along(s, reg, decisions, me, seq)
            vb.drop_spool()  # every row that keeps a spooled attachment is written, conflicts included
            summary = {k: _count(ds) for k, ds in decisions.items()}
            log.summary = json.dumps(summary, ensure_ascii=False)
            if identity.role == BUREAU and m.source_role == FIELD:
                items = [
                    [k, d.rec.id, d.rec.hash, d.outcome]
                    for k, ds in decisions.items()
                    if not reg.get(k).stateless
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
                _sync_disk(ctx.folders)
            gaps = _gaps(s, m, True)
            log_id = log.id
        preview = _preview_from(vb, reg, decisions, gaps)
        preview.applied = True
        report(steps, steps, _("导入完成"))
        return ImportResult(preview, log_id, conflict_ids)
    except BaseException:
        if ctx is not None:
            ctx.undo()
        raise


def _placements(reg: records.Registry, decisions: dict[str, list[_Decision]]) -> list[Path]:
    """The files the writes will move into place that are not there yet: journalled before any is moved, so
    that a crash before the commit leaves nothing the next import cannot find (sync/leftovers.py). A file
    already there is not listed: it is not this import's (a photo removed from a record keeps its original)."""
    out = []
    for kind_name, ds in decisions.items():
        kind = reg.get(kind_name)
        for d in ds:
            if d.outcome in ("added", "updated") and d.rec.files:
                out.extend(p for p in kind.placements(d.rec) if not os.path.lexists(p))
    return out


def _held(d: _Decision) -> bool:
    """Whether the receipt may tell the sender that we hold its version: not for a record ignored because its
    parent is deleted here, nor for a deletion we did not apply (the record stays and travels back)."""
    if d.rec.refers_to_deleted:
        return False
    return d.rec.data is not None or d.outcome in ("deleted", "same")


def _count(ds: list[_Decision]) -> dict[str, int]:
    c = dict.fromkeys(OUTCOMES, 0)
    for d in ds:
        if d.outcome == "conflict" and d.reason == "blocked":
            c["waiting"] = c.get("waiting", 0) + 1
            continue
        c[d.outcome] += 1
    return c


def _store_conflict(s: Session, kind: RecordKind, d: _Decision, m: Manifest, log_id: int, ctx: _Context) -> str:
    local_id = d.local_id or d.rec.id
    local = kind.dump(s, [local_id]).get(local_id)
    cid = str(uuid.uuid4())
    files_dir = ""
    if d.rec.files:
        target = conflicts_root() / cid
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


def import_bundle(
    db: Database,
    path: str | Path,
    *,
    limits: Limits | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    key_dir: Path | None = None,
    registry: records.Registry | None = None,
) -> ImportResult:
    """Verify, then apply in one transaction (CLI `bundle import`). limits: by default the settings'.
    While another writer holds the database the whole import is tried again (sync/import_guard.py)."""

    def attempt() -> ImportResult:
        vb = verify_bundle(
            db,
            path,
            stage=True,
            full_check=False,
            limits=limits,
            progress=progress,
            cancelled=cancelled,
            key_dir=key_dir,
            registry=registry,
        )
        try:
            if cancelled and cancelled():
                raise Cancelled()
            return apply_bundle(db, vb, progress=progress, key_dir=key_dir, registry=registry)
        finally:
            vb.discard()

    return guarded(attempt, path)


def inspect_bundle(
    path: str | Path, *, db: Database | None = None, limits: Limits | None = None, key_dir: Path | None = None
) -> dict:
    """What the bundle says about itself, without checking the signature: the header and the manifest.

    An encrypted bundle's manifest is shown only on the recipient device (`db` given and ours).
    limits: by default the settings' (`db` given) or the built-in ones.
    """
    limits = limits or (configured_limits(db) if db is not None else DEFAULT_LIMITS)
    with open_archive(Path(path), limits) as arc:
        if HEADER not in arc.entries:
            raise BundleRefused("missing_member", _("不是本程序的数据包（缺少数据包头）"), HEADER)
        header = parse_header(arc.read_all(HEADER, limits.max_header_bytes))
        info: dict = {"format_version": header.format_version, "encrypted": header.encryption is not None}
        if header.encryption:
            info["recipient"] = header.encryption.recipient
            if db is None:
                return info
            try:
                identity = load_identity(db, key_dir)
            except SyncError:
                return info
            if identity.device_id != header.encryption.recipient or SEALED_MANIFEST not in arc.entries:
                return info
            opener = crypto.Opener(header.encryption, identity.encryption, identity.device_id)
            body = open_sealed(arc, opener, SEALED_MANIFEST, crypto.STREAM_MANIFEST, limits.max_manifest_bytes)
        else:
            if MANIFEST not in arc.entries:
                raise BundleRefused("missing_member", _("缺少清单"), MANIFEST)
            body = arc.read_all(MANIFEST, limits.max_manifest_bytes)
        info["manifest"] = parse_manifest(body, limits)
        info["manifest_sha256"] = sha256(body).hexdigest()
        info["members"] = len(arc.entries)
        return info
