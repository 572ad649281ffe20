"""The registry of record kinds: what travels in a bundle, how it is serialised, checked and applied.

A kind is a `RecordKind`. Most are `TableKind(Model)`: one row of a table with the `Synced` mixin, every
column serialised from the table's own metadata (types, lengths, nullability and foreign keys give the
validation for free). Aggregates that travel as one record (an inspection with its team and answers) and
tables without a revision (settings, template snapshots) are small subclasses (sync/builtin_kinds.py).

Adding a kind (docs/bundle-format.md, "Adding a record kind"): create a module `inspector_app/sync/kinds_<x>.py`
with a function `register(registry)` that calls `registry.add(TableKind(MyModel, "my_kind", "中文名",
senders=..., order=...))`. It is discovered like the CLI's command modules; nothing else is edited.

Version vectors, not revision numbers, decide between two copies of a record: `rev` counts edits on one
machine only, so two laptops that each edited a record once both have rev 2. Each kind gives a cheap local
change marker (`marks`, its revision by default); sync/state.py turns a changed marker into one more
edit by this device in the record's version vector.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import Any, TypedDict

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.storage.sync_models import BUREAU, FIELD
from inspector_app.i18n import _
from inspector_app.sync.columns import decoder, encode_row, encoder
from inspector_app.sync.record_hash import DELETED as DELETED  # callers know them as records.*
from inspector_app.sync.record_hash import record_hash as record_hash

ALL_ROLES = frozenset({FIELD, BUREAU})
CHUNK = 500  # ids per IN (…) query

# Settings of one installation that never travel (its identity, its UI state).
LOCAL_SETTING_PREFIXES = ("device.", "sync.", "ui.", "local.")


@dataclass(frozen=True)
class FileRef:
    """An attachment of a record on the exporting side: a file on disk or bytes in the database."""

    slot: str  # the record's name for it: "photo", "pdf", …
    path: Path | None = None
    data: bytes | None = None
    name: str = ""  # original file name, kept for display
    sha256: str | None = None  # if the kind already stores it; otherwise computed
    size: int | None = None
    # Bytes a server database keeps (core/storage/attachments.py), read when the export writes them, not
    # when it lists the records: a bureau's photo originals do not all fit in memory at once.
    load: Callable[[], bytes] | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        if self.load is not None:
            return self.load()
        if self.path is None:
            raise ValueError(f"attachment {self.slot!r} has neither bytes nor a path")
        return Path(self.path).read_bytes()

    def digest(self) -> tuple[str, int]:
        if self.sha256 is not None and self.size is not None:
            return self.sha256, self.size
        content = self.read()
        return sha256(content).hexdigest(), len(content)


@dataclass
class Dumped:
    """A local record ready to travel (data None: its tombstone)."""

    id: str
    data: dict | None
    files: list[FileRef] = field(default_factory=list)
    updated_at: str | None = None
    hash: str = ""


@dataclass
class Incoming:
    """A record read from a bundle (validated envelope; data None: a tombstone)."""

    kind: str
    id: str
    vv: dict[str, int]
    data: dict | None
    files: dict[str, dict]  # slot → {"path", "sha256", "size", "name"}
    updated_at: str | None
    hash: str
    line: int
    parsed: Any = None  # what the kind's validate() returned
    refers_to_deleted: bool = False  # needs a record deleted here or by its bundle: moot (verify_records.py)


class RecordProblem(Exception):
    """One invalid record; the importer adds kind, line and id."""


class ApplyContext:
    """What a kind's write may use while a bundle is applied (implemented by the importer)."""

    session: Session
    self_id: str
    source_id: str

    def staged(self, rec: Incoming, slot: str) -> Path:  # pragma: no cover - interface
        """The verified file of an attachment, in the staging folder."""
        raise NotImplementedError

    def adopt(self, staged: Path, final: Path) -> None:  # pragma: no cover - interface
        """Move a staged file to where the kind keeps it; undone if the import does not commit."""
        raise NotImplementedError

    def read(self, rec: Incoming, slot: str) -> bytes:
        """The verified bytes of an attachment the kind keeps in the database (one of its inline_slots)."""
        return self.staged(rec, slot).read_bytes()


