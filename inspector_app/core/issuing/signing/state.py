"""Reading a signed inspection back: its signed state after amendments, its status, a check of the stored
rows against what was signed, and the state a verification code points at."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inspector_app.core.errors import NotFound
from inspector_app.core.issuing.signing.codes import parse_verification_code
from inspector_app.core.issuing.signing.content import inspection_content, sha256_hex, signed_json
from inspector_app.core.issuing.signing.values import (
    INSPECTOR,
    PERIOD_FIELD,
    ROLES,
    SIGNED,
    SIGNED_STATUS,
    AmendmentView,
    Change,
    NotSigned,
    SignatureView,
    SignedState,
)
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import Amendment, InspectionSignoff, Signature
from inspector_app.core.storage.models import Inspection, InspectionMember
from inspector_app.i18n import _


def load_inspection(session: Session, inspection_id: str) -> Inspection:
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


def signoff_of(session: Session, inspection_id: str) -> InspectionSignoff | None:
    return session.scalar(select(InspectionSignoff).where(InspectionSignoff.inspection_id == inspection_id))


def signature_view(sig: Signature) -> SignatureView:
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


def signature_order(sig: Signature) -> tuple:
    return (0 if sig.role == INSPECTOR else 1, sig.position)


def read_state(session: Session, inspection_id: str) -> SignedState:
    off = signoff_of(session, inspection_id)
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
                tuple(
                    signature_view(x) for x in sorted((x for x in sigs if x.amendment_id == am.id), key=signature_order)
                ),
            )
        )
    return SignedState(
        inspection_id=inspection_id,
        content_hash=off.content_hash,
        current_hash=current,
        canonical=json.loads(off.canonical),
        rectification_days=days,
        signed_on=off.signed_on,
        signatures=tuple(
            signature_view(x) for x in sorted((x for x in sigs if x.amendment_id is None), key=signature_order)
        ),
        amendments=tuple(views),
    )


def get_signed(db: Database, inspection_id: str) -> SignedState:
    """The signed state; NotFound for an unknown inspection, NotSigned for one not signed yet."""
    with db.session() as s:
        if s.get(Inspection, inspection_id) is None:
            raise NotFound(_("找不到该检查记录"))
        return read_state(s, inspection_id)


def status(db: Database, inspection_id: str) -> str:
    """draft / completed / signed."""
    with db.session() as s:
        insp = s.get(Inspection, inspection_id)
        if insp is None:
            raise NotFound(_("找不到该检查记录"))
        return SIGNED_STATUS if signoff_of(s, inspection_id) else insp.status


def is_signed(session: Session, inspection_id: str) -> bool:
    return signoff_of(session, inspection_id) is not None


def verify_record(db: Database, inspection_id: str) -> list[str]:
    """Recompute the canonical content from the stored rows; returns what no longer matches (empty: intact).

    The enterprise's master data (name, contact, license) may change after signing without touching the
    signed record: only the inspection's own parts are compared.
    """
    problems = []
    with db.session() as s:
        insp = load_inspection(s, inspection_id)
        off = signoff_of(s, inspection_id)
        if off is None:
            raise NotSigned(_("该检查记录尚未签字确认"))
        if sha256_hex(off.canonical) != off.content_hash:
            problems.append(_("签字时保存的内容与其哈希值不符"))
        sigs = sorted(
            s.scalars(
                select(Signature).where(Signature.inspection_id == inspection_id, Signature.amendment_id.is_(None))
            ),
            key=signature_order,
        )
        now = json.loads(signed_json(inspection_content(s, insp, sigs, off.rectification_days, off.signed_on)))
        then = json.loads(off.canonical)
        labels = {
            "answers": _("检查结论和记录"),
            "team": _("检查组"),
            "signatures": _("签字"),
            "photos": _("照片"),
            "template": _("检查表版本"),
            "status": _("生产状况登记表"),
        }
        for key, label in labels.items():
            if _without_ids(now.get(key)) != _without_ids(then.get(key)):
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


def find_by_code(db: Database, code: str) -> SignedState:
    """The signed inspection a paper copy's verification code points at (bureau side)."""
    id_prefix, hash_prefix = parse_verification_code(code)
    dashed = f"{id_prefix[:8]}-{id_prefix[8:]}"
    with db.session() as s:
        ids = s.scalars(
            select(InspectionSignoff.inspection_id).where(InspectionSignoff.inspection_id.like(f"{dashed}%"))
        )
        for inspection_id in ids:
            state = read_state(s, inspection_id)
            hashes = [state.content_hash, *(a.content_hash for a in state.signed_amendments)]
            if any(h and h.startswith(hash_prefix) for h in hashes):
                return state
    raise NotFound(_("核验码 {c} 找不到对应的已签字检查记录：该文书可能不是本局出具，或内容已被改动。").format(c=code))


# ---------------------------------------------------------------------------------------------- signing


def team_of(db: Database, inspection_id: str) -> list[tuple[str, str]]:
    """(inspector id, name) of the team in order: who has to sign."""
    with db.session() as s:
        insp = load_inspection(s, inspection_id)
        return [(m.inspector_id, m.inspector.name) for m in insp.members]
