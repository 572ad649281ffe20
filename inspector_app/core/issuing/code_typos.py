"""A mistyped 核验码: which character is wrong, where that can be told.

The code (core/issuing/signing.verification_code) is 16 Crockford base-32 characters — 40 bits of the inspection id,
then 40 bits of the content hash — and a check character. One check character can say *that* a code is
wrong (31 of 32 single mistakes), not *where*. So, as a clerk would: a character that is no code character
at all is named at once; otherwise the signed records of this database whose code differs from the typed one
by one character, or by two neighbouring characters swapped, are the candidates, found by the half of the
code that is still right (the id half or the hash half, each an indexed prefix search). One candidate names
the wrong character and what it should be; none or several say only that the code was mistyped.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from inspector_app.core.issuing.signing import CODE_ALPHABET as ALPHABET
from inspector_app.core.issuing.signing import SIGNED, verification_code
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import Amendment, InspectionSignoff
from inspector_app.i18n import _

LENGTH = 17


@dataclass(frozen=True)
class Correction:
    position: int  # 1-based, counting the 17 characters without dashes
    typed: str
    correct: str
    code: str  # the corrected code, grouped
    swapped: bool = False


def normalise(code: str) -> str:
    """Upper case without dashes and spaces; O → 0, I and L → 1 (Crockford's reading rules)."""
    clean = code.strip().upper().replace("-", "").replace(" ", "").replace("－", "")
    return clean.translate(str.maketrans("OIL", "011"))


def where(position: int) -> str:
    """“第2组第3个字符” as the code is printed (groups of four, then the check character)."""
    if position == LENGTH:
        return _("最后一位（校验位）")
    return _("第{g}组第{k}个字符").format(g=(position - 1) // 4 + 1, k=(position - 1) % 4 + 1)


def bad_characters(code: str) -> list[tuple[int, str]]:
    """(position, character) of every character that no code contains (e.g. U, or a punctuation mark)."""
    clean = normalise(code)
    return [(i + 1, c) for i, c in enumerate(clean) if c not in ALPHABET]


def _value(chars: str) -> int:
    n = 0
    for c in chars:
        n = (n << 5) | ALPHABET.index(c)
    return n


def _near(typed: str, candidate: str) -> Correction | None:
    """The one substitution or neighbour swap turning `typed` into `candidate`, if that is all it takes."""
    diff = [i for i in range(LENGTH) if typed[i] != candidate[i]]
    grouped = "-".join(candidate[i : i + 4] for i in range(0, 16, 4)) + "-" + candidate[16]
    if len(diff) == 1:
        i = diff[0]
        return Correction(i + 1, typed[i], candidate[i], grouped)
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        i = diff[0]
        if typed[i] == candidate[i + 1] and typed[i + 1] == candidate[i]:
            return Correction(i + 1, typed[i : i + 2], candidate[i : i + 2], grouped, swapped=True)
    return None


def corrections(db: Database, code: str) -> list[Correction]:
    """The signed records whose code is one typing mistake away from `code` (17 valid characters)."""
    typed = normalise(code)
    if len(typed) != LENGTH or any(c not in ALPHABET for c in typed):
        return []
    id_hex = f"{_value(typed[:8]):010x}"
    hash_hex = f"{_value(typed[8:16]):010x}"
    dashed = f"{id_hex[:8]}-{id_hex[8:]}"
    pairs: set[tuple[str, str]] = set()
    with db.session() as s:
        for iid, h in s.execute(
            select(InspectionSignoff.inspection_id, InspectionSignoff.content_hash).where(
                InspectionSignoff.inspection_id.like(f"{dashed}%")
            )
        ):
            pairs.add((iid, h))
            for ah in s.scalars(
                select(Amendment.content_hash).where(Amendment.inspection_id == iid, Amendment.status == SIGNED)
            ):
                if ah:
                    pairs.add((iid, ah))
        by_hash = [
            select(InspectionSignoff.inspection_id, InspectionSignoff.content_hash).where(
                InspectionSignoff.content_hash.like(f"{hash_hex}%")
            ),
            select(Amendment.inspection_id, Amendment.content_hash).where(
                Amendment.content_hash.like(f"{hash_hex}%"), Amendment.status == SIGNED
            ),
        ]
        for query in by_hash:
            pairs.update((iid, h) for iid, h in s.execute(query) if h is not None)  # LIKE never matches NULL
    found: dict[str, Correction] = {}
    for iid, h in pairs:
        try:
            candidate = verification_code(iid, h).replace("-", "")
        except ValueError:
            continue
        near = _near(typed, candidate)
        if near is not None:
            found[near.code] = near
    return list(found.values())


def explain(correction: Correction) -> str:
    if correction.swapped:
        return _("{w}起的两个字符“{t}”应为“{c}”（前后颠倒），正确的核验码是 {code}").format(
            w=where(correction.position), t=correction.typed, c=correction.correct, code=correction.code
        )
    return _("{w}“{t}”应为“{c}”，正确的核验码是 {code}").format(
        w=where(correction.position), t=correction.typed, c=correction.correct, code=correction.code
    )
