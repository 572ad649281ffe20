"""`--allow-placeholders` for every command that issues a document (`pdf summary|record|notice`).

Issuing a document while the bureau's name, seal text, telephone or short name are unset or still the
placeholder (core/issuing/print_check.py) is refused — exit 1, the missing settings named on stderr and where they
come from — unless `--allow-placeholders` is given; then the document is issued and the same list is printed
as a warning. A helper, not a command: it has no `register`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from inspector_app.cli.main import Refused
from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.core.issuing.print_check import PrintCheck
    from inspector_app.core.storage.db import Database

FLAG = "--allow-placeholders"


def add_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        FLAG,
        action="store_true",
        help=_(
            "局名、印章文字、局联系电话、局名简称尚未设置（仍是“××”占位或空白）时照常出具（默认拒绝并列出缺少的设置）"
        ),
    )


def refuse_placeholders(db: Database, args: argparse.Namespace, doc_type: str) -> PrintCheck:
    """Refused (exit 1) naming what is missing, unless the flag was given; returns the PrintCheck."""
    from inspector_app.core.issuing.print_check import check

    result = check(db, doc_type)
    if not result.ok and not getattr(args, "allow_placeholders", False):
        raise Refused(_("未出具：") + result.message(cli=True))
    return result


def warn_placeholders(result: PrintCheck) -> None:
    """After issuing with the flag: say once more what the paper shows."""
    if not result.ok:
        print(_("注意：文书上印的是占位内容（{k}），请补填设置后重新出具。").format(k=result.labels()), file=sys.stderr)
