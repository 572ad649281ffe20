"""The verification mark every document carries: a QR code and the short verification code beside it.

The QR code holds the payload signed by the issuing device (documents/qrsig.py, `XCJC:2:` + Base45, QR's
alphanumeric mode), or on an installation never set up the unsigned `XCJC:1:<DOCUMENT>:<INSPECTION ID>:<CONTENT
HASH>` (core/issuing/signing.qr_payload); the printed code (core/issuing/signing.verification_code) holds
the first 40 bits of the inspection id and of the content hash with a check character, short enough to read
over the phone. Either lets the bureau find the signed record and compare the paper with it (signing.find_by_code).

The modules are reportlab's QR code, module for module, but computed ≈ 8× faster: reportlab lays out the
whole symbol nine times (eight trial masks and the final one) and scores each trial in pure Python, which
took ≈ 9 ms, as long as a whole bare one-page document. Here the symbol's fixed patterns are laid out once
per version, the rows are Python integers, a mask is one XOR per row, and the penalty rules are string and
bit counts. The penalty is reportlab's own rules with their quirks kept (the finder-like pattern is only
counted in rows, and not at the last position), so the chosen mask, and the printed code, are the same
(tests/documents/test_qr.py compares them with reportlab's for many payloads).
"""

from functools import lru_cache
from itertools import pairwise

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.units import mm

from inspector_app.core.issuing.signing import qr_payload, verification_code
from inspector_app.documents import fonts

LABEL = "核验码"
LEVEL = qrencoder.QRErrorCorrectLevel.M

_FINDER_LIKE = "10111010000"  # penalty rule 3, as reportlab spells it (one orientation only)


