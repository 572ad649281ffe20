"""One inspection, one form (一企一表).

- templates.py — the checklist templates (forms/*.toml): loading and validation
- template_store.py — the templates the bureau published, and which version new inspections use
- inspections.py — start, answer, complete an inspection; the form's state for the screens
- photos.py — evidence photos: originals kept byte for byte, thumbnails and print copies
- json_io.py — inspections as JSON, out and in (scripts, paper records)
"""
