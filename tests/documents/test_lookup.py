"""Issue 13 §2: a paper document can be checked — by its QR code (signed by the issuing device, read from the
page rendered at 300 dpi) or by its typed 核验码 (a typo is named)."""

import hashlib
import io
import subprocess
from datetime import datetime

import pytest

from inspector_app.core.errors import NotFound, ValidationError
from inspector_app.core.issuing import issued as issued_docs
from inspector_app.core.issuing import numbers as docnumbers
from inspector_app.core.issuing import signing
from inspector_app.core.storage.sync_models import Device
from inspector_app.documents import issue, lookup, qrread, qrsig
from inspector_app.documents.generate import generate
from inspector_app.sync import keys
from tests.documents import factory


@pytest.fixture
def laptop(db, sample, templates, fixed_today):
    """A set-up field laptop with a signed inspection whose 问题汇总表 was issued (archived)."""
    identity = keys.setup_device(db, keys.FIELD, name="laptop-a")
    iid = factory.signed(db, sample, templates)
    doc = generate(db, iid, "summary")
    issue.record_issued(db, doc, issued_docs.SAVED)
    return identity, iid, doc


def page_png(pdf: bytes, tmp_path, dpi: int = 300):
    """Page 1 rendered as a scanner would (poppler's pdftoppm)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    command = ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")]
    subprocess.run(command, check=True)
    return next(tmp_path.glob("page*.png"))


def test_the_qr_of_a_page_rendered_at_300_dpi_is_read_and_its_signature_holds(db, laptop, tmp_path):
    _identity, iid, doc = laptop
    text = qrread.read_file(page_png(doc.pdf, tmp_path))
    assert text.startswith("XCJC:2:") and len(text) == 169
    content = qrsig.parse(text)
    assert content.inspection_id == iid and content.doc_type == "summary" and content.signed
    found = lookup.lookup(db, text)
    assert found.trustworthy and found.qr_state == lookup.QR_SIGNED and "laptop-a" in found.qr_issuer
    lines = lookup.describe(found)
    assert lines[0].startswith("二维码签名有效") and any("上海申华塑料制品有限公司" in line for line in lines)
    assert [d.sha256 for d in found.issued] == [issued_docs.list_issued(db, iid)[0].sha256]
    assert found.archived_verdict.startswith("完整")


def test_a_photo_like_copy_of_the_page_is_read(db, laptop, tmp_path):
    """Turned a little and saved as JPEG, as a phone photo of the paper would be."""
    from PIL import Image

    _identity, _iid, doc = laptop
    page = Image.open(page_png(doc.pdf, tmp_path)).convert("L")
    photo = page.rotate(4, expand=True, fillcolor=255)
    path = tmp_path / "photo.jpg"
    photo.save(path, quality=70)
    assert qrread.read_file(path).startswith("XCJC:2:")


def test_an_image_without_a_code_is_refused_with_its_name(tmp_path):
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.new("L", (400, 300), 255).save(path)
    with pytest.raises(ValidationError, match=r"blank\.png.*没有找到"):
        qrread.read_file(path)
    (tmp_path / "not-an-image.png").write_bytes(b"hello")
    with pytest.raises(ValidationError, match="无法读取图片"):
        qrread.read_file(tmp_path / "not-an-image.png")


def _reencode(text: str, change) -> str:
    raw = bytearray(qrsig.b45decode(text[len(qrsig.PREFIX) :]))
    change(raw)
    return qrsig.PREFIX + qrsig.b45encode(bytes(raw))


def test_a_forged_or_altered_qr_code_fails(db, laptop):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _identity, iid, doc = laptop
    text = qrread_text(doc)
    state = signing.get_signed(db, iid)

    def flip_signature(raw):
        raw[-1] ^= 1

    def other_hash(raw):  # points at the record, claims other content
        raw[18] ^= 1

    for forged in (_reencode(text, flip_signature), _reencode(text, other_hash)):
        with pytest.raises(ValidationError, match="伪造"):
            lookup.lookup(db, forged)
    # a forger's own key, with the real record's id and hash: not a registered device
    forger = ("x", Ed25519PrivateKey.generate())
    own = qrsig.make("summary", iid, state.current_hash, forger, datetime(2026, 6, 15).date())
    with pytest.raises(ValidationError, match="伪造"):
        lookup.lookup(db, own)
    with pytest.raises(ValidationError, match="损坏"):
        lookup.lookup(db, text[:-6])


def qrread_text(doc) -> str:
    """The QR text the document prints (read from the PDF's own page, without a camera)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(io.BytesIO(doc.pdf))
    image = pdf[0].render(scale=300 / 72).to_pil()
    return qrread.read_image(image)


def test_a_device_revoked_before_the_day_of_issue_makes_its_codes_untrusted(db, laptop):
    identity, _iid, doc = laptop
    text = qrread_text(doc)
    with db.session() as s:
        s.get(Device, identity.device_id).revoked_at = datetime(2026, 6, 1, 9, 0)
    with pytest.raises(ValidationError, match="吊销"):
        lookup.lookup(db, text)


def test_a_typed_code_finds_the_record_and_a_typo_is_named(db, laptop):
    _identity, iid, doc = laptop
    code = doc.verification_code  # e.g. 915H-6W6V-9D0E-MS56-N
    found = lookup.lookup(db, code.lower())
    assert found.state.inspection_id == iid and found.paper_is_latest and found.via == "code"
    plain = code.replace("-", "")
    # one character wrong, in the id half and in the hash half
    for pos in (2, 11):
        wrong = "Z" if plain[pos] != "Z" else "Y"
        typed = plain[:pos] + wrong + plain[pos + 1 :]
        with pytest.raises(ValidationError) as err:
            lookup.lookup(db, typed)
        group, place = pos // 4 + 1, pos % 4 + 1
        assert f"第{group}组第{place}个字符“{wrong}”应为“{plain[pos]}”" in str(err.value), str(err.value)
    # two neighbours swapped
    i = next(k for k in range(15) if plain[k] != plain[k + 1])
    swapped = plain[:i] + plain[i + 1] + plain[i] + plain[i + 2 :]
    with pytest.raises(ValidationError, match="前后颠倒"):
        lookup.lookup(db, swapped)
    # the check character itself
    wrong_check = plain[:16] + ("0" if plain[16] != "0" else "1")
    with pytest.raises(ValidationError, match="最后一位（校验位）"):
        lookup.lookup(db, wrong_check)
    # a character no code has, and a wrong length
    with pytest.raises(ValidationError, match="第1组第2个字符“U”"):
        lookup.lookup(db, plain[0] + "U" + plain[2:])
    with pytest.raises(ValidationError, match="输入的是16位"):
        lookup.lookup(db, plain[:16])


def test_a_code_of_no_record_here_is_not_found(db, laptop):
    body = "0000000000000000"
    check = signing.CODE_ALPHABET[hashlib.sha256(body.encode()).digest()[0] & 31]
    with pytest.raises(NotFound):
        lookup.lookup(db, body + check)


def test_a_corrected_record_and_a_voided_number_are_shown(db, laptop):
    _identity, iid, doc = laptop
    notice = generate(db, iid, "notice")
    issue.record_issued(db, notice, issued_docs.PRINTED)
    docnumbers.void(db, notice.number, "打印错误")
    am = signing.create_amendment(db, iid, "记录笔误", [("4.1", "record", "更正后的检查记录。")])
    signing.sign_amendment(db, am, [*factory.team_signatures(db, iid), factory.representative()])
    found = lookup.lookup(db, doc.verification_code)  # the paper printed before the correction
    lines = lookup.describe(found)
    assert not found.paper_is_latest
    assert any("已被更正" in line for line in lines)
    assert any("第1次更正" in line and "记录笔误" in line for line in lines)
    assert any(f"文号 {notice.number} 已作废" in line and "打印错误" in line for line in lines)


def test_an_installation_never_set_up_prints_the_unsigned_code_which_is_still_looked_up(
    db, sample, templates, fixed_today
):
    iid = factory.signed(db, sample, templates)
    doc = generate(db, iid, "summary")
    text = qrread_text(doc)
    assert text.startswith("XCJC:1:")
    found = lookup.lookup(db, text)
    assert found.qr_state == lookup.QR_UNSIGNED and any("未签名" in n for n in found.notes)


def test_base45_round_trip():
    for data in (b"", b"\x00", b"\xff\xff", bytes(range(108)), b"AB\x00"):
        assert qrsig.b45decode(qrsig.b45encode(data)) == data
    assert qrsig.b45encode(b"AB") == "BB8"  # RFC 9285 §4.2 example
