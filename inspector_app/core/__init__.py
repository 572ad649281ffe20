"""The domain and its storage; no Qt, no PDF rendering, no sync format (architecture rules 1 and 12).

- storage/ — the database: models, migrations, derived ids
- roster/ — the licensed enterprises: import, export, the list's index
- inspection/ — templates, inspections, photos, inspection JSON
- issuing/ — signatures, document numbers, the archive of issued documents
- supervision/ — classification, plans, draws, rectification follow-up, statistics
- archive.py (一企一档 of one enterprise), settings.py, catalog.py (fixed lists), identifiers.py (USCC, license
  numbers), safe_input.py and spreadsheet_text.py (what comes in and goes out of files), demo.py, clock.py,
  errors.py, problems.py (every problem of an input at once)
"""
