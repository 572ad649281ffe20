"""Conflicts in the clerk's words (issue 12 §2): field labels instead of column names, and the records an id
points at by their names (an enterprise by name and 统一社会信用代码) instead of a UUID.

Used by sync/conflicts.py for the 同步冲突 dialog and `bundle conflicts`.
"""

from __future__ import annotations

from sqlalchemy import select

from inspector_app.i18n import _

# Column → label, for every column of a synced table a person may see differ. Unknown ones read 其他字段.
FIELD_LABELS: dict[str, str] = {
    "name": "名称",
    "uscc": "统一社会信用代码",
    "legal_rep": "法定代表人",
    "contact": "联系人",
    "phone": "联系电话",
    "address": "地址",
    "district": "所在区",
    "classification": "分类",
    "risk_level": "风险等级",
    "enterprise_id": "企业",
    "site_id": "生产地址",
    "license_id": "生产许可证",
    "inspector_id": "检查人员",
    "inspection_id": "检查记录",
    "number": "编号",
    "category": "产品类别",
    "products": "获证产品",
    "issue_date": "发证日期",
    "expiry_date": "有效期至",
    "badge_no": "执法证号",
    "active": "在岗",
    "changed_on": "变更日期",
    "from_class": "原分类",
    "to_class": "新分类",
    "from_risk": "原风险等级",
    "to_risk": "新风险等级",
    "rule": "依据",
    "reason": "原因",
    "who": "经办人",
    "commitment": "承诺",
    "created_at": "建立时间",
    "kind": "类型",
    "inspected_on": "检查日期",
    "status": "状态",
    "completed_at": "完成时间",
    "team": "检查组",
    "template_id": "检查表",
    "template_version": "检查表版本",
    "template_digest": "检查表版本",
    "deadline": "整改期限",
    "problem": "问题",
    "found_on": "发现日期",
    "checked_on": "复查日期",
    "check_record": "复查记录",
    "item_id": "检查项",
    "caption": "说明",
    "filename": "文件名",
    "year": "年度",
    "month": "月份",
    "level": "抽查级别",
    "raised_on": "提出日期",
    "decided_on": "决定日期",
    "decided_by": "决定人",
    "citation": "依据",
    "value": "设置值",
    "signed_on": "签字日期",
    "state": "签字情况",
    "title": "职务",
    "role": "角色",
}
# The enterprise's own name: "名称" elsewhere (an inspector's), 企业名称 on an enterprise.
_KIND_FIELDS: dict[tuple[str, str], str] = {
    ("enterprise", "name"): "企业名称",
    ("enterprise", "address"): "住所",
    ("site", "address"): "生产地址",
    ("license", "number"): "许可证编号",
    ("inspector", "name"): "姓名",
}
_ANSWER_FIELDS = {"conclusion": "结论", "record": "检查记录", "remark": "备注", "na_reason": "不适用理由"}


def field_label(kind: str, key: str) -> str:
    """The label of a flattened field (`name`, `answers.1.2.conclusion`)."""
    if key.startswith("answers."):
        parts = key.split(".")
        return _("检查项 {i} {f}").format(i=".".join(parts[1:-1]), f=_(_ANSWER_FIELDS.get(parts[-1], "")))
    label = _KIND_FIELDS.get((kind, key)) or FIELD_LABELS.get(key)
    return _(label) if label else _("其他字段")


def reference_titles(session, ids: set[str]) -> dict[str, str]:
    """What an id names here, for the few tables a person knows by name: enterprise, site, license, inspector."""
    from inspector_app.core.storage.models import Enterprise, Inspector, License, Site

    wanted = [i for i in ids if i]
    out: dict[str, str] = {}
    if not wanted:
        return out
    for col_id, col_title, fmt in (
        (Enterprise.id, (Enterprise.name, Enterprise.uscc), "{0}（{1}）"),
        (Site.id, (Site.address,), "{0}"),
        (License.id, (License.number,), "{0}"),
        (Inspector.id, (Inspector.name, Inspector.badge_no), "{0}（{1}）"),
    ):
        for i in range(0, len(wanted), 500):
            for rid, *vals in session.execute(select(col_id, *col_title).where(col_id.in_(wanted[i : i + 500]))):
                out[rid] = fmt.format(*vals)
    return out
