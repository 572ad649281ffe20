"""Inspections out as JSON: the document, and writing it to a file atomically."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspector_app.core.catalog import (
    CONCLUSIONS,
)
from inspector_app.core.errors import DomainError, NotFound
from inspector_app.core.files import write_atomic
from inspector_app.core.inspection.json_io.base import FORMAT, FORMAT_VERSION, LEADER, MEMBER
from inspector_app.core.inspection.json_io.plan import answer_of, is_empty
from inspector_app.core.inspection.json_io.status_io import status_values_list
from inspector_app.core.inspection.snapshots import template_from_snapshot
from inspector_app.core.inspection.templates import Template
from inspector_app.core.issuing import signing
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import InspectionSignoff, Signature
from inspector_app.core.storage.models import (
    Inspection,
    InspectionMember,
)
from inspector_app.i18n import _


def inspections_document(db: Database, ids: Iterable[str] | None = None) -> dict:
    """The export document for the given inspection ids (in that order), or for every inspection."""
    with db.session() as s:
        q = select(Inspection).options(
            selectinload(Inspection.results),
            selectinload(Inspection.members).selectinload(InspectionMember.inspector),
            selectinload(Inspection.enterprise),
            selectinload(Inspection.site),
            selectinload(Inspection.license),
            selectinload(Inspection.template),
        )
        if ids is None:
            rows = list(s.scalars(q.order_by(Inspection.inspected_on, Inspection.created_at, Inspection.id)))
        else:
            wanted = list(dict.fromkeys(ids))
            found = {i.id: i for i in s.scalars(q.where(Inspection.id.in_(wanted)))}
            missing = [i for i in wanted if i not in found]
            if missing:
                raise NotFound(_("找不到检查记录：{ids}；未导出任何内容").format(ids="、".join(missing)))
            rows = [found[i] for i in wanted]
        signoffs: dict[str, InspectionSignoff] = {}
        signatures: dict[str, list[Signature]] = {}
        if rows:
            row_ids = [i.id for i in rows]
            offs = select(InspectionSignoff)
            sigs = select(Signature).where(Signature.amendment_id.is_(None))
            if ids is not None:
                offs = offs.where(InspectionSignoff.inspection_id.in_(row_ids))
                sigs = sigs.where(Signature.inspection_id.in_(row_ids))
            signoffs = {o.inspection_id: o for o in s.scalars(offs)}
            for sig in s.scalars(sigs):
                signatures.setdefault(sig.inspection_id, []).append(sig)
        snapshots: dict[str, dict] = {}
        inspections = []
        for insp in rows:
            template = template_from_snapshot(insp.template_digest, insp.template.content)
            snapshots.setdefault(template.digest, template.to_dict())
            inspections.append(inspection_dict(insp, template, signoffs.get(insp.id), signatures.get(insp.id, [])))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "templates": sorted(snapshots.values(), key=lambda t: (t["id"], t["version"], t["digest"])),
        "inspections": inspections,
    }


def inspection_dict(
    insp: Inspection, template: Template, signoff: InspectionSignoff | None, signatures: list[Signature]
) -> dict:
    order = {item.id: n for n, item in enumerate(template.items)}
    results = sorted(insp.results, key=lambda r: (order.get(r.item_id, len(order)), r.item_id))
    return {
        "id": insp.id,
        "enterprise": {"uscc": insp.enterprise.uscc, "name": insp.enterprise.name},
        "site_address": insp.site.address,
        "license_number": insp.license.number if insp.license else None,
        "template": {"id": template.id, "version": template.version, "digest": template.digest},
        "kind": insp.kind,
        "inspected_on": insp.inspected_on.isoformat(),
        "status": insp.status,
        "completed_at": insp.completed_at.isoformat(timespec="seconds") if insp.completed_at else None,
        "team": [
            {"name": m.inspector.name, "badge_no": m.inspector.badge_no, "role": LEADER if n == 0 else MEMBER}
            for n, m in enumerate(insp.members)
        ],
        "answers": [
            {
                "item_id": r.item_id,
                "conclusion": CONCLUSIONS.get(r.conclusion, r.conclusion) if r.conclusion else None,
                "record": r.record,
                "remark": r.remark,
                "na_reason": r.na_reason,
                "rectified_on_site": bool(r.rectified_on_site),
                "problem_category": r.problem_category,
            }
            for r in results
            if not is_empty(answer_of(r)) and (r.item_id in order or template.status is None)
        ],
        # 002 附件3/附件4: the production-status form's values (item results S<field id>), as their own list.
        "status_values": status_values_list(template.status, {r.item_id: r.record or "" for r in results}),
        "signed_on": signoff.signed_on.isoformat() if signoff else None,
        "rectification_days": signoff.rectification_days if signoff else None,
        "signatures": signatures_list(insp, signatures) if signoff else [],
        "photos": [],
    }


def signatures_list(insp: Inspection, signatures: list[Signature]) -> list[dict]:
    """The signatures of the original signing (not of amendments), team first, in the form import reads."""
    badges: dict[str | None, str] = {m.inspector_id: m.inspector.badge_no for m in insp.members}
    out = []
    for sig in sorted(signatures, key=lambda x: (0 if x.role == signing.INSPECTOR else 1, x.position)):
        image = base64.b64encode(sig.image).decode("ascii") if sig.image else None
        if sig.role == signing.INSPECTOR:
            out.append(
                {
                    "role": sig.role,
                    "badge_no": badges.get(sig.inspector_id, ""),
                    "name": sig.name,
                    "state": sig.state,
                    "image_png_base64": image,
                }
            )
        else:
            out.append(
                {
                    "role": sig.role,
                    "name": sig.name,
                    "title": sig.title,
                    "phone": sig.phone,
                    "state": sig.state,
                    "reason": sig.reason,
                    "witness": sig.witness,
                    "image_png_base64": image,
                }
            )
    return out


def dump_document(document: dict) -> str:
    """UTF-8 JSON text: Chinese unescaped, indented, keys in the documented order, newline at the end."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def export_inspections(db: Database, ids: Iterable[str] | None, path: str | Path) -> int:
    """Writes the given inspections (None: all) to `path` as JSON; returns how many were written.

    The file is replaced atomically: a failed export never leaves half a file behind.
    """
    document = inspections_document(db, ids)
    path = Path(path)
    text = dump_document(document)
    try:
        write_atomic(path, text)
    except OSError as e:
        raise DomainError(_("无法写入文件“{f}”（{e}），未导出任何内容").format(f=path, e=e.strerror or e)) from e
    return len(document["inspections"])
