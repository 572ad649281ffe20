"""Inspections as JSON files: export for scripts and other offices, import of paper records and of exports.

The format is documented in docs/inspection-json.md. Import validates the whole file against the roster and
the template first and reports every problem at once, each with its place in the file
(`inspections[0].answers[3] (检查项 4.1): …`); then it writes the whole file in one transaction or nothing.
A completed inspection (已完成) is never changed by an import, except that a completed record not yet signed may
receive its signatures (a record signed on paper); a signed record never changes. Importing the same file twice
changes nothing.

- base.py — the format's name, version and field names; ImportResult, ImportRefused
- export.py — inspections_document, dump_document, export_inspections
- shape.py — reading the JSON and checking the document's shape (fields, types)
- plan.py — one inspection of the file resolved to database ids, and when two are the same
- reading.py, answers.py, signatures.py — reading an inspection, its answers, its paper signatures
- roster_refs.py — matching an inspection's enterprise, site, license and team with the roster
- apply.py — matching the file with the database and writing it
- importer.py — import_inspections, the public entry of an import (Importer joins the readers)
"""

from inspector_app.core.inspection.json_io.base import FORMAT, FORMAT_VERSION, ImportRefused, ImportResult
from inspector_app.core.inspection.json_io.export import dump_document, export_inspections, inspections_document
from inspector_app.core.inspection.json_io.importer import import_inspections

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ImportRefused",
    "ImportResult",
    "dump_document",
    "export_inspections",
    "import_inspections",
    "inspections_document",
]
