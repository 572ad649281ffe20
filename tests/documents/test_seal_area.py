"""The enterprise's seal position (002 附件2 企业名称（盖章）, 附件1 企业代表确认签字（公章））: a 42 mm circle whose
square holds no printed text or signature but its own small label, on the record's first page beside the
enterprise's name and inside the summary's signature box, without adding a page."""

import io

import pypdf
import pytest
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from inspector_app.documents import fonts, seal_area
from inspector_app.documents.generate import generate
from tests.documents import factory
from tests.documents.factory import flat, pdf_pages


def _marks(page) -> tuple[list, list]:
    """The page's text lines as (text, x0, y0, x1, y1) and its images as (x0, y0, x1, y1), in points.

    reportlab writes a line as one text object whose runs switch between font subsets; pypdf reports every run at
    the line's origin, so the runs sharing an origin are joined back into their line before measuring it."""
    fonts.register()
    lines: dict[tuple[float, float], list] = {}
    images = []

    def on_text(text, cm, tm, _font, size):
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        line = lines.setdefault((round(x, 1), round(y, 1)), ["", 0.0, size])
        line[0] += text.strip("\n")
        line[1] += stringWidth(text.strip("\n"), fonts.BODY, size)
        line[2] = max(line[2], size)

    def on_op(op, _args, cm, _tm):
        if op == b"Do":
            images.append((cm[4], cm[5], cm[4] + cm[0], cm[5] + cm[3]))

    page.extract_text(visitor_text=on_text, visitor_operand_before=on_op)
    texts = [(t, x, y - 0.25 * size, x + width, y + 0.9 * size) for (x, y), (t, width, size) in lines.items()]
    return texts, images


def _seal_square(texts) -> tuple[float, float, float, float]:
    labels = [t for t in texts if seal_area.LABEL in t[0]]
    assert len(labels) == 1, [t[0] for t in texts]
    _text, x, y, _x1, _y1 = labels[0]
    y += 0.25 * seal_area.LABEL_SIZE  # back to the baseline
    cx = x + stringWidth(seal_area.LABEL, fonts.BODY, seal_area.LABEL_SIZE) / 2
    cy = y - seal_area.LABEL_ABOVE_BOTTOM_MM * mm + seal_area.DIAMETER_MM * mm / 2
    half = seal_area.SIDE_MM * mm / 2
    return cx - half, cy - half, cx + half, cy + half


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_clear_seal_area(page) -> tuple[float, float, float, float]:
    texts, images = _marks(page)
    square = _seal_square(texts)
    assert square[2] - square[0] >= seal_area.DIAMETER_MM * mm
    intruders = [t[0] for t in texts if seal_area.LABEL not in t[0] and _overlaps(t[1:], square)]
    assert not intruders, intruders
    assert not [im for im in images if _overlaps(im, square)]  # no signature printed into it
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert square[0] >= 0 and square[1] >= 0 and square[2] <= width and square[3] <= height
    return square


def _reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


@pytest.mark.parametrize("rep_state", ["signed", "refused"])
def test_the_record_leaves_the_seal_position_beside_the_enterprise_name(db, sample, templates, fixed_today, rep_state):
    iid = factory.signed(db, sample, templates, rep_state=rep_state)
    reader = _reader(generate(db, iid, "record").pdf)
    assert len(reader.pages) == 3  # as many pages as before the seal position
    square = assert_clear_seal_area(reader.pages[0])
    texts, _ = _marks(reader.pages[0])
    name = next(t for t in texts if "企业名称" in t[0])
    assert square[1] < name[2] < square[3]  # beside the name, at its height
    assert name[3] <= square[0]
    for page in reader.pages[1:]:  # later pages: the compact header, the seal is stamped once
        assert seal_area.LABEL not in flat(page.extract_text())


@pytest.mark.parametrize("rep_state", ["signed", "refused", "absent"])
def test_the_summary_leaves_the_seal_position_in_the_signature_box(db, sample, templates, fixed_today, rep_state):
    iid = factory.signed(db, sample, templates, rep_state=rep_state)
    pdf = generate(db, iid, "summary").pdf
    reader = _reader(pdf)
    assert len(reader.pages) == 1
    square = assert_clear_seal_area(reader.pages[0])
    texts, _ = _marks(reader.pages[0])
    heading = next(t for t in texts if "企业代表确认签字" in t[0])
    warning = next(t for t in texts if "备注" in t[0])
    assert warning[4] < square[1] < square[3] < heading[2]  # below the heading, above the 备注 under the table
    assert "企业代表确认签字（公章）" in flat(pdf_pages(pdf)[0])


def test_a_long_record_still_has_one_seal_position(db, sample, templates, fixed_today):
    iid = factory.signed(db, sample, templates, long_records=4, team=3)
    pages = pdf_pages(generate(db, iid, "record").pdf)
    assert len(pages) == 4
    assert flat("".join(pages)).count(seal_area.LABEL) == 1
