"""`inspector-app templates validate [FILE …]`: check checklist templates (docs/template-format.md).

Without files, checks every forms/*.toml the app would load, including the checks between files (two files
with the same id, a product category claimed by two templates). Prints each good file with its id, version
and item count, or every problem; exit 1 if there is any problem.
"""

import sys
from pathlib import Path

from inspector_app.i18n import _

ORDER = 30  # first in the help: set up the roster, then check the forms


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "templates",
        help=_("检查表模板：校验"),
        description=_("检查表模板（forms 文件夹中的 .toml 文件），格式见 docs/template-format.md"),
    )
    sub = parser.add_subparsers(dest="templates_command", metavar=_("子命令"), required=True)
    p = sub.add_parser(
        "validate",
        help=_("校验模板文件，列出全部问题"),
        description=_("不指定文件时校验程序使用的 forms 文件夹中的全部模板，包括文件之间的冲突。"),
    )
    p.add_argument("files", nargs="*", type=Path, metavar=_("文件"), help=_("模板文件（.toml）；可写多个"))
    p.set_defaults(func=_validate)


def _validate(args) -> int:
    from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED
    from inspector_app.core.templates import TemplateError, load_template, load_templates

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


def _between_files(good, folder, template_error, load_templates) -> int:
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
