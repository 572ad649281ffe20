"""Two clerks editing the same record (issue 17): the later save is refused with "已被他人修改" and the record's
values now, never a silent overwrite.

Every synced record has a revision (`rev`, SQLAlchemy's version_id_col, core/storage/models.py): an UPDATE
names the revision it read, and matches no row when another clerk's save moved it on in between — SQLAlchemy
raises StaleDataError. `watch` remembers which versioned records each flush writes, so that Database.session
can say which record it was (`edited_by_other`), read afresh. A screen that shows a record and saves it later
(in another unit of work) passes the revision it showed to `check_rev`, which refuses the same way.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from inspector_app.core.errors import EditedByOther
from inspector_app.core.storage.models import Enterprise, ItemResult
from inspector_app.i18n import _

_WRITTEN = "inspector_app.versioned_writes"


def _written(session: Session, _context, _instances) -> None:
    versioned = [o for o in session.dirty if hasattr(o, "rev") and hasattr(o, "id")]
    session.info[_WRITTEN] = [(type(o), o.id, o.rev) for o in versioned]


def watch(sessions: sessionmaker) -> None:
    event.listen(sessions, "before_flush", _written)


def describe(row) -> tuple[str, dict[str, str]]:
    """What the record is, and its values as a clerk reads them (labels, not column names)."""
    from inspector_app.core.catalog import CONCLUSIONS

    if isinstance(row, Enterprise):
        return _("企业“{n}”").format(n=row.name), {
            _("分类"): row.classification,
            _("风险等级"): row.risk_level or "",
            _("法定代表人"): row.legal_rep,
            _("联系人"): row.contact,
            _("联系电话"): row.phone,
            _("住所"): row.address,
        }
    if isinstance(row, ItemResult):
        return _("检查项 {i}").format(i=row.item_id), {
            _("结论"): CONCLUSIONS.get(row.conclusion, "") if row.conclusion else _("未填"),
            _("检查记录"): row.record,
            _("备注"): row.remark,
        }
    return _("该记录"), {}


def check_rev(row, expected_rev: int | None) -> None:
    """Refuse to save over `row` when it is no longer at the revision the clerk saw (None: not checked)."""
    if expected_rev is not None and row.rev != expected_rev:
        raise EditedByOther(*describe(row))


def edited_by_other(db, session: Session | None = None) -> EditedByOther:
    """The refusal for a save that lost the race, naming the record with its values now."""
    written = session.info.get(_WRITTEN, []) if session is not None else []
    if not written and session is not None:  # refused before any flush (a stale copy merged back): what it held
        keys = list(session.identity_map.keys())
        written = [(k[0], k[1][0], None) for k in keys if hasattr(k[0], "rev") and len(k[1]) == 1]
    with db.session() as s:
        now = [(row, rev) for model, record_id, rev in written if (row := s.get(model, record_id)) is not None]
        # the record whose revision moved on; else (a stale copy merged back carries its old revision) the first
        moved = [row for row, rev in now if row.rev != rev] or [row for row, _rev in now]
        return EditedByOther(*describe(moved[0])) if moved else EditedByOther(_("该记录"))
