"""The built-in record kinds (sync/records.py has the machinery): the device register, settings, the roster,
template snapshots, inspections with their answers, receipts. Other features add theirs from
`inspector_app/sync/kinds_*.py` modules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func, select

from inspector_app.core.storage.sync_models import BUREAU, FIELD
from inspector_app.i18n import _
from inspector_app.sync.format import is_safe_id, unb64
from inspector_app.sync.records import (
    LOCAL_SETTING_PREFIXES,
    Dumped,
    KindOptions,
    RecordKind,
    RecordProblem,
    Registry,
    TableKind,
    chunks,
    decoder,
    encode_row,
    encoder,
    record_hash,
    rows,
)


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
        from inspector_app.core.storage.models import Inspection, InspectionMember, ItemResult

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
        return {i: f"{rev}:{n}:{total}" for i, rev, n, total in rows(session, q, self.t.c.id, ids)}

    def dump(self, session, ids=None):
        out: dict[str, Dumped] = {}
        for row in rows(session, select(self.t), self.t.c.id, ids):
            m = row._mapping
            data = encode_row(self._enc, m)
            data["team"], data["answers"] = [], {}
            out[m["id"]] = Dumped(m["id"], data, [], m["updated_at"].isoformat() if m["updated_at"] else None)
        keys = list(out) if ids is not None else None
        mq = select(self.members.c.inspection_id, self.members.c.inspector_id).order_by(self.members.c.position)
        for insp_id, inspector_id in rows(session, mq, self.members.c.inspection_id, keys):
            if insp_id in out:
                out[insp_id].data["team"].append(inspector_id)
        for row in rows(session, select(self.results), self.results.c.inspection_id, keys):
            m = row._mapping
            if m["inspection_id"] in out:
                answer = encode_row(self._answer_enc, m)
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

    deletable = True  # a draft deleted on its laptop (inspections.delete_draft); a signed one never is

    def delete(self, ctx, ids):
        # Its team, answers, photos and signatures go with it (ON DELETE CASCADE).
        for chunk in chunks(ids):
            ctx.session.execute(sa.delete(self.t).where(self.t.c.id.in_(chunk)))

    def check_against(self, session, recs):
        # Answer ids must not collide with another inspection's answers.
        ids = {a[0]: (r.id, item) for r in recs for item, a in r.parsed["answers"].items()}
        for chunk in chunks(list(ids)):
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
    from inspector_app.core.storage.models import utcnow

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
        from inspector_app.core.storage.models import TemplateSnapshot

        self.t = TemplateSnapshot.__table__

    def marks(self, session, ids=None):
        return {d: "1" for (d,) in rows(session, select(self.t.c.digest), self.t.c.digest, ids)}

    def dump(self, session, ids=None):
        out = {}
        for row in rows(session, select(self.t), self.t.c.digest, ids):
            m = row._mapping
            data = {"template_id": m["template_id"], "version": m["version"], "content": m["content"]}
            out[m["digest"]] = Dumped(m["digest"], data, [], None, record_hash(self, data, {}))
        return out

    def title(self, data):
        return f"{data.get('template_id', '')} v{data.get('version', '')}"

    def validate(self, data, record_id):
        from inspector_app.core.inspection.templates import Template, TemplateError

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
        from inspector_app.core.storage.models import Setting

        self.t = Setting.__table__

    def _shared(self, key: str) -> bool:
        return is_safe_id(key) and not key.startswith(LOCAL_SETTING_PREFIXES)

    def dump(self, session, ids=None):
        out = {}
        for key, value in rows(session, select(self.t.c.key, self.t.c.value), self.t.c.key, ids):
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

    deletable = True  # reset to its default at the bureau (settings.reset): reset on the laptops too

    def delete(self, ctx, ids):
        keys = [k for k in ids if self._shared(k)]  # never this machine's own settings
        for chunk in chunks(keys):
            ctx.session.execute(sa.delete(self.t).where(self.t.c.key.in_(chunk)))


class DeviceKind(TableKind):
    """The device register, bureau → field: keys, inspector, validity, revocations. The bureau decides."""

    def __init__(self):
        from inspector_app.core.storage.sync_models import Device

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
        self.deletable = False  # revoked, never deleted: the bundles it signed must stay verifiable

    def check_against(self, session, recs):
        # A device id is bound to its keys for life: a bundle that changes them is refused.
        keys = {r.id: (r.data.get("signing_key"), r.data.get("encryption_key")) for r in recs}
        for chunk in chunks(list(keys)):
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


def _roster_kinds() -> Iterable[RecordKind]:
    from inspector_app.core.catalog import CLASSES
    from inspector_app.core.storage.models import Enterprise, Inspector, License, Site

    # Roster: the bureau's; a laptop sends only its own corrections (issue 4 §1), which may conflict.
    common: KindOptions = {"ordered": True, "field_sends_edited_only": True}
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


def add_builtin_kinds(reg: Registry) -> Registry:
    reg.add(DeviceKind())
    reg.add(SettingKind())
    for kind in _roster_kinds():
        reg.add(kind)
    reg.add(TemplateSnapshotKind())
    reg.add(InspectionKind())
    return reg
