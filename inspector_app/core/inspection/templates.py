"""Checklist templates: the record form of 002 附件2 as data (forms/*.toml), validated and versioned.

A bureau clerk edits forms/*.toml without touching Python; template_file.py reads one file and reports every
problem at once in Chinese; this module loads the folder and hands the app frozen values (template_model.py).
A recorded inspection stores Template.to_dict(), so it never changes when forms/ changes; `digest` names the
exact content. The file format is documented in docs/template-format.md.
"""

from __future__ import annotations

from pathlib import Path

from inspector_app.core import catalog
from inspector_app.core.inspection.template_file import read_template_file
from inspector_app.core.inspection.template_model import (
    Section,
    Template,
    TemplateError,
    TemplateItem,
    TemplateProblem,
)
from inspector_app.core.problems import Problems

# The names callers take from here (the data classes live in template_model.py).
__all__ = [
    "Section",
    "Template",
    "TemplateError",
    "TemplateItem",
    "TemplateProblem",
    "load_template",
    "load_templates",
    "template_for_category",
]


def load_template(path: str | Path) -> Template:
    """Reads and validates one template file; raises TemplateError listing every problem in it."""
    template, problems = read_template_file(Path(path))
    if problems or template is None:
        raise TemplateError(problems)
    return template


def load_templates(directory: str | Path | None = None) -> dict[str, Template]:
    """All forms/*.toml by template id; raises TemplateError with the problems of every file."""
    if directory is None:
        from inspector_app.paths import forms_dir  # lazily: paths pulls in platformdirs

        directory = forms_dir()
    directory = Path(directory)
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        message = "文件夹中没有任何 .toml 检查表模板，请放入模板文件"
        raise TemplateError([TemplateProblem(str(directory), None, message)])

    c = Problems(TemplateProblem)
    templates: dict[str, Template] = {}
    files: dict[str, str] = {}  # template id -> file name
    owner: dict[str, str] = {}  # product category -> file name
    for path in paths:
        template, file_problems = read_template_file(path)
        c.extend(file_problems)
        if template is None:
            continue
        if template.id in templates:
            message = f'模板编号 id = "{template.id}" 与文件 {files[template.id]} 重复，请改为不同的编号'
            c.error(path.name, None, message)
            continue
        # One category, one template: a product-specific template takes its category out of the general one.
        for category in template.categories:
            if category in owner:
                c.error(
                    path.name,
                    None,
                    f"产品类别“{category}”同时出现在文件 {owner[category]} 中；每个产品类别只能对应一个模板，"
                    "请从其中一个文件的 categories 中删去",
                )
            else:
                owner[category] = path.name
        templates[template.id] = template
        files[template.id] = path.name
    if c.errors:
        raise TemplateError(c.errors)
    return templates


def template_for_category(templates: dict[str, Template], category: str) -> Template:
    """The template used for enterprises of this product category (short names of the ledger accepted)."""
    category = catalog.CATEGORY_SYNONYMS.get(category, category)
    matches = [t for t in templates.values() if category in t.categories]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        message = f"没有适用于产品类别“{category}”的检查表模板；请在 forms 文件夹某个模板的 categories 中加入该类别"
    else:
        names = "、".join(t.id for t in matches)
        message = f"产品类别“{category}”同时属于多个检查表模板（{names}），请只保留一个"
    raise TemplateError([TemplateProblem("", None, message)])
