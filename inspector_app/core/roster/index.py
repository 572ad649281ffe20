"""The enterprise list in memory, searched per keystroke; pure Python, no database import.

Measured on 100,000 enterprises: per-row objects cost ≈ 1 KB each and a Python loop per keystroke ≈ 40 ms,
so the roster is kept as parallel columns (one list or array per field) and every filter is a chain of
C-level iterators (map/compress) with no Python code per row.

Licenses ended by 撤回/撤销/吊销/注销 (001 §39, core/supervision/license_actions.py) do not count for the earliest
expiry. An enterprise all of whose licenses were ended has, in place of an expiry, the effective date of the
last of those actions and its word (`ended`, e.g. 注销): from that day it shows as 已注销 and counts with the
expired ones in the filter 许可证即将到期/已过期 (its license is no longer valid).

The columns are also written to a display cache, so the next start shows the list before the database
layer is even imported (core.roster.load checks the cache against the tables and replaces it when stale).
"""

import hashlib
import marshal
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import compress, repeat
from operator import and_, contains, eq, le, or_, truth
from pathlib import Path

from inspector_app.core import clock
from inspector_app.core.catalog import EXPIRY_WARNING_DAYS, PRODUCT_CATEGORIES
from inspector_app.core.files import write_atomic
from inspector_app.core.identifiers import code_search_key

NO_EXPIRY = 10**8  # an ordinal later than any date: an enterprise without a license never "expires soon"
_CATEGORY_BIT = {c: 1 << n for n, c in enumerate(PRODUCT_CATEGORIES)}


@dataclass(frozen=True)
class RosterRow:
    id: str
    name: str
    uscc: str
    district: str
    classification: str
    license_numbers: str  # joined with 、
    categories: frozenset[str]
    earliest_expiry: date | None  # the day the last license ended, for an enterprise whose licenses all ended
    ended: str = ""  # 撤回/撤销/吊销/注销 when every license of the enterprise was ended by such an action


@dataclass(frozen=True)
class RosterFilter:
    text: str = ""
    district: str | None = None
    category: str | None = None
    classification: str | None = None
    expiring_only: bool = False  # expired or expiring within EXPIRY_WARNING_DAYS


class RosterIndex:
    """The roster as columns; row i of every column is the same enterprise, in roster order."""

    def __init__(self, records: Sequence[tuple] = ()):
        """records: (id, name, uscc, district, classification, license numbers 、-joined, categories |-joined,
        earliest expiry date or None, the word of the action that ended every license or ""), already in
        display order."""
        interned: dict[str, str] = {}
        self.ids: list[str] = []
        self.names: list[str] = []
        self.usccs: list[str] = []
        self.districts: list[str] = []
        self.classes: list[str] = []
        self.licenses: list[str] = []
        self.category_bits = array("I")
        self.expiry = array("i")  # date ordinals; NO_EXPIRY where there is no license
        self.ended: list[str] = []  # "" or 撤回/撤销/吊销/注销: every license ended, from the day in `expiry`
        self._haystack: list[str] = []  # lower-case "name\nUSCC\nlicense numbers"
        for ent_id, name, uscc, district, cls, numbers, categories, expiry, ended in records:
            numbers = numbers or ""
            self.ids.append(ent_id)
            self.names.append(name)
            self.usccs.append(uscc)
            self.districts.append(interned.setdefault(district, district))
            self.classes.append(interned.setdefault(cls, cls))
            self.licenses.append(numbers)
            bits = 0
            for c in (categories or "").split("|"):
                bits |= _CATEGORY_BIT.get(c, 0)
            self.category_bits.append(bits)
            self.expiry.append(expiry.toordinal() if expiry else NO_EXPIRY)
            self.ended.append(interned.setdefault(ended, ended))
            self._haystack.append(f"{name}\n{uscc}\n{numbers}".lower())

    def __len__(self) -> int:
        return len(self.ids)

    def earliest_expiry(self, i: int) -> date | None:
        value = self.expiry[i]
        return None if value == NO_EXPIRY else date.fromordinal(value)

    def row(self, i: int) -> RosterRow:
        return RosterRow(
            id=self.ids[i],
            name=self.names[i],
            uscc=self.usccs[i],
            district=self.districts[i],
            classification=self.classes[i],
            license_numbers=self.licenses[i],
            categories=frozenset(c for c, bit in _CATEGORY_BIT.items() if self.category_bits[i] & bit),
            earliest_expiry=self.earliest_expiry(i),
            ended=self.ended[i],
        )

    def search(self, f: RosterFilter, today: date | None = None) -> list[int]:
        """Indices of the rows matching every given criterion, in roster order."""
        masks = []
        text = f.text.strip().lower()
        if text:
            code = code_search_key(text)  # names are matched as typed, codes also without spaces and full-width
            if code and code != text:
                masks.append(
                    map(or_, map(contains, self._haystack, repeat(text)), map(contains, self._haystack, repeat(code)))
                )
            else:
                masks.append(map(contains, self._haystack, repeat(text)))
        if f.district:
            masks.append(map(eq, self.districts, repeat(f.district)))
        if f.classification:
            masks.append(map(eq, self.classes, repeat(f.classification)))
        if f.category:
            masks.append(map(truth, map(and_, self.category_bits, repeat(_CATEGORY_BIT.get(f.category, 0)))))
        if f.expiring_only:
            limit = ((today or clock.today()) + timedelta(days=EXPIRY_WARNING_DAYS)).toordinal()
            masks.append(map(le, self.expiry, repeat(limit)))
        if not masks:
            return list(range(len(self)))
        combined = masks[0]
        for mask in masks[1:]:
            combined = map(and_, combined, mask)
        return list(compress(range(len(self)), combined))


_CACHE_FORMAT = 2  # 2: the `ended` column


def write_cache(path: Path, fingerprint: tuple, index: RosterIndex) -> None:
    """Best effort: a cache that cannot be written only costs the next start some time."""
    data = (
        _CACHE_FORMAT,
        fingerprint,
        index.ids,
        index.names,
        index.usccs,
        index.districts,
        index.classes,
        index.licenses,
        index.category_bits.tobytes(),
        index.expiry.tobytes(),
        index.ended,
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, marshal.dumps(data), durable=False)  # a shortcut, rebuilt from the database
    except OSError:
        pass


def read_cache(path: Path) -> tuple[tuple, RosterIndex] | None:
    """(fingerprint, index) from a cache file, or None if it is missing, damaged or of another format."""
    try:
        data = marshal.loads(path.read_bytes())
        if data[0] != _CACHE_FORMAT:
            return None
        _version, fingerprint, ids, names, usccs, districts, classes, licenses, bits, expiry, ended = data
        index = RosterIndex()
        index.ids, index.names, index.usccs = ids, names, usccs
        index.districts, index.classes, index.licenses = districts, classes, licenses
        index.category_bits.frombytes(bits)
        index.expiry.frombytes(expiry)
        index.ended = ended
        if not (len(ids) == len(names) == len(usccs) == len(licenses) == len(index.expiry) == len(ended)):
            return None
        index._haystack = [f"{n}\n{u}\n{lic}".lower() for n, u, lic in zip(names, usccs, licenses, strict=True)]
        return tuple(fingerprint), index
    except (OSError, ValueError, EOFError, TypeError, IndexError):
        return None


def cache_path(db_path: Path) -> Path:
    """Per database file, under the user's data directory (never beside a database on a USB stick)."""
    from inspector_app.paths import data_dir

    key = hashlib.sha256(str(Path(db_path).resolve()).encode()).hexdigest()[:16]
    return data_dir() / "cache" / f"roster-{key}.bin"
