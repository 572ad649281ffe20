"""The supervision loop of the bureau.

- classification_rules.py — classes AA/A/B/C, their rules and the supervision they imply (001 §8–§33)
- classification_checks.py — those rules checked against the recorded history (date order, AA block, …)
- classification.py — the changes and their history, applying those rules
- planning.py — the annual plan (001 §23, §30)
- draw_rules.py, draw_snapshot.py, draw_compute.py (the pure draw), draw.py (run, store, verify),
  assignments.py — the double-random draw and its tasks (002)
- rectification.py — rectification follow-up and 回访 (001 §27–§28, 004)
- enforcement.py — the flags a 回访 raises (停产整改, 移交处罚, 降级) and the bureau's decisions
- statistics_tables.py — the bureau's tables as values (000 表1–表4); statistics.py — counting them
"""
