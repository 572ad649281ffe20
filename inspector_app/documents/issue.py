"""Issuing a generated document: the signed PDF, with the fingerprint of the key that signed it, handed to
the archive (core/issuing/issued.py) — when it is saved (`save_issued`, the CLI) or printed or saved from the
出具文书 window (`record_issued`)."""

from __future__ import annotations

from pathlib import Path

from inspector_app.core.issuing import issued
from inspector_app.core.storage.db import Database
from inspector_app.documents.generate import Generated


def to_issue(generated: Generated) -> issued.ToIssue:
    """The plain values the archive keeps of a generated document."""
    return issued.ToIssue(
        inspection_id=generated.inspection_id,
        doc_type=generated.doc_type,
        number=generated.number,
        verification_code=generated.verification_code,
        content_hash=generated.content_hash,
        pdf=bytes(generated.pdf),
        filename=generated.filename,
        # Who signed it, as verify reports it to the bureau later: the fingerprint of the signing public key.
        signer_fingerprint=generated.signer_fingerprint,
    )


def record_issued(db: Database, generated: Generated, how: str) -> issued.IssuedInfo:
    """Archive a document that was just saved or printed (issued.record_issued)."""
    return issued.record_issued(db, to_issue(generated), how)


def save_issued(db: Database, generated: Generated, path: str | Path) -> issued.IssuedInfo:
    """Write the document to `path` and archive it as saved (issued.save_issued)."""
    return issued.save_issued(db, to_issue(generated), path)
