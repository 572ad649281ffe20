"""Conflicts: two revisions of one record that neither supersedes, kept until a person chooses.

A conflict arises when an incoming copy and the local copy were both edited since they last agreed
(concurrent version vectors), or when a newer copy would overwrite a record that must not change (a
completed form). Nothing is overwritten: the local record stays as it is and the incoming revision is
kept whole in sync_conflict (its attachments in <data dir>/sync-conflicts/<id>/).

Resolving makes a new version that supersedes both (the vectors are merged and this device counts one
more edit), so the choice travels on with the next bundles and the other side takes it without a new
conflict — except where it holds an immutable copy, where a person confirms again.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inspector_app.core.errors import NotFound
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, utcnow
from inspector_app.core.storage.sync_models import Conflict, Device
from inspector_app.i18n import _
from inspector_app.sync import conflict_labels as labels
from inspector_app.sync import records, state
from inspector_app.sync.format import SyncError
from inspector_app.sync.keys import load_identity
from inspector_app.sync.registry import registry as shared_registry

REASONS = {
    "blocked": "所依赖的记录处于冲突中",
    "concurrent": "两处同时修改",
    "immutable": "已完成（已签）的记录不能被覆盖",
    "duplicate": "两处分别建立了同一记录（编号不同）",
}
LOCAL, INCOMING = "local", "incoming"
RESOLUTIONS = {LOCAL: "保留本机版本", INCOMING: "采用对方版本", "superseded": "已由按编号统一的记录取代"}


def conflicts_root() -> Path:
    """Where an incoming conflicting version's attachments are kept: <data dir>/sync-conflicts/<id>/."""
    from inspector_app import paths

    return paths.data_dir() / "sync-conflicts"


@dataclass(frozen=True)
class ConflictRow:
    id: str
    kind: str
    kind_label: str
    record_id: str
    title: str
    reason: str
    source_label: str
    detected_at: datetime
    status: str
    resolution: str
    enterprise_id: str = ""  # the enterprise it is (or belongs to), for "select all of one enterprise"
    enterprise: str = ""  # its name and credit code
    waiting: int = 0  # records of the same bundle that wait for this one ("blocked" behind it)

    @property
    def resolution_label(self) -> str:
        return _(RESOLUTIONS.get(self.resolution, self.resolution))


@dataclass(frozen=True)
class FieldDiff:
    field: str
    local: str
    incoming: str


@dataclass(frozen=True)
class ConflictDetail:
    row: ConflictRow
    diffs: tuple[FieldDiff, ...]
    local_data: dict | None
    incoming_data: dict
    local_deleted: bool = False  # deleted here since: keeping "local" keeps it deleted


def _source_label(s, device_id: str) -> str:
    dev = s.get(Device, device_id)
    if dev is None:
        return device_id[:8]
    return dev.inspector_name or dev.name or device_id[:8]


def _enterprise(s, kind, data: dict | None, record_id: str) -> tuple[str, str]:
    """(id, "name（credit code）") of the enterprise a record is or belongs to, or ("", "")."""
    data = data or {}
    ent_id: str | None
    if kind is not None and kind.name == "enterprise":
        if data.get("uscc"):
            return record_id, f"{data.get('name', '')}（{data['uscc']}）"
        ent_id = record_id
    else:
        ent_id = data.get("enterprise_id")
    if not ent_id:
        return "", ""
    row = s.execute(select(Enterprise.name, Enterprise.uscc).where(Enterprise.id == ent_id)).first()
    return (ent_id, f"{row[0]}（{row[1]}）") if row else (ent_id, "")


def record_title(s, kind, data: dict | None, record_id: str) -> str:
    """A record as a person knows it, never by its id: an enterprise by name and 统一社会信用代码, another record
    by its kind's title after its enterprise's name and code (or the kind's name)."""
    _eid, ent = _enterprise(s, kind, data, record_id)
    if kind is not None and kind.name == "enterprise" and ent:
        return ent
    title = kind.title(data or {}) if kind else ""
    if ent:
        return f"{ent} {title}".strip()
    return title or (kind.label if kind else "") or _("（无标题）")


def _row(s, c: Conflict, reg: records.Registry, waiting: int = 0) -> ConflictRow:
    kind = reg.get(c.kind)
    incoming = json.loads(c.incoming_data)["data"]
    ent_id, ent = _enterprise(s, kind, incoming, c.record_id)
    if c.reason == "duplicate" and kind is not None and kind.name == "enterprise":
        ent_id = json.loads(c.local_data).get("id") or ent_id  # the local one of the two
    return ConflictRow(
        id=c.id,
        kind=c.kind,
        kind_label=kind.label if kind else c.kind,
        record_id=c.record_id,
        title=record_title(s, kind, incoming, c.record_id),
        reason=REASONS.get(c.reason, c.reason),
        source_label=_source_label(s, c.source),
        detected_at=c.detected_at,
        status=c.status,
        resolution=c.resolution,
        enterprise_id=ent_id or "",
        enterprise=ent,
        waiting=waiting,
    )


