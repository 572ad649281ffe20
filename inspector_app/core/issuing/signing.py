"""Signing an inspection (检查人员和企业负责人员分别签字, 001 §26; 拒绝签字的予以注明, 002 三(四)).

Signing finalises a completed inspection: every team member signs, the enterprise representative signs or
the refusal/absence is recorded with its reason and a witness, and a SHA-256 content hash is stored over a
canonical serialisation of the answers, the team, the signatures, the photos and the template digest.
The inspection row is never edited after that (core/inspection/inspections.py already refuses any change to a
non-draft inspection). A later correction is an `Amendment`: it lists the changed fields, points at the
hash of the state it corrects (a hash chain), and is itself signed. Documents print the state after all
signed amendments and carry the latest hash (`current_hash`).

Canonical serialisation: JSON with sorted keys, no spaces, UTF-8, strings in Unicode NFC; see
`canonical_json`. docs/documents.md documents the format and the verification code derived from it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inspector_app.core import clock, settings
from inspector_app.core.catalog import CONCLUSIONS
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.inspection.inspections import COMPLETED, DRAFT, Answer
from inspector_app.core.inspection.snapshots import template_from_snapshot
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import Amendment, InspectionSignoff, Photo, Signature
from inspector_app.core.storage.models import Inspection, InspectionMember
from inspector_app.i18n import _

INSPECTOR, REPRESENTATIVE = "inspector", "representative"
ROLES = {INSPECTOR: "检查人员", REPRESENTATIVE: "企业代表"}
SIGNED, REFUSED, ABSENT = "signed", "refused", "absent"
STATES = {SIGNED: "已签字", REFUSED: "拒绝签字", ABSENT: "不在场"}
PAD, PAPER = "pad", "paper"
SIGNED_STATUS = "signed"  # the inspection's status as signing reports it (draft / completed / signed)
STATUSES = {DRAFT: "填写中", COMPLETED: "已完成（待签字）", SIGNED_STATUS: "已签字"}

SCHEMA = "xcjc.signed-inspection.v1"
AMENDMENT_SCHEMA = "xcjc.amendment.v1"
MAX_IMAGE_BYTES = 2_000_000
MAX_DAYS = 365
AMENDABLE_FIELDS = ("conclusion", "na_reason", "record", "remark", "rectified_on_site")
PERIOD_FIELD = "rectification_days"  # an amendment may also change the period (item_id "")
_PNG = b"\x89PNG\r\n\x1a\n"


class NotSigned(DomainError):
    pass


# ---------------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class SignatureInput:
    """What the sign dialog or an importer hands in for one signer."""

    role: str
    name: str = ""
    inspector_id: str | None = None
    title: str = ""
    phone: str = ""
    state: str = SIGNED
    reason: str = ""
    witness: str = ""
    strokes: tuple = ()  # ((x, y), …) per stroke, in pad pixels
    image: bytes | None = None  # PNG
    source: str = PAD


@dataclass(frozen=True)
class SignatureView:
    role: str
    position: int
    name: str
    inspector_id: str | None
    title: str
    phone: str
    state: str
    reason: str
    witness: str
    source: str
    image: bytes | None
    image_sha256: str
    signed_on: date

    @property
    def note(self) -> str:
        """The sentence printed in place of a missing representative signature (002 三(四))."""
        if self.state == SIGNED:
            return ""
        who = f"（{self.name}）" if self.name else ""
        what = _("拒绝签字") if self.state == REFUSED else _("不在场，未能签字")
        return _("企业代表{who}{what}。原因：{reason}。见证人：{witness}。").format(
            who=who, what=what, reason=self.reason.rstrip("。"), witness=self.witness
        )


@dataclass(frozen=True)
class Change:
    item_id: str  # "" for the rectification period
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class AmendmentView:
    id: str
    seq: int
    reason: str
    changes: tuple[Change, ...]
    status: str
    previous_hash: str
    content_hash: str | None
    signed_on: date | None
    signatures: tuple[SignatureView, ...]


@dataclass(frozen=True)
class SignedState:
    inspection_id: str
    content_hash: str  # of the original signing
    current_hash: str  # of the latest signed amendment, or content_hash
    canonical: dict  # what was signed (parsed)
    rectification_days: int  # after amendments
    signed_on: date
    signatures: tuple[SignatureView, ...]
    amendments: tuple[AmendmentView, ...] = field(default_factory=tuple)

    @property
    def verification_code(self) -> str:
        return verification_code(self.inspection_id, self.current_hash)

    @property
    def representative(self) -> SignatureView:
        return next(s for s in self.signatures if s.role == REPRESENTATIVE)

    @property
    def inspectors(self) -> tuple[SignatureView, ...]:
        return tuple(s for s in self.signatures if s.role == INSPECTOR)

    @property
    def signed_amendments(self) -> tuple[AmendmentView, ...]:
        return tuple(a for a in self.amendments if a.status == SIGNED)

    def answers(self) -> dict[str, Answer]:
        """The answers as signed, with every signed amendment applied in order."""
        out = {a["item_id"]: Answer(**a) for a in self.canonical["answers"]}
        for amendment in self.signed_amendments:
            for c in amendment.changes:
                if c.item_id:
                    base = out.get(c.item_id) or Answer(c.item_id)
                    out[c.item_id] = Answer(**{**base.__dict__, c.field: c.new})
        return out


# ---------------------------------------------------------------------------------------------- canonical form


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    return value


def canonical_json(content: dict) -> str:
    return json.dumps(_norm(content), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _signature_content(sig: Signature) -> dict:
    return {
        "role": sig.role,
        "position": sig.position,
        "inspector_id": sig.inspector_id,
        "name": sig.name,
        "title": sig.title,
        "phone": sig.phone,
        "state": sig.state,
        "reason": sig.reason,
        "witness": sig.witness,
        "source": sig.source,
        "image_sha256": sig.image_sha256,
        "signed_on": sig.signed_on.isoformat(),
    }


def _inspection_content(session: Session, insp: Inspection, signatures: list[Signature], days: int, on: date) -> dict:
    template = template_from_snapshot(insp.template_digest, insp.template.content)
    results = {r.item_id: r for r in insp.results}
    answers = []
    for item in template.items:
        r = results.get(item.id)
        answers.append(
            {
                "item_id": item.id,
                "conclusion": r.conclusion if r else None,
                "na_reason": r.na_reason if r else "",
                "record": r.record if r else "",
                "remark": r.remark if r else "",
                "rectified_on_site": bool(r.rectified_on_site) if r else False,
            }
        )
    photos = session.execute(
        select(Photo.item_id, Photo.sha256).where(Photo.inspection_id == insp.id).order_by(Photo.item_id, Photo.sha256)
    ).all()
    lic = insp.license
    ent = insp.enterprise
    return {
        "schema": SCHEMA,
        "inspection": {
            "id": insp.id,
            "kind": insp.kind,
            "inspected_on": insp.inspected_on.isoformat(),
            "enterprise_id": ent.id,
            "enterprise_name": ent.name,
            "uscc": ent.uscc,
            "legal_rep": ent.legal_rep,
            "contact": ent.contact,
            "phone": ent.phone,
            "site_id": insp.site_id,
            "site_address": insp.site.address,
            "license_id": insp.license_id,
            "license_number": lic.number if lic else "",
            "license_category": lic.category if lic else "",
            "license_products": lic.products if lic else "",
            "license_issue_date": lic.issue_date.isoformat() if lic and lic.issue_date else None,
            "license_expiry_date": lic.expiry_date.isoformat() if lic else None,
        },
        "template": {"id": template.id, "version": template.version, "digest": template.digest},
        "team": [
            {
                "position": m.position,
                "inspector_id": m.inspector_id,
                "name": m.inspector.name,
                "badge_no": m.inspector.badge_no,
            }
            for m in insp.members
        ],
        "answers": answers,
        "photos": [{"item_id": i, "sha256": h} for i, h in photos],
        "rectification_days": days,
        "signed_on": on.isoformat(),
        "signatures": [_signature_content(s) for s in signatures],
    }


def _amendment_content(am: Amendment, signatures: list[Signature], on: date) -> dict:
    return {
        "schema": AMENDMENT_SCHEMA,
        "inspection_id": am.inspection_id,
        "seq": am.seq,
        "previous_hash": am.previous_hash,
        "reason": am.reason,
        "changes": json.loads(am.changes),
        "signed_on": on.isoformat(),
        "signatures": [_signature_content(s) for s in signatures],
    }


# ---------------------------------------------------------------------------------------------- verification code

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_ALPHABET = _CROCKFORD  # public: core/issuing/code_typos.py names a mistyped character


def _b32(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    bits = len(data) * 8
    chars = []
    for shift in range(bits - 5, -5, -5):
        chars.append(_CROCKFORD[(n >> shift) & 31] if shift >= 0 else _CROCKFORD[(n << -shift) & 31])
    return "".join(chars)


def verification_code(inspection_id: str, content_hash: str) -> str:
    """16 Crockford base-32 characters (the first 40 bits of the inspection id and of the content hash) and a
    check character, grouped by four: e.g. 8Z3K-1QWE-2MXD-8RTV-H."""
    payload = uuid.UUID(inspection_id).bytes[:5] + bytes.fromhex(content_hash)[:5]
    body = _b32(payload)
    check = _CROCKFORD[hashlib.sha256(body.encode()).digest()[0] & 31]
    groups = [body[i : i + 4] for i in range(0, 16, 4)]
    return "-".join([*groups, check])


def parse_verification_code(code: str) -> tuple[str, str]:
    """(hex prefix of the inspection id, hex prefix of the content hash); refuses a mistyped code."""
    clean = code.strip().upper().replace("-", "").replace(" ", "")
    clean = clean.translate(str.maketrans("OIL", "011"))
    if len(clean) != 17 or any(c not in _CROCKFORD for c in clean):
        raise ValidationError(_("核验码"), _("应为17位（4组4位加1位校验位），请核对后重新输入"))
    body, check = clean[:16], clean[16]
    if _CROCKFORD[hashlib.sha256(body.encode()).digest()[0] & 31] != check:
        raise ValidationError(_("核验码"), _("校验位不符，可能抄错了一位，请核对后重新输入"))
    n = 0
    for c in body:
        n = (n << 5) | _CROCKFORD.index(c)
    raw = n.to_bytes(10, "big")
    return raw[:5].hex(), raw[5:].hex()


def qr_payload(doc_type: str, inspection_id: str, content_hash: str) -> str:
    """The text of a document's QR code: XCJC:1:<DOCUMENT>:<INSPECTION ID>:<CONTENT HASH>, upper case so
    that it fits QR's compact alphanumeric mode (a smaller code, quicker to print and to scan); a reader
    lower-cases the id and hash (parse_qr_payload)."""
    return ":".join(["XCJC", "1", doc_type, inspection_id, content_hash]).upper()


def parse_qr_payload(text: str) -> tuple[str, str, str]:
    """(document type, inspection id, content hash) from a scanned QR code."""
    parts = text.strip().split(":")
    if len(parts) != 5 or parts[0].upper() != "XCJC" or parts[1] != "1":
        raise ValidationError(_("二维码"), _("不是本程序出具的文书二维码"))
    return parts[2].lower(), parts[3].lower(), parts[4].lower()


def find_by_code(db: Database, code: str) -> SignedState:
    """The signed inspection a paper copy's verification code points at (bureau side)."""
    id_prefix, hash_prefix = parse_verification_code(code)
    dashed = f"{id_prefix[:8]}-{id_prefix[8:]}"
    with db.session() as s:
        ids = s.scalars(
            select(InspectionSignoff.inspection_id).where(InspectionSignoff.inspection_id.like(f"{dashed}%"))
        )
        for inspection_id in ids:
            state = _state(s, inspection_id)
            hashes = [state.content_hash, *(a.content_hash for a in state.signed_amendments)]
            if any(h and h.startswith(hash_prefix) for h in hashes):
                return state
    raise NotFound(_("核验码 {c} 找不到对应的已签字检查记录：该文书可能不是本局出具，或内容已被改动。").format(c=code))


