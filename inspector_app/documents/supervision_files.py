"""The bureau's supervision documents written to a file the user chose (the GUI's 保存 dialogs): one call
that prints and writes, so that a screen submits a plain function to the database lane."""

from __future__ import annotations

from pathlib import Path

from inspector_app.core.files import write_atomic
from inspector_app.core.storage.db import Database
from inspector_app.documents.supervision_docs import Printed, print_class_notice, print_interview


def save_class_notice(db: Database, enterprise_id: str, path: str | Path, *, who: str = "") -> Printed:
    printed = print_class_notice(db, enterprise_id, who=who)
    write_atomic(Path(path), printed.pdf)
    return printed


def save_interview(db: Database, interview_id: str, path: str | Path) -> Printed:
    printed = print_interview(db, interview_id)
    write_atomic(Path(path), printed.pdf)
    return printed