@lru_cache(maxsize=32)
def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules (reportlab's encoder, error correction level M), row 0 at the top."""
    code = qrencoder.QRCode(None, LEVEL)
    code.addData(payload)
    version = code.calculate_version()
    n, data_rows, shifts = _symbol(version)
    bits = "".join(f"{byte:08b}" for byte in _codewords(version, code.dataList))
    plain = [0] * n  # the data bits in their places, unmasked
    for (row, bit), b in zip(shifts, bits, strict=False):  # data ends before the area does
        if b == "1":
            plain[row] |= bit
    masks = _mask_rows(n)
    test_base = _function_rows(version, None)
    scores = []
    for mask in masks:
        trial = [f | (p ^ m) & d for f, p, m, d in zip(test_base, plain, mask, data_rows, strict=True)]
        scores.append(_lost_points(trial, n))
    best = scores.index(min(scores))  # the first of equal scores, as reportlab's loop picks
    final = [
        f | (p ^ m) & d for f, p, m, d in zip(_function_rows(version, best), plain, masks[best], data_rows, strict=True)
    ]
    fmt = f"0{n}b"
    return tuple(tuple(ch == "1" for ch in format(row, fmt)) for row in final)


def _new_code(version: int) -> qrencoder.QRCode:
    code = qrencoder.QRCode(version, LEVEL)
    code.dataCache = []  # no data: makeImpl lays out the fixed patterns only
    return code


def _rows(modules) -> list[int]:
    """Each row as an integer, column 0 in the most significant bit."""
    return [int("".join("1" if m else "0" for m in row), 2) for row in modules]


@lru_cache(maxsize=8)
def _symbol(version: int) -> tuple[int, tuple[int, ...], tuple[tuple[int, int], ...]]:
    """Size, the data area as row bits, and each data bit's place (row, bit) in reportlab's order."""
    code = _new_code(version)
    code.makeImpl(True, 0)
    n = code.moduleCount
    rows = [0] * n
    shifts = []
    for col, row in code.dataPosIterator():
        bit = 1 << (n - 1 - col)
        rows[row] |= bit
        shifts.append((row, bit))
    return n, tuple(rows), tuple(shifts)


@lru_cache(maxsize=32)
def _function_rows(version: int, mask: int | None) -> tuple[int, ...]:
    """The fixed patterns with the format (and version) information for `mask`; None: blank, as in
    reportlab's trials."""
    code = _new_code(version)
    code.makeImpl(mask is None, mask or 0)
    _n, data_rows, _shifts = _symbol(version)
    return tuple(r & ~d for r, d in zip(_rows(code.modules), data_rows, strict=True))


@lru_cache(maxsize=8)
def _mask_rows(n: int) -> tuple[tuple[int, ...], ...]:
    """The eight mask patterns as row bits."""
    patterns = [qrencoder.QRUtil.getMask(i) for i in range(8)]
    return tuple(tuple(sum(1 << (n - 1 - c) for c in range(n) if fn(r, c)) for r in range(n)) for fn in patterns)


@lru_cache(maxsize=16)
def _generator(degree: int) -> tuple[int, ...]:
    """The Reed–Solomon generator polynomial (x − α⁰)…(x − α^(degree−1)), highest coefficient first."""
    exp, log = qrencoder.EXP_TABLE, qrencoder.LOG_TABLE
    g = [1]
    for i in range(degree):
        nxt = [*g, 0]
        for j, c in enumerate(g):
            if c:
                nxt[j + 1] ^= exp[(log[c] + i) % 255]
        g = nxt
    return tuple(g)


def _ec_bytes(data: list[int], degree: int) -> list[int]:
    """The remainder of data·x^degree divided by the generator (the error correction codewords)."""
    exp, log = qrencoder.EXP_TABLE, qrencoder.LOG_TABLE
    gen = [log[c] for c in _generator(degree)[1:]]
    rem = [0] * degree
    for byte in data:
        factor = byte ^ rem[0]
        rem = [*rem[1:], 0]
        if factor:
            lf = log[factor]
            for i, lg in enumerate(gen):
                rem[i] ^= exp[(lg + lf) % 255]
    return rem


class _Bits:
    """The bit buffer reportlab's data segments write into (its method names), kept as one integer."""

    def __init__(self):
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length

    def putBit(self, bit) -> None:
        self.put(1 if bit else 0, 1)

    def getLengthInBits(self) -> int:
        return self.length


def _codewords(version: int, data_list) -> list[int]:
    """reportlab's QRCode.createData (bit stream, terminator, padding, blocks interleaved with their error
    correction), with the bits in one integer and the Reed–Solomon division done directly."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, LEVEL)
    bits = _Bits()
    for data in data_list:
        data.write(bits, version)
    capacity = sum(b.dataCount for b in blocks) * 8
    if bits.length > capacity:
        raise ValueError(f"QR code length overflow ({bits.length} > {capacity})")
    if bits.length + 4 <= capacity:
        bits.put(0, 4)
    bits.put(0, -bits.length % 8)
    pad = (qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1)
    k = 0
    while bits.length < capacity:
        bits.put(pad[k % 2], 8)
        k += 1
    stream = list(bits.value.to_bytes(bits.length // 8, "big"))
    dc, ec, offset = [], [], 0
    for block in blocks:
        dc.append(stream[offset : offset + block.dataCount])
        offset += block.dataCount
        ec.append(_ec_bytes(dc[-1], block.totalCount - block.dataCount))
    out = []
    for group in (dc, ec):
        for i in range(max(len(b) for b in group)):
            out.extend(b[i] for b in group if i < len(b))
    return out


def _lost_points(rows: list[int], n: int) -> int:
    """reportlab's QRUtil.getLostPoint for a symbol given as row bits (the same number, ≈ 20× sooner)."""
    full = (1 << n) - 1
    score = 0
    # rule 1: a run of L ≥ 5 modules of one colour in a row or column costs L − 2. `five` marks where five
    # in a row start: a run of L gives L − 4 marks in one group, plus 2 for the group.
    for line in (rows, [~r & full for r in rows]):
        for r in line:
            five = r & (r >> 1) & (r >> 2) & (r >> 3) & (r >> 4)
            score += five.bit_count() + 2 * (five & ~(five << 1)).bit_count()
        above = 0
        for i in range(n - 4):
            five = line[i] & line[i + 1] & line[i + 2] & line[i + 3] & line[i + 4]
            score += five.bit_count() + 2 * (five & ~above).bit_count()
            above = five
    pairs = (1 << (n - 1)) - 1  # a bit for each pair of neighbouring columns
    for a, b in pairwise(rows):  # rule 2: 2×2 blocks of one colour
        same = ~(a ^ b)
        score += 3 * (same & (same >> 1) & ~(a ^ (a >> 1)) & pairs).bit_count()
    # rule 3: reportlab scans rows only (its column pass compares a tuple with a list) and stops one short
    fmt = f"0{n}b"
    score += 40 * "|".join(format(r, fmt)[:-1] for r in rows).count(_FINDER_LIKE)
    dark = sum(r.bit_count() for r in rows)
    score += 10 * (abs(100 * dark // (n * n) - 50) // 5)  # rule 4
    return score


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
