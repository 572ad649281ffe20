"""The verification mark every document carries: a QR code and the short verification code beside it.

The QR code holds the payload signed by the issuing device (documents/qrsig.py, `XCJC:2:` + Base45, QR's
alphanumeric mode), or on an installation never set up the unsigned `XCJC:1:<DOCUMENT>:<INSPECTION ID>:<CONTENT
HASH>` (core/issuing/signing.qr_payload); the printed code (core/issuing/signing.verification_code) holds
the first 40 bits of the inspection id and of the content hash with a check character, short enough to read
over the phone. Either lets the bureau find the signed record and compare the paper with it (signing.find_by_code).

The modules are reportlab's own QR encoder's (reportlab.graphics.barcode.qrencoder, error correction level M),
drawn as filled runs on the canvas.
"""

from functools import lru_cache

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.units import mm

from inspector_app.core.issuing.signing import qr_payload, verification_code
from inspector_app.documents import fonts

LABEL = "核验码"
LEVEL = qrencoder.QRErrorCorrectLevel.M


@lru_cache(maxsize=32)
def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules (reportlab's encoder, error correction level M), row 0 at the top."""
    code = qrencoder.QRCode(None, LEVEL)
    code.addData(payload)
    code.make()
    n = code.getModuleCount()
    return tuple(tuple(bool(code.isDark(r, c)) for c in range(n)) for r in range(n))


def draw_qr(canvas, payload: str, x: float, y: float, size: float) -> None:
    """Filled runs of dark modules straight onto the canvas (renderPDF would reference an unembedded font),
    in module units under one scaling: whole numbers are a third of the content stream that coordinates
    in points were, and quicker to write and to compress."""
    matrix = qr_matrix(payload)
    n = len(matrix)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.translate(x, y)
    canvas.scale(size / n, size / n)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            path.rect(start, n - 1 - r, c - start, 1)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def draw_mark(
    canvas,
    x: float,
    y: float,
    *,
    doc_type: str,
    inspection_id: str,
    content_hash: str,
    size: float = 17 * mm,
    payload: str = "",
) -> str:
    """Draw the QR code with its lower-left corner at (x, y) and the code to its right; returns the code.
    `payload`: the signed QR text (documents/qrsig.py); without it the unsigned version 1."""
    code = verification_code(inspection_id, content_hash)
    draw_qr(canvas, payload or qr_payload(doc_type, inspection_id, content_hash), x, y, size)
    canvas.saveState()
    canvas.setFont(fonts.BODY, 7.5)
    canvas.drawString(x + size + 2 * mm, y + size - 5 * mm, f"{LABEL}：{code}")
    canvas.setFont(fonts.BODY, 6.5)
    canvas.drawString(x + size + 2 * mm, y + size - 9 * mm, "扫码或凭核验码向出具机关核对本文书")
    canvas.restoreState()
    return code
