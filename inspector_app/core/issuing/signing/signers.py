"""Who signs and how: the rules of a set of signers (001 §26; 002 三(四)) and the signature rows built from it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from inspector_app.core.errors import ValidationError
from inspector_app.core.issuing.signing.values import (
    INSPECTOR,
    MAX_IMAGE_BYTES,
    PAD,
    PNG_MAGIC,
    REPRESENTATIVE,
    ROLES,
    SIGNED,
    STATES,
    SignatureInput,
)
from inspector_app.core.storage.docs_models import Signature
from inspector_app.core.storage.models import Inspection, InspectionMember
from inspector_app.i18n import _


def check_png(image: bytes | None, who: str) -> str:
    if image is None:
        return ""
    if not isinstance(image, bytes | bytearray) or not bytes(image).startswith(PNG_MAGIC):
        raise ValidationError(who, _("签名图片应为PNG格式"))
    if len(image) > MAX_IMAGE_BYTES:
        raise ValidationError(who, _("签名图片过大（超过2MB）"))
    return hashlib.sha256(image).hexdigest()


def strokes_json(strokes) -> str:
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
    拒绝签字的予以注明): `make_signatures` (sign dialog, paper signatures) raises the first one, the inspection
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
    signers: dict[str | None, int] = {}  # inspector id → index of its first signature
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
        if inspector_id not in signers:
            continue
        k = signers[inspector_id]
        x = inputs[k]
        who = _("检查人员 {n}").format(n=name)
        if x.state != SIGNED:
            add(k, "state", who, _("检查人员必须本人签字"))
        for field_name in ("title", "phone", "reason", "witness"):
            if getattr(x, field_name).strip():
                add(k, field_name, who, _("检查人员签字只有签名，不填写职务、电话、原因或见证人"))
        try:
            digest = check_png(x.image, who)
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
                digest = check_png(rep.image, who)
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
                    _("请注明{s}的原因（拒绝签字的予以注明）").format(s=STATES[rep.state]),
                )
            if not rep.witness.strip():
                add(k, "witness", who, _("请填写见证人姓名"))
            if rep.image:
                add(k, "image", who, _("企业代表{s}，没有签名，不能附签名图片").format(s=STATES[rep.state]))
    return out


def representative_values(x: SignatureInput) -> dict[str, str]:
    """What is stored of the representative's signature: trimmed text; the reason and witness of a refusal or
    absence only (json_io compares a re-imported file's signatures by these)."""
    signed = x.state == SIGNED
    return {
        "name": x.name.strip(),
        "title": x.title.strip(),
        "phone": x.phone.strip(),
        "state": x.state,
        "reason": "" if signed else x.reason.strip(),
        "witness": "" if signed else x.witness.strip(),
    }


def make_signatures(
    session: Session, insp: Inspection, inputs: list[SignatureInput], on: date, amendment_id: str | None = None
) -> list[Signature]:
    """Validate the signers against the team (signer_problems) and build the rows (not yet added to the session)."""
    members = sorted(insp.members, key=lambda m: m.position)
    problems = signer_problems([(m.inspector_id, m.inspector.name) for m in members], inputs)
    if problems:
        raise ValidationError(problems[0].who, problems[0].message)
    team: dict[str | None, InspectionMember] = {m.inspector_id: m for m in members}  # signer_problems: all found
    inspectors = [x for x in inputs if x.role == INSPECTOR]
    reps = [x for x in inputs if x.role == REPRESENTATIVE]
    rows: list[Signature] = []
    for x in sorted(inspectors, key=lambda x: team[x.inspector_id].position):
        member = team[x.inspector_id]
        who = _("检查人员 {n}").format(n=member.inspector.name)
        digest = check_png(x.image, who)
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
                strokes=strokes_json(x.strokes),
                image=bytes(x.image) if x.image else None,
                image_sha256=digest,
                signed_on=on,
            )
        )
    rep = reps[0]
    digest = check_png(rep.image, _("企业代表")) if rep.state == SIGNED else ""
    rows.append(
        Signature(
            inspection_id=insp.id,
            amendment_id=amendment_id,
            role=REPRESENTATIVE,
            position=0,
            inspector_id=None,
            **representative_values(rep),
            source=rep.source,
            strokes=strokes_json(rep.strokes) if rep.state == SIGNED else "",
            image=bytes(rep.image) if rep.state == SIGNED and rep.image else None,
            image_sha256=digest,
            signed_on=on,
        )
    )
    return rows