class RecordKind:
    """Base class. Subclasses set `name`, `label`, `table_name` and implement marks/dump/validate/write."""

    name: str = ""
    label: str = ""
    table_name: str = ""  # the table whose primary key this kind's ids are (for reference checks)
    senders: frozenset[str] = ALL_ROLES  # roles allowed to send this kind
    order: int = 100  # apply order: parents before children
    ordered: bool = False  # roster/assignments: an older bureau bundle must not follow a newer one
    field_sends_edited_only: bool = False  # a laptop sends only its own edits (roster corrections)
    authority: str | None = None  # a concurrent version from this role wins without a conflict
    include_when_referenced: bool = False  # sent along with any record that references it
    stateless: bool = False  # receipts: no version state, applied once
    deletable: bool = False  # a local deletion travels (a tombstone) and delete() applies one
    # Attachments the kind writes into its rows (ApplyContext.read) rather than keeping as files: the importer
    # holds them in one spool file instead of a staged file each.
    inline_slots: frozenset[str] = frozenset()

    def __init__(self) -> None:
        # Predicates on a local record's data: True makes it immutable (a different copy becomes a conflict).
        # Other features add theirs, e.g. the documents work: "has a signature".
        self.immutability_rules: list[Callable[[Session, str, dict], bool]] = []

    def placements(self, rec: Incoming) -> list[Path]:
        """The files writing `rec` may move into place (ApplyContext.adopt), known before the writes: the
        importer journals them in one go (sync/leftovers.py). A file not named here is journalled when it
        is adopted, at the cost of an fsync each."""
        return []

    # -- local side
    def marks(self, session: Session, ids: Collection[str] | None = None) -> dict[str, str]:
        raise NotImplementedError

    def dump(self, session: Session, ids: Collection[str] | None = None) -> dict[str, Dumped]:
        raise NotImplementedError

    def hash_view(self, data: dict) -> dict:
        """The part of the data that makes two versions different (default: all of it)."""
        return data

    # Keys of the data that validate() accepts only as strict base64 (binary columns): record_hash() can
    # take their text as it is.
    base64_keys: frozenset[str] = frozenset()

    def title(self, data: dict) -> str:
        return ""

    def references(self, data: dict) -> Iterator[tuple[str, str, Any]]:
        """(table, field, id) this record needs to exist, here or in the same bundle."""
        return iter(())

    def exists(self, session: Session, record_id: str) -> bool:
        """Stateless kinds (receipts): whether the record was applied here already."""
        raise NotImplementedError  # pragma: no cover - interface

    def immutable(self, session: Session, record_id: str, data: dict) -> bool:
        return any(rule(session, record_id, data) for rule in self.immutability_rules)

    def undeletable(self, session: Session, record_id: str, data: dict) -> bool:
        """A local record that a tombstone must not delete (by default: an immutable one, e.g. a signed form)."""
        return self.immutable(session, record_id, data)

    # -- incoming side
    def validate(self, data: dict, record_id: str) -> dict:
        """Check an incoming record's data; return it normalised (a new value: `data` itself is hashed as
        received and must not change). Raise RecordProblem with a Chinese reason. Called for every record as
        its member is read, before the member's hash is checked: no side effects."""
        raise NotImplementedError

    def check_against(self, session: Session, recs: list[Incoming]) -> None:
        """Checks that need the database (e.g. keys that must never change). Raise RecordProblem."""

    def duplicates(self, session: Session, recs: list[Incoming]) -> dict[str, str]:
        """New records that another local record already is under another id (same natural key, e.g. the
        same USCC): incoming id → local id. Such a pair becomes a conflict instead of a failed insert."""
        return {}

    def write(self, ctx: ApplyContext, rec: Incoming, exists: bool) -> None:
        raise NotImplementedError

    def write_many(self, ctx: ApplyContext, recs: list[tuple[Incoming, bool]]) -> None:
        for rec, exists in recs:
            self.write(ctx, rec, exists)

    def delete(self, ctx: ApplyContext, ids: list[str]) -> None:
        """Delete these local records (a tombstone that supersedes them arrived); only if `deletable`."""
        raise NotImplementedError


def chunks(ids: Collection[str]) -> Iterator[list[str]]:
    items = list(ids)
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def rows(session: Session, query, id_col, ids: Collection[str] | None) -> Iterator:
    if ids is None:
        yield from session.execute(query)
        return
    for chunk in chunks(ids):
        yield from session.execute(query.where(id_col.in_(chunk)))


# ------------------------------------------------------------------ generic table kind
class KindOptions(TypedDict, total=False):
    """Keyword options of TableKind that several kinds share (`TableKind(..., **options)`)."""

    senders: Collection[str]
    ordered: bool
    field_sends_edited_only: bool
    authority: str | None