def followers(s, reg: records.Registry) -> dict[str, list[str]]:
    """Open conflict id → the open "blocked" conflicts that wait for it (directly or through another).

    Conflicts that are one for a person (issue 12 §2): a record kept out as a duplicate holds back what
    depends on it in the same bundle ("blocked"). Those wait behind it instead of each being a conflict to
    decide: the list shows the one record in conflict with the count of what waits, and its decision settles
    them (keeping the local record keeps them out too: their parent is not here)."""

    rows = list(
        s.execute(
            select(Conflict.id, Conflict.kind, Conflict.record_id, Conflict.reason, Conflict.incoming_data).where(
                Conflict.status == "open"
            )
        )
    )
    if not any(r.reason == "blocked" for r in rows):
        return {}
    by_record: dict[tuple[str, str], str] = {}
    for r in rows:
        kind = reg.get(r.kind)
        if kind is not None:
            by_record[(kind.table_name, r.record_id)] = r.id
    parent: dict[str, str] = {}
    for r in rows:
        kind = reg.get(r.kind)
        if r.reason != "blocked" or kind is None:
            continue
        data = json.loads(r.incoming_data).get("data") or {}
        for table, _field, ref in kind.references(data):
            pid = by_record.get((table, ref))
            if pid is not None and pid != r.id:
                parent[r.id] = pid
                break
    out: dict[str, list[str]] = {}
    for cid in parent:
        root, seen = cid, {cid}
        while root in parent and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        out.setdefault(root, []).append(cid)
    return out


def list_conflicts(db: Database, open_only: bool = True, registry: records.Registry | None = None) -> list[ConflictRow]:
    """Conflicts for a person: one row per record in conflict; what waits behind it is counted in its row."""
    reg = registry or shared_registry()
    with db.session() as s:
        follow = followers(s, reg)
        hidden = {f for fs in follow.values() for f in fs}
        q = select(Conflict).order_by(Conflict.detected_at.desc())
        if open_only:
            q = q.where(Conflict.status == "open")
        return [_row(s, c, reg, len(follow.get(c.id, ()))) for c in s.scalars(q) if c.id not in hidden]


def open_conflict_count(db: Database, registry: records.Registry | None = None) -> int:
    """Open conflicts as a person counts them: records that wait behind another are not counted."""
    from sqlalchemy import func

    reg = registry or shared_registry()
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(Conflict).where(Conflict.status == "open")) or 0
        return n - sum(len(f) for f in followers(s, reg).values())


