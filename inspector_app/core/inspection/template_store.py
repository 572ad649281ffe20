"""Templates the bureau publishes: a clerk's new version or product-specific template, for every laptop.

The shipped templates are forms/*.toml (core/inspection/templates.py). The bureau publishes a checked file as a
`template_release` row pointing at a `template_snapshot` (the same content-addressed snapshot an inspection
keeps); releases travel bureau → field (sync/kinds_templates.py). `available_templates` is what a new
inspection may use: the shipped templates merged with the releases, the higher version of each id winning,
under load_templates' rule that one product category belongs to one template. Docs: docs/template-format.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.errors import ValidationError
from inspector_app.core.inspection.snapshots import store_snapshot, template_from_snapshot
from inspector_app.core.inspection.templates import (
    Template,
    TemplateError,
    TemplateProblem,
    load_template,
    load_templates,
)
from inspector_app.core.problems import Problems
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import TemplateRelease, TemplateSnapshot, utcnow
from inspector_app.i18n import _

SHIPPED, PUBLISHED = "shipped", "published"
SOURCES = {SHIPPED: "程序自带", PUBLISHED: "区局发布"}


@dataclass(frozen=True)
class Release:
    id: str
    template_id: str
    version: int
    digest: str
    file_name: str
    published_at: datetime
    published_by: str


@dataclass(frozen=True)
class TemplateEntry:
    """One line of `templates list`: a shipped or published version, and whether new inspections use it."""

    id: str
    version: int
    title: str
    digest: str
    source: str  # SHIPPED / PUBLISHED
    file_name: str
    published_at: datetime | None
    published_by: str
    in_use: bool


@dataclass(frozen=True)
class _Candidate:
    template: Template
    source: str
    file_name: str
    pending: bool = False  # being published now

    def describe(self) -> str:
        t = self.template
        if self.pending:
            return _("待发布的模板 {i}（第 {v} 版，文件 {f}）").format(i=t.id, v=t.version, f=self.file_name)
        if self.source == SHIPPED:
            return _("程序自带的模板 {i}（第 {v} 版）").format(i=t.id, v=t.version)
        return _("区局发布的模板 {i}（第 {v} 版，文件 {f}）").format(i=t.id, v=t.version, f=self.file_name)


# ---------------------------------------------------------------------------------------------- reading


def _release(r: TemplateRelease) -> Release:
    return Release(r.id, r.template_id, r.version, r.snapshot_digest, r.file_name, r.published_at, r.published_by)


def _published(session: Session) -> list[tuple[Release, Template]]:
    """Every release with its template, oldest version first; a release that disagrees with its snapshot
    (only a damaged database or a bug can make one) is refused, naming it."""
    q = (
        select(TemplateRelease, TemplateSnapshot.content)
        .join(TemplateSnapshot, TemplateSnapshot.digest == TemplateRelease.snapshot_digest)
        .order_by(TemplateRelease.template_id, TemplateRelease.version)
    )
    out, c = [], Problems(TemplateProblem)
    for row, content in session.execute(q):
        template = template_from_snapshot(row.snapshot_digest, content)
        if (template.id, template.version) != (row.template_id, row.version):
            message = _("发布记录是模板 {i} 第 {v} 版，但其快照是 {j} 第 {w} 版；请区局重新发布该模板").format(
                i=row.template_id, v=row.version, j=template.id, w=template.version
            )
            c.error(row.file_name, None, message)
            continue
        out.append((_release(row), template))
    if c.errors:
        raise TemplateError(c.errors)
    return out


def _candidates(shipped: dict[str, Template], published: Iterable[tuple[Release, Template]]) -> list[_Candidate]:
    out = [_Candidate(t, SHIPPED, "") for t in shipped.values()]
    out += [_Candidate(t, PUBLISHED, r.file_name) for r, t in published]
    return out


def _winners(candidates: Iterable[_Candidate]) -> dict[str, _Candidate]:
    """The version of each template id a new inspection uses: the highest. On a tie (a new program version
    shipping the number the bureau already published) the bureau's copy, its deliberate change, wins."""
    best: dict[str, _Candidate] = {}
    for c in candidates:
        cur = best.get(c.template.id)
        if cur is None or (c.template.version, c.source != SHIPPED) > (cur.template.version, cur.source != SHIPPED):
            best[c.template.id] = c
    return best


