"""Reading one inspection of the file: file level, embedded templates, the template reference, id, kind,
status, dates (InspectionReader, a part of Importer). Its references to the roster (enterprise, site, license,
team) are roster_refs.py's."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.catalog import (
    INSPECTION_KINDS,
)
from inspector_app.core.inspection.inspections import (
    COMPLETED,
    DRAFT,
    STATUSES,
)
from inspector_app.core.inspection.json_io.base import (
    DATE_RE,
    FORMAT,
    FORMAT_VERSION,
    INSPECTION_KEYS,
    INSPECTION_REQUIRED,
    RESERVED,
    TEMPLATE_REF_KEYS,
    TOP_KEYS,
)
from inspector_app.core.inspection.json_io.plan import Plan
from inspector_app.core.inspection.json_io.shape import check_keys, snapshot_problem, text_field, type_name
from inspector_app.core.inspection.snapshots import template_from_snapshot
from inspector_app.core.inspection.templates import Template, TemplateError
from inspector_app.core.problems import Problems
from inspector_app.core.safe_input import (
    UnsafeInput,
    check_date,
)
from inspector_app.core.storage.models import (
    Enterprise,
    Inspector,
    TemplateSnapshot,
)
from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.core.inspection.inspections import Answer
    from inspector_app.core.issuing import signing


class InspectionReader:
    """Reads the file's inspections into Plans; the other readers fill in answers and signatures."""

    if TYPE_CHECKING:  # the other parts of Importer

        def read_enterprise(self, raw: Any, where: str) -> Enterprise | None: ...
        def read_site(self, raw: dict, enterprise: Enterprise, where: str) -> str | None: ...
        def read_license(
            self, raw: dict, enterprise: Enterprise, template: Template | None, where: str
        ) -> str | None: ...
        def read_team(self, raw: Any, where: str) -> list[Inspector] | None: ...

        def match_existing(self, plans: list[Plan]) -> None: ...
        def read_answers(self, raw: Any, template: Template | None, where: str) -> dict[str, Answer] | None: ...
        def check_complete(self, plan: Plan, raw_answers: Any, where: str) -> None: ...
        def read_status_values(self, raw: Any, template: Template | None, where: str) -> dict[str, Answer] | None: ...
        def read_signatures(
            self, raw: Any, team: list[Inspector] | None, where: str
        ) -> list[tuple[signing.SignatureInput, dict]] | None: ...
        def read_signoff(
            self, raw: dict, has_signatures: bool, inspected_on: date | None, where: str
        ) -> tuple[date | None, int | None]: ...

    def __init__(self, session: Session, templates: dict[str, Template], c: Problems[str]):
        self.s = session
        self.templates = templates
        self.c = c
        self.embedded: dict[str, Template] = {}
        self.enterprise_cache: dict[str, Enterprise | None] = {}
        self.inspector_cache: dict[str, Inspector | None] = {}

    # ---------------------------------------------------------------------------------------- file level

    def read(self, data: Any) -> list[Plan]:
        c = self.c
        if not isinstance(data, dict):
            c.error("", _("文件最外层应为 JSON 对象 {{…}}，现在是{t}").format(t=type_name(data)))
            return []
        fmt = data.get("format")
        if fmt != FORMAT:
            c.error(
                "format",
                _("不是检查记录文件：format 应为“{f}”，现在是{t}").format(f=FORMAT, t=type_name(fmt))
                if "format" in data
                else _("不是检查记录文件：缺少 format 字段（应为“{f}”）").format(f=FORMAT),
            )
            return []
        version = data.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            c.error("format_version", _("应为整数 {v}，现在是{t}").format(v=FORMAT_VERSION, t=type_name(version)))
            return []
        if version > FORMAT_VERSION:
            c.error(
                "format_version",
                _("文件由更新版本的程序导出（格式版本 {v}），本程序只认识到第 {m} 版，请升级本程序后再导入").format(
                    v=version, m=FORMAT_VERSION
                ),
            )
            return []
        check_keys(c, data, TOP_KEYS, "", required=("inspections",))
        self.read_embedded(data.get("templates", []))
        inspections = data.get("inspections")
        if not isinstance(inspections, list):
            if "inspections" in data:
                c.error("inspections", _("应为列表 […]，现在是{t}").format(t=type_name(inspections)))
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
            self.c.error("templates", _("应为模板快照的列表 […]，现在是{t}").format(t=type_name(raw)))
            return
        for k, snap in enumerate(raw):
            where = f"templates[{k}]"
            if not isinstance(snap, dict):
                self.c.error(where, _("应为模板快照对象 {{…}}，现在是{t}").format(t=type_name(snap)))
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
            problem = snapshot_problem(template)
            if problem:
                self.c.error(where, problem)
                continue
            self.embedded[template.digest] = template

    # ---------------------------------------------------------------------------------- one inspection

    def read_inspection(self, i: int, raw: Any) -> Plan | None:
        c = self.c
        where = f"inspections[{i}]"
        if not isinstance(raw, dict):
            c.error(where, _("应为检查记录对象 {{…}}，现在是{t}").format(t=type_name(raw)))
            return None
        before = len(c.errors)
        check_keys(c, raw, INSPECTION_KEYS, where, required=INSPECTION_REQUIRED)
        for key, message in RESERVED.items():
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
        # 002 附件3/附件4: the production-status form's values, stored with the answers as item results S<id>.
        status_values = self.read_status_values(raw.get("status_values"), template, f"{where}.status_values")
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

        if (
            len(c.errors) > before
            or template is None
            or enterprise is None
            or site_id is None
            or kind is None
            or status is None
            or inspected_on is None
            or team is None
        ):
            return None
        if answers is None or signatures is None or status_values is None:
            return None
        answers.update(status_values)
        plan = Plan(
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
            self.c.error(f"{where}.id", _("应为文字形式的编号（UUID），现在是{t}").format(t=type_name(value)))
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
            c.error(where, _('应为对象，如 {{"id": "industrial", "version": 1}}，现在是{t}').format(t=type_name(raw)))
            return None
        before = len(c.errors)
        check_keys(c, raw, TEMPLATE_REF_KEYS, where, required=("id", "version"))
        template_id = text_field(c, raw, "id", where, required=True) if "id" in raw else None
        version = raw.get("version")
        if "version" in raw and (not isinstance(version, int) or isinstance(version, bool)):
            c.error(f"{where}.version", _("应为整数（不加引号），现在是{t}").format(t=type_name(version)))
        digest = text_field(c, raw, "digest", where)
        if len(c.errors) > before:
            return None
        assert template_id is not None  # required: check_keys or text_field reported it
        available = "、".join(_("{i} 第 {v} 版").format(i=t.id, v=t.version) for t in self.templates.values())
        name = _("检查表模板 {i} 第 {v} 版").format(i=template_id, v=version)
        if digest:
            template = self.embedded.get(digest)
            if template is None:
                snap = self.s.get(TemplateSnapshot, digest)
                if snap is not None:
                    template = template_from_snapshot(snap.digest, snap.content)
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
        self.c.error(f"{where}.{key}", _("{v} 不认识，只能是 {a}").format(v=type_name(value), a=allowed))
        return None

    def read_date(self, raw: dict, where: str, key: str = "inspected_on") -> date | None:
        value = raw.get(key)
        if isinstance(value, str) and DATE_RE.fullmatch(value.strip()):
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
        self.c.error(f"{where}.{key}", _('{v} 不是日期，应写成“年-月-日”，如 "2026-06-15"').format(v=type_name(value)))
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
            _('{v} 不是时间，应写成如 "2026-06-15T10:30:00"，或写 null').format(v=type_name(value)),
        )
        return None
