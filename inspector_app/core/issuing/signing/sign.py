"""Signing a completed inspection (检查人员和企业负责人员分别签字, 001 §26), on the pad or entered from paper."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from sqlalchemy.orm import Session

from inspector_app.core import clock, settings
from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.inspection.inspections import DRAFT
from inspector_app.core.issuing.signing.content import inspection_content, sha256_hex, signed_json
from inspector_app.core.issuing.signing.signers import make_signatures
from inspector_app.core.issuing.signing.state import load_inspection, read_state, signoff_of
from inspector_app.core.issuing.signing.values import MAX_DAYS, PAPER, SIGNED, SignatureInput, SignedState
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import InspectionSignoff
from inspector_app.i18n import _


def check_days(days: int) -> int:
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
    insp = load_inspection(session, inspection_id)
    if insp.status == DRAFT:
        raise DomainError(_("该检查记录尚未完成。请先填写全部检查项并“完成检查”，再签字确认。"))
    if signoff_of(session, inspection_id) is not None:
        raise DomainError(_("该检查记录已签字确认，不能再次签字；如需更正，请创建更正记录。"))
    on = signed_on or clock.today()
    days = rectification_days
    if days is None:
        days = settings.read_int(session, "rectification.default_days") or 30
    check_days(days)
    rows = make_signatures(session, insp, signatures, on)
    content = inspection_content(session, insp, rows, days, on)
    text = signed_json(content)
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
    return read_state(session, inspection_id)


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


def default_days(db: Database) -> int:
    return settings.get_int(db, "rectification.default_days") or 30