def _category_problems(winners: dict[str, _Candidate]) -> list[TemplateProblem]:
    """load_templates' rule between files: each product category belongs to one template."""
    problems = []
    owner: dict[str, _Candidate] = {}
    for tid in sorted(winners, key=lambda i: (winners[i].source != SHIPPED, i)):
        c = winners[tid]
        for category in c.template.categories:
            first = owner.setdefault(category, c)
            if first is not c:
                problems.append(
                    TemplateProblem(
                        c.file_name if c.source != SHIPPED else "",
                        None,
                        _(
                            "产品类别“{c}”同时属于{a}和{b}；每个产品类别只能对应一个模板，"
                            "请区局从其中一个模板的 categories 中删去该类别，提高 version 后一起发布"
                        ).format(c=category, a=c.describe(), b=first.describe()),
                    )
                )
    return problems


def available_templates(db: Database, forms: str | Path | None = None) -> dict[str, Template]:
    """The templates a new inspection may use, by id: forms/ (or `forms`) merged with the published releases.

    Raises TemplateError with every problem: those of the shipped files (load_templates) and a product
    category claimed by two of the winning versions.
    """
    shipped = load_templates(forms)
    with db.session() as s:
        published = _published(s)
    winners = _winners(_candidates(shipped, published))
    problems = _category_problems(winners)
    if problems:
        raise TemplateError(problems)
    return {tid: c.template for tid, c in sorted(winners.items())}


def releases(db: Database) -> list[Release]:
    with db.session() as s:
        return [
            _release(r)
            for r in s.scalars(select(TemplateRelease).order_by(TemplateRelease.template_id, TemplateRelease.version))
        ]


def template_catalogue(db: Database, forms: str | Path | None = None) -> list[TemplateEntry]:
    """Every shipped and published version, by id then newest first, marking those new inspections use.

    Unlike available_templates it does not refuse a category claimed twice: it is how one finds out why.
    """
    directory = Path(forms) if forms is not None else None
    shipped = load_templates(directory)
    files = _shipped_files(directory, shipped)
    with db.session() as s:
        published = _published(s)
    winners = _winners(_candidates(shipped, published))
    out = [
        TemplateEntry(t.id, t.version, t.title, t.digest, SHIPPED, files.get(t.id, ""), None, "", False)
        for t in shipped.values()
    ]
    out += [
        TemplateEntry(t.id, t.version, t.title, t.digest, PUBLISHED, r.file_name, r.published_at, r.published_by, False)
        for r, t in published
    ]
    used = {(c.template.id, c.template.version, c.source) for c in winners.values()}
    out = [replace(e, in_use=(e.id, e.version, e.source) in used) for e in out]
    return sorted(out, key=lambda e: (e.id, -e.version, e.source != PUBLISHED))


def _shipped_files(directory: Path | None, shipped: dict[str, Template]) -> dict[str, str]:
    """Template id → its file name in forms/ (load_templates, which has checked them, keys by id only)."""
    if directory is None:
        from inspector_app.paths import forms_dir

        directory = forms_dir()
    out = {}
    for path in sorted(directory.glob("*.toml")):
        template = load_template(path)
        if template.id in shipped and shipped[template.id].digest == template.digest:
            out[template.id] = path.name
    return out


# --------------------------------------------------------------------------------------------- publishing