# ---------------------------------------------------------------------------------------------- signing


def _check_png(image: bytes | None, who: str) -> str:
    if image is None:
        return ""
    if not isinstance(image, bytes | bytearray) or not bytes(image).startswith(_PNG):
        raise ValidationError(who, _("签名图片应为PNG格式"))
    if len(image) > MAX_IMAGE_BYTES:
        raise ValidationError(who, _("签名图片过大（超过2MB）"))
    return hashlib.sha256(image).hexdigest()


def _strokes_json(strokes) -> str:
    if not strokes:
        return ""
    return json.dumps([[[round(float(x), 1), round(float(y), 1)] for x, y in stroke] for stroke in strokes])


@dataclass(frozen=True)
class SignerProblem:
    """One thing wrong with a set of signers. `index` is the position of the input concerned in the list
    handed in (None: the set as a whole, e.g. a team member who did not sign); `field` the input's field
    ("role", "inspector_id", "name", "title", "phone", "state", "reason", "witness", "image", "" for the
    entry); `who` names the signer as the sign dialog does."""

    index: int | None
    field: str
    who: str
    message: str


def signer_problems(team: list[tuple[str, str]], inputs: list[SignatureInput]) -> list[SignerProblem]:
    """Every problem of `inputs` as the signatures of `team` [(inspector id, name), …] in position order.

    The rules of signing in one place, without a database (001 §26: 检查人员和企业负责人员分别签字; 002 三(四):
    拒绝签字的予以注明): `_make_signatures` (sign dialog, paper signatures) raises the first one, the inspection
    importer (core/inspection/json_io.py) reports each with its place in the file. Problems come in the order in
    which signing checks them.
    """
    out: list[SignerProblem] = []

    def add(index: int | None, field_name: str, who: str, message: str) -> None:
        out.append(SignerProblem(index, field_name, who, message))

    names = dict(team)
    for k, x in enumerate(inputs):
        if x.role not in ROLES:
            add(k, "role", _("签字"), _("未知的签字人身份：{r}").format(r=x.role))
    signers: dict[str, int] = {}  # inspector id → index of its first signature
    for k, x in enumerate(inputs):
        if x.role == INSPECTOR:
            if x.inspector_id in signers:
                add(k, "inspector_id", _("检查人员签字"), _("同一检查人员签了两次"))
            else:
                signers[x.inspector_id] = k
    for inspector_id, k in signers.items():
        if inspector_id not in names:
            add(k, "inspector_id", _("检查人员签字"), _("签字人不是本次检查组成员"))
    missing = [name for inspector_id, name in team if inspector_id not in signers]
    if missing:
        add(None, "", _("检查人员签字"), _("以下检查组成员尚未签字：{n}").format(n="、".join(missing)))
    reps = [k for k, x in enumerate(inputs) if x.role == REPRESENTATIVE]
    if not reps:
        add(None, "", _("企业代表"), _("应有一位企业代表签字，或注明其拒绝签字/不在场"))
    for k in reps[1:]:
        add(
            k,
            "role",
            _("企业代表"),
            _("只能有一位企业代表签字（或注明其拒绝签字/不在场），现在有{n}位").format(n=len(reps)),
        )
    for inspector_id, name in team:
        k = signers.get(inspector_id)
        if k is None:
            continue
        x = inputs[k]
        who = _("检查人员 {n}").format(n=name)
        if x.state != SIGNED:
            add(k, "state", who, _("检查人员必须本人签字"))
        for field_name in ("title", "phone", "reason", "witness"):
            if getattr(x, field_name).strip():
                add(k, field_name, who, _("检查人员签字只有签名，不填写职务、电话、原因或见证人"))
        try:
            digest = _check_png(x.image, who)
        except ValidationError as e:
            add(k, "image", who, e.reason)
            continue
        if x.source == PAD and (not digest or not x.strokes):
            add(k, "image", who, _("尚未签名，请在签字板上签名"))
    if reps:
        k = reps[0]
        rep = inputs[k]
        who = _("企业代表")
        if rep.state not in STATES:
            allowed = "、".join(f"{code}（{label}）" for code, label in STATES.items())
            add(k, "state", who, _("“{s}”不是有效的签字状态，只能是 {a}").format(s=rep.state, a=allowed))
        elif rep.state == SIGNED:
            if not rep.name.strip():
                add(k, "name", who, _("请填写企业代表姓名"))
            for field_name in ("reason", "witness"):
                if getattr(rep, field_name).strip():
                    add(
                        k,
                        field_name,
                        who,
                        _("企业代表已签字，不填写原因和见证人；如其拒绝签字或不在场，请选择相应情况"),
                    )
            try:
                digest = _check_png(rep.image, who)
            except ValidationError as e:
                add(k, "image", who, e.reason)
            else:
                if rep.source == PAD and (not digest or not rep.strokes):
                    add(
                        k,
                        "image",
                        who,
                        _("企业代表尚未签名；如其拒绝签字或不在场，请选择相应情况并注明原因和见证人"),
                    )
        else:
            if not rep.reason.strip():
                add(
                    k,
                    "reason",
                    who,
                    _("请注明{s}的原因（002 三(四)：拒绝签字的予以注明）").format(s=STATES[rep.state]),
                )
            if not rep.witness.strip():
                add(k, "witness", who, _("请填写见证人姓名"))
            if rep.image:
                add(k, "image", who, _("企业代表{s}，没有签名，不能附签名图片").format(s=STATES[rep.state]))
    return out