class TableKind(RecordKind):
    """One row of a table with an `id` primary key; a `rev` column (Synced) gives the change marker.

    Without a `rev` column the marker is a hash of the row. `exclude` names columns that stay local (e.g.
    where this machine keeps a file). `domain` is an optional extra check of a validated record (raise
    RecordProblem). Attachments: `files(session, row)` lists a row's files (FileRef: a path or bytes, and
    its SHA-256 if the table keeps it); `store_files(ctx, rec)` moves each verified file from
    `ctx.staged(rec, slot)` into place with `ctx.adopt(staged, final)` and returns the column values to
    write with the row (e.g. {"path": final}).
    """

    def __init__(
        self,
        model_or_table,
        name: str,
        label: str,
        *,
        senders: Collection[str] = ALL_ROLES,
        order: int = 100,
        ordered: bool = False,
        field_sends_edited_only: bool = False,
        authority: str | None = None,
        include_when_referenced: bool = False,
        exclude: Collection[str] = (),
        title: Callable[[dict], str] | None = None,
        domain: Callable[[dict], None] | None = None,
        where: Callable[[sa.Table], Any] | None = None,
        files: Callable[[Session, Any], list[FileRef]] | None = None,
        store_files: Callable[[ApplyContext, Incoming], dict | None] | None = None,
    ):
        super().__init__()
        table = getattr(model_or_table, "__table__", model_or_table)
        self.table: sa.Table = table
        self.name, self.label, self.table_name = name, label, table.name
        self.senders = frozenset(senders)
        self.order, self.ordered = order, ordered
        self.field_sends_edited_only = field_sends_edited_only
        self.authority = authority
        self.include_when_referenced = include_when_referenced
        pk = list(table.primary_key.columns)
        if len(pk) != 1:
            raise TypeError(f"{table.name}: a TableKind needs a single-column primary key")
        self.pk: sa.Column = pk[0]
        self.has_rev = "rev" in table.c
        self.has_updated = "updated_at" in table.c
        skip = {self.pk.name, "rev", "updated_at", *exclude}
        self.columns: list[sa.Column] = [c for c in table.c if c.name not in skip]
        self._enc = [(c.name, encoder(c)) for c in self.columns]
        self._dec = [(c, decoder(c)) for c in self.columns]
        self._names = frozenset(c.name for c in self.columns)
        self._binary = frozenset(c.name for c in self.columns if isinstance(c.type, sa.LargeBinary))
        if type(self).validate is TableKind.validate:  # its decoder accepts only strict base64 there
            self.base64_keys = self._binary
        self._title, self._domain, self._where = title, domain, where
        self.deletable = where is None  # with a filter, a row that leaves it has not been deleted
        self._files, self._store_files = files, store_files
        self.natural_keys: list[tuple[str, ...]] = [
            tuple(c.name for c in con.columns)
            for con in table.constraints
            if isinstance(con, sa.UniqueConstraint) and self.pk.name not in {c.name for c in con.columns}
        ]
        self.natural_keys += [(c.name,) for c in self.columns if c.unique]
        for index in table.indexes:
            if index.unique and self.pk.name not in {c.name for c in index.columns}:
                self.natural_keys.append(tuple(c.name for c in index.columns))
        self._fks: list[tuple[str, str, str]] = []  # (column, referred table, referred column)
        for col in self.columns:
            for fk in col.foreign_keys:
                self._fks.append((col.name, fk.column.table.name, fk.column.name))

    def title(self, data: dict) -> str:
        return self._title(data) if self._title else ""

    def _base_query(self, *cols):
        q = select(*cols)
        return q.where(self._where(self.table)) if self._where is not None else q

    def marks(self, session, ids=None):
        if self.has_rev and self.has_updated:
            # The time as well as `rev`: an id derived from a natural key (core/storage/identity.py) comes back with
            # rev 1 when its record is deleted and made again (a plan replaced), which `rev` alone misses.
            q = self._base_query(self.pk, self.table.c.rev, self.table.c.updated_at)
            return {str(k): f"{v}:{t.isoformat() if t else ''}" for k, v, t in rows(session, q, self.pk, ids)}
        if self.has_rev:
            q = self._base_query(self.pk, self.table.c.rev)
            return {str(k): str(v) for k, v in rows(session, q, self.pk, ids)}
        return {rid: d.hash for rid, d in self.dump(session, ids).items()}

    def _data(self, row) -> dict:
        return encode_row(self._enc, row._mapping)

    def dump(self, session, ids=None):
        out = {}
        for row in rows(session, self._base_query(self.table), self.pk, ids):
            rid = str(row._mapping[self.pk.name])
            data = self._data(row)
            files = self._files(session, row._mapping) if self._files else []
            updated = row._mapping["updated_at"].isoformat() if self.has_updated and row.updated_at else None
            d = Dumped(rid, data, files, updated)
            d.hash = record_hash(self, data, {f.slot: f.digest()[0] for f in files}, self._binary)  # b64()
            out[rid] = d
        return out

    def references(self, data):
        for col, table, _col in self._fks:
            if data.get(col) is not None:
                yield table, col, data[col]

    def validate(self, data, record_id):
        if not self._names.issuperset(data):
            unknown = sorted(set(data) - self._names)
            raise RecordProblem(_("含有未知字段“{f}”（发送方的程序版本可能更新）").format(f="、".join(unknown)))
        out = {}
        for col, dec in self._dec:
            if col.name not in data:
                if col.nullable or col.default is not None or col.server_default is not None:
                    continue
                raise RecordProblem(_("缺少字段“{f}”").format(f=col.name))
            try:
                out[col.name] = dec(data[col.name])
            except ValueError as exc:
                raise RecordProblem(_("字段“{f}”{e}").format(f=col.name, e=exc)) from None
        if self._domain:
            self._domain(data)
        return out

    def _values(self, rec: Incoming) -> dict:
        return dict(rec.parsed)

    def duplicates(self, session, recs):
        out: dict[str, str] = {}
        for key in self.natural_keys:
            wanted: dict[tuple, str] = {}
            for rec in recs:
                values = tuple(rec.parsed.get(c) for c in key)
                if None not in values:
                    wanted[values] = rec.id
            if not wanted:
                continue
            cols = [self.table.c[c] for c in key]
            firsts = list({v[0] for v in wanted})
            for chunk in chunks(firsts):
                for row in session.execute(select(self.pk, *cols).where(cols[0].in_(chunk))):
                    rid = wanted.get(tuple(row[1:]))
                    if rid is not None and str(row[0]) != rid:
                        out.setdefault(rid, str(row[0]))
        return out

    def _updated(self, rec: Incoming) -> datetime:
        from inspector_app.core.storage.models import utcnow

        if rec.updated_at:
            try:
                return datetime.fromisoformat(rec.updated_at).replace(tzinfo=None)
            except ValueError:
                pass
        return utcnow()

    def write(self, ctx, rec, exists):
        self.write_many(ctx, [(rec, exists)])

    def write_many(self, ctx, recs):
        inserts: list[dict] = []
        held = 0  # bytes of binary values waiting in `inserts`
        for rec, exists in recs:
            values = self._values(rec)
            if self.has_updated:
                values["updated_at"] = self._updated(rec)
            if self._store_files and rec.files:
                stored = self._store_files(ctx, rec) or {}
                values.update(stored)
                held += sum(len(v) for v in stored.values() if isinstance(v, bytes))
            if exists:
                if self.has_rev:
                    values["rev"] = self.table.c.rev + 1
                ctx.session.execute(sa.update(self.table).where(self.pk == rec.id).values(**values))
            else:
                values[self.pk.name] = rec.id
                if self.has_rev:
                    values["rev"] = 1
                inserts.append(values)
            if held > _INSERT_BYTES:  # memory stays bounded: 5,000 photos held their 635 MB of copies at once
                self._insert(ctx, inserts)
                inserts, held = [], 0
        self._insert(ctx, inserts)

    def delete(self, ctx, ids):
        # Rows that depend on these go with them where their foreign key says ON DELETE CASCADE (a draft's
        # answers and photos); their own tombstones, in the same bundle, then find nothing left to delete.
        for chunk in chunks(ids):
            ctx.session.execute(sa.delete(self.table).where(self.pk.in_(chunk)))

    def _insert(self, ctx, inserts: list[dict]) -> None:
        # executemany needs the same keys in every row: group by key set.
        groups: dict[tuple, list[dict]] = {}
        for v in inserts:
            groups.setdefault(tuple(sorted(v)), []).append(v)
        for rows in groups.values():
            ctx.session.execute(sa.insert(self.table), rows)


