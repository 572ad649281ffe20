"""The registry of record kinds: what travels in a bundle, how it is serialised, checked and applied.

A kind is a `RecordKind`. Most are `TableKind(Model)`: one row of a table with the `Synced` mixin, every
column serialised from the table's own metadata (types, lengths, nullability and foreign keys give the
validation for free). Aggregates that travel as one record (an inspection with its team and answers) and
tables without a revision (settings, template snapshots) are small subclasses.

Adding a kind (docs/bundle-format.md, "Adding a record kind"): create a module `inspector_app/sync/kinds_<x>.py`
with a function `register(registry)` that calls `registry.add(TableKind(MyModel, "my_kind", "中文名",
senders=..., order=...))`. It is discovered like the CLI's command modules; nothing else is edited.

Version vectors, not revision numbers, decide between two copies of a record: `rev` counts edits on one
machine only, so two laptops that each edited a record once both have rev 2. Each kind gives a cheap local
change marker (`marks`, its revision by default); sync/state.py turns a changed marker into one more
edit by this device in the record's version vector.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core.sync_models import BUREAU, FIELD
from inspector_app.i18n import _
from inspector_app.sync.format import b64, canonical_json, is_safe_id, unb64

ALL_ROLES = frozenset({FIELD, BUREAU})
_CHUNK = 500  # ids per IN (…) query

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

    def read(self) -> bytes:
        return self.data if self.data is not None else Path(self.path).read_bytes()

    def digest(self) -> tuple[str, int]:
        if self.sha256 is not None and self.size is not None:
            return self.sha256, self.size
        content = self.read()
        return sha256(content).hexdigest(), len(content)


@dataclass
class Dumped:
    """A local record ready to travel."""

    id: str
    data: dict
    files: list[FileRef] = field(default_factory=list)
    updated_at: str | None = None
    hash: str = ""


@dataclass
class Incoming:
    """A record read from a bundle (validated envelope)."""

    kind: str
    id: str
    vv: dict[str, int]
    data: dict
    files: dict[str, dict]  # slot → {"path", "sha256", "size", "name"}
    updated_at: str | None
    hash: str
    line: int
    parsed: Any = None  # what the kind's validate() returned


def record_hash(kind: RecordKind, data: dict, files: dict[str, str], base64: Collection[str] = ()) -> str:
    """The identity of a version's content: hashed data (what the kind deems meaningful) and file digests.

    SHA-256 of canonical_json({"data": …, "files": …}). Raises ValueError for data that has no canonical
    JSON (NaN, lone surrogates). `base64`: keys of `data` whose values are known to be base64 text (made
    by b64() or accepted by a strict decoder: kind.base64_keys), which need no scan for characters to escape.
    """
    view = kind.hash_view(data)
    digests = dict(sorted(files.items()))
    if (
        view.__class__ is dict
        and any(v.__class__ is str and len(v) >= _STREAM_MIN for v in view.values())
        and all(k.__class__ is str for k in view)
    ):
        return _streamed_hash(view, digests, base64 if view is data else ())
    return sha256(canonical_json({"data": view, "files": digests})).hexdigest()


_STREAM_MIN = 4096
_JSON_ESCAPED = bytes(range(0x20)) + b'"\\'  # what canonical JSON escapes in an ASCII string


def _streamed_hash(view: dict, files: dict, base64: Collection[str]) -> str:
    """record_hash of data with long text values (base64 of photos, PDFs), the same digest byte for byte.

    The document is fed to the hash piece by piece in canonical order (sorted keys, no spaces); a long
    ASCII value that needs no escaping goes in as it is. Through the JSON encoder it would be scanned,
    copied into the document and copied again to UTF-8: measured 2× slower on photo records.
    """
    h = sha256(b'{"data":{')
    sep = b""
    for key in sorted(view):
        value = view[key]
        h.update(sep + canonical_json(key) + b":")
        sep = b","
        if value.__class__ is str and len(value) >= _STREAM_MIN and value.isascii():
            raw = value.encode("ascii")
            # Base64 has no control characters; quotes and backslashes are still looked for (memchr-fast).
            if (key in base64 and b'"' not in raw and b"\\" not in raw) or len(
                raw.translate(None, _JSON_ESCAPED)
            ) == len(raw):
                h.update(b'"')
                h.update(raw)
                h.update(b'"')
                continue
        h.update(canonical_json(value))
    h.update(b'},"files":' + canonical_json(files) + b"}")
    return h.hexdigest()


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
    # Attachments the kind writes into its rows (ApplyContext.read) rather than keeping as files: the importer
    # holds them in one spool file instead of a staged file each.
    inline_slots: frozenset[str] = frozenset()

    def __init__(self) -> None:
        # Predicates on a local record's data: True makes it immutable (a different copy becomes a conflict).
        # Other features add theirs, e.g. the documents work: "has a signature".
        self.immutability_rules: list[Callable[[Session, str, dict], bool]] = []

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

    def immutable(self, session: Session, record_id: str, data: dict) -> bool:
        return any(rule(session, record_id, data) for rule in self.immutability_rules)

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


# ------------------------------------------------------------------ column conversion
def _to_json(col: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    t = col.type
    if isinstance(t, sa.DateTime):
        return value.isoformat()
    if isinstance(t, sa.Date):
        return value.isoformat()
    if isinstance(t, sa.LargeBinary):
        return b64(value)
    if isinstance(t, sa.Boolean):
        return bool(value)
    if isinstance(t, sa.Numeric) and not isinstance(t, sa.Float):
        return str(value)
    return value


def _from_json(col: sa.Column, value: Any) -> Any:
    """Convert and check one value; raise ValueError with a Chinese reason."""
    if value is None:
        if not col.nullable:
            raise ValueError(_("不能为空"))
        return None
    t = col.type
    if isinstance(t, sa.DateTime):
        if not isinstance(value, str):
            raise ValueError(_("应为日期时间"))
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(_("日期时间“{v}”无效").format(v=value[:40])) from None
        return moment.replace(tzinfo=None) if moment.tzinfo is None else moment
    if isinstance(t, sa.Date):
        if not isinstance(value, str):
            raise ValueError(_("应为日期"))
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(_("日期“{v}”无效").format(v=value[:40])) from None
    if isinstance(t, sa.Boolean):
        if not isinstance(value, bool):
            raise ValueError(_("应为是/否"))
        return value
    if isinstance(t, sa.Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(_("应为整数"))
        if not -(2**63) <= value < 2**63:
            raise ValueError(_("整数超出范围"))
        return value
    if isinstance(t, sa.Float):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(_("应为数值"))
        return float(value)
    if isinstance(t, sa.Numeric):
        from decimal import Decimal, InvalidOperation

        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("应为数值")) from None
    if isinstance(t, sa.LargeBinary):
        try:
            return unb64(value)
        except (ValueError, TypeError, AttributeError):
            raise ValueError(_("应为base64编码的数据")) from None
    if isinstance(t, sa.String):  # String and Text
        if not isinstance(value, str):
            raise ValueError(_("应为文本"))
        if "\x00" in value:
            raise ValueError(_("含有空字符"))
        if t.length is not None and len(value) > t.length:
            raise ValueError(_("超过{n}个字符").format(n=t.length))
        return value
    raise ValueError(_("不支持的字段类型"))


def _isoformat(v: Any) -> Any:
    return None if v is None else v.isoformat()


def encoder(col: sa.Column) -> Callable[[Any], Any] | None:
    """The JSON encoder of one column, chosen once (None: the value is already JSON)."""
    t = col.type
    if isinstance(t, sa.Date | sa.DateTime):
        return _isoformat
    if isinstance(t, sa.String | sa.Integer | sa.Float) and not isinstance(t, sa.Boolean):
        return None
    return lambda v: _to_json(col, v)


def decoder(col: sa.Column) -> Callable[[Any], Any]:
    """The checking decoder of one column, chosen once: a fast path for text, the general one otherwise."""
    t = col.type
    if isinstance(t, sa.String) and not isinstance(t, sa.Enum):
        length, nullable = t.length, col.nullable

        def text(value: Any) -> Any:
            if value.__class__ is str:
                if (length is not None and len(value) > length) or "\x00" in value:
                    return _from_json(col, value)  # the general path words the refusal
                return value
            if value is None and nullable:
                return None
            return _from_json(col, value)

        return text
    return lambda value: _from_json(col, value)


def _encode_row(codecs: list[tuple[str, Callable | None]], m) -> dict:
    return {name: (m[name] if enc is None else enc(m[name])) for name, enc in codecs}


def _chunks(ids: Collection[str]) -> Iterator[list[str]]:
    items = list(ids)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _rows(session: Session, query, id_col, ids: Collection[str] | None) -> Iterator:
    if ids is None:
        yield from session.execute(query)
        return
    for chunk in _chunks(ids):
        yield from session.execute(query.where(id_col.in_(chunk)))


# ------------------------------------------------------------------ generic table kind
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
        if self.has_rev:
            q = self._base_query(self.pk, self.table.c.rev)
            return {str(k): str(v) for k, v in _rows(session, q, self.pk, ids)}
        return {rid: d.hash for rid, d in self.dump(session, ids).items()}

    def _data(self, row) -> dict:
        return _encode_row(self._enc, row._mapping)

    def dump(self, session, ids=None):
        out = {}
        for row in _rows(session, self._base_query(self.table), self.pk, ids):
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
            for chunk in _chunks(firsts):
                for row in session.execute(select(self.pk, *cols).where(cols[0].in_(chunk))):
                    rid = wanted.get(tuple(row[1:]))
                    if rid is not None and str(row[0]) != rid:
                        out.setdefault(rid, str(row[0]))
        return out

    def _updated(self, rec: Incoming) -> datetime:
        from inspector_app.core.models import utcnow

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

    def _insert(self, ctx, inserts: list[dict]) -> None:
        # executemany needs the same keys in every row: group by key set.
        groups: dict[tuple, list[dict]] = {}
        for v in inserts:
            groups.setdefault(tuple(sorted(v)), []).append(v)
        for rows in groups.values():
            ctx.session.execute(sa.insert(self.table), rows)


_INSERT_BYTES = 32 * 1024**2  # binary values (a photo's copies) held before they are inserted


# ------------------------------------------------------------------ the built-in kinds
def _domain_check(vocab: dict, key: str, label: str) -> Callable[[dict], None]:
    def check(data: dict) -> None:
        if data.get(key) is not None and data[key] not in vocab:
            raise RecordProblem(_("{l}“{v}”不是有效值").format(l=label, v=str(data[key])[:40]))

    return check


class InspectionKind(RecordKind):
    """An inspection record with its team and answers, as one record: they are one signed form."""

    name, label, table_name = "inspection", "检查记录", "inspection"
    order = 300

    _ANSWER_FIELDS = ("conclusion", "na_reason", "record", "remark", "rectified_on_site")
    _answer_keys = frozenset({*_ANSWER_FIELDS, "id"})

    def __init__(self):
        super().__init__()
        from inspector_app.core.models import Inspection, InspectionMember, ItemResult

        self.t = Inspection.__table__
        self.members = InspectionMember.__table__
        self.results = ItemResult.__table__
        self.columns = [c for c in self.t.c if c.name not in ("id", "rev", "updated_at")]
        self.answer_columns = {c: self.results.c[c] for c in self._ANSWER_FIELDS}
        self._enc = [(c.name, encoder(c)) for c in self.columns]
        self._dec = [(c, decoder(c)) for c in self.columns]
        self._answer_enc = [(f, encoder(self.answer_columns[f])) for f in self._ANSWER_FIELDS]
        self._answer_dec = [(f, decoder(self.answer_columns[f])) for f in self._ANSWER_FIELDS]
        self._item_dec = decoder(self.results.c.item_id)
        # 002 三(四): a completed (signed) record form is evidence: never overwritten by another copy.
        self.immutability_rules.append(lambda s, rid, data: data.get("status") == "completed")

    def marks(self, session, ids=None):
        r = self.results
        q = (
            select(self.t.c.id, self.t.c.rev, func.count(r.c.id), func.coalesce(func.sum(r.c.rev), 0))
            .select_from(self.t.outerjoin(r, r.c.inspection_id == self.t.c.id))
            .group_by(self.t.c.id)
        )
        return {i: f"{rev}:{n}:{total}" for i, rev, n, total in _rows(session, q, self.t.c.id, ids)}

    def dump(self, session, ids=None):
        out: dict[str, Dumped] = {}
        for row in _rows(session, select(self.t), self.t.c.id, ids):
            m = row._mapping
            data = _encode_row(self._enc, m)
            data["team"], data["answers"] = [], {}
            out[m["id"]] = Dumped(m["id"], data, [], m["updated_at"].isoformat() if m["updated_at"] else None)
        keys = list(out) if ids is not None else None
        mq = select(self.members.c.inspection_id, self.members.c.inspector_id).order_by(self.members.c.position)
        for insp_id, inspector_id in _rows(session, mq, self.members.c.inspection_id, keys):
            if insp_id in out:
                out[insp_id].data["team"].append(inspector_id)
        for row in _rows(session, select(self.results), self.results.c.inspection_id, keys):
            m = row._mapping
            if m["inspection_id"] in out:
                answer = _encode_row(self._answer_enc, m)
                answer["id"] = m["id"]
                out[m["inspection_id"]].data["answers"][m["item_id"]] = answer
        for d in out.values():
            d.hash = record_hash(self, d.data, {})
        return out

    def hash_view(self, data):
        # Answer ids are bookkeeping: two copies with the same answers are the same record.
        answers = {k: {f: v for f, v in a.items() if f != "id"} for k, a in data.get("answers", {}).items()}
        return {**data, "answers": answers}

    def title(self, data):
        from inspector_app.core.catalog import INSPECTION_KINDS

        kind = INSPECTION_KINDS.get(data.get("kind", ""), "")
        return _("{d} {k}检查").format(d=data.get("inspected_on", ""), k=kind)

    def references(self, data):
        yield "enterprise", "enterprise_id", data.get("enterprise_id")
        yield "site", "site_id", data.get("site_id")
        if data.get("license_id"):
            yield "license", "license_id", data["license_id"]
        yield "template_snapshot", "template_digest", data.get("template_digest")
        for inspector_id in data.get("team", []):
            yield "inspector", "team", inspector_id

    def validate(self, data, record_id):
        from inspector_app.core.catalog import CONCLUSIONS, INSPECTION_KINDS

        allowed = {c.name for c in self.columns} | {"team", "answers"}
        unknown = set(data) - allowed
        if unknown:
            raise RecordProblem(_("含有未知字段“{f}”（发送方的程序版本可能更新）").format(f="、".join(sorted(unknown))))
        out = {}
        for col, dec in self._dec:
            if col.name not in data:
                if col.nullable:
                    continue
                raise RecordProblem(_("缺少字段“{f}”").format(f=col.name))
            try:
                out[col.name] = dec(data[col.name])
            except ValueError as exc:
                raise RecordProblem(_("字段“{f}”{e}").format(f=col.name, e=exc)) from None
        if out["status"] not in ("draft", "completed"):
            raise RecordProblem(_("状态“{s}”无效").format(s=out["status"][:20]))
        if out["kind"] not in INSPECTION_KINDS:
            raise RecordProblem(_("检查类型“{k}”无效").format(k=out["kind"][:20]))
        team = data.get("team")
        if not isinstance(team, list) or not all(is_safe_id(t) for t in team) or len(set(team)) != len(team):
            raise RecordProblem(_("检查组成员列表无效"))
        answers = data.get("answers")
        if not isinstance(answers, dict):
            raise RecordProblem(_("检查结论列表无效"))
        parsed = {}
        keys = self._answer_keys
        for item_id, answer in answers.items():
            if not isinstance(answer, dict) or answer.keys() != keys:
                raise RecordProblem(_("检查项“{i}”的结论格式无效").format(i=str(item_id)[:20]))
            try:
                self._item_dec(item_id)
                values = {f: dec(answer[f]) for f, dec in self._answer_dec}
            except ValueError as exc:
                raise RecordProblem(_("检查项“{i}”{e}").format(i=str(item_id)[:20], e=exc)) from None
            if not is_safe_id(answer["id"]):
                raise RecordProblem(_("检查项“{i}”的编号无效").format(i=item_id))
            if values["conclusion"] is not None and values["conclusion"] not in CONCLUSIONS:
                raise RecordProblem(_("检查项“{i}”的结论“{c}”无效").format(i=item_id, c=values["conclusion"][:20]))
            parsed[item_id] = (answer["id"], values)
        out["team"] = team
        out["answers"] = parsed
        return out

    def check_against(self, session, recs):
        # Answer ids must not collide with another inspection's answers.
        ids = {a[0]: (r.id, item) for r in recs for item, a in r.parsed["answers"].items()}
        for chunk in _chunks(list(ids)):
            q = select(self.results.c.id, self.results.c.inspection_id).where(self.results.c.id.in_(chunk))
            for rid, insp_id in session.execute(q):
                if ids[rid][0] != insp_id:
                    raise RecordProblem(
                        _("检查记录 {i} 的检查项编号 {a} 已属于另一份检查记录").format(i=ids[rid][0], a=rid)
                    )

    def write_many(self, ctx, recs):
        s = ctx.session
        new_insp, new_members, new_results = [], [], []
        for rec, exists in recs:
            p = rec.parsed
            values = {c.name: p[c.name] for c in self.columns if c.name in p}
            values["updated_at"] = _parse_updated(rec.updated_at)
            members = [{"inspection_id": rec.id, "inspector_id": t, "position": n} for n, t in enumerate(p["team"])]
            if not exists:
                new_insp.append({**values, "id": rec.id, "rev": 1})
                new_members += members
                for item_id, (answer_id, a) in p["answers"].items():
                    new_results.append(
                        {
                            **a,
                            "id": answer_id,
                            "inspection_id": rec.id,
                            "item_id": item_id,
                            "rev": 1,
                            "updated_at": values["updated_at"],
                        }
                    )
                continue
            s.execute(sa.update(self.t).where(self.t.c.id == rec.id).values(**values, rev=self.t.c.rev + 1))
            s.execute(sa.delete(self.members).where(self.members.c.inspection_id == rec.id))
            if members:
                s.execute(sa.insert(self.members), members)
            local = {}
            for row in s.execute(select(self.results).where(self.results.c.inspection_id == rec.id)):
                m = row._mapping
                local[m["item_id"]] = (m["id"], {f: m[f] for f in self._ANSWER_FIELDS})
            gone = [rid for item, (rid, _v) in local.items() if item not in p["answers"]]
            if gone:
                s.execute(sa.delete(self.results).where(self.results.c.id.in_(gone)))
            for item_id, (answer_id, a) in p["answers"].items():
                if item_id in local:
                    if local[item_id][1] != a:
                        s.execute(
                            sa.update(self.results)
                            .where(self.results.c.id == local[item_id][0])
                            .values(**a, rev=self.results.c.rev + 1, updated_at=values["updated_at"])
                        )
                else:
                    new_results.append(
                        {
                            **a,
                            "id": answer_id,
                            "inspection_id": rec.id,
                            "item_id": item_id,
                            "rev": 1,
                            "updated_at": values["updated_at"],
                        }
                    )
        if new_insp:
            s.execute(sa.insert(self.t), new_insp)
        if new_members:
            s.execute(sa.insert(self.members), new_members)
        if new_results:
            s.execute(sa.insert(self.results), new_results)


def _parse_updated(text: str | None) -> datetime:
    from inspector_app.core.models import utcnow

    if text:
        try:
            return datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            pass
    return utcnow()


class TemplateSnapshotKind(RecordKind):
    """The exact template an inspection was answered against; content-addressed, so never changes."""

    name, label, table_name = "template_snapshot", "检查表模板快照", "template_snapshot"
    order = 50
    include_when_referenced = True

    def __init__(self):
        super().__init__()
        from inspector_app.core.models import TemplateSnapshot

        self.t = TemplateSnapshot.__table__

    def marks(self, session, ids=None):
        return {d: "1" for (d,) in _rows(session, select(self.t.c.digest), self.t.c.digest, ids)}

    def dump(self, session, ids=None):
        out = {}
        for row in _rows(session, select(self.t), self.t.c.digest, ids):
            m = row._mapping
            data = {"template_id": m["template_id"], "version": m["version"], "content": m["content"]}
            out[m["digest"]] = Dumped(m["digest"], data, [], None, record_hash(self, data, {}))
        return out

    def title(self, data):
        return f"{data.get('template_id', '')} v{data.get('version', '')}"

    def validate(self, data, record_id):
        from inspector_app.core.templates import Template, TemplateError

        if set(data) != {"template_id", "version", "content"} or not isinstance(data["content"], str):
            raise RecordProblem(_("模板快照格式无效"))
        try:
            t = Template.from_dict(json.loads(data["content"]))
        except TemplateError as exc:
            raise RecordProblem(str(exc)) from None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise RecordProblem(_("模板快照内容无效")) from None
        if t.digest != record_id or t.id != data["template_id"] or t.version != data["version"]:
            raise RecordProblem(_("模板快照的校验值或版本与内容不符"))
        return data

    def write(self, ctx, rec, exists):
        if not exists:  # content-addressed: an existing snapshot with this digest has this content
            ctx.session.execute(sa.insert(self.t).values(digest=rec.id, **rec.parsed))


class SettingKind(RecordKind):
    """Bureau-wide settings (e.g. the default rectification period); the bureau's value wins."""

    name, label, table_name = "setting", "设置", "setting"
    senders = frozenset({BUREAU})
    order = 20
    ordered = True
    authority = BUREAU

    def __init__(self):
        super().__init__()
        from inspector_app.core.models import Setting

        self.t = Setting.__table__

    def _shared(self, key: str) -> bool:
        return is_safe_id(key) and not key.startswith(LOCAL_SETTING_PREFIXES)

    def dump(self, session, ids=None):
        out = {}
        for key, value in _rows(session, select(self.t.c.key, self.t.c.value), self.t.c.key, ids):
            if self._shared(key):
                data = {"value": value}
                out[key] = Dumped(key, data, [], None, record_hash(self, data, {}))
        return out

    def marks(self, session, ids=None):
        return {k: d.hash for k, d in self.dump(session, ids).items()}

    def validate(self, data, record_id):
        if not self._shared(record_id):
            raise RecordProblem(_("设置项“{k}”只属于本机，不能传送").format(k=record_id))
        if set(data) != {"value"} or not isinstance(data["value"], str) or len(data["value"]) > 100_000:
            raise RecordProblem(_("设置值无效"))
        return data

    def write(self, ctx, rec, exists):
        if exists:
            ctx.session.execute(sa.update(self.t).where(self.t.c.key == rec.id).values(value=rec.data["value"]))
        else:
            ctx.session.execute(sa.insert(self.t).values(key=rec.id, value=rec.data["value"]))


