"""The enterprise list: one query loads the roster into memory, and search filters it per keystroke.

100,000 enterprises are ≈ 40 MB as rows here; a substring test per row over a precomputed haystack is
fast enough for a keystroke, and a query that extends the previous one only rescans the previous hits.
Portable: no full-text extension of one database engine.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from inspector_app.core import clock
from inspector_app.core.catalog import EXPIRY_WARNING_DAYS
from inspector_app.core.db import Database
from inspector_app.core.models import Enterprise, License


@dataclass(slots=True)
class RosterRow:
    id: str
    name: str
    uscc: str
    district: str
    classification: str
    license_numbers: str  # joined with 、
    categories: frozenset[str]
    earliest_expiry: date | None
    haystack: str  # lower-case name + USCC + license numbers, for substring search


def load_roster(db: Database) -> list[RosterRow]:
    with db.session() as s:
        ents = s.execute(
            select(Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.district, Enterprise.classification)
        ).all()
        lic_rows = s.execute(select(License.enterprise_id, License.number, License.category, License.expiry_date)).all()
    licenses: dict[str, list] = {}
    for ent_id, number, category, expiry in lic_rows:
        licenses.setdefault(ent_id, []).append((number, category, expiry))
    rows = []
    for ent_id, name, uscc, district, cls in ents:
        lics = sorted(licenses.get(ent_id, ()))
        numbers = "、".join(n for n, _c, _e in lics)
        rows.append(
            RosterRow(
                id=ent_id,
                name=name,
                uscc=uscc,
                district=district,
                classification=cls,
                license_numbers=numbers,
                categories=frozenset(c for _n, c, _e in lics),
                earliest_expiry=min((e for _n, _c, e in lics), default=None),
                haystack=f"{name}\n{uscc}\n{numbers}".lower(),
            )
        )
    rows.sort(key=lambda r: (r.district, r.name))
    return rows


@dataclass(frozen=True)
class RosterFilter:
    text: str = ""
    district: str | None = None
    category: str | None = None
    classification: str | None = None
    expiring_only: bool = False  # expired or expiring within EXPIRY_WARNING_DAYS


class RosterIndex:
    def __init__(self, rows: list[RosterRow]):
        self.rows = rows
        self._last: tuple[RosterFilter, list[int]] | None = None

    def search(self, f: RosterFilter, today: date | None = None) -> list[int]:
        """Indices into rows matching every given criterion, in roster order."""
        text = f.text.strip().lower()
        candidates: range | list[int] = range(len(self.rows))
        last = self._last
        # Typing narrows: if only the text grew, the new hits are a subset of the previous ones.
        if last and _rest(last[0]) == _rest(f) and text.startswith(last[0].text):
            candidates = last[1]
        rows = self.rows
        hits = [i for i in candidates if text in rows[i].haystack] if text else list(candidates)
        if f.district:
            hits = [i for i in hits if rows[i].district == f.district]
        if f.classification:
            hits = [i for i in hits if rows[i].classification == f.classification]
        if f.category:
            hits = [i for i in hits if f.category in rows[i].categories]
        if f.expiring_only:
            limit = (today or clock.today()) + timedelta(days=EXPIRY_WARNING_DAYS)
            hits = [i for i in hits if rows[i].earliest_expiry is not None and rows[i].earliest_expiry <= limit]
        self._last = (RosterFilter(text, *_rest(f)), hits)
        return hits


def _rest(f: RosterFilter) -> tuple:
    return (f.district, f.category, f.classification, f.expiring_only)
