"""The roster snapshot of a double-random draw (002 三(一)–(二)): what the draw saw, as hashable text.

The enterprises holding a license valid on the draw date (of one district or all) with their product
categories, failed spot checks, the team of their last inspection and declared conflicts of interest, and the
active inspectors with their leader / technical-expert marks. `snapshot_text` is the canonical form that is
hashed (the roster hash), stored with the draw and published; `parse_snapshot_text` reads it back so that
anyone can re-run a draw (core/supervision/draw.py, docs/supervision.md).
"""

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.errors import DomainError
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Enterprise, Inspection, InspectionMember, Inspector, License
from inspector_app.core.storage.supervision_models import ConflictOfInterest, InspectorProfile, SpotCheck
from inspector_app.core.supervision.license_actions import in_force
from inspector_app.i18n import _

SNAPSHOT_VERSION = 1


class SnapshotError(DomainError):
    pass


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def take_snapshot(db: Database, *, year: int, on: date, district: str | None = None) -> dict:
    """The roster the draw sees: licensed enterprises on `on` (of one district or all) and active inspectors."""
    with db.session() as s:
        return roster_snapshot_in(s, year=year, on=on, district=district)


def _sorted(values) -> list:
    return sorted(values) if len(values) > 1 else list(values)


def roster_snapshot_in(s: Session, *, year: int, on: date, district: str | None) -> dict:
    lic_q = (
        select(Enterprise.id, Enterprise.uscc, Enterprise.district, License.category)
        .join(License, License.enterprise_id == Enterprise.id)
        .where(License.expiry_date >= on, (License.issue_date.is_(None)) | (License.issue_date <= on))
        .where(in_force(on))  # 001 §39: a withdrawn, revoked or cancelled license is not drawn
    )
    if district:
        lic_q = lic_q.where(Enterprise.district == district)
    ents: dict[str, list] = {}  # id → [uscc, district, categories, failures, last team, conflicts]
    for eid, uscc, dist, cat in s.execute(lic_q):
        e = ents.get(eid)
        if e is None:
            ents[eid] = [uscc, dist, {cat}, (), (), ()]
        else:
            e[2].add(cat)
    for eid, level, checked_on in s.execute(
        select(SpotCheck.enterprise_id, SpotCheck.level, SpotCheck.checked_on).where(
            SpotCheck.failed_batches > 0, SpotCheck.checked_on <= on
        )
    ):
        if eid in ents:
            ents[eid][3] = {*ents[eid][3], (level, checked_on.year)}
    badge = dict(s.execute(select(Inspector.id, Inspector.badge_no)).all())
    # The team of each enterprise's last inspection up to the draw date (by date, creation time, id): the
    # rows come in that order, so the last one seen per enterprise wins.
    last: dict[str, str] = {}
    for eid, iid in s.execute(
        select(Inspection.enterprise_id, Inspection.id)
        .where(Inspection.inspected_on <= on)
        .order_by(Inspection.inspected_on, Inspection.created_at, Inspection.id)
    ):
        last[eid] = iid
    by_insp = {iid: eid for eid, iid in last.items() if eid in ents}
    ids = list(by_insp)
    teams: dict[str, set] = {}
    for k in range(0, len(ids), 900):
        for iid, inspector_id in s.execute(
            select(InspectionMember.inspection_id, InspectionMember.inspector_id).where(
                InspectionMember.inspection_id.in_(ids[k : k + 900])
            )
        ):
            teams.setdefault(by_insp[iid], set()).add(badge[inspector_id])
    for eid, team in teams.items():
        ents[eid][4] = team
    for inspector_id, eid in s.execute(select(ConflictOfInterest.inspector_id, ConflictOfInterest.enterprise_id)):
        if eid in ents:
            ents[eid][5] = {*ents[eid][5], badge[inspector_id]}
    profiles = {
        i: (lead, tech)
        for i, lead, tech in s.execute(
            select(InspectorProfile.inspector_id, InspectorProfile.can_lead, InspectorProfile.technical)
        )
    }
    inspectors = [
        {
            "badge": b,
            "name": n,
            "lead": bool(profiles.get(i, (False, False))[0]),
            "tech": bool(profiles.get(i, (False, False))[1]),
        }
        for i, b, n in s.execute(
            select(Inspector.id, Inspector.badge_no, Inspector.name).where(Inspector.active.is_(True))
        )
    ]
    rows = sorted(ents.values(), key=lambda e: e[0])
    return {
        "version": SNAPSHOT_VERSION,
        "year": year,
        "date": on.isoformat(),
        "district": district,
        "enterprises": [
            {
                "uscc": uscc,
                "district": dist,
                "categories": _sorted(cats),
                "failures": [[lv, y] for lv, y in _sorted(fails)],
                "last_team": _sorted(team),
                "conflicts": _sorted(conflicts),
            }
            for uscc, dist, cats, fails, team, conflicts in rows
        ],
        "inspectors": sorted(inspectors, key=lambda i: i["badge"]),
    }


