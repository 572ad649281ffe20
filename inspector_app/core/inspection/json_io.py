"""Inspections as JSON files: export for scripts and other offices, import of paper records and of exports.

The format is documented in docs/inspection-json.md. Import validates the whole file against the roster and
the template first and reports every problem at once, each with its place in the file
(`inspections[0].answers[3] (检查项 4.1): …`); then it writes the whole file in one transaction or nothing.
A completed inspection (已完成) is never changed by an import, except that a completed record not yet signed may
receive its signatures (a record signed on paper); a signed record never changes. Importing the same file twice
changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
import json
import os
import re
import tempfile
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inspector_app.core import clock
from inspector_app.core.catalog import (
    CONCLUSIONS,
    INSPECTION_KINDS,
    MIN_TEAM_SIZE,
    PROBLEM_CATEGORIES,
    PRODUCT_KINDS,
    product_kind,
)
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.identifiers import normalize_uscc, parse_license_number
from inspector_app.core.inspection.inspections import (
    COMPLETED,
    DRAFT,
    STATUSES,
    Answer,
    InspectionView,
    TeamMember,
    _snapshot,
    _template_from_snapshot,
    check_problem_category,
    completion_blockers,
)
from inspector_app.core.inspection.templates import Template, TemplateError
from inspector_app.core.issuing import signing
from inspector_app.core.safe_input import (
    MAX_JSON_BYTES,
    UnsafeInput,
    check_date,
    check_image_pixels,
    input_file,
    load_json,
)
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.docs_models import InspectionSignoff, Signature
from inspector_app.core.storage.models import (
    Enterprise,
    Inspection,
    InspectionMember,
    Inspector,
    ItemResult,
    TemplateSnapshot,
    new_id,
    utcnow,
)
from inspector_app.i18n import _

FORMAT = "inspector-app/inspection"
FORMAT_VERSION = 1
LEADER, MEMBER = "组长", "组员"  # InspectionMember.position 0 is the team leader
NA_REASON_MAX = 200  # ItemResult.na_reason is String(200)

_TOP_KEYS = ("format", "format_version", "templates", "inspections")
_INSPECTION_KEYS = (
    "id",
    "enterprise",
    "site_address",
    "license_number",
    "template",
    "kind",
    "inspected_on",
    "status",
    "completed_at",
    "team",
    "answers",
    "signed_on",
    "rectification_days",
    "signatures",
    "photos",
)
_INSPECTION_REQUIRED = ("enterprise", "site_address", "template", "kind", "inspected_on", "status", "team")
_ENTERPRISE_KEYS = ("uscc", "name")
_TEMPLATE_REF_KEYS = ("id", "version", "digest")
_MEMBER_KEYS = ("name", "badge_no", "role")
_ANSWER_KEYS = ("item_id", "conclusion", "record", "remark", "na_reason", "rectified_on_site", "problem_category")
_SIGNATURE_KEYS = ("role", "badge_no", "name", "title", "phone", "state", "reason", "witness", "image_png_base64")
_SIGNATURE_TEXTS = ("badge_no", "name", "title", "phone", "reason", "witness", "image_png_base64")
# The file's key for a field of signing.SignatureInput named by signing.signer_problems.
_SIGNER_KEYS = {"inspector_id": "badge_no", "image": "image_png_base64"}
_SIGNATURE_LABELS = {
    "name": _("姓名"),
    "title": _("职务"),
    "phone": _("电话"),
    "state": _("签字状态"),
    "reason": _("原因"),
    "witness": _("见证人"),
    "image_sha256": _("签名图片"),
}
# Reserved for a later version (evidence photos).
_RESERVED = {
    "photos": _("本版本尚不支持导入照片（photos），请删去该字段或写成空列表 []"),
}
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Chinese hints for the json module's messages a clerk typing a paper record is most likely to meet.
_JSON_HINTS = {
    "Expecting ',' delimiter": "缺少逗号 ,",
    "Expecting ':' delimiter": "字段名后面缺少冒号 :",
    "Expecting property name enclosed in double quotes": "字段名要用英文双引号括起来，或最后一项后面多了逗号",
    "Expecting value": "缺少值，或多了逗号，或用了中文引号“”",
    "Unterminated string": "引号没有配对",
    "Invalid control character": "文字中不能直接换行，换行请写成 \\n",
    "Extra data": "JSON 已经结束，后面还有多余的内容",
    "Invalid \\escape": "反斜杠 \\ 的写法不对，要写反斜杠本身请写成 \\\\",
}


# ------------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class ImportResult:
    """Ids of the inspections the file created, updated and left unchanged; warnings did not stop it."""

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    written: bool = True  # False for a check-only run (dry_run)
    signed: tuple[str, ...] = ()  # of the created and updated ones, those whose signatures the file recorded

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class ImportRefused(DomainError):
    """The file was refused; `problems` lists every problem found, nothing was written."""

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = list(problems)
        head = _("导入被拒绝，未写入任何数据。文件“{f}”有{n}个问题：").format(f=file, n=len(self.problems))
        super().__init__("\n".join([head, *(f"· {p}" for p in self.problems)]))


# ------------------------------------------------------------------------------------------------- export


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
            template = _template_from_snapshot(insp.template_digest, insp.template.content)
            snapshots.setdefault(template.digest, template.to_dict())
            inspections.append(_inspection_dict(insp, template, signoffs.get(insp.id), signatures.get(insp.id, [])))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "templates": sorted(snapshots.values(), key=lambda t: (t["id"], t["version"], t["digest"])),
        "inspections": inspections,
    }


def _inspection_dict(
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
            if not _empty(_answer_of(r))
        ],
        "signed_on": signoff.signed_on.isoformat() if signoff else None,
        "rectification_days": signoff.rectification_days if signoff else None,
        "signatures": _signatures_list(insp, signatures) if signoff else [],
        "photos": [],
    }


def _signatures_list(insp: Inspection, signatures: list[Signature]) -> list[dict]:
    """The signatures of the original signing (not of amendments), team first, in the form import reads."""
    badges = {m.inspector_id: m.inspector.badge_no for m in insp.members}
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
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise DomainError(_("无法写入文件“{f}”（{e}），未导出任何内容").format(f=path, e=e.strerror or e)) from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise DomainError(_("无法写入文件“{f}”（{e}），未导出任何内容").format(f=path, e=e.strerror or e)) from e
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(document["inspections"])


# ------------------------------------------------------------------------------------------------- import


def _answer_of(r: ItemResult) -> Answer:
    return Answer(
        r.item_id,
        r.conclusion,
        r.na_reason or "",
        r.record or "",
        r.remark or "",
        bool(r.rectified_on_site),
        r.problem_category or None,
    )


def _empty(a: Answer) -> bool:
    return not (a.conclusion or a.na_reason or a.record or a.remark or a.rectified_on_site)


@dataclass
class _Plan:
    """One inspection of the file, validated and resolved to database ids; `action` says what to do."""

    index: int
    id: str | None
    template: Template
    enterprise_id: str
    site_id: str
    license_id: str | None
    kind: str
    inspected_on: date
    status: str
    completed_at: datetime | None
    team: list[Inspector]
    answers: dict[str, Answer]
    existing: Inspection | None = None
    action: str = "create"  # create | update | unchanged
    # Signatures of the file (empty: none), for signing.record_paper_signatures and for comparison.
    signatures: list[signing.SignatureInput] = field(default_factory=list)
    signature_dicts: list[dict] = field(default_factory=list)
    signed_on: date | None = None  # as written in the file; None: not written
    rectification_days: int | None = None  # as written in the file; None: not written
    sign: bool = False  # record the signatures when writing
    sign_only: bool = False  # the record itself is as in the database: only the signatures are written

    def state(self) -> tuple:
        return _state(
            self.enterprise_id,
            self.site_id,
            self.license_id,
            self.template.digest,
            self.kind,
            self.inspected_on,
            self.status,
            [m.id for m in self.team],
            self.answers.values(),
        )


def _state(enterprise_id, site_id, license_id, digest, kind, inspected_on, status, team, answers) -> tuple:
    """What 'the same inspection' means when a file is imported again."""
    kept = sorted((a for a in answers if not _empty(a)), key=lambda a: a.item_id)
    return (enterprise_id, site_id, license_id, digest, kind, inspected_on, status, tuple(team), tuple(kept))


def _existing_state(insp: Inspection) -> tuple:
    return _state(
        insp.enterprise_id,
        insp.site_id,
        insp.license_id,
        insp.template_digest,
        insp.kind,
        insp.inspected_on,
        insp.status,
        [m.inspector_id for m in insp.members],
        [_answer_of(r) for r in insp.results],
    )


class _Collector:
    def __init__(self):
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}" if where else message)

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}" if where else message)

    def keys(self, obj: dict, allowed: Iterable[str], where: str, required: Iterable[str] = ()) -> None:
        allowed = tuple(allowed)
        for key in obj:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = (
                    _("（是否想写 {k}？）").format(k=close[0])
                    if close
                    else _("；可用的字段：{k}").format(k="、".join(allowed))
                )
                self.error(where, _("未知字段“{k}”{hint}").format(k=key, hint=hint))
        for key in required:
            if key not in obj:
                self.error(where, _("缺少字段 {k}").format(k=key))


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, int | float):
        return _("数字 {v}").format(v=value)
    if isinstance(value, str):
        return _("文字“{v}”").format(v=value)
    if isinstance(value, list):
        return _("列表")
    return _("对象")


def _text(c: _Collector, obj: dict, key: str, where: str, *, required: bool = False) -> str | None:
    """A string field (null counts as empty); None if it is missing-and-required or of the wrong type."""
    value = obj.get(key)
    if value is None:
        if required and key in obj:
            c.error(f"{where}.{key}", _("不能为空"))
        return None if required else ""
    if not isinstance(value, str):
        c.error(f"{where}.{key}", _("应为文字（用英文双引号括起来），现在是{t}").format(t=_type_name(value)))
        return None
    if required and not value.strip():
        c.error(f"{where}.{key}", _("不能为空"))
        return None
    return value


def _read_json(path: Path, c: _Collector) -> Any:
    try:
        if path.exists():  # a FIFO or device would block the read; a missing file is reported below
            input_file(path, _("检查记录文件"), max_bytes=MAX_JSON_BYTES)
    except DomainError as e:
        raise ImportRefused(str(path), [str(e)]) from None
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ImportRefused(str(path), [_("无法读取文件（{e}）").format(e=e.strerror or e)]) from e
    try:
        text = raw.decode("utf-8-sig")  # Notepad may save UTF-8 with a byte-order mark
    except UnicodeDecodeError as e:
        raise ImportRefused(
            str(path), [_("文件不是 UTF-8 编码（第 {n} 个字节），请另存为 UTF-8 编码").format(n=e.start + 1)]
        ) from e
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict:
        obj: dict = {}
        for key, value in items:
            if key in obj:
                duplicates.append(key)
            obj[key] = value
        return obj

    try:
        data = load_json(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as e:
        hint = next((h for k, h in _JSON_HINTS.items() if e.msg.startswith(k)), _("写法不对"))
        message = _("JSON 格式错误，第 {line} 行第 {col} 列：{hint}（{msg}）").format(
            line=e.lineno, col=e.colno, hint=hint, msg=e.msg
        )
        raise ImportRefused(str(path), [message]) from e
    except UnsafeInput as e:
        raise ImportRefused(str(path), [str(e)]) from None
    for key in dict.fromkeys(duplicates):
        c.error("", _("同一个对象中字段“{k}”写了两次，请只保留一个").format(k=key))
    return data


class _Importer:
    def __init__(self, session: Session, templates: dict[str, Template], c: _Collector):
        self.s = session
        self.templates = templates
        self.c = c
        self.embedded: dict[str, Template] = {}
        self._enterprises: dict[str, Enterprise | None] = {}
        self._inspectors: dict[str, Inspector | None] = {}

    # ---------------------------------------------------------------------------------------- file level

    def read(self, data: Any) -> list[_Plan]:
        c = self.c
        if not isinstance(data, dict):
            c.error("", _("文件最外层应为 JSON 对象 {{…}}，现在是{t}").format(t=_type_name(data)))
            return []
        fmt = data.get("format")
        if fmt != FORMAT:
            c.error(
                "format",
                _("不是检查记录文件：format 应为“{f}”，现在是{t}").format(f=FORMAT, t=_type_name(fmt))
                if "format" in data
                else _("不是检查记录文件：缺少 format 字段（应为“{f}”）").format(f=FORMAT),
            )
            return []
        version = data.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            c.error("format_version", _("应为整数 {v}，现在是{t}").format(v=FORMAT_VERSION, t=_type_name(version)))
            return []
        if version > FORMAT_VERSION:
            c.error(
                "format_version",
                _("文件由更新版本的程序导出（格式版本 {v}），本程序只认识到第 {m} 版，请升级本程序后再导入").format(
                    v=version, m=FORMAT_VERSION
                ),
            )
            return []
        c.keys(data, _TOP_KEYS, "", required=("inspections",))
        self.read_embedded(data.get("templates", []))
        inspections = data.get("inspections")
        if not isinstance(inspections, list):
            if "inspections" in data:
                c.error("inspections", _("应为列表 […]，现在是{t}").format(t=_type_name(inspections)))
            return []
        plans = []
        for i, raw in enumerate(inspections):
            plan = self.read_inspection(i, raw)
            if plan is not None:
                plans.append(plan)
        self.match_existing(plans)
        return plans

    def read_embedded(self, raw: Any) -> None:
        if not isinstance(raw, list):
            self.c.error("templates", _("应为模板快照的列表 […]，现在是{t}").format(t=_type_name(raw)))
            return
        for k, snap in enumerate(raw):
            where = f"templates[{k}]"
            if not isinstance(snap, dict):
                self.c.error(where, _("应为模板快照对象 {{…}}，现在是{t}").format(t=_type_name(snap)))
                continue
            if not snap.get("digest"):
                self.c.error(where, _("模板快照缺少校验值 digest"))
                continue
            try:
                template = Template.from_dict(snap)
            except TemplateError as e:
                self.c.error(where, str(e.problems[0].message if e.problems else e))
                continue
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                self.c.error(where, _("模板快照不完整或格式不对（{e}），请使用本程序导出的原文件").format(e=e))
                continue
            problem = _snapshot_problem(template)
            if problem:
                self.c.error(where, problem)
                continue
            self.embedded[template.digest] = template

    # ---------------------------------------------------------------------------------- one inspection

    def read_inspection(self, i: int, raw: Any) -> _Plan | None:
        c = self.c
        where = f"inspections[{i}]"
        if not isinstance(raw, dict):
            c.error(where, _("应为检查记录对象 {{…}}，现在是{t}").format(t=_type_name(raw)))
            return None
        before = len(c.errors)
        c.keys(raw, _INSPECTION_KEYS, where, required=_INSPECTION_REQUIRED)
        for key, message in _RESERVED.items():
            if raw.get(key) not in (None, []):
                c.error(f"{where}.{key}", message)

        inspection_id = self.read_id(raw, where)
        template = self.read_template(raw.get("template"), f"{where}.template") if "template" in raw else None
        enterprise = self.read_enterprise(raw.get("enterprise"), f"{where}.enterprise") if "enterprise" in raw else None
        site_id = license_id = None
        if enterprise is not None:
            site_id = self.read_site(raw, enterprise, where)
            license_id = self.read_license(raw, enterprise, template, where)
        kind = self.read_code(raw, "kind", INSPECTION_KINDS, where) if "kind" in raw else None
        status = self.read_code(raw, "status", STATUSES, where) if "status" in raw else None
        inspected_on = self.read_date(raw, where) if "inspected_on" in raw else None
        completed_at = self.read_completed_at(raw, status, where)
        team = self.read_team(raw.get("team"), f"{where}.team") if "team" in raw else None
        answers = self.read_answers(raw.get("answers", []), template, f"{where}.answers")
        # Who must sign is checked against the team only for a completed record (a draft cannot be signed).
        signers = team if status != DRAFT else None
        signatures = self.read_signatures(raw.get("signatures"), signers, f"{where}.signatures")
        has_signatures = raw.get("signatures") not in (None, [])
        if has_signatures and status == DRAFT:
            c.error(
                f"{where}.signatures",
                _(
                    "状态为 draft（填写中）的记录不能录入签字：签字确认的是全部检查结论。"
                    "请填写全部检查项并把 status 写成 completed（已完成），或删去 signatures"
                ),
            )
        signed_on, days = self.read_signoff(raw, has_signatures, inspected_on, where)

        if len(c.errors) > before or None in (template, enterprise, site_id, kind, status, inspected_on, team):
            return None
        if answers is None or signatures is None:
            return None
        plan = _Plan(
            index=i,
            id=inspection_id,
            template=template,
            enterprise_id=enterprise.id,
            site_id=site_id,
            license_id=license_id,
            kind=kind,
            inspected_on=inspected_on,
            status=status,
            completed_at=completed_at,
            team=team,
            answers=answers,
            signatures=[x for x, _d in signatures],
            signature_dicts=[d for _x, d in signatures],
            signed_on=signed_on,
            rectification_days=days,
        )
        if status == COMPLETED:
            self.check_complete(plan, raw.get("answers", []), where)
        if inspected_on > clock.today():
            c.warn(f"{where}.inspected_on", _("检查日期 {d} 晚于今天，请核对").format(d=inspected_on.isoformat()))
        return plan if len(c.errors) == before else None

    def read_id(self, raw: dict, where: str) -> str | None:
        value = raw.get("id")
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.c.error(f"{where}.id", _("应为文字形式的编号（UUID），现在是{t}").format(t=_type_name(value)))
            return None
        try:
            return str(uuid.UUID(value.strip()))
        except ValueError:
            self.c.error(
                f"{where}.id",
                _("“{v}”不是有效的记录编号（UUID，如 3f2b…-…）；新录入的纸质记录请删去 id，由程序生成").format(v=value),
            )
            return None

    def read_template(self, raw: Any, where: str) -> Template | None:
        c = self.c
        if not isinstance(raw, dict):
            c.error(where, _('应为对象，如 {{"id": "industrial", "version": 1}}，现在是{t}').format(t=_type_name(raw)))
            return None
        before = len(c.errors)
        c.keys(raw, _TEMPLATE_REF_KEYS, where, required=("id", "version"))
        template_id = _text(c, raw, "id", where, required=True) if "id" in raw else None
        version = raw.get("version")
        if "version" in raw and (not isinstance(version, int) or isinstance(version, bool)):
            c.error(f"{where}.version", _("应为整数（不加引号），现在是{t}").format(t=_type_name(version)))
        digest = _text(c, raw, "digest", where)
        if len(c.errors) > before:
            return None
        available = "、".join(_("{i} 第 {v} 版").format(i=t.id, v=t.version) for t in self.templates.values())
        name = _("检查表模板 {i} 第 {v} 版").format(i=template_id, v=version)
        if digest:
            template = self.embedded.get(digest)
            if template is None:
                snap = self.s.get(TemplateSnapshot, digest)
                if snap is not None:
                    template = _template_from_snapshot(snap.digest, snap.content)
            if template is None:
                template = next((t for t in self.templates.values() if t.digest == digest), None)
            if template is None:
                current = self.templates.get(template_id)
                why = (
                    _("与本机 forms 中的同名模板（第 {v} 版）内容不同").format(v=current.version)
                    if current is not None
                    else _("本机没有这个模板（可用：{a}）").format(a=available)
                )
                c.error(
                    f"{where}.digest",
                    _(
                        "{n} 的校验值 {d}… {why}，文件中也没有附带该模板快照（templates）。请使用本程序导出的完整文件；"
                        "纸质记录请删去 digest，按本机模板录入"
                    ).format(n=name, d=digest[:12], why=why),
                )
                return None
            if (template.id, template.version) != (template_id, version):
                c.error(
                    where,
                    _("校验值 {d}… 对应的是模板 {i} 第 {v} 版，与文件中写的 {n} 不符").format(
                        d=digest[:12], i=template.id, v=template.version, n=name
                    ),
                )
                return None
            if (
                template.digest not in {t.digest for t in self.templates.values()}
                and self.s.get(TemplateSnapshot, template.digest) is None
            ):
                c.warn(where, _("{n} 不是本机 forms 中的模板，按文件附带的模板快照导入").format(n=name))
            return template
        current = self.templates.get(template_id)
        if current is None:
            c.error(f"{where}.id", _("本机没有检查表模板“{i}”（可用：{a}）").format(i=template_id, a=available))
            return None
        if current.version != version:
            c.error(
                f"{where}.version",
                _(
                    "本机模板 {i} 是第 {cv} 版，文件要求第 {v} 版；请按第 {cv} 版录入，或使用附带模板快照的导出文件"
                ).format(i=template_id, cv=current.version, v=version),
            )
            return None
        return current

    def enterprise_by_uscc(self, uscc: str) -> Enterprise | None:
        if uscc not in self._enterprises:
            self._enterprises[uscc] = self.s.scalar(
                select(Enterprise)
                .where(Enterprise.uscc == uscc)
                .options(selectinload(Enterprise.sites), selectinload(Enterprise.licenses))
            )
        return self._enterprises[uscc]

    def read_enterprise(self, raw: Any, where: str) -> Enterprise | None:
        c = self.c
        if not isinstance(raw, dict):
            c.error(where, _('应为对象，如 {{"uscc": "…", "name": "…"}}，现在是{t}').format(t=_type_name(raw)))
            return None
        before = len(c.errors)
        c.keys(raw, _ENTERPRISE_KEYS, where, required=("uscc",))
        raw_uscc = _text(c, raw, "uscc", where, required=True) if "uscc" in raw else None
        name = _text(c, raw, "name", where)
        if len(c.errors) > before or raw_uscc is None:
            return None
        try:
            uscc = normalize_uscc(raw_uscc)
        except ValidationError as e:
            c.error(f"{where}.uscc", _("“{u}”：{r}").format(u=raw_uscc, r=e.reason))
            return None
        enterprise = self.enterprise_by_uscc(uscc)
        if enterprise is None:
            c.error(
                f"{where}.uscc",
                _("统一社会信用代码 {u} 不在企业名录中，请先导入或登记该企业").format(u=uscc)
                + (_("（文件中的企业名称：{n}）").format(n=name) if name else ""),
            )
            return None
        if name and name.strip() != enterprise.name:
            c.warn(
                f"{where}.name",
                _("文件中为“{f}”，名录中为“{r}”；已按统一社会信用代码 {u} 匹配，请核对").format(
                    f=name, r=enterprise.name, u=uscc
                ),
            )
        return enterprise

    def read_site(self, raw: dict, enterprise: Enterprise, where: str) -> str | None:
        if "site_address" not in raw:
            return None
        address = _text(self.c, raw, "site_address", where, required=True)
        if address is None:
            return None
        wanted = _squash(address)
        for site in enterprise.sites:
            if _squash(site.address) == wanted:
                return site.id
        known = "；".join(s.address for s in enterprise.sites) or _("（名录中没有登记生产地址）")
        self.c.error(
            f"{where}.site_address",
            _("“{a}”不是{e}的生产地址；名录中的生产地址：{k}").format(a=address, e=enterprise.name, k=known),
        )
        return None

    def read_license(self, raw: dict, enterprise: Enterprise, template: Template | None, where: str) -> str | None:
        c = self.c
        text = _text(c, raw, "license_number", where)
        if not text:
            if template is not None and not any(
                product_kind(lic.category) == template.product_kind for lic in enterprise.licenses
            ):
                c.warn(
                    where,
                    _("{e}没有{k}的生产许可证，请核对检查表模板").format(
                        e=enterprise.name, k=PRODUCT_KINDS[template.product_kind]
                    ),
                )
            return None
        try:
            number = parse_license_number(text).text
        except ValidationError as e:
            c.error(f"{where}.license_number", e.reason)
            return None
        for lic in enterprise.licenses:
            if lic.number == number or _squash(lic.number) == _squash(number):
                if template is not None and product_kind(lic.category) != template.product_kind:
                    c.error(
                        f"{where}.license_number",
                        _("许可证 {n} 的产品类别是“{c}”，不能使用检查表“{t}”").format(
                            n=lic.number, c=lic.category, t=template.title
                        ),
                    )
                return lic.id
        known = "、".join(lic.number for lic in enterprise.licenses) or _("（名录中没有登记许可证）")
        c.error(
            f"{where}.license_number",
            _("许可证 {n} 不属于{e}；该企业的许可证：{k}").format(n=text, e=enterprise.name, k=known),
        )
        return None

    def read_code(self, raw: dict, key: str, vocabulary: dict[str, str], where: str) -> str | None:
        value = raw.get(key)
        if isinstance(value, str):
            value = value.strip()
            if value in vocabulary:
                return value
            for code, label in vocabulary.items():
                if value == label:
                    return code
        allowed = "、".join(f"{code}（{label}）" for code, label in vocabulary.items())
        self.c.error(f"{where}.{key}", _("{v} 不认识，只能是 {a}").format(v=_type_name(value), a=allowed))
        return None

    def read_date(self, raw: dict, where: str, key: str = "inspected_on") -> date | None:
        value = raw.get(key)
        if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
            try:
                parsed = date.fromisoformat(value.strip())
            except ValueError:
                self.c.error(f"{where}.{key}", _("“{v}”不是存在的日期").format(v=value))
                return None
            try:
                return check_date(parsed)
            except UnsafeInput as e:
                self.c.error(f"{where}.{key}", str(e))
                return None
        self.c.error(f"{where}.{key}", _('{v} 不是日期，应写成“年-月-日”，如 "2026-06-15"').format(v=_type_name(value)))
        return None

    def read_completed_at(self, raw: dict, status: str | None, where: str) -> datetime | None:
        value = raw.get("completed_at")
        if value is None:
            return None
        if status == DRAFT:
            self.c.error(f"{where}.completed_at", _("状态为 draft（填写中）的记录不能有完成时间，请删去或写 null"))
            return None
        if isinstance(value, str):
            try:
                return check_date(datetime.fromisoformat(value.strip()).replace(tzinfo=None))
            except UnsafeInput as e:
                self.c.error(f"{where}.completed_at", str(e))
                return None
            except ValueError:
                pass
        self.c.error(
            f"{where}.completed_at",
            _('{v} 不是时间，应写成如 "2026-06-15T10:30:00"，或写 null').format(v=_type_name(value)),
        )
        return None

    def read_team(self, raw: Any, where: str) -> list[Inspector] | None:
        c = self.c
        if not isinstance(raw, list):
            c.error(where, _("应为检查人员的列表 […]，现在是{t}").format(t=_type_name(raw)))
            return None
        before = len(c.errors)
        members: list[tuple[Inspector, str]] = []
        seen: dict[str, int] = {}
        for k, m in enumerate(raw):
            mw = f"{where}[{k}]"
            if not isinstance(m, dict):
                c.error(
                    mw, _('应为对象，如 {{"name": "张伟", "badge_no": "31000001"}}，现在是{t}').format(t=_type_name(m))
                )
                continue
            c.keys(m, _MEMBER_KEYS, mw, required=("badge_no",))
            badge = _text(c, m, "badge_no", mw, required=True) if "badge_no" in m else None
            name = _text(c, m, "name", mw)
            role = _text(c, m, "role", mw)
            if role and role.strip() not in (LEADER, MEMBER):
                c.error(f"{mw}.role", _("“{r}”不认识，只能是“{l}”或“{m}”，或不写").format(r=role, l=LEADER, m=MEMBER))
            if badge is None:
                continue
            badge = badge.strip()
            if badge in seen:
                c.error(
                    f"{mw}.badge_no",
                    _("执法证号 {b} 与 team[{j}] 重复，同一检查人员不能重复").format(b=badge, j=seen[badge]),
                )
                continue
            seen[badge] = k
            inspector = self.inspector_by_badge(badge)
            if inspector is None:
                c.error(
                    f"{mw}.badge_no",
                    _("执法证号 {b}{n} 未登记，请先在检查人员名录中添加").format(
                        b=badge, n=_("（{n}）").format(n=name) if name else ""
                    ),
                )
                continue
            if name and name.strip() != inspector.name:
                c.warn(
                    f"{mw}.name",
                    _("文件中为“{f}”，执法证号 {b} 登记的是“{r}”；已按执法证号匹配，请核对").format(
                        f=name, b=badge, r=inspector.name
                    ),
                )
            if not inspector.active:
                c.warn(mw, _("检查人员{n}（{b}）已停用").format(n=inspector.name, b=badge))
            members.append((inspector, (role or "").strip()))
        leaders = [n for n, (_i, r) in enumerate(members) if r == LEADER]
        if len(leaders) > 1:
            c.error(where, _("只能有一名组长，现在有{n}名").format(n=len(leaders)))
        if len(raw) < MIN_TEAM_SIZE:
            c.error(where, _("检查人员不少于{m}名（001 第二十四条），现在{n}名").format(m=MIN_TEAM_SIZE, n=len(raw)))
        if len(c.errors) > before:
            return None
        if leaders and leaders[0] != 0:  # the leader is position 0 (组长)
            members.insert(0, members.pop(leaders[0]))
        return [i for i, _r in members]

    def inspector_by_badge(self, badge: str) -> Inspector | None:
        if badge not in self._inspectors:
            self._inspectors[badge] = self.s.scalar(select(Inspector).where(Inspector.badge_no == badge))
        return self._inspectors[badge]

    def read_signatures(
        self, raw: Any, team: list[Inspector] | None, where: str
    ) -> list[tuple[signing.SignatureInput, dict]] | None:
        """The signatures of a record signed on paper (or exported): each as a SignatureInput (to compare and
        check with signing's rules) and as the dict signing.record_paper_signatures takes; None if wrong."""
        c = self.c
        if raw is None or raw == []:
            return []
        if not isinstance(raw, list):
            c.error(where, _("应为签字的列表 […]，现在是{t}").format(t=_type_name(raw)))
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
                        t=_type_name(entry)
                    ),
                )
                complete = False
                continue
            c.keys(entry, _SIGNATURE_KEYS, sw, required=("role",))
            wrong = bad.setdefault(k, set())
            role = self.read_code(entry, "role", signing.ROLES, sw) if "role" in entry else None
            texts = {}
            for key in _SIGNATURE_TEXTS:
                texts[key] = _text(c, entry, key, sw)
                if texts[key] is None:
                    wrong.add(key)
                    texts[key] = ""
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
            # The rules of signing itself (who must sign, refusal with reason and witness, PNG) live in signing.py.
            for p in signing.signer_problems([(m.id, m.name) for m in team], [x for x, _d in out]):
                if p.index is None:
                    if complete:
                        c.error(where, p.message)
                    continue
                k = places[p.index]
                key = _SIGNER_KEYS.get(p.field, p.field)
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
                    _("应为整改期限的天数（整数，不加引号），如 30，现在是{t}").format(t=_type_name(value)),
                )
            else:
                try:
                    days = signing.check_days(value)
                except ValidationError as e:
                    c.error(f"{where}.rectification_days", e.reason)
        return signed_on, days

    def read_answers(self, raw: Any, template: Template | None, where: str) -> dict[str, Answer] | None:
        c = self.c
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            c.error(where, _("应为答案的列表 […]，现在是{t}").format(t=_type_name(raw)))
            return None
        before = len(c.errors)
        answers: dict[str, Answer] = {}
        seen: dict[str, int] = {}
        for j, a in enumerate(raw):
            aw = f"{where}[{j}]"
            if not isinstance(a, dict):
                c.error(
                    aw, _('应为对象，如 {{"item_id": "1.1", "conclusion": "符合"}}，现在是{t}').format(t=_type_name(a))
                )
                continue
            item_id = a.get("item_id")
            if isinstance(item_id, str) and item_id.strip():
                item_id = item_id.strip()
                aw = f"{aw} (检查项 {item_id})"
            c.keys(a, _ANSWER_KEYS, aw, required=("item_id",))
            if "item_id" in a and not (isinstance(item_id, str) and item_id):
                c.error(aw, _('item_id 应为检查项编号文字，如 "1.1"，现在是{t}').format(t=_type_name(item_id)))
                continue
            if item_id is None:
                continue
            record = _text(c, a, "record", aw)
            remark = _text(c, a, "remark", aw)
            na_reason = _text(c, a, "na_reason", aw)
            rectified = a.get("rectified_on_site", False)
            if rectified is None:
                rectified = False
            if not isinstance(rectified, bool):
                c.error(
                    aw, _("rectified_on_site 应为 true 或 false（不加引号），现在是{t}").format(t=_type_name(rectified))
                )
            problem_category = a.get("problem_category")
            if isinstance(problem_category, str):
                problem_category = problem_category.strip() or None
            if problem_category is not None and not isinstance(problem_category, str):
                c.error(
                    aw,
                    _('problem_category 应为问题类别文字，如 "检验手段"，或 null，现在是{t}').format(
                        t=_type_name(problem_category)
                    ),
                )
                problem_category = False
            conclusion = self.read_conclusion(a.get("conclusion"), aw)
            if item_id in seen:
                c.error(aw, _("与 answers[{j}] 是同一检查项，每个检查项只能写一次").format(j=seen[item_id]))
                continue
            seen[item_id] = j
            if template is None:
                continue
            try:
                item = template.item(item_id)
            except KeyError:
                c.error(
                    aw,
                    _("检查表“{t}”（第 {v} 版）中没有检查项 {i}").format(
                        t=template.title, v=template.version, i=item_id
                    ),
                )
                continue
            if (
                conclusion is False
                or None in (record, remark, na_reason)
                or not isinstance(rectified, bool)
                or problem_category is False
            ):
                continue
            if na_reason and len(na_reason) > NA_REASON_MAX:
                c.error(aw, _("不适用理由不能超过{m}个字，现在{n}个字").format(m=NA_REASON_MAX, n=len(na_reason)))
                continue
            if not item.applies(template.product_kind):
                # 002 附件2: an item for the other product kind is 不适用 with the form's reason, not editable.
                if (
                    conclusion not in (None, "na")
                    or record
                    or remark
                    or rectified
                    or na_reason not in ("", item.na_reason)
                    or problem_category
                ):
                    c.error(
                        aw,
                        _("该项{n}，对{k}自动记为“不适用”（{r}），不能填写其他内容").format(
                            n=item.note or _("不适用于本产品类别"),
                            k=PRODUCT_KINDS[template.product_kind],
                            r=item.na_reason,
                        ),
                    )
                continue
            if conclusion == "na" and not item.na_allowed:
                c.error(aw, _("检查表不允许该项填写“不适用”，只能是“符合”或“不符合”"))
                continue
            try:
                problem_category = check_problem_category(item, problem_category, conclusion)
            except ValidationError as e:
                c.error(aw, e.reason)
                continue
            if conclusion == "na" and not na_reason:
                na_reason = item.na_reason  # the form's stated reason, as save_answer does
            answers[item_id] = Answer(item_id, conclusion, na_reason, record, remark, rectified, problem_category)
        if len(c.errors) > before or template is None:
            return None
        # Items the form excludes for this product kind are 不适用 whether or not the file lists them.
        for item in template.items:
            if not item.applies(template.product_kind):
                answers[item.id] = Answer(item.id, "na", item.na_reason)
        return answers

    def read_conclusion(self, value: Any, where: str) -> str | bool | None:
        """The conclusion code, None for unanswered, False if invalid (reported)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            value = value.strip()
            if value in CONCLUSIONS:
                return value
            for code, label in CONCLUSIONS.items():
                if value == label:
                    return code
        allowed = "、".join(f"“{label}”" for label in CONCLUSIONS.values())
        self.c.error(where, _("检查结论{v}不认识，只能是{a}，未填写时写 null").format(v=_type_name(value), a=allowed))
        return False

    def check_complete(self, plan: _Plan, raw_answers: Any, where: str) -> None:
        """A completed record must satisfy the same rules as completing it in the app."""
        index = {}
        if isinstance(raw_answers, list):
            for j, a in enumerate(raw_answers):
                if isinstance(a, dict) and isinstance(a.get("item_id"), str):
                    index.setdefault(a["item_id"].strip(), j)
        view = InspectionView(
            id=plan.id or "",
            rev=0,
            enterprise_id=plan.enterprise_id,
            enterprise_name="",
            uscc="",
            site_id=plan.site_id,
            site_address="",
            license_id=plan.license_id,
            license_number="",
            template=plan.template,
            kind=plan.kind,
            inspected_on=plan.inspected_on,
            status=plan.status,
            team=tuple(TeamMember(m.id, m.name, m.badge_no) for m in plan.team),
            answers=plan.answers,
        )
        for blocker in completion_blockers(view):
            if blocker.item_id is None:
                self.c.error(f"{where}.team", blocker.message)
                continue
            message = blocker.message
            prefix = f"检查项 {blocker.item_id}"
            if message.startswith(prefix):
                message = message[len(prefix) :].strip()
            j = index.get(blocker.item_id)
            place = f"{where}.answers[{j}]" if j is not None else f"{where}.answers"
            self.c.error(
                f"{place} (检查项 {blocker.item_id})", _("状态为 completed（已完成），但{m}").format(m=message)
            )

    # ------------------------------------------------------------------------------ against the database

    def match_existing(self, plans: list[_Plan]) -> None:
        c = self.c
        by_id: dict[str, int] = {}
        by_key: dict[tuple, int] = {}
        for plan in plans:
            where = f"inspections[{plan.index}]"
            if plan.id is not None:
                if plan.id in by_id:
                    c.error(f"{where}.id", _("与 inspections[{j}] 的编号相同").format(j=by_id[plan.id]))
                    continue
                by_id[plan.id] = plan.index
                existing = self.s.get(Inspection, plan.id)
            else:
                key = (plan.site_id, plan.inspected_on, plan.template.id)
                if key in by_key:
                    c.error(
                        where,
                        _(
                            "与 inspections[{j}] 是同一生产地址、同一日期的同一检查表；如确是两次检查，请分别写 id"
                        ).format(j=by_key[key]),
                    )
                    continue
                by_key[key] = plan.index
                # Without an id, a record is the same as one already here for the same site, day and form.
                found = list(
                    self.s.scalars(
                        select(Inspection).where(
                            Inspection.site_id == plan.site_id,
                            Inspection.inspected_on == plan.inspected_on,
                            Inspection.template_id == plan.template.id,
                        )
                    )
                )
                if len(found) > 1:
                    c.error(
                        where,
                        _("数据库中该企业该生产地址在 {d} 已有{n}份检查记录，无法判断是哪一份；请写明 id").format(
                            d=plan.inspected_on.isoformat(), n=len(found)
                        ),
                    )
                    continue
                existing = found[0] if found else None
            if existing is None:
                plan.action = "create"
                plan.id = plan.id or new_id()
                plan.sign = bool(plan.signatures)
                continue
            plan.existing = existing
            plan.id = existing.id
            self.compare(plan, existing, where)

    def compare(self, plan: _Plan, existing: Inspection, where: str) -> None:
        c = self.c
        signoff = self.s.scalar(select(InspectionSignoff).where(InspectionSignoff.inspection_id == existing.id))
        if plan.state() == _existing_state(existing):
            plan.action = "unchanged"
            if signoff is not None and plan.signatures:
                differences = self.signature_differences(plan, existing, signoff)
                if differences:
                    c.error(
                        f"{where}.signatures",
                        _(
                            "数据库中的检查记录 {id}（{d}）已签字确认，签字不能被导入修改；文件与它不同之处：{diff}。"
                            "如需更正，请在本机创建更正记录"
                        ).format(id=existing.id, d=existing.inspected_on.isoformat(), diff="；".join(differences)),
                    )
            elif signoff is not None:
                c.warn(
                    where,
                    _("数据库中的检查记录 {id} 已签字确认，文件中没有签字；签字保持不变").format(id=existing.id),
                )
            elif plan.signatures:
                plan.action = "update"  # a completed record receives the signatures made on paper
                plan.sign = plan.sign_only = True
            return
        if signoff is not None:
            c.error(
                where,
                _("数据库中的检查记录 {id}（{d}）已签字确认，不能被导入修改；文件中的内容与它不同").format(
                    id=existing.id, d=existing.inspected_on.isoformat()
                ),
            )
            return
        if existing.status == COMPLETED:
            c.error(
                where,
                _("数据库中的检查记录 {id}（{d}）已完成，不能被导入修改；文件中的内容与它不同").format(
                    id=existing.id, d=existing.inspected_on.isoformat()
                ),
            )
            return
        if (existing.enterprise_id, existing.site_id) != (plan.enterprise_id, plan.site_id):
            c.error(
                where,
                _("数据库中的检查记录 {id} 属于另一企业或生产地址，不能改为本文件中的企业和地址").format(
                    id=existing.id
                ),
            )
            return
        if existing.template_digest != plan.template.digest:
            c.error(
                f"{where}.template",
                _("数据库中的草稿 {id} 使用模板 {i} 第 {v} 版（校验值 {d}…），与文件中的模板不同，不能更换").format(
                    id=existing.id, i=existing.template_id, v=existing.template_version, d=existing.template_digest[:12]
                ),
            )
            return
        plan.action = "update"
        plan.sign = bool(plan.signatures)

    def signature_differences(self, plan: _Plan, existing: Inspection, signoff: InspectionSignoff) -> list[str]:
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
        names = {m.id: m.name for m in plan.team}

        def key(role: str, inspector_id: str | None) -> tuple:
            return (role, inspector_id if role == signing.INSPECTOR else None)

        def who(role: str, inspector_id: str | None) -> str:
            if role == signing.INSPECTOR:
                return _("检查人员 {n}").format(n=names.get(inspector_id, inspector_id))
            return _("企业代表")

        theirs = {key(sig.role, sig.inspector_id): _signature_facts(sig) for sig in stored}
        for x in plan.signatures:
            k = key(x.role, x.inspector_id)
            mine = _input_facts(x)
            if k not in theirs:
                out.append(_("{w}在数据库中没有签字").format(w=who(*k)))
                continue
            changed = [_SIGNATURE_LABELS[f] for f in mine if mine[f] != theirs[k][f]]
            if changed:
                out.append(_("{w}的{f}").format(w=who(*k), f="、".join(changed)))
        return out

    # ----------------------------------------------------------------------------------------- writing

    def write(self, plans: list[_Plan]) -> None:
        snapshots: dict[str, TemplateSnapshot] = {}
        for plan in plans:
            if plan.action == "unchanged":
                continue
            if plan.sign_only:
                if not self.record_signatures(plan):
                    return
                continue
            if plan.action == "create":
                digest = plan.template.digest
                if digest not in snapshots:
                    snapshots[digest] = _snapshot(self.s, plan.template)
                insp = Inspection(
                    id=plan.id,
                    enterprise_id=plan.enterprise_id,
                    site_id=plan.site_id,
                    template=snapshots[digest],
                    template_id=plan.template.id,
                    template_version=plan.template.version,
                )
                self.s.add(insp)
                insp.results = []
            else:
                insp = plan.existing
            insp.license_id = plan.license_id
            insp.kind = plan.kind
            insp.inspected_on = plan.inspected_on
            insp.members = [InspectionMember(inspector=m, position=n) for n, m in enumerate(plan.team)]
            self.write_answers(insp, plan.answers)
            if plan.status == COMPLETED and insp.status != COMPLETED:
                insp.completed_at = plan.completed_at or clock.now()
            insp.status = plan.status
            if plan.action == "update":
                insp.updated_at = utcnow()  # bumps rev even when only answers or the team changed
            self.s.flush()
            plan.id = insp.id
            if plan.sign and not self.record_signatures(plan):
                return

    def record_signatures(self, plan: _Plan) -> bool:
        """Signs the record in the import's own session (signing.py checks the signers once more)."""
        try:
            signing.record_paper_signatures(
                self.s,
                plan.id,
                plan.signature_dicts,
                rectification_days=plan.rectification_days,
                signed_on=plan.signed_on or plan.inspected_on,
            )
        except DomainError as e:  # checked while reading already; the caller refuses the file, rolling back
            self.c.error(f"inspections[{plan.index}].signatures", str(e))
            return False
        return True

    def write_answers(self, insp: Inspection, answers: dict[str, Answer]) -> None:
        rows = {r.item_id: r for r in insp.results}
        for item_id, row in rows.items():
            if item_id not in answers or _empty(answers[item_id]):
                insp.results.remove(row)
        for item_id, a in answers.items():
            if _empty(a):
                continue
            row = rows.get(item_id)
            if row is None:
                row = ItemResult(item_id=item_id)
                insp.results.append(row)
            elif _answer_of(row) == a:
                continue
            row.conclusion = a.conclusion
            row.na_reason = a.na_reason
            row.record = a.record
            row.remark = a.remark
            row.rectified_on_site = a.rectified_on_site
            row.problem_category = a.problem_category