def _make_signatures(
    session: Session, insp: Inspection, inputs: list[SignatureInput], on: date, amendment_id: str | None = None
) -> list[Signature]:
    """Validate the signers against the team (signer_problems) and build the rows (not yet added to the session)."""
    members = sorted(insp.members, key=lambda m: m.position)
    problems = signer_problems([(m.inspector_id, m.inspector.name) for m in members], inputs)
    if problems:
        raise ValidationError(problems[0].who, problems[0].message)
    team = {m.inspector_id: m for m in members}
    inspectors = [x for x in inputs if x.role == INSPECTOR]
    reps = [x for x in inputs if x.role == REPRESENTATIVE]
    rows: list[Signature] = []
    for x in sorted(inspectors, key=lambda x: team[x.inspector_id].position):
        member = team[x.inspector_id]
        who = _("检查人员 {n}").format(n=member.inspector.name)
        digest = _check_png(x.image, who)
        rows.append(
            Signature(
                inspection_id=insp.id,
                amendment_id=amendment_id,
                role=INSPECTOR,
                position=member.position,
                inspector_id=member.inspector_id,
                name=member.inspector.name,
                title="",
                phone="",
                state=SIGNED,
                reason="",
                witness="",
                source=x.source,
                strokes=_strokes_json(x.strokes),
                image=bytes(x.image) if x.image else None,
                image_sha256=digest,
                signed_on=on,
            )
        )
    rep = reps[0]
    name = rep.name.strip()
    digest = _check_png(rep.image, _("企业代表")) if rep.state == SIGNED else ""
    rows.append(
        Signature(
            inspection_id=insp.id,
            amendment_id=amendment_id,
            role=REPRESENTATIVE,
            position=0,
            inspector_id=None,
            name=name,
            title=rep.title.strip(),
            phone=rep.phone.strip(),
            state=rep.state,
            reason=rep.reason.strip() if rep.state != SIGNED else "",
            witness=rep.witness.strip() if rep.state != SIGNED else "",
            source=rep.source,
            strokes=_strokes_json(rep.strokes) if rep.state == SIGNED else "",
            image=bytes(rep.image) if rep.state == SIGNED and rep.image else None,
            image_sha256=digest,
            signed_on=on,
        )
    )
    return rows


