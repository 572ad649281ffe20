"""Applying the file: matching its inspections with the database, what may change, and writing them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import clock
from inspector_app.core.errors import DomainError
from inspector_app.core.inspection.inspections import (
    COMPLETED,
    Answer,
)
from inspector_app.core.inspection.json_io.plan import Plan, answer_of, existing_state, is_empty
from inspector_app.core.inspection.snapshots import store_snapshot
from inspector_app.core.issuing import signing
from inspector_app.core.problems import Problems
from inspector_app.core.storage.docs_models import InspectionSignoff
from inspector_app.core.storage.models import (
    Inspection,
    InspectionMember,
    ItemResult,
    TemplateSnapshot,
    new_id,
    utcnow,
)
from inspector_app.i18n import _


class Applier:
    """Matches the plans with the database and writes them (a part of Importer)."""

    # Set by InspectionReader.__init__ for the whole Importer: the session and the problems found.
    s: Session
    c: Problems[str]

    if TYPE_CHECKING:  # SignatureReader's, for the whole Importer

        def signature_differences(self, plan: Plan, existing: Inspection, signoff: InspectionSignoff) -> list[str]: ...

    # ------------------------------------------------------------------------------ against the database

    def match_existing(self, plans: list[Plan]) -> None:
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

    def compare(self, plan: Plan, existing: Inspection, where: str) -> None:
        c = self.c
        signoff = self.s.scalar(select(InspectionSignoff).where(InspectionSignoff.inspection_id == existing.id))
        if plan.state() == existing_state(existing):
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

    # ----------------------------------------------------------------------------------------- writing

    def write(self, plans: list[Plan]) -> None:
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
                    snapshots[digest] = store_snapshot(self.s, plan.template)
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
                assert plan.existing is not None, "match_existing sets it for an update"
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

    def record_signatures(self, plan: Plan) -> bool:
        """Signs the record in the import's own session (core/issuing/signing/ checks the signers once more)."""
        assert plan.id is not None, "write() gave the plan its record's id"
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
            if item_id not in answers or is_empty(answers[item_id]):
                insp.results.remove(row)
        for item_id, a in answers.items():
            if is_empty(a):
                continue
            found = rows.get(item_id)
            if found is None:
                row = ItemResult(item_id=item_id)
                insp.results.append(row)
            elif answer_of(found) == a:
                continue
            else:
                row = found
            row.conclusion = a.conclusion
            row.na_reason = a.na_reason
            row.record = a.record
            row.remark = a.remark
            row.rectified_on_site = a.rectified_on_site
            row.problem_category = a.problem_category