def _signature_facts(sig: Signature) -> dict:
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


def _input_facts(x: signing.SignatureInput) -> dict:
    """The same facts of a signature of the file, normalised as signing stores them."""
    digest = hashlib.sha256(x.image).hexdigest() if x.image else ""
    if x.role == signing.INSPECTOR:
        return {"state": x.state, "image_sha256": digest}
    signed = x.state == signing.SIGNED
    return {
        "name": x.name.strip(),
        "title": x.title.strip(),
        "phone": x.phone.strip(),
        "state": x.state,
        "reason": "" if signed else x.reason.strip(),
        "witness": "" if signed else x.witness.strip(),
        "image_sha256": digest if signed else "",
    }


def _squash(text: str) -> str:
    """Compare addresses and numbers ignoring width (全角/半角) and spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _snapshot_problem(template: Template) -> str | None:
    """A template snapshot carried by a file must at least be usable as a form."""
    if template.product_kind not in PRODUCT_KINDS:
        return _("模板快照的 product_kind “{k}” 不认识").format(k=template.product_kind)
    ids = [i.id for i in template.items]
    if not ids or len(set(ids)) != len(ids):
        return _("模板快照没有检查项或检查项编号重复")
    for item in template.items:
        if not item.applies(template.product_kind) and not item.na_allowed:
            return _("模板快照中检查项 {i} 不适用于本产品类别却不允许“不适用”").format(i=item.id)
        cats = item.categories
        if item.category not in cats or len(set(cats)) != len(cats) or not set(cats) <= set(PROBLEM_CATEGORIES):
            return _("模板快照中检查项 {i} 的问题分类不正确").format(i=item.id)
    return None


def import_inspections(
    db: Database, path: str | Path, templates: dict[str, Template], *, dry_run: bool = False
) -> ImportResult:
    """Validates the whole file, then writes it in one transaction; raises ImportRefused listing every problem.

    `templates` are the loaded forms/ templates (load_templates()). With dry_run nothing is written even if
    the file is valid; the result says what an import would do.
    """
    path = Path(path)
    c = _Collector()
    data = _read_json(path, c)
    with db.session() as s:
        importer = _Importer(s, templates, c)
        plans = importer.read(data)
        if c.errors:
            raise ImportRefused(str(path), c.errors)
        if not dry_run:
            importer.write(plans)
            if c.errors:  # the session rolls back: nothing of the file is written
                raise ImportRefused(str(path), c.errors)
    by_action: dict[str, list[str]] = {"create": [], "update": [], "unchanged": []}
    for plan in plans:
        by_action[plan.action].append(plan.id or "")
    return ImportResult(
        created=tuple(by_action["create"]),
        updated=tuple(by_action["update"]),
        unchanged=tuple(by_action["unchanged"]),
        warnings=tuple(c.warnings),
        written=not dry_run,
        signed=tuple(plan.id or "" for plan in plans if plan.sign),
    )


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ImportRefused",
    "ImportResult",
    "dump_document",
    "export_inspections",
    "import_inspections",
    "inspections_document",
]