class DeviceKind(TableKind):
    """The device register, bureau → field: keys, inspector, validity, revocations. The bureau decides."""

    def __init__(self):
        from inspector_app.core.sync_models import Device

        super().__init__(
            Device,
            "device",
            "设备登记",
            senders={BUREAU},
            order=10,
            ordered=True,
            authority=BUREAU,
            exclude=("registered_at",),
            title=lambda d: d.get("inspector_name") or d.get("name", ""),
            domain=_domain_check({FIELD: 1, BUREAU: 1}, "role", "角色"),
        )

    def check_against(self, session, recs):
        # A device id is bound to its keys for life: a bundle that changes them is refused.
        keys = {r.id: (r.data.get("signing_key"), r.data.get("encryption_key")) for r in recs}
        for chunk in _chunks(list(keys)):
            q = select(self.pk, self.table.c.signing_key, self.table.c.encryption_key).where(self.pk.in_(chunk))
            for rid, sk, ek in session.execute(q):
                if keys[rid] != (sk, ek):
                    raise RecordProblem(_("设备 {d} 的公钥与本机登记的不符").format(d=rid))
        for r in recs:
            for f in ("signing_key", "encryption_key"):
                try:
                    unb64(r.data.get(f), 32)
                except (ValueError, TypeError, AttributeError):
                    raise RecordProblem(_("设备 {d} 的公钥无效").format(d=r.id)) from None


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


