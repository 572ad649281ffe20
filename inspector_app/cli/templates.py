"""`inspector-app templates validate|publish|list`: checklist templates (docs/template-format.md).

validate [FILE …]: without files, checks every forms/*.toml the app would load, including the checks between
files (two files with the same id, a product category claimed by two templates). Prints each good file with
its id, version and item count, or every problem; exit 1 if there is any problem.
publish FILE …: the bureau publishes checked files for every laptop (core/inspection/template_store.py), all or none.
list: the shipped and published versions, where each comes from and which ones new inspections use.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.core.inspection.templates import Template, TemplateError

ORDER = 30  # first in the help: set up the roster, then check the forms


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "templates",
        help=_("检查表模板：校验、发布、列出"),
        description=_("检查表模板（forms 文件夹中的 .toml 文件）"),
    )
    sub = parser.add_subparsers(dest="templates_command", metavar=_("子命令"), required=True)
    p = sub.add_parser(
        "validate",
        help=_("校验模板文件，列出全部问题"),
        description=_("不指定文件时校验程序使用的 forms 文件夹中的全部模板，包括文件之间的冲突。"),
    )
    p.add_argument("files", nargs="*", type=Path, metavar=_("文件"), help=_("模板文件（.toml）；可写多个"))
    p.set_defaults(func=_validate)

    p = sub.add_parser(
        "publish",
        help=_("区局发布模板，随数据包下发到各检查终端"),
        description=_(
            "区局发布校验通过的模板文件：新版本或专用模板随下一个数据包下发到各现场检查终端，"
            "此后新开始的检查使用它，已开始的检查保留原来的版本。几个文件一起给出时一起校验、一起发布。"
            "现场检查终端不能发布。"
        ),
    )
    p.add_argument("files", nargs="+", type=Path, metavar=_("文件"), help=_("模板文件（.toml）；可写多个"))
    p.add_argument("--by", default="", metavar=_("姓名"), help=_("发布人，记入发布记录"))
    p.set_defaults(func=_publish)

    p = sub.add_parser(
        "list",
        help=_("列出程序自带和区局发布的模板及其版本"),
        description=_("列出程序自带和区局发布的各模板版本、来源，以及新开始的检查使用哪一个。"),
    )
    p.set_defaults(func=_list)


def _validate(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED
    from inspector_app.core.inspection.templates import TemplateError, load_template, load_templates

    if args.files:
        files, folder = list(args.files), None
    else:
        from inspector_app.paths import forms_dir

        folder = forms_dir()
        files = sorted(folder.glob("*.toml"))
        if not files:
            print(_("文件夹“{d}”中没有任何 .toml 检查表模板").format(d=folder), file=sys.stderr)
            return EXIT_REFUSED
    bad = 0
    good = []
    for path in files:
        try:
            template = load_template(path)
        except TemplateError as exc:
            bad += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            continue
        good.append((path, template))
        print(
            _("{f}：通过（id = {id}，版本 {v}，{n} 个检查项）").format(
                f=path, id=template.id, v=template.version, n=len(template.items)
            )
        )
    bad += _between_files(good, folder, TemplateError, load_templates)
    if bad:
        print(_("发现问题，模板未通过校验；请按上面的提示修改后重新运行"), file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def _between_files(
    good: list[tuple[Path, Template]],
    folder: Path | None,
    template_error: type[TemplateError],
    load_templates: Callable[[Path], object],
) -> int:
    """Problems that only show when several templates are loaded together; returns how many were printed."""
    if folder is not None:
        if len(good) != len(list(folder.glob("*.toml"))):
            return 0  # a file already failed on its own; load_templates would repeat its problems
        try:
            load_templates(folder)
        except template_error as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return len(exc.problems)
        return 0
    problems = 0
    ids: dict[str, Path] = {}
    owner: dict[str, Path] = {}
    for path, template in good:
        if template.id in ids:
            print(
                _('文件 {f}：模板编号 id = "{id}" 与文件 {g} 重复，请改为不同的编号').format(
                    f=path.name, id=template.id, g=ids[template.id].name
                ),
                file=sys.stderr,
            )
            problems += 1
        ids.setdefault(template.id, path)
        for category in template.categories:
            if category in owner:
                print(
                    _("文件 {f}：产品类别“{c}”同时出现在文件 {g} 中；每个产品类别只能对应一个模板").format(
                        f=path.name, c=category, g=owner[category].name
                    ),
                    file=sys.stderr,
                )
                problems += 1
            owner.setdefault(category, path)
    return problems


def _publish(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import EXIT_OK, open_db
    from inspector_app.core.inspection.template_store import publish_templates

    db = open_db(args)
    try:
        published = publish_templates(db, args.files, published_by=args.by)
    finally:
        db.close()
    for r in published:
        print(
            _("已发布模板 {i} 第 {v} 版（{f}），将随下一个数据包下发到各检查终端").format(
                i=r.template_id, v=r.version, f=r.file_name
            )
        )
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from datetime import UTC

    from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, open_db
    from inspector_app.core.inspection.template_store import SOURCES, available_templates, template_catalogue
    from inspector_app.core.inspection.templates import TemplateError

    db = open_db(args)
    try:
        entries = template_catalogue(db)
        try:
            available_templates(db)
            problems = []
        except TemplateError as exc:
            problems = exc.problems
    finally:
        db.close()
    for e in entries:
        where = SOURCES[e.source]
        details = [e.file_name] if e.file_name else []
        if e.published_at is not None:
            details.append(e.published_at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M"))
        if e.published_by:
            details.append(e.published_by)
        if details:
            where += "（" + "，".join(details) + "）"
        mark = _("  ← 新检查使用") if e.in_use else ""
        print(_("{i}  第 {v} 版  {t}  {w}{m}").format(i=e.id, v=e.version, t=e.title, w=where, m=mark))
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_REFUSED if problems else EXIT_OK