_INSERT_BYTES = 32 * 1024**2  # binary values (a photo's copies) held before they are inserted


# ------------------------------------------------------------------ the registry
class Registry:
    def __init__(self) -> None:
        self._kinds: dict[str, RecordKind] = {}

    def add(self, kind: RecordKind) -> RecordKind:
        if kind.name in self._kinds:
            raise ValueError(f"record kind {kind.name!r} registered twice")
        self._kinds[kind.name] = kind
        return kind

    def remove(self, name: str) -> None:
        self._kinds.pop(name, None)

    def get(self, name: str) -> RecordKind | None:
        return self._kinds.get(name)

    def kind(self, name: str) -> RecordKind:
        """The kind of a name already checked against this registry (a verified manifest, a stored conflict)."""
        try:
            return self._kinds[name]
        except KeyError:
            raise KeyError(f"record kind {name!r} is not registered") from None

    def __contains__(self, name: str) -> bool:
        return name in self._kinds

    def kinds(self) -> list[RecordKind]:
        """All kinds in apply order."""
        return sorted(self._kinds.values(), key=lambda k: (k.order, k.name))

    def for_table(self, table: str) -> RecordKind | None:
        for k in self._kinds.values():
            if k.table_name == table:
                return k
        return None

    def sendable(self, role: str) -> list[RecordKind]:
        return [k for k in self.kinds() if role in k.senders]
