"""The records of a bundle validated together, after every member was read (sync/verify.py): the counts
against the manifest, each record by its kind, its attachments against the manifest, the references
between records (to one in this bundle or one already here), and each kind's checks against the database.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Base
from inspector_app.core.storage.sync_models import RecordState
from inspector_app.i18n import _
from inspector_app.sync import records
from inspector_app.sync.format import FILES_DIR, TOMBSTONES_VERSION, Manifest, records_path
from inspector_app.sync.members import MemberProblems, validated, where
from inspector_app.sync.records import Incoming, RecordProblem


def _deleted_here(s, kind: str, ids: set[str]) -> set[str]:
    """Which of these records of `kind` were here and are deleted (their sync state is a tombstone)."""
    out: set[str] = set()
    for chunk in records.chunks(list(ids)):
        q = select(RecordState.record_id).where(
            RecordState.kind == kind, RecordState.record_id.in_(chunk), RecordState.hash == records.DELETED
        )
        out.update(s.scalars(q))
    return out


def validate_records(
    db: Database, reg: records.Registry, m: Manifest, parsed: dict[str, list[Incoming]], problems: MemberProblems
) -> None:
    files = {mem.path: mem for mem in m.members if mem.path.startswith(FILES_DIR)}
    referenced: set[str] = set()
    in_bundle: dict[str, set[str]] = {}
    deleted_in_bundle: dict[str, set[str]] = {}
    for kind_name, recs in parsed.items():
        kind = reg.kind(kind_name)
        member = records_path(kind_name)
        if len(recs) != m.counts.get(kind_name, 0):
            problems.error(member, _("记录数 {a} 与清单的 {b} 不符").format(a=len(recs), b=m.counts.get(kind_name, 0)))
        seen: set[str] = set()
        for rec in recs:
            if rec.id in seen:
                problems.error(member, _("{w}：编号重复").format(w=where(kind_name, rec.line, rec.id)))
            seen.add(rec.id)
            if rec.data is None and m.format_version < TOMBSTONES_VERSION:
                problems.error(
                    member,
                    _("{w}：格式版本 {v} 的数据包不能含已删除的记录").format(
                        w=where(kind_name, rec.line, rec.id), v=m.format_version
                    ),
                )
                continue
            try:
                rec.parsed = validated(kind, rec)
            except RecordProblem as exc:
                problems.error(member, f"{where(kind_name, rec.line, rec.id)}：{exc}")
                continue
            for slot, meta in rec.files.items():
                mem = files.get(meta["path"])
                if mem is None or mem.sha256 != meta["sha256"] or mem.size != meta["size"]:
                    problems.error(
                        member, _("{w}：附件“{s}”与清单不符").format(w=where(kind_name, rec.line, rec.id), s=slot)
                    )
                referenced.add(meta["path"])
        in_bundle[kind.table_name] = {rec.id for rec in recs if rec.data is not None}
        deleted_in_bundle[kind.table_name] = {rec.id for rec in recs if rec.data is None}
    for path in sorted(set(files) - referenced):
        problems.error(path, _("附件不属于任何记录"))
    if problems.errors:
        return
    # References: to a record in this bundle or one already here. One to a record deleted (here, or by this
    # bundle) makes the record moot, not the bundle invalid: a late bundle with a photo of a draft deleted since
    # is not refused for it; the photo is ignored (decide.classify) and the rest arrives.
    needed: dict[str, dict[str, list[tuple[str, Incoming, str]]]] = defaultdict(lambda: defaultdict(list))
    for kind_name, recs in parsed.items():
        kind = reg.kind(kind_name)
        for rec in recs:
            if rec.data is None:
                continue
            for table, fld, ref in kind.references(rec.data):
                if ref is None:
                    continue
                if isinstance(ref, str) and ref in deleted_in_bundle.get(table, ()):
                    rec.refers_to_deleted = True
                elif not isinstance(ref, str) or ref not in in_bundle.get(table, ()):
                    needed[table][str(ref)].append((kind_name, rec, fld))
    tables = Base.metadata.tables
    with db.session() as s:
        for table, refs in needed.items():
            t = tables.get(table)
            if t is None:
                continue
            pk = next(iter(t.primary_key.columns))
            present: set[str] = set()
            for chunk in records.chunks(list(refs)):
                present.update(str(v) for v in s.scalars(select(pk).where(pk.in_(chunk))))
            missing = set(refs) - present
            target = reg.for_table(table)
            for ref in _deleted_here(s, target.name, missing) if target is not None and missing else ():
                for _kind_name, rec, _fld in refs[ref]:
                    rec.refers_to_deleted = True
                missing.discard(ref)
            for ref in sorted(missing):
                kind_name, rec, fld = refs[ref][0]
                problems.error(
                    records_path(kind_name),
                    _("{w}：字段“{f}”引用的记录 {r} 不存在（可先导入更早的数据包，或请对方导出完整数据包）").format(
                        w=where(kind_name, rec.line, rec.id), f=fld, r=ref
                    ),
                )
        if problems.errors:
            return
        for kind_name, recs in parsed.items():
            try:
                reg.kind(kind_name).check_against(s, [rec for rec in recs if rec.data is not None])
            except RecordProblem as exc:
                problems.error(records_path(kind_name), str(exc))