def publish_templates(
    db: Database, paths: Iterable[str | Path], *, published_by: str = "", forms: str | Path | None = None
) -> list[Release]:
    """Publish checked template files together, all or none (the bureau; refused on a field laptop).

    Several files go together when one change spans them: a product-specific template that takes its
    category out of the general one. Refused, with every problem: a file load_template refuses, two files
    with one id, a version not higher than the one shipped or published for that id, a product category
    claimed by two templates, or one that would be left without a template.
    """
    from inspector_app.core.storage.sync_models import require_bureau

    files = [Path(p) for p in paths]
    if not files:
        raise ValidationError(_("模板文件"), _("请指定要发布的模板文件（.toml）"))
    published_by = published_by.strip()
    if len(published_by) > 50:
        raise ValidationError(_("发布人"), _("不能超过50个字"))
    with db.session() as s:
        require_bureau(s, _("发布检查表模板"))
        problems = Problems(TemplateProblem)
        new: list[_Candidate] = []
        for path in files:
            try:
                template = load_template(path)
            except TemplateError as exc:
                problems.extend(exc.problems)
                continue
            twin = next((c for c in new if c.template.id == template.id), None)
            if twin is not None:
                message = _('模板编号 id = "{i}" 与文件 {f} 重复，请改为不同的编号').format(
                    i=template.id, f=twin.file_name
                )
                problems.error(path.name, None, message)
                continue
            new.append(_Candidate(template, PUBLISHED, path.name, pending=True))
        if problems.errors:
            raise TemplateError(problems.errors)

        shipped = load_templates(forms)
        existing = _candidates(shipped, _published(s))
        for c in new:
            problems.extend(_version_problems(c, existing))
        before = _winners(existing)
        after = _winners([*existing, *new])
        # Only what this publication causes: a conflict already there (a newer program shipping a category
        # the bureau moved) must not block the publication that resolves it.
        known = {str(p) for p in _category_problems(before)}
        problems.extend([p for p in _category_problems(after) if str(p) not in known])
        problems.extend(_lost_categories(before, after, new))
        if problems.errors:
            raise TemplateError(problems.errors)

        out = []
        for c in new:
            store_snapshot(s, c.template)
            row = TemplateRelease(
                template_id=c.template.id,
                version=c.template.version,
                snapshot_digest=c.template.digest,
                file_name=c.file_name[:200],
                published_at=utcnow(),
                published_by=published_by,
            )
            s.add(row)
            s.flush()
            out.append(_release(row))
        return out


def publish_template(
    db: Database, path: str | Path, *, published_by: str = "", forms: str | Path | None = None
) -> Release:
    """Publish one template file; see publish_templates."""
    return publish_templates(db, [path], published_by=published_by, forms=forms)[0]


def _version_problems(new: _Candidate, existing: list[_Candidate]) -> list[TemplateProblem]:
    t = new.template
    same_id = [c for c in existing if c.template.id == t.id]
    if not same_id:
        return []
    highest = max(same_id, key=lambda c: (c.template.version, c.source != SHIPPED))
    twin = next((c for c in same_id if c.template.digest == t.digest), None)
    if twin is not None:
        message = _("内容与{w}完全相同，无需发布").format(w=twin.describe())
    elif t.version <= highest.template.version:
        message = _(
            "[template] 中 version = {v} 不高于{w}；内容每改一次 version 加 1，请改为 version = {n} 后再发布"
        ).format(v=t.version, w=highest.describe(), n=highest.template.version + 1)
    else:
        return []
    return [TemplateProblem(new.file_name, None, message)]


def _lost_categories(
    before: dict[str, _Candidate], after: dict[str, _Candidate], new: list[_Candidate]
) -> list[TemplateProblem]:
    """A category that had a template and would have none: inspections of it could no longer start."""
    covered = {cat for c in after.values() for cat in c.template.categories}
    problems = []
    for c in new:
        old = before.get(c.template.id)
        if old is None:
            continue
        for category in old.template.categories:
            if category not in covered:
                problems.append(
                    TemplateProblem(
                        c.file_name,
                        None,
                        _(
                            "[template] 中 categories 去掉了产品类别“{cat}”，发布后该类别将没有任何检查表模板；"
                            "请把接管该类别的专用模板一起发布（templates publish 甲.toml 乙.toml）"
                        ).format(cat=category),
                    )
                )
    return problems
