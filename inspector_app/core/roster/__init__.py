"""The roster of licensed enterprises (获证企业名录).

- files.py — import and export as CSV / XLSX, with every row's checks
- load.py — the roster for the list, from the database and its display cache
- index.py — the in-memory column index the list searches on every keystroke
"""
