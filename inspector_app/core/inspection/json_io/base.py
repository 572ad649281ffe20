"""What export and import share: the format's name and version, its field names, the import's result and refusal."""

from __future__ import annotations

import re
from dataclasses import dataclass

from inspector_app.core.errors import DomainError
from inspector_app.i18n import _

FORMAT = "inspector-app/inspection"
FORMAT_VERSION = 1
LEADER, MEMBER = "组长", "组员"  # InspectionMember.position 0 is the team leader
NA_REASON_MAX = 200  # ItemResult.na_reason is String(200)

TOP_KEYS = ("format", "format_version", "templates", "inspections")
INSPECTION_KEYS = (
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
    "status_values",
    "signed_on",
    "rectification_days",
    "signatures",
    "photos",
)
INSPECTION_REQUIRED = ("enterprise", "site_address", "template", "kind", "inspected_on", "status", "team")
ENTERPRISE_KEYS = ("uscc", "name")
TEMPLATE_REF_KEYS = ("id", "version", "digest")
MEMBER_KEYS = ("name", "badge_no", "role")
ANSWER_KEYS = ("item_id", "conclusion", "record", "remark", "na_reason", "rectified_on_site", "problem_category")
STATUS_VALUE_KEYS = ("field_id", "value")  # 002 附件3/附件4: one field of the production-status form
SIGNATURE_KEYS = ("role", "badge_no", "name", "title", "phone", "state", "reason", "witness", "image_png_base64")
SIGNATURE_TEXTS = ("badge_no", "name", "title", "phone", "reason", "witness", "image_png_base64")
# The file's key for a field of signing.SignatureInput named by signing.signer_problems.
SIGNER_KEYS = {"inspector_id": "badge_no", "image": "image_png_base64"}
SIGNATURE_LABELS = {
    "name": _("姓名"),
    "title": _("职务"),
    "phone": _("电话"),
    "state": _("签字状态"),
    "reason": _("原因"),
    "witness": _("见证人"),
    "image_sha256": _("签名图片"),
}
# Reserved for a later version (evidence photos).
RESERVED = {
    "photos": _("本版本尚不支持导入照片（photos），请删去该字段或写成空列表 []"),
}
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Chinese hints for the json module's messages a clerk typing a paper record is most likely to meet.
JSON_HINTS = {
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
