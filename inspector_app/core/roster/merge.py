"""Applying checked rows to the database: checks between rows and against the archive, one enterprise from
its rows, the plan of inserts and updates, and writing it with executemany."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, insert, select, update

from inspector_app.core import clock
from inspector_app.core.catalog import ISSUANCE_MODES
from inspector_app.core.problems import Problems
from inspector_app.core.roster.base import ImportReport, RowError
from inspector_app.core.roster.rows import Rec
from inspector_app.core.roster.values import CLASS_ORDER, RISK_ORDER
from inspector_app.core.storage.identity import Allocator
from inspector_app.core.storage.models import Enterprise, License, Site, utcnow
from inspector_app.i18n import _


@dataclass(slots=True)
class _Ent:
    uscc: str
    name: str
    legal_rep: str
    contact: str
    phone: str
    address: str
    district: str
    classification: str
    risk_level: str
    first_row: int


_ENT_FIELDS = ("name", "legal_rep", "contact", "phone", "address", "district", "classification", "risk_level")
_LIC_FIELDS = ("category", "products", "issue_date", "expiry_date", "issuance")
_KEPT_WHEN_EMPTY = ("products", "issue_date", "issuance")  # an empty cell keeps what is known


def _chunks(items: Sequence, size: int = 900) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Existing:
    """The database rows the file touches, fetched in chunks of keys (never one query per row)."""

    def __init__(self, session, usccs: set[str], numbers: set[str]):
        ent_cols = (Enterprise.id, Enterprise.uscc, *(getattr(Enterprise, f) for f in _ENT_FIELDS))
        self.enterprises: dict[str, dict] = {}
        for chunk in _chunks(sorted(usccs)):
            for row in session.execute(select(*ent_cols).where(Enterprise.uscc.in_(chunk))):
                self.enterprises[row.uscc] = row._asdict()
        self.licenses: dict[str, dict] = {}
        lic_cols = (
            License.id,
            License.number,
            License.enterprise_id,
            License.site_id,
            *(getattr(License, f) for f in _LIC_FIELDS),
        )
        for chunk in _chunks(sorted(numbers)):
            for row in session.execute(select(*lic_cols).where(License.number.in_(chunk))):
                self.licenses[row.number] = row._asdict()
        # Owners of those licenses that are not in the file, to name them in a conflict.
        self.owner: dict[str, tuple[str, str]] = {e["id"]: (e["uscc"], e["name"]) for e in self.enterprises.values()}
        missing = sorted({lic["enterprise_id"] for lic in self.licenses.values()} - set(self.owner))
        for chunk in _chunks(missing):
            for eid, uscc, name in session.execute(
                select(Enterprise.id, Enterprise.uscc, Enterprise.name).where(Enterprise.id.in_(chunk))
            ):
                self.owner[eid] = (uscc, name)
        self.sites: dict[tuple[str, str], dict] = {}
        ent_ids = sorted(e["id"] for e in self.enterprises.values())
        for chunk in _chunks(ent_ids):
            for row in session.execute(
                select(Site.id, Site.enterprise_id, Site.address, Site.district).where(Site.enterprise_id.in_(chunk))
            ):
                self.sites[(row.enterprise_id, row.address)] = row._asdict()


def cross_check(
    recs: list[Rec],
    existing: Existing,
    layout_name: Callable[[str], str],
    skip_existing: bool,
    problems: Problems[RowError],
) -> list[Rec]:
    """Checks between rows and against the database; returns the rows that pass."""
    first_by_uscc: dict[str, Rec] = {}
    first_by_number: dict[str, Rec] = {}
    good: list[Rec] = []
    for rec in recs:
        bad = False
        prev = first_by_uscc.get(rec.uscc)
        if prev is not None and prev.name != rec.name:
            problems.error(
                rec.row,
                layout_name("name"),
                _("与第{r}行统一社会信用代码相同（{u}），但企业名称不同（第{r}行为“{a}”），请核对代码或名称").format(
                    r=prev.row, u=rec.uscc, a=prev.name
                ),
            )
            bad = True
        lic_prev = first_by_number.get(rec.number)
        if lic_prev is not None and not bad:
            if lic_prev.uscc != rec.uscc:
                problems.error(
                    rec.row,
                    layout_name("number"),
                    _(
                        "许可证编号与第{r}行相同，但属于另一家企业（第{r}行为“{a}”，{u}）；一张许可证只能属于一家企业"
                    ).format(r=lic_prev.row, a=lic_prev.name, u=lic_prev.uscc),
                )
                bad = True
            else:
                for key in _LIC_FIELDS:
                    a, b = getattr(lic_prev, key), getattr(rec, key)
                    if a != b and not (key in _KEPT_WHEN_EMPTY and not b):
                        problems.error(
                            rec.row,
                            layout_name(key),
                            _("同一许可证编号在第{r}行为“{a}”，此行为“{b}”，请统一").format(
                                r=lic_prev.row, a=_shown(a), b=_shown(b)
                            ),
                        )
                        bad = True
                if not bad and lic_prev.site_address == rec.site_address:
                    problems.warn(rec.row, "", _("与第{r}行重复，已忽略").format(r=lic_prev.row))
        db_lic = existing.licenses.get(rec.number)
        if db_lic is not None and not bad:
            owner_uscc, owner_name = existing.owner.get(db_lic["enterprise_id"], ("", ""))
            if owner_uscc != rec.uscc and not skip_existing:
                problems.error(
                    rec.row,
                    layout_name("number"),
                    _(
                        "该许可证已登记在企业“{n}”（{u}）名下；一张许可证只能属于一家企业，请核对编号或统一社会信用代码"
                    ).format(n=owner_name, u=owner_uscc),
                )
                bad = True
        if bad:
            continue
        first_by_uscc.setdefault(rec.uscc, rec)
        first_by_number.setdefault(rec.number, rec)
        good.append(rec)
    return good


def _shown(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return ISSUANCE_MODES.get(str(value), str(value or _("空")))  # an issuance code in its words


def merge_enterprises(
    recs: list[Rec], layout_name: Callable[[str], str], problems: Problems[RowError]
) -> dict[str, _Ent]:
    ents: dict[str, _Ent] = {}
    districts: dict[str, dict[str, int]] = {}  # uscc → district → the first row with it
    for rec in recs:
        seen = districts.setdefault(rec.uscc, {})
        if seen and rec.district not in seen:  # 001 §15: each site counts where it is
            problems.warn(
                rec.row,
                layout_name("district"),
                _(
                    "该企业的生产地址分布在不同的区（第{r}行为{a}，此行为{b}）：检查、发现的问题和责令改正按被检查的"
                    "生产地址所在区统计，获证企业在每个有其生产地址的区各计1家，请核对所在区"
                ).format(r=min(seen.values()), a="、".join(seen), b=rec.district),
            )
        seen.setdefault(rec.district, rec.row)
        ent = ents.get(rec.uscc)
        if ent is None:
            ents[rec.uscc] = _Ent(
                rec.uscc,
                rec.name,
                rec.legal_rep,
                rec.contact,
                rec.phone,
                rec.address,
                rec.district,
                rec.classification,
                rec.risk_level,
                rec.row,
            )
            continue
        for key in ("legal_rep", "contact", "phone", "address"):
            mine, theirs = getattr(rec, key), getattr(ent, key)
            if mine and not theirs:
                setattr(ent, key, mine)
            elif mine and mine != theirs:
                problems.warn(
                    rec.row,
                    layout_name(key),
                    _("与第{r}行同一企业的值不同（“{a}”），按第{r}行导入").format(r=ent.first_row, a=theirs),
                )
        if rec.classification and rec.classification != ent.classification:
            worst = max(rec.classification, ent.classification or rec.classification, key=CLASS_ORDER.index)
            if ent.classification:
                problems.warn(
                    rec.row,
                    layout_name("classification"),
                    _(
                        "与第{r}行同一企业的分类不同，按较低的 {c} 类计"
                        "（《上海市工业产品生产许可证证后监督检查管理办法》第三十一条）"
                    ).format(r=ent.first_row, c=worst),
                )
            ent.classification = worst
        if rec.risk_level and rec.risk_level != ent.risk_level:
            # The highest product risk governs the enterprise (I is the highest, 001 §12).
            ent.risk_level = min(filter(None, (rec.risk_level, ent.risk_level)), key=RISK_ORDER.index)
    return ents


def check_class_changes(
    session, recs: list[Rec], ents: dict[str, _Ent], existing: Existing, layout_name: Callable[[str], str], errors
) -> list[Rec]:
    """A roster may set the class of an enterprise the archive does not know; a change of a known enterprise's
    class follows the rules of `classify` (001 §8 written commitment, §9 no AA for five years after a false
    commitment, §33 no skip-level upgrade and one upgrade a year): every row that gives a refused class is a bad
    row. Returns the rows that pass."""
    from inspector_app.core.supervision.classification_checks import change_refusal

    refused: dict[str, str] = {}
    today = clock.today()
    for uscc, ent in ents.items():
        old = existing.enterprises.get(uscc)
        if old is None or not ent.classification or ent.classification == old["classification"]:
            continue
        reason = change_refusal(session, old["id"], ent.classification, on=today)
        if reason is not None:
            refused[uscc] = _(
                "该企业已建档，当前为{a}类；名录将其改为{b}类不符合企业分类规则：{r}。"
                "名录导入不能越过分类规则，请核对此行分类，或在“企业分类”中按规则调整"
            ).format(a=old["classification"], b=ent.classification, r=reason)
    if not refused:
        return recs
    for rec in recs:
        if rec.uscc in refused and rec.classification:
            errors.error(rec.row, layout_name("classification"), refused[rec.uscc])
    return [r for r in recs if not (r.uscc in refused and r.classification)]


@dataclass
class Plan:
    ent_inserts: list[dict] = field(default_factory=list)
    ent_updates: list[dict] = field(default_factory=list)
    site_inserts: list[dict] = field(default_factory=list)
    lic_inserts: list[dict] = field(default_factory=list)
    lic_updates: list[dict] = field(default_factory=list)
    class_changes: list[dict] = field(default_factory=list)  # the classification archive (001 §18)


def _class_change(ids: Allocator, enterprise_id: str, old: str | None, new: str, given: bool, now: datetime) -> dict:
    """The history row of a class the roster sets: the archive must say where every class came from."""
    row = {
        "rev": 1,
        "updated_at": now,
        "enterprise_id": enterprise_id,
        "changed_on": clock.today(),
        "category": None,
        "from_class": old,
        "to_class": new,
        "from_risk": None,
        "to_risk": None,
        "rule": "名录导入" if given else "001 §10",
        "reason": _("按企业名录导入") if given else _("新获证企业，名录未给分类，按B类（基本）"),
        "who": _("名录导入"),
        "commitment": "",
        "created_at": now,
    }
    row["id"] = ids.make("classification_change", row)  # enterprise + date + rule + classes (core/storage/identity.py)
    return row


def plan_writes(
    recs: list[Rec], ents: dict[str, _Ent], existing: Existing, skip_existing: bool, report: ImportReport
) -> Plan:
    plan = Plan()
    now = utcnow()
    # Ids from natural keys (core/storage/identity.py): the same roster loaded anywhere makes the same records. A new
    # site's id may only meet one of its enterprise's existing sites (an address that differs in spaces).
    ids = Allocator({s["id"] for s in existing.sites.values()})
    ent_id: dict[str, str] = {}
    skipped: set[str] = set()
    for uscc, ent in ents.items():
        old = existing.enterprises.get(uscc)
        if old is None:
            eid = ids.make("enterprise", {"uscc": uscc})
            plan.ent_inserts.append(
                {
                    "id": eid,
                    "rev": 1,
                    "updated_at": now,
                    "uscc": uscc,
                    "name": ent.name,
                    "legal_rep": ent.legal_rep,
                    "contact": ent.contact,
                    "phone": ent.phone,
                    "address": ent.address,
                    "district": ent.district,
                    # 001 §10: a new licensee is class B until the bureau classifies it.
                    "classification": ent.classification or "B",
                    "risk_level": ent.risk_level or None,
                }
            )
            plan.class_changes.append(
                _class_change(ids, eid, None, ent.classification or "B", bool(ent.classification), now)
            )
            ent_id[uscc] = eid
            continue
        ent_id[uscc] = old["id"]
        if skip_existing:
            skipped.add(uscc)
            continue
        new = {k: old[k] for k in _ENT_FIELDS}
        for attr in _ENT_FIELDS:
            value = getattr(ent, attr)
            if value:  # an empty cell never erases what the archive already knows
                new[attr] = value
        if any(new[k] != old[k] for k in _ENT_FIELDS):
            plan.ent_updates.append({"b_id": old["id"], **new})
            if new["classification"] != old["classification"]:
                plan.class_changes.append(
                    _class_change(ids, old["id"], old["classification"], new["classification"], True, now)
                )
        else:
            report.enterprises_unchanged += 1
    report.enterprises_added = len(plan.ent_inserts)
    report.enterprises_updated = len(plan.ent_updates)
    report.enterprises_skipped = len(skipped)

    site_id: dict[tuple[str, str], str] = {}
    for rec in recs:
        if rec.uscc in skipped:
            continue
        eid = ent_id[rec.uscc]
        key = (eid, rec.site_address)
        if key in site_id:
            continue
        old_site = existing.sites.get(key)
        if old_site is not None:
            site_id[key] = old_site["id"]
            continue
        sid = ids.make("site", {"enterprise_id": eid, "address": rec.site_address})
        site_id[key] = sid
        plan.site_inserts.append(
            {
                "id": sid,
                "rev": 1,
                "updated_at": now,
                "enterprise_id": eid,
                "address": rec.site_address,
                "district": rec.district,
            }
        )
    report.sites_added = len(plan.site_inserts)

    seen_numbers: set[str] = set()
    for rec in recs:
        if rec.uscc in skipped or rec.number in seen_numbers:
            continue
        seen_numbers.add(rec.number)
        eid = ent_id[rec.uscc]
        sid = site_id[(eid, rec.site_address)]
        old = existing.licenses.get(rec.number)
        if old is None:
            plan.lic_inserts.append(
                {
                    "id": ids.make("license", {"number": rec.number}),
                    "rev": 1,
                    "updated_at": now,
                    "enterprise_id": eid,
                    "site_id": sid,
                    "number": rec.number,
                    "category": rec.category,
                    "products": rec.products,
                    "issue_date": rec.issue_date,
                    "expiry_date": rec.expiry_date,
                    "issuance": rec.issuance or None,
                }
            )
            continue
        if skip_existing:
            continue
        new = {
            "site_id": sid,
            "category": rec.category,
            "expiry_date": rec.expiry_date,
            "products": rec.products or old["products"],
            "issue_date": rec.issue_date or old["issue_date"],
            "issuance": rec.issuance or old["issuance"],
        }
        if any(new[k] != old[k] for k in new):
            plan.lic_updates.append({"b_id": old["id"], **new})
    report.licenses_added = len(plan.lic_inserts)
    report.licenses_updated = len(plan.lic_updates)
    return plan


def write_plan(session, plan: Plan) -> None:
    from inspector_app.core.storage.supervision_models import ClassificationChange

    now = utcnow()
    Allocator.settle(
        session,
        [
            (Enterprise.__table__, plan.ent_inserts, ()),
            (Site.__table__, plan.site_inserts, ("enterprise_id",)),
            (License.__table__, plan.lic_inserts, ("enterprise_id", "site_id")),
            (ClassificationChange.__table__, plan.class_changes, ("enterprise_id",)),
        ],
    )
    if plan.ent_inserts:
        session.execute(insert(Enterprise.__table__), plan.ent_inserts)
    if plan.ent_updates:
        t = Enterprise.__table__
        stmt = (
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(**{k: bindparam(k) for k in _ENT_FIELDS}, rev=t.c.rev + 1, updated_at=now)
        )
        session.execute(stmt, plan.ent_updates)
    if plan.site_inserts:
        session.execute(insert(Site.__table__), plan.site_inserts)
    if plan.lic_inserts:
        session.execute(insert(License.__table__), plan.lic_inserts)
    if plan.lic_updates:
        t = License.__table__
        stmt = (
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(**{k: bindparam(k) for k in ("site_id", *_LIC_FIELDS)}, rev=t.c.rev + 1, updated_at=now)
        )
        session.execute(stmt, plan.lic_updates)
    if plan.class_changes:
        session.execute(insert(ClassificationChange.__table__), plan.class_changes)