def _load(session: Session, inspection_id: str) -> Inspection:
    insp = session.get(
        Inspection,
        inspection_id,
        options=[
            selectinload(Inspection.results),
            selectinload(Inspection.members).selectinload(InspectionMember.inspector),
        ],
    )
    if insp is None:
        raise NotFound(_("找不到该检查记录"))
    return insp


def _signoff(session: Session, inspection_id: str) -> InspectionSignoff | None:
    return session.scalar(select(InspectionSignoff).where(InspectionSignoff.inspection_id == inspection_id))


def _check_days(days: int) -> int:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise ValidationError(_("整改期限"), _("应为1到{m}之间的天数，现在是“{d}”").format(m=MAX_DAYS, d=days))
    return days


def sign_in_session(
    session: Session,
    inspection_id: str,
    signatures: list[SignatureInput],
    *,
    rectification_days: int | None = None,
    signed_on: date | None = None,
) -> SignedState:
    insp = _load(session, inspection_id)
    if insp.status == DRAFT:
        raise DomainError(_("该检查记录尚未完成。请先填写全部检查项并“完成检查”，再签字确认。"))
    if _signoff(session, inspection_id) is not None:
        raise DomainError(_("该检查记录已签字确认，不能再次签字；如需更正，请创建更正记录。"))
    on = signed_on or clock.today()
    days = rectification_days
    if days is None:
        days = settings.read_int(session, "rectification.default_days") or 30
    _check_days(days)
    rows = _make_signatures(session, insp, signatures, on)
    content = _inspection_content(session, insp, rows, days, on)
    text = canonical_json(content)
    session.add_all(rows)
    session.add(
        InspectionSignoff(
            inspection_id=insp.id,
            content_hash=sha256_hex(text),
            canonical=text,
            rectification_days=days,
            signed_on=on,
            signed_at=clock.now(),
            device=settings.read(session, "device.name"),
        )
    )
    session.flush()
    return _state(session, inspection_id)