def _flatten(value, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for k in sorted(value):
            out.update(_flatten(value[k], f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list):
        return {prefix: "、".join(str(v) for v in value)}
    return {prefix: "" if value is None else str(value)}


def conflict_detail(db: Database, conflict_id: str, registry: records.Registry | None = None) -> ConflictDetail:
    """The two revisions side by side, field by field (only the fields that differ)."""
    reg = registry or shared_registry()
    with db.session() as s:
        c = s.get(Conflict, conflict_id)
        if c is None:
            raise NotFound(_("找不到该冲突记录"))
        row = _row(s, c, reg)
        kind = reg.get(c.kind)
        current = kind.dump(s, [c.record_id]).get(c.record_id) if kind else None
        # Synced here once and gone now: deleted since (its tombstone is made at the next exchange).
        deleted = (
            current is None
            and kind is not None
            and kind.deletable
            and bool(state.load_states(s, c.kind, [c.record_id]))
        )
        local = current.data if current else None if deleted else json.loads(c.local_data)["data"]
        incoming = json.loads(c.incoming_data)["data"]
        view = kind.hash_view if kind else (lambda d: d)
        a, b = _flatten(view(local) if local else {}), _flatten(view(incoming))
        keys = [k for k in sorted(set(a) | set(b)) if deleted or a.get(k, "") != b.get(k, "")]
        refs = {v for k in keys if _is_ref(k) for side in (a, b) for v in side.get(k, "").split("、")}
        names = labels.reference_titles(s, refs)
    gone = _("（已删除）")

    def shown(k: str, v: str) -> str:
        return "、".join(names.get(x, x) for x in v.split("、")) if _is_ref(k) else v

    diffs = tuple(
        FieldDiff(labels.field_label(c.kind, k), gone if deleted else shown(k, a.get(k, "")), shown(k, b.get(k, "")))
        for k in keys
    )
    return ConflictDetail(row, diffs, local, incoming, deleted)


def _is_ref(key: str) -> bool:
    return key.endswith("_id") or key == "team"


def _find(s, ref: str) -> Conflict:
    """A conflict by id or by an id prefix of at least 6 characters."""
    c = s.get(Conflict, ref)
    if c is None and len(ref) >= 6:
        found = list(s.scalars(select(Conflict).where(Conflict.id.startswith(ref))))
        c = found[0] if len(found) == 1 else None
    if c is None:
        raise NotFound(_("找不到冲突记录“{r}”").format(r=ref))
    return c


class _ConflictContext(records.ApplyContext):
    def __init__(self, session, self_id: str, files_dir: str):
        self.session, self.self_id, self.source_id = session, self_id, self_id
        self._dir = Path(files_dir) if files_dir else None
        self.moved: list[tuple[Path, Path]] = []

    def staged(self, rec, slot):
        if self._dir is None:
            raise SyncError(_("冲突记录的附件已丢失"))
        return self._dir / slot

    def adopt(self, staged: Path, final: Path) -> None:
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(staged, final)  # copied: the conflict keeps its files until the commit
        self.moved.append((staged, final))

    def undo(self) -> None:
        for _staged, final in self.moved:
            try:
                final.unlink()
            except OSError:
                pass


def resolve_conflict(
    db: Database, conflict_id: str, keep: str, key_dir: Path | None = None, registry: records.Registry | None = None
) -> None:
    """keep=LOCAL: the local revision stays and supersedes the incoming one; keep=INCOMING: it replaces it."""
    if keep not in (LOCAL, INCOMING):
        raise ValueError(keep)
    reg = registry or shared_registry()
    me = load_identity(db, key_dir).device_id
    ctx = None
    try:
        with db.session() as s:
            c = _find(s, conflict_id)
            if c.status != "open":
                raise SyncError(_("该冲突已处理过。"))
            kind = reg.get(c.kind)
            if kind is None:
                raise SyncError(_("未知的记录类型“{k}”").format(k=c.kind))
            if c.reason == "duplicate":
                if keep == INCOMING:
                    raise SyncError(
                        _("两处分别建立的同一记录目前只能保留本机版本；如需对方的内容，请在本机记录上修改后再同步。")
                    )
            else:
                ctx = _resolve_versions(s, kind, c, keep, me)
            waiting = followers(s, reg).get(c.id, ()) if keep == LOCAL else ()
            c.status, c.resolution, c.resolved_at = "resolved", keep, utcnow()
            dirs = [c.files_dir]
            if waiting:  # what waited behind a record kept out stays out with it
                for fid in waiting:
                    f = s.get(Conflict, fid)
                    assert f is not None, "followers() lists stored conflicts"
                    f.status, f.resolution, f.resolved_at = "resolved", LOCAL, utcnow()
                    dirs.append(f.files_dir)
    except BaseException:
        if ctx is not None:
            ctx.undo()
        raise
    for files_dir in dirs:
        if files_dir:
            shutil.rmtree(files_dir, ignore_errors=True)


def _resolve_versions(s, kind: records.RecordKind, c: Conflict, keep: str, me: str):
    """A new version that supersedes both: merged vectors plus one edit by this device."""
    states, _d = state.refresh(s, kind, me, [c.record_id])
    st = states.get(c.record_id)
    incoming_vv = state.vv_load(c.incoming_vv)
    vv = state.vv_merge(st.vv if st else {}, incoming_vv)
    vv[me] = vv.get(me, 0) + 1
    new_hash = st.hash if st else ""
    ctx = None
    if keep == INCOMING:
        inc = json.loads(c.incoming_data)
        rec = records.Incoming(
            kind.name, c.record_id, incoming_vv, inc["data"], inc["files"], inc["updated_at"], c.incoming_hash, 0
        )
        assert rec.data is not None, "a deletion never conflicts (decide.deletion)"
        try:
            rec.parsed = kind.validate(rec.data, rec.id)
        except records.RecordProblem as exc:
            raise SyncError(_("对方版本无法写入：{e}").format(e=exc)) from None
        exists = c.record_id in kind.marks(s, [c.record_id])
        ctx = _ConflictContext(s, me, c.files_dir)
        try:
            kind.write_many(ctx, [(rec, exists)])
            s.flush()
        except IntegrityError:
            ctx.undo()
            raise SyncError(
                _("对方版本依赖的记录在本机不存在或与本机记录重复，暂不能采用；请先处理相关的冲突。")
            ) from None
        new_hash = c.incoming_hash
    mark = kind.marks(s, [c.record_id]).get(c.record_id, "")
    new = state.State(mark, vv, new_hash, state.next_seq(s), me, None)
    if st is None:
        state.insert_states(s, kind.name, [(c.record_id, new)])
    else:
        state.save_states(s, kind.name, [(c.record_id, new)])
    return ctx
