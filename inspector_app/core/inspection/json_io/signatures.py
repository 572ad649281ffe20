"""Signatures recorded on paper: reading them, and comparing them with those of a signed record in the database."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.inspection.json_io.base import SIGNATURE_KEYS, SIGNATURE_LABELS, SIGNATURE_TEXTS, SIGNER_KEYS
from inspector_app.core.inspection.json_io.plan import Plan
from inspector_app.core.inspection.json_io.shape import check_keys, text_field, type_name
from inspector_app.core.issuing import signing
from inspector_app.core.problems import Problems
from inspector_app.core.safe_input import (
    check_image_pixels,
)
from inspector_app.core.storage.docs_models import InspectionSignoff, Signature
from inspector_app.core.storage.models import (
    Inspection,
    Inspector,
)
from inspector_app.i18n import _


class SignatureReader:
    """The signatures of one inspection of the file (a part of Importer)."""

    # Set by InspectionReader.__init__ for the whole Importer: the session and the problems found.
    s: Session
    c: Problems[str]

    if TYPE_CHECKING:  # InspectionReader's and RosterReader's, for the whole Importer

        def read_code(self, raw: dict, key: str, vocabulary: dict[str, str], where: str) -> str | None: ...
        def read_date(self, raw: dict, where: str, key: str = "inspected_on") -> date | None: ...
        def inspector_by_badge(self, badge: str) -> Inspector | None: ...

    def read_signatures(
        self, raw: Any, team: list[Inspector] | None, where: str
    ) -> list[tuple[signing.SignatureInput, dict]] | None:
        """The signatures of a record signed on paper (or exported): each as a SignatureInput (to compare and
        check with signing's rules) and as the dict signing.record_paper_signatures takes; None if wrong."""
        c = self.c
        if raw is None or raw == []:
            return []
        if not isinstance(raw, list):
            c.error(where, _("应为签字的列表 […]，现在是{t}").format(t=type_name(raw)))
            return None
        before = len(c.errors)
        out: list[tuple[signing.SignatureInput, dict]] = []
        places: list[int] = []  # the index in the file of each entry of `out`
        bad: dict[int, set[str]] = {}  # keys already reported, per index in the file
        badges: dict[int, str] = {}
        complete = True  # every entry could be read as a signer: the checks of the set as a whole apply
        for k, entry in enumerate(raw):
            sw = f"{where}[{k}]"
            if not isinstance(entry, dict):
                c.error(
                    sw,
                    _('应为对象，如 {{"role": "inspector", "badge_no": "31000001"}}，现在是{t}').format(
                        t=type_name(entry)
                    ),
                )
                complete = False
                continue
            check_keys(c, entry, SIGNATURE_KEYS, sw, required=("role",))
            wrong = bad.setdefault(k, set())
            role = self.read_code(entry, "role", signing.ROLES, sw) if "role" in entry else None
            texts: dict[str, str] = {}
            for key in SIGNATURE_TEXTS:
                value = text_field(c, entry, key, sw)
                if value is None:
                    wrong.add(key)
                    value = ""
                texts[key] = value
            state = signing.SIGNED if role == signing.INSPECTOR else None
            if entry.get("state") is not None:
                state = self.read_code(entry, "state", signing.STATES, sw)
                if state is None:
                    wrong.add("state")
                    state = signing.SIGNED if role == signing.INSPECTOR else None
            elif role == signing.REPRESENTATIVE:
                c.error(
                    sw,
                    _("企业代表缺少字段 state：signed（已签字）、refused（拒绝签字）或 absent（不在场）"),
                )
            inspector_id = None
            badge = texts["badge_no"].strip()
            if role == signing.INSPECTOR and "badge_no" not in wrong:
                if not badge:
                    c.error(sw, _("检查人员签字须写执法证号 badge_no，与 team 中的一致"))
                else:
                    badges[k] = badge
                    inspector = self.inspector_by_badge(badge)
                    name = texts["name"].strip()
                    if inspector is None:
                        c.error(
                            f"{sw}.badge_no",
                            _("执法证号 {b}{n} 未登记，请先在检查人员名录中添加").format(
                                b=badge, n=_("（{n}）").format(n=name) if name else ""
                            ),
                        )
                    else:
                        inspector_id = inspector.id
                        if name and name != inspector.name:
                            c.warn(
                                f"{sw}.name",
                                _("文件中为“{f}”，执法证号 {b} 登记的是“{r}”；已按执法证号匹配，请核对").format(
                                    f=name, b=badge, r=inspector.name
                                ),
                            )
            elif role == signing.REPRESENTATIVE and badge:
                c.error(f"{sw}.badge_no", _("企业代表不是检查人员，不写执法证号 badge_no"))
            image = None
            encoded = re.sub(r"\s+", "", texts["image_png_base64"])
            if encoded:
                try:
                    image = base64.b64decode(encoded, validate=True)
                    check_image_pixels(image, f"{sw}.image_png_base64")  # a decompression bomb
                except DomainError as e:
                    image = None
                    wrong.add("image_png_base64")
                    c.error(f"{sw}.image_png_base64", str(e))
                except (binascii.Error, ValueError):
                    wrong.add("image_png_base64")
                    c.error(
                        f"{sw}.image_png_base64",
                        _(
                            "不是有效的 Base64 文字（只能含 A–Z、a–z、0–9、+、/，末尾可有 =）；"
                            "请写签名扫描图片（PNG 文件）的 Base64 编码，没有扫描件时删去该字段"
                        ),
                    )
            if role is None or state is None or (role == signing.INSPECTOR and inspector_id is None):
                complete = False
                continue
            x = signing.SignatureInput(
                role=role,
                name=texts["name"],
                inspector_id=inspector_id,
                title=texts["title"],
                phone=texts["phone"],
                state=state,
                reason=texts["reason"],
                witness=texts["witness"],
                image=image,
                source=signing.PAPER,
            )
            d = {"role": role, "state": state, "image_png_base64": encoded if image else None}
            if role == signing.INSPECTOR:
                d["inspector_id"] = inspector_id
            else:
                d.update(name=x.name, title=x.title, phone=x.phone, reason=x.reason, witness=x.witness)
            out.append((x, d))
            places.append(k)
        if team is not None:
            # The rules of signing itself (who signs, refusal with reason and witness, PNG): core/issuing/signing/.
            for p in signing.signer_problems([(m.id, m.name) for m in team], [x for x, _d in out]):
                if p.index is None:
                    if complete:
                        c.error(where, p.message)
                    continue
                k = places[p.index]
                key = SIGNER_KEYS.get(p.field, p.field)
                if key in bad[k]:
                    continue
                message = p.message
                if key == "badge_no":
                    message = _("执法证号 {b}：{m}").format(b=badges.get(k, ""), m=message)
                c.error(f"{where}[{k}].{key}" if key else f"{where}[{k}]", message)
        return out if len(c.errors) == before else None

    def read_signoff(
        self, raw: dict, has_signatures: bool, inspected_on: date | None, where: str
    ) -> tuple[date | None, int | None]:
        """signed_on and rectification_days as written in the file (None: not written)."""
        c = self.c
        if not has_signatures:
            for key in ("signed_on", "rectification_days"):
                if raw.get(key) is not None:
                    c.error(
                        f"{where}.{key}", _("没有签字（signatures 为空）的记录不写 {k}，请删去或写 null").format(k=key)
                    )
            return None, None
        signed_on = days = None
        if raw.get("signed_on") is not None:
            signed_on = self.read_date(raw, where, "signed_on")
            if signed_on is not None and inspected_on is not None and signed_on < inspected_on:
                c.error(
                    f"{where}.signed_on",
                    _("签字日期 {s} 早于检查日期 {d}，请核对").format(
                        s=signed_on.isoformat(), d=inspected_on.isoformat()
                    ),
                )
            elif signed_on is not None and signed_on > clock.today():
                c.warn(f"{where}.signed_on", _("签字日期 {d} 晚于今天，请核对").format(d=signed_on.isoformat()))
        value = raw.get("rectification_days")
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool):
                c.error(
                    f"{where}.rectification_days",
                    _("应为整改期限的天数（整数，不加引号），如 30，现在是{t}").format(t=type_name(value)),
                )
            else:
                try:
                    days = signing.check_days(value)
                except ValidationError as e:
                    c.error(f"{where}.rectification_days", e.reason)
        return signed_on, days

    def signature_differences(self, plan: Plan, existing: Inspection, signoff: InspectionSignoff) -> list[str]:
        """What the file's signatures say differently from those already recorded (empty: the same).

        signed_on and rectification_days are compared only when the file writes them; the names of team
        members are the roster's; how a signature was taken (pad or paper) is not compared."""
        out = []
        if plan.signed_on is not None and plan.signed_on != signoff.signed_on:
            out.append(
                _("签字日期（数据库中 {a}，文件中 {b}）").format(
                    a=signoff.signed_on.isoformat(), b=plan.signed_on.isoformat()
                )
            )
        if plan.rectification_days is not None and plan.rectification_days != signoff.rectification_days:
            out.append(
                _("整改期限（数据库中 {a} 日，文件中 {b} 日）").format(
                    a=signoff.rectification_days, b=plan.rectification_days
                )
            )
        stored = self.s.scalars(
            select(Signature).where(Signature.inspection_id == existing.id, Signature.amendment_id.is_(None))
        ).all()
        names: dict[str | None, str | None] = {m.id: m.name for m in plan.team}  # looked up by a signer's id

        def key(role: str, inspector_id: str | None) -> tuple:
            return (role, inspector_id if role == signing.INSPECTOR else None)

        def who(role: str, inspector_id: str | None) -> str:
            if role == signing.INSPECTOR:
                return _("检查人员 {n}").format(n=names.get(inspector_id, inspector_id))
            return _("企业代表")

        theirs = {key(sig.role, sig.inspector_id): signature_facts(sig) for sig in stored}
        for x in plan.signatures:
            k = key(x.role, x.inspector_id)
            mine = input_facts(x)
            if k not in theirs:
                out.append(_("{w}在数据库中没有签字").format(w=who(*k)))
                continue
            changed = [SIGNATURE_LABELS[f] for f in mine if mine[f] != theirs[k][f]]
            if changed:
                out.append(_("{w}的{f}").format(w=who(*k), f="、".join(changed)))
        return out


def signature_facts(sig: Signature) -> dict:
    """What is compared when a signed record is imported again (the inspector's name is the roster's)."""
    if sig.role == signing.INSPECTOR:
        return {"state": sig.state, "image_sha256": sig.image_sha256 or ""}
    return {
        "name": sig.name,
        "title": sig.title,
        "phone": sig.phone,
        "state": sig.state,
        "reason": sig.reason,
        "witness": sig.witness,
        "image_sha256": sig.image_sha256 or "",
    }


def input_facts(x: signing.SignatureInput) -> dict:
    """The same facts of a signature of the file, normalised as signing stores them."""
    digest = hashlib.sha256(x.image).hexdigest() if x.image else ""
    if x.role == signing.INSPECTOR:
        return {"state": x.state, "image_sha256": digest}
    return {**signing.representative_values(x), "image_sha256": digest if x.state == signing.SIGNED else ""}
