"""Sync bundles (issue 4): signed, verifiable, idempotent files that carry records between laptops and the
bureau. No Qt here. The format is documented in docs/bundle-format.md.

format.py    manifest, member layout, limits, errors
keys.py      this device's setup, its public key file, the device register (its private keys are kept by
             core/storage/device_keys.py, which documents use too)
crypto.py    signing and the optional encryption to the recipient (X25519 + HKDF + AES-256-GCM)
records.py   the machinery of record kinds: how each is serialised, compared and applied (columns.py: the
             column codecs; record_hash.py: the content hash)
builtin_kinds.py, kinds_*.py  the kinds; registry.py assembles them with receipts' kind
hostile.py   checks of the zip container before anything is read from it
export.py    writing a bundle in three steps (temp file, fsync, rename): export_select.py chooses what to send,
             export_write.py writes the zip (sealed when encrypted) and cleans up killed exports' temp files
verify.py    verifying a bundle: everything an import checks, before anything is written; verify_manifest.py
             checks the signed manifest (source, signature, destination, member list), verify_records.py
             the records together; staging_folders.py: the imports' staging folders and their clean-up
members.py   reading its members: attachments staged on worker threads, records parsed as they stream
decide.py    what an import does with each record (version vectors, cascades of deletions)
preview.py   what applying would do
staging.py   attachments moved into place inside the import's transaction, and back
apply.py     applying a verified bundle in one transaction
importer.py  verify + apply (CLI `bundle import`), and what a bundle says about itself
receipts.py  the bureau's receipts and what they mark on the laptop
conflicts.py listing and resolving conflicts (conflict_groups.py: many at once)
"""
