"""The supervision loop of the bureau.

- classification_rules.py — classes AA/A/B/C, their rules and the supervision they imply (001 §8–§33)
- classification_checks.py — those rules checked against the recorded history (date order, AA block, …)
- classification.py — the changes and their history, applying those rules; class_changes.py — all changes,
  for the bureau's screen; class_notice.py — the two-month deadline and the 分类告知书 (001 §10, §11)
- inspectors.py, inspector_files.py — the register of inspectors and its spreadsheets (001 §24)
- license_actions.py — 撤回/撤销/吊销/注销 of a license (001 §39–§43); interviews.py — 约谈 (001 §35);
  bureau_records.py — those records named as a clerk names them (by 统一社会信用代码)
- planning.py — the annual plan (001 §23, §30)
- draw_rules.py, bureau_rules.py (the bureau's own), draw_snapshot.py, draw_compute.py (the pure draw), draw.py
  (run, store), draw_verify.py (the stored result against a fresh computation), assignments.py, workdays.py
  (the 20-working-day publication deadline) — the double-random draw and its tasks (002)
- rectification.py — rectification follow-up and 回访 (001 §27–§28, 004); followup_form.py — the 回访 form
- my_work.py — what a field laptop shows first (drafts, tasks, 回访 due, records not yet received)
- checkpoints.py — the six check points of 001 §25 over the templates' items
- enforcement.py — the flags a 回访 raises (停产整改, 移交处罚, 降级) and the bureau's decisions
- statistics_scope.py — what is counted and where (获证企业, 家次, the district of a figure); statistics_tables.py —
  the bureau's tables as values (000 表1–表4); statistics.py — counting them; statistics_more.py,
  statistics_figures.py — 000's other figures
"""
