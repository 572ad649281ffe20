"""The canonical form of what is signed: core/canonical's JSON (sorted keys, no spaces, UTF-8) of the content
with every string in Unicode NFC first (`signed_json`), hashed with SHA-256. docs/documents.md documents it."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.canonical import canonical_text
from inspector_app.core.inspection.snapshots import template_from_snapshot
from inspector_app.core.issuing.signing.values import AMENDMENT_SCHEMA, SCHEMA
from inspector_app.core.storage.docs_models import Amendment, Photo, Signature
from inspector_app.core.storage.models import Inspection


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    return value


def signed_json(content: dict | list) -> str:
    """The text that is hashed and stored: text, not bytes, as the database keeps it beside its hash. The same
    bytes as json.dumps(ensure_ascii=False, sort_keys=True, separators=(",", ":")) wrote before it was built on
    core/canonical, so stored hashes still match (the content never holds a float, so no NaN to refuse)."""
    return canonical_text(_norm(content))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signature_content(sig: Signature) -> dict:
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


def inspection_content(session: Session, insp: Inspection, signatures: list[Signature], days: int, on: date) -> dict:
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
    # 002 附件3/附件4: the production-status form's values are signed with the record (only where it has one,
    # so every other signed content is unchanged).
    extra = {}
    if template.status is not None:
        extra["status"] = [
            {"field_id": f.key, "value": results[f.key].record if f.key in results else ""}
            for f in template.status.fields
            if f.editable
        ]
    return {
        **extra,
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
        "signatures": [signature_content(s) for s in signatures],
    }


def amendment_content(am: Amendment, signatures: list[Signature], on: date) -> dict:
    return {
        "schema": AMENDMENT_SCHEMA,
        "inspection_id": am.inspection_id,
        "seq": am.seq,
        "previous_hash": am.previous_hash,
        "reason": am.reason,
        "changes": json.loads(am.changes),
        "signed_on": on.isoformat(),
        "signatures": [signature_content(s) for s in signatures],
    }
