"""The roster of licensed enterprises (获证企业名录).

Import and export as CSV / XLSX (docs/roster-format.md), one module per idea, after Anki's
pylib/anki/importing (a base, then the steps):
- base.py — what import and export share: progress, RosterFileError, RowError, the reports
- columns.py — the columns: canonical headers and the synonyms ledgers use
- sheets.py — reading a file into numbered rows (sniffing, CSV encodings, XLSX sheets) and finding the header
- values.py — one cell's value: text, dates, district, category, class, risk
- rows.py — which column holds which field (Layout) and the checks of one row
- merge.py — checks between rows and against the database, the plan of writes, writing it
- importer.py — import_roster / import_records: the public entry of an import
- export.py — export_roster: the archive as the ledger again
The roster for the list:
- load.py — the roster for the list, from the database and its display cache
- index.py — the in-memory column index the list searches on every keystroke
"""
