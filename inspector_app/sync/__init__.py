"""Sync bundles (issue 4): signed, verifiable, idempotent files that carry records between laptops and the
bureau. No Qt here. The format is documented in docs/bundle-format.md.

format.py    manifest, member layout, limits, errors
keys.py      this device's identity (Ed25519 + X25519 keys), its role, the device register
crypto.py    signing and the optional encryption to the recipient (X25519 + HKDF + AES-256-GCM)
records.py   the registry of record kinds: how each is serialised, compared and applied
hostile.py   checks of the zip container before anything is read from it
export.py    writing a bundle (temp file, fsync, rename)
verify.py    verifying a bundle: everything an import checks, before anything is written
members.py   reading its members: attachments staged on worker threads, records parsed as they stream
importer.py  previewing a verified bundle and applying it in one transaction
receipts.py  the bureau's receipts and what they mark on the laptop
conflicts.py listing and resolving conflicts
"""
