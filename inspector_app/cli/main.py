"""The command line: a stable contract for bureau scripts and acceptance checks.

Exit codes: 0 success, 1 input refused (reasons on stderr, nothing written), 2 usage error.
Each command group lives in its own module of this package with a `register(subparsers)` function and
an `ORDER` number (its place in the help); adding a module adds its commands.
"""

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from inspector_app import __version__
from inspector_app.core.errors import DomainError
from inspector_app.i18n import _

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class Refused(Exception):
    """A command refused its input; the message (Chinese) has already named row/field/file and reason."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors, as our contract says
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, _("{prog}：用法错误：{msg}\n").format(prog=self.prog, msg=message))


def _command_modules() -> list:
    import inspector_app.cli as package

    modules = [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name != "main"
    ]
    return sorted((m for m in modules if hasattr(m, "register")), key=lambda m: getattr(m, "ORDER", 100))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="inspector-app", description=_("现场检查：工业产品生产许可证获证企业证后监督检查"))
    parser.add_argument("--version", action="version", version=f"inspector-app {__version__}")
    parser.add_argument("--db", type=Path, help=_("数据库文件（默认：用户数据目录；或环境变量 INSPECTOR_APP_DB）"))
    sub = parser.add_subparsers(dest="command", metavar=_("命令"), parser_class=_Parser)
    for module in _command_modules():
        module.register(sub)
    return parser


def open_db(args):
    from inspector_app.core.db import open_database
    from inspector_app.paths import default_db_path

    return open_database(args.db or default_db_path())


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
