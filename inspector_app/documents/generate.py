"""One entry point for the CLI and the GUI: a signed inspection → a signed PDF of one document."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from inspector_app.core.errors import ValidationError
from inspector_app.core.issuing import doc_types, print_check
from inspector_app.core.issuing.signing import verification_code
from inspector_app.core.storage.db import Database
from inspector_app.documents import data as docdata
from inspector_app.documents import device_binding, notice, pdfsign, qrsig, record, status_form, summary
from inspector_app.i18n import _

BUILDERS = {
    doc_types.SUMMARY: summary.build,
    doc_types.RECORD: record.build,
    doc_types.NOTICE: notice.build,
    doc_types.STATUS: status_form.build,
}
DOC_TYPES = doc_types.DOC_TITLES


@dataclass(frozen=True)
class Generated:
    doc_type: str
    pdf: bytes
    warnings: list[str]
    verification_code: str
    number: str
    filename: str
    # Which signed state the document prints: documents/issue.py archives it under these.
    inspection_id: str = ""
    content_hash: str = ""
    signer_fingerprint: str = ""  # of the key that signed the PDF (pdfsign.SignedPdf); "" when unsigned


def suggested_filename(doc_type: str, enterprise: str, on) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "", enterprise)[:40]
    return f"{DOC_TYPES[doc_type]}-{safe}-{on:%Y%m%d}.pdf"


def generate(
    db: Database,
    inspection_id: str,
    doc_type: str,
    *,
    with_photos: bool = False,
    strict: bool = True,
    sign: bool = True,
) -> Generated:
    """Build the document and sign it with this laptop's key. Raises NotFound / NotSigned / MissingGlyphs
    (Chinese messages); with strict=False missing characters print as 〓 and come back as warnings."""
    if doc_type not in BUILDERS:
        raise ValidationError(
            _("文书类型"), _("“{t}”不是已知的文书，可选：{all}").format(t=doc_type, all="、".join(BUILDERS))
        )
    d = docdata.load(db, inspection_id, doc_type, with_photos=with_photos and doc_type == doc_types.RECORD)
    device_key = device_binding.own_device_key(db) if sign else None
    if device_key is not None:  # the QR code signed by this device (documents/qrsig.py)
        assert d.printed_on is not None, "docdata.load sets the printing day"
        qr_text = qrsig.make(doc_type, inspection_id, d.state.current_hash, device_key, d.printed_on)
        d = dataclasses.replace(d, qr_text=qr_text)
    pdf, warnings = BUILDERS[doc_type](d, strict=strict)
    fingerprint = ""
    if sign:
        signed = pdfsign.sign_with_fingerprint(
            pdf,
            reason=f"{DOC_TYPES[doc_type]} {verification_code(inspection_id, d.state.current_hash)}",
            location=d.setting("bureau.name"),
            device=d.setting("device.name"),
            inspector=print_check.device_user(db, d.setting("device.inspector")),
            device_key=device_key,
        )
        pdf, fingerprint = signed.pdf, signed.fingerprint
    return Generated(
        doc_type=doc_type,
        pdf=pdf,
        warnings=warnings,
        verification_code=verification_code(inspection_id, d.state.current_hash),
        number=d.number,
        filename=suggested_filename(doc_type, d.info["enterprise_name"], d.inspected_on),
        inspection_id=inspection_id,
        content_hash=d.state.current_hash,
        signer_fingerprint=fingerprint,
    )
