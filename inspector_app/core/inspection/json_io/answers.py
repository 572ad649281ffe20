"""The answers of one inspection of the file: every field checked, the conclusion rule applied
(inspections.with_conclusion), and a completed record checked as completing it in the app would."""

from __future__ import annotations

from typing import Any, Literal

from inspector_app.core.catalog import (
    CONCLUSIONS,
    PRODUCT_KINDS,
)
from inspector_app.core.errors import ValidationError
from inspector_app.core.inspection.inspections import (
    RECTIFIED_ONLY_ON_PROBLEM,
    Answer,
    InspectionView,
    TeamMember,
    check_problem_category,
    completion_blockers,
    with_conclusion,
)
from inspector_app.core.inspection.json_io.base import ANSWER_KEYS, NA_REASON_MAX
from inspector_app.core.inspection.json_io.plan import Plan
from inspector_app.core.inspection.json_io.shape import check_keys, text_field, type_name
from inspector_app.core.inspection.status_values import status_problems, values_of
from inspector_app.core.inspection.templates import Template
from inspector_app.core.problems import Problems
from inspector_app.i18n import _


class AnswerReader:
    """The answers of one inspection of the file (a part of Importer)."""

    c: Problems[str]  # set by InspectionReader.__init__ for the whole Importer

    def read_answers(self, raw: Any, template: Template | None, where: str) -> dict[str, Answer] | None:
        c = self.c
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            c.error(where, _("应为答案的列表 […]，现在是{t}").format(t=type_name(raw)))
            return None
        before = len(c.errors)
        answers: dict[str, Answer] = {}
        seen: dict[str, int] = {}
        for j, a in enumerate(raw):
            aw = f"{where}[{j}]"
            if not isinstance(a, dict):
                c.error(
                    aw, _('应为对象，如 {{"item_id": "1.1", "conclusion": "符合"}}，现在是{t}').format(t=type_name(a))
                )
                continue
            item_id = a.get("item_id")
            if isinstance(item_id, str) and item_id.strip():
                item_id = item_id.strip()
                aw = f"{aw} (检查项 {item_id})"
            check_keys(c, a, ANSWER_KEYS, aw, required=("item_id",))
            if "item_id" in a and not (isinstance(item_id, str) and item_id):
                c.error(aw, _('item_id 应为检查项编号文字，如 "1.1"，现在是{t}').format(t=type_name(item_id)))
                continue
            if item_id is None:
                continue
            record = text_field(c, a, "record", aw)
            remark = text_field(c, a, "remark", aw)
            na_reason = text_field(c, a, "na_reason", aw)
            rectified = a.get("rectified_on_site", False)
            if rectified is None:
                rectified = False
            if not isinstance(rectified, bool):
                c.error(
                    aw, _("rectified_on_site 应为 true 或 false（不加引号），现在是{t}").format(t=type_name(rectified))
                )
            problem_category: str | Literal[False] | None = a.get("problem_category")
            if isinstance(problem_category, str):
                problem_category = problem_category.strip() or None
            if problem_category is not None and not isinstance(problem_category, str):
                c.error(
                    aw,
                    _('problem_category 应为问题类别文字，如 "检验手段"，或 null，现在是{t}').format(
                        t=type_name(problem_category)
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
                or record is None
                or remark is None
                or na_reason is None
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
            # The fields that go with the conclusion follow it as on the form (inspections.with_conclusion): 不适用
            # carries the form's stated reason unless the file gives one; 当场整改 only on a 不符合.
            given = Answer(item_id, None, na_reason, record, remark, rectified, problem_category)
            answer = with_conclusion(item, given, conclusion)
            if rectified and not answer.rectified_on_site:
                c.error(aw, _("rectified_on_site 为 true，但{m}").format(m=RECTIFIED_ONLY_ON_PROBLEM))
                continue
            if na_reason and not answer.na_reason:
                c.warn(aw, _("结论不是“不适用”，不适用理由（na_reason）未导入"))
            answers[item_id] = answer
        if len(c.errors) > before or template is None:
            return None
        # Items the form excludes for this product kind are 不适用 whether or not the file lists them.
        for item in template.items:
            if not item.applies(template.product_kind):
                answers[item.id] = Answer(item.id, "na", item.na_reason)
        return answers

    def read_conclusion(self, value: Any, where: str) -> str | Literal[False] | None:
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
        self.c.error(where, _("检查结论{v}不认识，只能是{a}，未填写时写 null").format(v=type_name(value), a=allowed))
        return False

    def check_complete(self, plan: Plan, raw_answers: Any, where: str) -> None:
        """A completed record must satisfy the same rules as completing it in the app."""
        index: dict[str, int] = {}
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
        form = plan.template.status  # 002 附件3/附件4: a total below its parts is the status values' problem
        status = {m for _f, m in status_problems(form, values_of(form, plan.answers))} if form is not None else set()
        for blocker in completion_blockers(view):
            if blocker.item_id is None and blocker.message in status:
                self.c.error(f"{where}.status_values", _("状态为 completed（已完成），但{m}").format(m=blocker.message))
                continue
            if blocker.item_id is None:
                self.c.error(f"{where}.team", blocker.message)
                continue
            message = blocker.message
            prefix = f"检查项 {blocker.item_id}"
            if message.startswith(prefix):
                message = message[len(prefix) :].strip()
            at = index.get(blocker.item_id)
            place = f"{where}.answers[{at}]" if at is not None else f"{where}.answers"
            self.c.error(
                f"{place} (检查项 {blocker.item_id})", _("状态为 completed（已完成），但{m}").format(m=message)
            )