def sign_inspection(
    db: Database,
    inspection_id: str,
    signatures: list[SignatureInput],
    *,
    rectification_days: int | None = None,
    signed_on: date | None = None,
) -> SignedState:
    """Sign a completed inspection in one transaction; returns the signed state (with the content hash)."""
    with db.session() as s:
        return sign_in_session(s, inspection_id, signatures, rectification_days=rectification_days, signed_on=signed_on)


def record_paper_signatures(
    target: Database | Session,
    inspection_id: str,
    signatures: list[dict],
    *,
    rectification_days: int | None = None,
    signed_on: date | str | None = None,
) -> SignedState:
    """Enter the signatures of a record signed on paper (for the inspection importer).

    `signatures` is the JSON list documented in docs/documents.md ("Paper signatures"):
    {"role": "inspector", "inspector_id": "…", "image_png_base64": "…"?} for every team member and one
    {"role": "representative", "name", "title", "phone", "state": "signed"|"refused"|"absent",
     "reason", "witness", "image_png_base64"?}. Images (scans of the paper signatures) are optional.
    """
    inputs = []
    for n, raw in enumerate(signatures, start=1):
        if not isinstance(raw, dict):
            raise ValidationError(_("签字第{n}项").format(n=n), _("应为对象（{...}）"))
        image = None
        if raw.get("image_png_base64"):
            try:
                image = base64.b64decode(raw["image_png_base64"], validate=True)
            except (binascii.Error, ValueError):
                raise ValidationError(_("签字第{n}项").format(n=n), _("image_png_base64 不是有效的Base64")) from None
        known = {"role", "inspector_id", "name", "title", "phone", "state", "reason", "witness", "image_png_base64"}
        extra = set(raw) - known
        if extra:
            raise ValidationError(_("签字第{n}项").format(n=n), _("未知字段：{f}").format(f="、".join(sorted(extra))))
        inputs.append(
            SignatureInput(
                role=str(raw.get("role", "")),
                name=str(raw.get("name", "")),
                inspector_id=raw.get("inspector_id"),
                title=str(raw.get("title", "")),
                phone=str(raw.get("phone", "")),
                state=str(raw.get("state", SIGNED)),
                reason=str(raw.get("reason", "")),
                witness=str(raw.get("witness", "")),
                image=image,
                source=PAPER,
            )
        )
    if isinstance(signed_on, str):
        try:
            signed_on = date.fromisoformat(signed_on)
        except ValueError:
            raise ValidationError(_("签字日期"), _("应为 YYYY-MM-DD，现在是“{d}”").format(d=signed_on)) from None
    if isinstance(target, Database):
        return sign_inspection(
            target, inspection_id, inputs, rectification_days=rectification_days, signed_on=signed_on
        )
    return sign_in_session(target, inspection_id, inputs, rectification_days=rectification_days, signed_on=signed_on)


