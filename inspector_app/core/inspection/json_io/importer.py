"""Inspections in from JSON: the public entry of an import (import_inspections)."""

from __future__ import annotations

from pathlib import Path

from inspector_app.core.inspection.json_io.answers import AnswerReader
from inspector_app.core.inspection.json_io.apply import Applier
from inspector_app.core.inspection.json_io.base import ImportRefused, ImportResult
from inspector_app.core.inspection.json_io.reading import InspectionReader
from inspector_app.core.inspection.json_io.roster_refs import RosterReader
from inspector_app.core.inspection.json_io.shape import new_collector, read_json
from inspector_app.core.inspection.json_io.signatures import SignatureReader
from inspector_app.core.inspection.json_io.status_io import StatusReader
from inspector_app.core.inspection.templates import Template
from inspector_app.core.storage.db import Database


class Importer(InspectionReader, RosterReader, AnswerReader, StatusReader, SignatureReader, Applier):
    """One import: the readers of the file's parts and the writer, sharing the session (`s`), the loaded templates
    and the problems found (`c`)."""


def import_inspections(
    db: Database, path: str | Path, templates: dict[str, Template], *, dry_run: bool = False
) -> ImportResult:
    """Validates the whole file, then writes it in one transaction; raises ImportRefused listing every problem.

    `templates` are the loaded forms/ templates (load_templates()). With dry_run nothing is written even if
    the file is valid; the result says what an import would do.
    """
    path = Path(path)
    c = new_collector()
    data = read_json(path, c)
    with db.session() as s:
        importer = Importer(s, templates, c)
        plans = importer.read(data)
        if c.errors:
            raise ImportRefused(str(path), c.errors)
        if not dry_run:
            importer.write(plans)
            if c.errors:  # the session rolls back: nothing of the file is written
                raise ImportRefused(str(path), c.errors)
    by_action: dict[str, list[str]] = {"create": [], "update": [], "unchanged": []}
    for plan in plans:
        by_action[plan.action].append(plan.id or "")
    return ImportResult(
        created=tuple(by_action["create"]),
        updated=tuple(by_action["update"]),
        unchanged=tuple(by_action["unchanged"]),
        warnings=tuple(c.warnings),
        written=not dry_run,
        signed=tuple(plan.id or "" for plan in plans if plan.sign),
    )