def _roster_kinds() -> Iterable[RecordKind]:
    from inspector_app.core.catalog import CLASSES
    from inspector_app.core.models import Enterprise, Inspector, License, Site

    # Roster: the bureau's; a laptop sends only its own corrections (issue 4 §1), which may conflict.
    common = {"ordered": True, "field_sends_edited_only": True}
    yield TableKind(
        Enterprise,
        "enterprise",
        "企业",
        order=100,
        title=lambda d: d.get("name", ""),
        domain=_domain_check(CLASSES, "classification", "分类"),
        **common,
    )
    yield TableKind(Site, "site", "生产地址", order=110, title=lambda d: d.get("address", ""), **common)
    yield TableKind(License, "license", "生产许可证", order=120, title=lambda d: d.get("number", ""), **common)
    yield TableKind(Inspector, "inspector", "检查人员", order=90, title=lambda d: d.get("name", ""), **common)


def builtin_registry() -> Registry:
    reg = Registry()
    reg.add(DeviceKind())
    reg.add(SettingKind())
    for kind in _roster_kinds():
        reg.add(kind)
    reg.add(TemplateSnapshotKind())
    reg.add(InspectionKind())
    from inspector_app.sync.receipts import ReceiptKind

    reg.add(ReceiptKind())
    return reg


def discover(reg: Registry) -> Registry:
    """Let every `inspector_app/sync/kinds_*.py` module add its kinds (the extension point)."""
    import inspector_app.sync as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("kinds_"):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            module.register(reg)
    return reg


_REGISTRY: Registry | None = None
_REGISTRY_LOCK = threading.Lock()


def registry() -> Registry:
    """The process-wide registry (built-in kinds + discovered modules), built on first use (any thread)."""
    global _REGISTRY
    with _REGISTRY_LOCK:
        if _REGISTRY is None:
            _REGISTRY = discover(builtin_registry())
        return _REGISTRY


def reset_registry() -> None:
    """Forget the registry (tests that register kinds of their own)."""
    global _REGISTRY
    _REGISTRY = None