# ---------------------------------------------------------------------------------------------- reading


def _view(sig: Signature) -> SignatureView:
    return SignatureView(
        sig.role,
        sig.position,
        sig.name,
        sig.inspector_id,
        sig.title,
        sig.phone,
        sig.state,
        sig.reason,
        sig.witness,
        sig.source,
        sig.image,
        sig.image_sha256,
        sig.signed_on,
    )


def _sig_order(sig: Signature) -> tuple:
    return (0 if sig.role == INSPECTOR else 1, sig.position)


def _state(session: Session, inspection_id: str) -> SignedState:
    off = _signoff(session, inspection_id)
    if off is None:
        raise NotSigned(_("该检查记录尚未签字确认，不能出具文书。请先完成检查并由检查组和企业代表签字。"))
    sigs = session.scalars(select(Signature).where(Signature.inspection_id == inspection_id)).all()
    amendments = session.scalars(
        select(Amendment).where(Amendment.inspection_id == inspection_id).order_by(Amendment.seq)
    ).all()
    days = off.rectification_days
    views = []
    current = off.content_hash
    for am in amendments:
        changes = tuple(Change(**c) for c in json.loads(am.changes))
        if am.status == SIGNED:
            current = am.content_hash or current
            for c in changes:
                if c.field == PERIOD_FIELD:
                    days = int(c.new)
        views.append(
            AmendmentView(
                am.id,
                am.seq,
                am.reason,
                changes,
                am.status,
                am.previous_hash,
                am.content_hash,
                am.signed_on,
                tuple(_view(x) for x in sorted((x for x in sigs if x.amendment_id == am.id), key=_sig_order)),
            )
        )
    return SignedState(
        inspection_id=inspection_id,
        content_hash=off.content_hash,
        current_hash=current,
        canonical=json.loads(off.canonical),
        rectification_days=days,
        signed_on=off.signed_on,
        signatures=tuple(_view(x) for x in sorted((x for x in sigs if x.amendment_id is None), key=_sig_order)),
        amendments=tuple(views),
    )