SNAPSHOT_HEADER = "inspector-app draw roster v1"


def _clean(text: str) -> str:
    return str(text).replace("\t", " ").replace("\n", " ").replace("|", "｜")


def snapshot_text(snapshot: dict) -> str:
    """The canonical form of a roster snapshot, the text that is hashed and published (docs/supervision.md).

    UTF-8, one record per line, fields separated by TAB, lists by "|":
        inspector-app draw roster v1
        year<TAB>2022 · date<TAB>2022-06-10 · district<TAB>(empty: all)
        E<TAB>USCC<TAB>district<TAB>categories<TAB>failed spot checks level:year<TAB>last team<TAB>conflicts
        I<TAB>badge<TAB>name<TAB>leader 0/1<TAB>technical expert 0/1
    Enterprises sorted by USCC, inspectors by badge, every list sorted.
    """
    lines = [
        SNAPSHOT_HEADER,
        f"year\t{snapshot['year']}",
        f"date\t{snapshot['date']}",
        f"district\t{_clean(snapshot.get('district') or '')}",
    ]
    clean: dict[str, str] = {}  # districts repeat: clean each once
    join = "|".join
    for e in snapshot["enterprises"]:
        d = e["district"]
        if d not in clean:
            clean[d] = _clean(d)
        f, t, c = e["failures"], e["last_team"], e["conflicts"]
        lines.append(
            f"E\t{e['uscc']}\t{clean[d]}\t{join(e['categories'])}\t"
            f"{join(f'{lv}:{y}' for lv, y in f) if f else ''}\t{join(t) if t else ''}\t{join(c) if c else ''}"
        )
    lines += [
        f"I\t{i['badge']}\t{_clean(i['name'])}\t{int(bool(i['lead']))}\t{int(bool(i['tech']))}"
        for i in snapshot["inspectors"]
    ]
    return "\n".join(lines) + "\n"


def parse_snapshot_text(text: str) -> dict:
    """Inverse of snapshot_text (for re-running a published or stored draw)."""
    lines = text.split("\n")
    if not lines or lines[0] != SNAPSHOT_HEADER:
        raise SnapshotError(_("名录快照格式不对：第一行应为“{h}”").format(h=SNAPSHOT_HEADER))
    head, enterprises, inspectors = {}, [], []

    def split(v: str) -> list[str]:
        return v.split("|") if v else []

    for n, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        f = line.split("\t")
        if f[0] == "E" and len(f) == 7:
            enterprises.append(
                {
                    "uscc": f[1],
                    "district": f[2],
                    "categories": split(f[3]),
                    "failures": [[lv, int(y)] for lv, y in (x.split(":") for x in split(f[4]))],
                    "last_team": split(f[5]),
                    "conflicts": split(f[6]),
                }
            )
        elif f[0] == "I" and len(f) == 5:
            inspectors.append({"badge": f[1], "name": f[2], "lead": f[3] == "1", "tech": f[4] == "1"})
        elif len(f) == 2 and f[0] in ("year", "date", "district"):
            head[f[0]] = f[1]
        else:
            raise SnapshotError(_("名录快照第{n}行格式不对").format(n=n))
    return {
        "version": SNAPSHOT_VERSION,
        "year": int(head["year"]),
        "date": head["date"],
        "district": head.get("district") or None,
        "enterprises": enterprises,
        "inspectors": inspectors,
    }


def snapshot_hash(snapshot: dict) -> str:
    return sha256(snapshot_text(snapshot))
