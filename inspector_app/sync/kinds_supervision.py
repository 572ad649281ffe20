"""Record kinds of the supervision work (core/storage/supervision_models.py).

Bureau → field, the bureau's word (a concurrent local change on a laptop yields to it; an older bundle
never rolls them back): classification history and product classes, spot checks, annual plans and their
entries, double-random draws, assignments and their teams.
Both ways: rectifications and enforcement flags, which follow-up visits in the field update; interviews (约谈).
Bureau → field also: license actions (撤回/撤销/吊销/注销) and classification notices (分类告知书), the
records of migration 0810 (their PDFs stay in the archive of issued files where they were printed).
Not sent: inspector profiles and declared conflicts of interest (the bureau's own draw inputs).
"""

from inspector_app.core.storage.sync_models import BUREAU
from inspector_app.sync.records import KindOptions, TableKind


def register(registry) -> None:
    from inspector_app.core.storage import supervision_models as m
    from inspector_app.core.storage import supervision_records_models as r

    bureau: KindOptions = {"senders": {BUREAU}, "ordered": True, "authority": BUREAU}
    kinds = [
        TableKind(m.ClassificationChange, "classification_change", "分类变更", order=130, **bureau),
        TableKind(m.ProductClass, "product_class", "产品分类", order=131, **bureau),
        TableKind(m.SpotCheck, "spot_check", "监督抽查", order=140, **bureau),
        TableKind(m.AnnualPlan, "annual_plan", "年度检查计划", order=200, **bureau),
        TableKind(m.PlanEntry, "plan_entry", "计划条目", order=210, **bureau),
        # After inspections: an assignment may point at the inspection that fulfilled it.
        TableKind(m.Draw, "draw", "双随机抽取", order=360, **bureau),
        TableKind(m.Assignment, "assignment", "检查任务", order=370, **bureau),
        TableKind(m.AssignmentMember, "assignment_member", "任务组成员", order=380, **bureau),
        TableKind(m.Rectification, "rectification", "整改", order=390, title=lambda d: d.get("item_id", "")),
        TableKind(m.EnforcementFlag, "enforcement_flag", "处置建议", order=395, title=lambda d: d.get("kind", "")),
        TableKind(r.LicenseAction, "license_action", "许可证撤回撤销吊销注销", order=135, **bureau),
        TableKind(r.ClassificationNotice, "classification_notice", "分类告知书", order=136, **bureau),
        TableKind(r.Interview, "interview", "约谈记录", order=396, title=lambda d: d.get("interviewee", "")),
    ]
    for kind in kinds:
        registry.add(kind)