def get_signed(db: Database, inspection_id: str) -> SignedState:
    """The signed state; NotFound for an unknown inspection, NotSigned for one not signed yet."""
    with db.session() as s:
        if s.get(Inspection, inspection_id) is None:
            raise NotFound(_("找不到该检查记录"))
        return _state(s, inspection_id)


def status(db: Database, inspection_id: str) -> str:
    """draft / completed / signed."""
    with db.session() as s:
        insp = s.get(Inspection, inspection_id)
        if insp is None:
            raise NotFound(_("找不到该检查记录"))
        return SIGNED_STATUS if _signoff(s, inspection_id) else insp.status


def is_signed(session: Session, inspection_id: str) -> bool:
    return _signoff(session, inspection_id) is not None


def verify_record(db: Database, inspection_id: str) -> list[str]:
    """Recompute the canonical content from the stored rows; returns what no longer matches (empty: intact).

    The enterprise's master data (name, contact, license) may change after signing without touching the
    signed record: only the inspection's own parts are compared.
    """
    problems = []
    with db.session() as s:
        insp = _load(s, inspection_id)
        off = _signoff(s, inspection_id)
        if off is None:
            raise NotSigned(_("该检查记录尚未签字确认"))
        if sha256_hex(off.canonical) != off.content_hash:
            problems.append(_("签字时保存的内容与其哈希值不符"))
        sigs = sorted(
            s.scalars(
                select(Signature).where(Signature.inspection_id == inspection_id, Signature.amendment_id.is_(None))
            ),
            key=_sig_order,
        )
        now = json.loads(canonical_json(_inspection_content(s, insp, sigs, off.rectification_days, off.signed_on)))
        then = json.loads(off.canonical)
        labels = {
            "answers": _("检查结论和记录"),
            "team": _("检查组"),
            "signatures": _("签字"),
            "photos": _("照片"),
            "template": _("检查表版本"),
        }
        for key, label in labels.items():
            if _without_ids(now[key]) != _without_ids(then[key]):
                problems.append(_("{what}在签字后被改动").format(what=label))
        for sig in sigs:
            if sig.image is not None and hashlib.sha256(sig.image).hexdigest() != sig.image_sha256:
                problems.append(_("{n}的签名图片在签字后被改动").format(n=sig.name or ROLES[sig.role]))
        for am in s.scalars(
            select(Amendment).where(Amendment.inspection_id == inspection_id, Amendment.status == SIGNED)
        ):
            if am.canonical is None or sha256_hex(am.canonical) != am.content_hash:
                problems.append(_("第{n}次更正的内容与其哈希值不符").format(n=am.seq))
    return problems


def _without_ids(value):
    """Team and signatures compared by who (执法证号, name), not by record id: migration 0800 moved inspectors'
    ids to ones derived from their 执法证号 after some records were signed (the signed text keeps the old)."""
    if isinstance(value, list):
        return [{k: v for k, v in x.items() if k != "inspector_id"} if isinstance(x, dict) else x for x in value]
    return value


# ---------------------------------------------------------------------------------------------- amendments


def _coerce(item_id: str, field_name: str, value: Any) -> Any:
    where = _("更正 {i}").format(i=item_id or _("整改期限"))
    if field_name == PERIOD_FIELD:
        try:
            return _check_days(int(value))
        except (TypeError, ValueError):
            raise ValidationError(where, _("整改期限应为天数")) from None
    if field_name not in AMENDABLE_FIELDS:
        raise ValidationError(where, _("“{f}”不能更正").format(f=field_name))
    if field_name == "conclusion":
        if value not in CONCLUSIONS:
            raise ValidationError(where, _("“{c}”不是有效的检查结论").format(c=value))
        return value
    if field_name == "rectified_on_site":
        return bool(value)
    return str(value)


