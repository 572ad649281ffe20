"""`inspector-app settings show|set`: the bureau's document settings (局名、印章文字、文书编号格式…).

    inspector-app settings show [KEY …] [--json]
    inspector-app settings set KEY VALUE [KEY VALUE …]

The rules are core/settings.py's (`settings.update`): several pairs given together are checked together
and written in one transaction, or not at all (exit 1, every reason on stderr). An unknown KEY is a usage
error (exit 2), like an unknown option: the keys are part of the command, not data.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from inspector_app.i18n import _

if TYPE_CHECKING:  # the CLI loads core only when a command runs
    from collections.abc import Iterable

    from inspector_app.core.storage.db import Database

ORDER = 55  # after pdf: what the documents print
# What the next document number depends on: after changing one of these, `set` shows the new number.
_NUMBER_KEYS = {
    "docnumber.pattern",
    "bureau.short_name",
    "device.docnumber_prefix",
    "device.docnumber_block_start",
    "device.docnumber_block_end",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "settings",
        help=_("设置：局名、印章文字、文书编号格式、整改期限、法律依据、数据包上限等"),
        description=_("问题汇总表、监督检查记录表和责令整改通知书使用的设置。"),
    )
    sub = parser.add_subparsers(dest="settings_command", metavar=_("子命令"), required=True)

    p = sub.add_parser(
        "show",
        help=_("显示各项设置的当前值和含义"),
        description=_("显示各项设置的当前值、含义和填写要求，以及本机下一个文书编号。"),
    )
    p.add_argument("keys", nargs="*", metavar=_("设置项"), help=_("只显示这些设置项，如 bureau.name"))
    p.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
    p.set_defaults(func=_show, settings_parser=p)

    p = sub.add_parser(
        "set",
        help=_("修改设置（可一次改几项）"),
        description=_(
            "修改一项或几项设置。几项一起给出时一起校验、一起保存；有一项不合要求则都不保存。"
            "例如：inspector-app settings set bureau.name 上海市奉贤区市场监督管理局"
        ),
    )
    p.add_argument("key", metavar=_("设置项"), help=_("如 bureau.name；全部设置项见 settings show"))
    p.add_argument("value", metavar=_("值"), help=_('新的值；空字符串 "" 表示清空（仅限可以为空的项）'))
    p.add_argument("more", nargs="*", metavar=_("设置项 值"), help=_("更多的设置项和值，成对给出"))
    p.set_defaults(func=_set, settings_parser=p)


def _open(args: argparse.Namespace) -> Database:
    from inspector_app.cli.main import open_db

    return open_db(args)


def _check_keys(parser: argparse.ArgumentParser, keys: Iterable[str]) -> None:
    from inspector_app.core import settings

    unknown = [k for k in keys if k not in settings.DEFAULTS]
    if unknown:
        parser.error(
            _("“{k}”不是已知的设置项；可用的设置项：{all}").format(
                k="”“".join(unknown), all="、".join(settings.DEFAULTS)
            )
        )


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines()) if text else "    " + _("（空）")


def _show(args: argparse.Namespace) -> int:
    from inspector_app.core import settings
    from inspector_app.core.errors import DomainError
    from inspector_app.core.issuing import numbers as docnumbers

    _check_keys(args.settings_parser, args.keys)
    keys = args.keys or list(settings.DEFAULTS)
    db = _open(args)
    try:
        values = settings.all_settings(db)
        try:
            preview, preview_error = docnumbers.preview_number(db), None
        except DomainError as exc:
            preview, preview_error = None, exc
    finally:
        db.close()

    if args.json:
        data = {
            key: {
                "label": settings.label(key),
                "value": values[key],
                "default": settings.DEFAULTS[key].default,
                "is_default": values[key] == settings.DEFAULTS[key].default,
                "help": _(settings.DEFAULTS[key].help),
                "rule": settings.rule_text(key),
            }
            for key in keys
        }
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return 0

    for key in keys:
        spec = settings.DEFAULTS[key]
        default = _("（默认值）") if values[key] == spec.default else ""
        local = _("；仅本机，不随同步发出") if settings.is_device_key(key) else ""
        print(f"{settings.label(key)}　{key}{default}")
        print(_indent(values[key]))
        print("    " + _("说明：{h}").format(h=_(spec.help) + local))
        print("    " + _("要求：{r}").format(r=settings.rule_text(key)))
    if not args.keys:
        print()
        if preview is not None:
            print(_("本机下一个文书编号：{n}").format(n=preview.number))
            if preview.note:
                print(preview.note)
        else:
            print(_("本机现在无法编出文书编号：{e}").format(e=preview_error))
        print(_("修改：inspector-app settings set 设置项 值（如 settings set bureau.name 上海市奉贤区市场监督管理局）"))
    return 0


def _set(args: argparse.Namespace) -> int:
    from inspector_app.core import settings
    from inspector_app.core.errors import DomainError
    from inspector_app.core.issuing import numbers as docnumbers

    parser = args.settings_parser
    if len(args.more) % 2:
        parser.error(_("设置项和值要成对给出：“{k}”后面缺少值").format(k=args.more[-1]))
    pairs = [(args.key, args.value), *zip(args.more[::2], args.more[1::2], strict=True)]
    _check_keys(parser, [k for k, _v in pairs])
    keys = [k for k, _v in pairs]
    if len(set(keys)) != len(keys):
        parser.error(_("同一设置项给了两次：{k}").format(k="、".join(sorted({k for k in keys if keys.count(k) > 1}))))

    db = _open(args)
    try:
        try:
            stored = settings.update(db, dict(pairs))
        except settings.SettingsRefused as refused:
            for error in refused.errors.values():
                print(str(error), file=sys.stderr)
            print(_("设置未保存，数据库没有任何改动。"), file=sys.stderr)
            return 1
        preview = None
        if set(stored) & _NUMBER_KEYS:
            try:
                preview = docnumbers.preview_number(db)
            except DomainError as exc:
                preview = exc
    finally:
        db.close()

    for key, value in stored.items():
        shown = value if value else _("（空）")
        print(_("已保存：{label}（{key}）＝{v}").format(label=settings.label(key), key=key, v=shown))
    if isinstance(preview, DomainError):
        print(_("注意：本机现在无法编出文书编号：{e}").format(e=preview), file=sys.stderr)
    elif preview is not None:
        print(_("本机下一个文书编号：{n}").format(n=preview.number))
    return 0
