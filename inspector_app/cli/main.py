"""The command line: a stable contract for bureau scripts and acceptance checks.

Exit codes: 0 success, 1 input refused (reasons on stderr, nothing written), 2 usage error.
Each command group lives in its own module of this package with a `register(subparsers)` function and
an `ORDER` number (its place in the help); adding a module adds its commands.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, NoReturn

from inspector_app import __version__
from inspector_app.core.errors import DomainError
from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.core.storage.db import Database

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class Refused(Exception):
    """A command refused its input; the message (Chinese) has already named row/field/file and reason."""


# argparse's own words (help headings, usage errors) in the inspectors' language. argparse looks each one up
# through its module-level gettext function at the moment it prints, so replacing that function is enough;
# a string not listed stays as argparse wrote it.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示程序版本并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的 %(type)s 值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "ignored explicit argument %r": "多余的参数值 %r",
}
argparse._ = lambda text: _ARGPARSE_ZH.get(text, text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors, as our contract says
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, _("{prog}：用法错误：{msg}\n").format(prog=self.prog, msg=message))


def _command_modules() -> list[ModuleType]:
    import inspector_app.cli as package

    modules = [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name != "main"
    ]
    return sorted((m for m in modules if hasattr(m, "register")), key=lambda m: getattr(m, "ORDER", 100))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="inspector-app",
        description=_("现场检查：工业产品生产许可证获证企业证后监督检查"),
        epilog=_(
            "不带命令时打开图形界面：inspector-app [--db 数据库文件] [--demo]（--demo：数据库为空时载入演示数据）"
        ),
    )
    parser.add_argument("--version", action="version", version=f"inspector-app {__version__}")
    parser.add_argument(
        "--db",
        metavar=_("数据库"),
        help=_(
            "数据库文件，或区局的数据库服务器地址 postgresql+psycopg://用户@主机:5432/数据库名"
            "（默认：用户数据目录；或环境变量 INSPECTOR_APP_DB）。服务器密码放在 PGPASSWORD 或 ~/.pgpass 中"
        ),
    )
    parser.add_argument(
        "--upgrade",
        action="store_true",
        help=_("允许把旧版本的服务器数据库升级到本程序的结构（请先用 pg_dump 备份）"),
    )
    sub = parser.add_subparsers(dest="command", metavar=_("命令"), parser_class=_Parser)
    for module in _command_modules():
        module.register(sub)
    return parser


def db_target(args: argparse.Namespace) -> str | Path:
    """The database --db names (a file or a server URL), else INSPECTOR_APP_DB, else the user's file."""
    from inspector_app.paths import default_db_path

    return getattr(args, "db", None) or default_db_path()


def open_db(args: argparse.Namespace) -> Database:
    from inspector_app.core.storage.db import open_database

    return open_database(db_target(args), upgrade=getattr(args, "upgrade", False))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args) or EXIT_OK
    except (Refused, DomainError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    except (Exception, KeyboardInterrupt) as exc:  # the last line of defence: never a traceback
        from inspector_app.cli.last_resort import report

        print(report(exc, argv, _db_path(args)), file=sys.stderr)
        return EXIT_REFUSED


def _db_path(args: argparse.Namespace) -> Path | None:
    """The database file (for a damage check), None for a server database."""
    try:
        from inspector_app.core.storage.db import file_path, server_url

        target = db_target(args)
        return None if server_url(target) is not None else file_path(target)
    except Exception:
        return None