def create_amendment(db: Database, inspection_id: str, reason: str, changes: list[tuple[str, str, Any]]) -> str:
    """A draft correction of a signed inspection: (item_id, field, new value) triples; item_id "" with field
    "rectification_days" changes the period. It takes effect only once signed (sign_amendment)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("更正原因"), _("不能为空"))
    if not changes:
        raise ValidationError(_("更正"), _("没有任何更正内容"))
    with db.session() as s:
        insp = _load(s, inspection_id)
        state = _state(s, inspection_id)
        if any(a.status != SIGNED for a in state.amendments):
            raise DomainError(_("还有一份未签字的更正，请先签字或删除它"))
        template = template_from_snapshot(insp.template_digest, insp.template.content)
        answers = state.answers()
        out = []
        for item_id, field_name, new in changes:
            if field_name == PERIOD_FIELD:
                old = state.rectification_days
            else:
                try:
                    item = template.item(item_id)
                except KeyError:
                    raise ValidationError(_("更正"), _("“{i}”不在该检查表中").format(i=item_id)) from None
                if not item.applies(template.product_kind):
                    raise ValidationError(_("更正 {i}").format(i=item_id), _("该项不适用于本产品类别"))
                old = getattr(answers.get(item_id) or Answer(item_id), field_name, None)
            value = _coerce(item_id, field_name, new)
            if value == old:
                continue
            out.append({"item_id": item_id, "field": field_name, "old": old, "new": value})
        if not out:
            raise ValidationError(_("更正"), _("更正后的内容与原内容相同"))
        after = dict(answers)
        for c in out:
            if c["item_id"]:
                after[c["item_id"]] = Answer(
                    **{**after.get(c["item_id"], Answer(c["item_id"])).__dict__, c["field"]: c["new"]}
                )
        # The corrected answers obey the form's rules as the answers do (002 附件2; inspections.save_answer).
        for item_id, ans in after.items():
            where = _("更正 {i}").format(i=item_id)
            if ans.conclusion == "nonconform" and not ans.record.strip():
                raise ValidationError(where, _("结论为“不符合”，须填写检查记录"))
            if ans.conclusion == "na" and not template.item(item_id).na_allowed:
                raise ValidationError(where, _("检查表不允许该项填写“不适用”，只能是“符合”或“不符合”"))
            if ans.rectified_on_site and ans.conclusion != "nonconform":
                raise ValidationError(where, _("只有“不符合”的项目才能登记当场整改"))
        am = Amendment(
            inspection_id=inspection_id,
            seq=len(state.amendments) + 1,
            reason=reason,
            changes=canonical_json(out),
            status=DRAFT,
            previous_hash=state.current_hash,
            created_at=clock.now(),
        )
        s.add(am)
        s.flush()
        return am.id


def sign_amendment(
    db: Database, amendment_id: str, signatures: list[SignatureInput], *, signed_on: date | None = None
) -> AmendmentView:
    """Sign a draft correction: the same signers as the inspection (team + representative or refusal note)."""
    with db.session() as s:
        am = s.get(Amendment, amendment_id)
        if am is None:
            raise NotFound(_("找不到该更正记录"))
        if am.status == SIGNED:
            raise DomainError(_("该更正已签字，不能再次签字"))
        insp = _load(s, am.inspection_id)
        on = signed_on or clock.today()
        rows = _make_signatures(s, insp, signatures, on, amendment_id=am.id)
        text = canonical_json(_amendment_content(am, rows, on))
        s.add_all(rows)
        am.canonical = text
        am.content_hash = sha256_hex(text)
        am.status = SIGNED
        am.signed_on = on
        s.flush()
        return next(a for a in _state(s, am.inspection_id).amendments if a.id == am.id)


def delete_draft_amendment(db: Database, amendment_id: str) -> None:
    with db.session() as s:
        am = s.get(Amendment, amendment_id)
        if am is None:
            raise NotFound(_("找不到该更正记录"))
        if am.status == SIGNED:
            raise DomainError(_("已签字的更正不能删除"))
        s.delete(am)


def team_of(db: Database, inspection_id: str) -> list[tuple[str, str]]:
    """(inspector id, name) of the team in order: who has to sign."""
    with db.session() as s:
        insp = _load(s, inspection_id)
        return [(m.inspector_id, m.inspector.name) for m in insp.members]


def default_days(db: Database) -> int:
    return settings.get_int(db, "rectification.default_days") or 30
