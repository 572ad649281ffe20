"""The QR mark is reportlab's QR code module for module, though computed by documents/qr.py's own faster path."""

import hashlib
import random
import uuid

import pytest
from reportlab.graphics.barcode import qrencoder

from inspector_app.core.issuing.signing import qr_payload
from inspector_app.documents import qr


def reportlab_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    n = code.getModuleCount()
    return tuple(tuple(bool(code.isDark(r, c)) for c in range(n)) for r in range(n))


def payloads(count: int, seed: int = 1) -> list[str]:
    """Our own payloads, and shorter, longer, numeric and byte-mode ones, over versions 1 to 16."""
    rnd = random.Random(seed)
    out = []
    for k in range(count):
        doc = rnd.choice(["summary", "record", "notice"])
        p = qr_payload(doc, str(uuid.UUID(int=rnd.getrandbits(128))), hashlib.sha256(bytes([k])).hexdigest())
        if k % 4 == 1:
            p = p[: rnd.randrange(1, len(p))]
        elif k % 4 == 2:
            p = p.lower() + "检" * rnd.randrange(60)  # byte mode
        elif k % 4 == 3:
            p = str(rnd.getrandbits(rnd.randrange(1, 500)))  # numeric mode
        out.append(p)
    return out


def test_the_matrix_is_reportlabs():
    sizes = set()
    for p in payloads(120):
        mine = qr.qr_matrix.__wrapped__(p)
        assert mine == reportlab_matrix(p), p
        sizes.add(len(mine))
    assert min(sizes) == 21 and max(sizes) >= 45  # version 1 up to versions with version information (≥ 7)


def test_the_penalty_of_every_mask_is_reportlabs():
    """The mask choice rests on the penalty: each trial symbol scores what reportlab's getLostPoint gives."""
    for p in payloads(12, seed=7):
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(p)
        code.version = code.calculate_version()
        for mask in range(8):
            code.makeImpl(True, mask)
            rows = qr._rows(code.modules)
            assert qr._lost_points(rows, code.moduleCount) == qrencoder.QRUtil.getLostPoint(code), (p, mask)


def test_an_oversized_payload_is_refused():
    with pytest.raises(ValueError):
        qr.qr_matrix.__wrapped__("检" * 4000)
