"""Identity from natural keys (architecture rule 14): the same thing entered in two places is one record.

A record whose kind has a natural key gets an id derived from that key — uuid5 over a fixed namespace, the
table name and the normalised key — so an enterprise loaded from the same roster on a laptop and at the
bureau has the same id on both, and their bundles meet as the same record (docs/bundle-format.md §3,
"Identity"). The rules per table are `RULES`; records without a natural key (an inspection, a draw, an
assignment: events) keep a random id.

`Synced.id` (core/storage/models.py) defaults to `column_default`, so every way of inserting a row — the ORM, a Core
`insert()` without an id — derives the id from the row's values. A derived id already taken (two values
that only differ in what normalisation removes, or a second classification change of the same kind on the
same day) falls back to a random id: a collision never fails an insert.

Migration 0800 rewrote the ids of existing databases with a frozen copy of these rules: a change to a rule
here needs a migration too (and a bundle format note), or two installations no longer agree.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

# Fixed for ever: changing it changes every derived id.
NAMESPACE = uuid.UUID("6f1c3a52-8e0b-5d47-9a31-2b7c4e9d0f18")
_SPACE = re.compile(r"\s+")


def norm_code(value: Any) -> str:
    """A code (统一社会信用代码, 许可证编号, 执法证号, 文书编号): full-width → half-width (（沪） → (沪)), upper case,
    no spaces."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(value))).upper()


def norm_text(value: Any) -> str:
    """A text key (an address, a district, a rule): full-width → half-width, no spaces."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(value)))


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _opt_text(value: Any) -> str:
    return "" if value is None else norm_text(value)


Rule = tuple[tuple[str, Callable[[Any], str]], ...]

# table → the columns of its natural key, each with its normalisation. Ids of parents (enterprise_id, …)
# are themselves derived or travel unchanged, so a key made of them is the same on every machine.
RULES: dict[str, Rule] = {
    "enterprise": (("uscc", norm_code),),
    "inspector": (("badge_no", norm_code),),
    "license": (("number", norm_code),),
    "site": (("enterprise_id", _plain), ("address", norm_text)),
    "classification_change": (
        ("enterprise_id", _plain),
        ("changed_on", _plain),
        ("rule", norm_text),
        ("category", _opt_text),
        ("from_class", _plain),
        ("to_class", _plain),
        ("from_risk", _plain),
        ("to_risk", _plain),
    ),
    "product_class": (("enterprise_id", _plain), ("category", norm_text)),
    "annual_plan": (("year", _plain), ("district", norm_text)),
    "plan_entry": (("plan_id", _plain), ("enterprise_id", _plain), ("visit_no", _plain)),
    "assignment_member": (("assignment_id", _plain), ("inspector_id", _plain)),
    "rectification": (("inspection_id", _plain), ("item_id", _plain)),
    "license_action": (("license_id", _plain), ("kind", _plain)),
    "inspection_signoff": (("inspection_id", _plain),),
    "amendment": (("inspection_id", _plain), ("seq", _plain)),
    "signature": (("inspection_id", _plain), ("amendment_id", _plain), ("role", _plain), ("position", _plain)),
    "doc_number": (("number", norm_code),),
    "issued_document": (("inspection_id", _plain), ("sha256", _plain)),
    "template_release": (("template_id", _plain), ("version", _plain)),
}
# Defaults of key columns the caller may leave out (their column defaults run after the id's).
_DEFAULTS: dict[tuple[str, str], Any] = {("plan_entry", "visit_no"): 1}


def derive_id(table: str, values: Mapping[str, Any]) -> str | None:
    """The id of a record of `table` with these column values, or None if the table has no natural key or
    a key column is missing (None where the key needs it)."""
    rule = RULES.get(table)
    if rule is None:
        return None
    parts = [table]
    for col, norm in rule:
        value = values.get(col, _DEFAULTS.get((table, col)))
        if value is None and norm is not _plain and norm is not _opt_text:
            return None
        parts.append(norm(value))
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def random_id() -> str:
    return str(uuid.uuid4())


def column_default(context) -> str:
    """`Synced.id`'s default: the derived id of the row being inserted, or a random one."""
    col = context.current_column
    table = col.table.name
    derived = derive_id(table, context.get_current_parameters())
    if derived is None:
        return random_id()
    taken = context.__dict__.setdefault("_derived_ids", set())  # rows of the same executemany
    if derived in taken or context.connection.execute(col.table.select().where(col == derived)).first():
        return random_id()
    taken.add(derived)
    return derived


class Allocator:
    """Ids for rows a bulk writer inserts itself (core/roster/merge.py): derived, unless taken earlier in the same
    batch or by a row the caller knows (`taken`); `settle` then checks the database once per table."""

    def __init__(self, taken: set[str] | None = None):
        self.used: set[str] = set(taken or ())

    def make(self, table: str, values: Mapping[str, Any]) -> str:
        derived = derive_id(table, values)
        if derived is None or derived in self.used:
            return random_id()
        self.used.add(derived)
        return derived

    @staticmethod
    def settle(session, batches: list[tuple[Any, list[dict], tuple[str, ...]]]) -> None:
        """Give a random id to each row whose id the database already has, and follow the change in the
        rows of later batches: `batches` is [(table, rows, foreign key columns of these rows)], parents first."""
        from sqlalchemy import select

        remap: dict[str, str] = {}
        for table, rows, fks in batches:
            for row in rows:
                for fk in fks:
                    if row.get(fk) in remap:
                        row[fk] = remap[row[fk]]
            ids = [r["id"] for r in rows]
            taken: set[str] = set()
            for i in range(0, len(ids), 500):
                taken.update(session.scalars(select(table.c.id).where(table.c.id.in_(ids[i : i + 500]))))
            for row in rows:
                if row["id"] in taken:
                    remap[row["id"]] = row["id"] = random_id()
