"""Checklist templates as data: the frozen values of one record form of 002 附件2, and the problems found in one.

A recorded inspection stores Template.to_dict(), so it never changes when forms/ changes; `digest` names the
exact content (make_template computes it). Reading forms/*.toml is template_file.py; templates.py loads them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from inspector_app.core.errors import DomainError
from inspector_app.core.inspection.status_model import StatusForm


@dataclass(frozen=True)
class TemplateItem:
    id: str
    section_no: int
    section_title: str
    text: str
    na_allowed: bool
    na_reason: str
    applies_to: tuple[str, ...]
    category: str
    checkpoint: int | None
    note: str
    # Problem categories a 不符合 on this item may be counted under (000 二(二)); always contains `category`,
    # the default. An item whose official text spans two topics (2.1: production AND test equipment) lists both.
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.categories and self.category is not None:
            object.__setattr__(self, "categories", (self.category,))

    def applies(self, product_kind: str) -> bool:
        return product_kind in self.applies_to

    @property
    def has_alternative_categories(self) -> bool:
        return len(self.categories) > 1


@dataclass(frozen=True)
class Section:
    no: int
    title: str
    items: tuple[TemplateItem, ...]


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    title: str
    product_kind: str
    categories: tuple[str, ...]
    source: str
    sections: tuple[Section, ...]
    footnotes: tuple[str, ...]
    digest: str
    # The production-status form filled with this record (002 附件3 钢铁, 附件4 水泥), for those categories only.
    status: StatusForm | None = None

    @property
    def items(self) -> tuple[TemplateItem, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def item(self, item_id: str) -> TemplateItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def applicable_items(self) -> tuple[TemplateItem, ...]:
        return tuple(item for item in self.items if item.applies(self.product_kind))

    def to_dict(self) -> dict:
        return {**_content(self), "digest": self.digest}

    def with_status(self, form: StatusForm) -> Template:
        """This checklist with a production-status form attached (a new digest: the snapshot names both)."""
        fields = {k: v for k, v in self.__dict__.items() if k not in ("digest", "status")}
        return make_template(**fields, status=form)

    @classmethod
    def from_dict(cls, d: dict) -> Template:
        sections = tuple(
            Section(
                no=s["no"],
                title=s["title"],
                items=tuple(
                    TemplateItem(
                        id=i["id"],
                        section_no=s["no"],
                        section_title=s["title"],
                        text=i["text"],
                        na_allowed=i["na_allowed"],
                        na_reason=i["na_reason"],
                        applies_to=tuple(i["applies_to"]),
                        category=i["category"],
                        checkpoint=i["checkpoint"],
                        note=i["note"],
                        categories=tuple(i.get("categories") or (i["category"],)),
                    )
                    for i in s["items"]
                ),
            )
            for s in d["sections"]
        )
        template = make_template(
            id=d["id"],
            version=d["version"],
            title=d["title"],
            product_kind=d["product_kind"],
            categories=tuple(d["categories"]),
            source=d["source"],
            sections=sections,
            footnotes=tuple(d["footnotes"]),
            status=StatusForm.from_dict(d["status_form"]) if d.get("status_form") else None,
        )
        # A stored snapshot is evidence of what the inspector was asked: refuse one that was altered.
        if d.get("digest") and d["digest"] != template.digest:
            where = f"模板快照 {template.id} 第 {template.version} 版"
            message = "内容与其校验值不符，快照已被改动或损坏；请从备份恢复。"
            raise TemplateError([TemplateProblem(where, None, message)])
        return template


def _item_content(i: TemplateItem) -> dict:
    d = {
        "id": i.id,
        "text": i.text,
        "na_allowed": i.na_allowed,
        "na_reason": i.na_reason,
        "applies_to": list(i.applies_to),
        "category": i.category,
        "checkpoint": i.checkpoint,
        "note": i.note,
    }
    # Written only when there are alternatives: snapshots recorded before template version 2 have no
    # "categories" key, and their digests must stay valid.
    if tuple(i.categories) != (i.category,):
        d["categories"] = list(i.categories)
    return d


def _content(t: Template) -> dict:
    # "status_form" only where a status form is attached: the digests of every other snapshot stay as they were.
    extra = {"status_form": t.status.to_dict()} if t.status is not None else {}
    return {
        **extra,
        "id": t.id,
        "version": t.version,
        "title": t.title,
        "product_kind": t.product_kind,
        "categories": list(t.categories),
        "source": t.source,
        "footnotes": list(t.footnotes),
        "sections": [
            {
                "no": s.no,
                "title": s.title,
                "items": [_item_content(i) for i in s.items],
            }
            for s in t.sections
        ],
    }


def make_template(**fields: Any) -> Template:
    draft = Template(**fields, digest="")
    canonical = json.dumps(_content(draft), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Template(**fields, digest=hashlib.sha256(canonical.encode("utf-8")).hexdigest())


@dataclass(frozen=True)
class TemplateProblem:
    file: str
    item_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"文件 {self.file}" if self.file else "检查表模板"
        if self.item_id:
            where += f"，检查项 {self.item_id}"
        return f"{where}：{self.message}"


class TemplateError(DomainError):
    def __init__(self, problems: list[TemplateProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
