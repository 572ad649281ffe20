"""One inspection, one form (一企一表).

- templates.py — the checklist templates (forms/*.toml): loading the folder, the template of a category
- template_model.py — a template as frozen data (Template, Section, TemplateItem, digest), TemplateError
- template_file.py — reading and validating one template file, every problem in Chinese
- template_store.py — the templates the bureau published, and which version new inspections use
- inspections.py — start, answer, complete an inspection; the form's state for the screens; with_conclusion,
  the one place of what a conclusion does to the 不适用 reason, 当场整改 and problem category
- photos.py — evidence photos: originals kept byte for byte, thumbnails and print copies
- snapshots.py — the exact template an inspection was filled on (template_from_snapshot, store_snapshot)
- json_io/ — inspections as JSON, out and in (scripts, paper records); its __init__ lists its modules
"""
