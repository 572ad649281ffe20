"""The supervision loop of the bureau.

- classification.py — classes AA/A/B/C and their rules (001 §8–§33)
- planning.py — the annual plan (001 §23, §30)
- draw_rules.py, draw.py, draw_snapshot.py, assignments.py — the double-random draw and its tasks (002)
- rectification.py — rectification follow-up and 回访 (001 §27–§28, 004)
- statistics.py — the bureau's tables (000 表1–表4)
"""
