"""Two documents of the supervision records that are not made from an inspection: the 分类告知书 (001 §11) and
the 约谈记录 (001 §35: 作好书面记录). Like the inspection documents: A4, the embedded font, a document number
(core/issuing/numbers.py), the verification code and QR mark on every page, and a PAdES signature with this
laptop's key, certified by its device key (documents/pdfsign.py). Each print is entered in the register of
issued documents (core/issuing/issued.py, as saved: the PDF is what the user writes out or prints) under the
record's id, so `pdf verify` and `pdf lookup` find it like an inspection's documents; the record keeps the
SHA-256 of its latest print (core/supervision/class_notice.keep_pdf).

The QR mark and /Keywords name the record's id where the inspection documents name the inspection's, and
a content hash over the printed values (canonical JSON), so `pdf verify` reads them the same way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from inspector_app.core import settings
from inspector_app.core.canonical import canonical_json
from inspector_app.core.issuing import issued, numbers, print_check
from inspector_app.core.issuing.signing import verification_code
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.supervision_records_models import ClassificationNotice, Interview
from inspector_app.core.supervision import class_notice, interviews
from inspector_app.documents import device_binding, fonts, layout, pdfsign
from inspector_app.documents.data import cn_date
from inspector_app.documents.notice import SealPosition

MARGINS_MM = (22, 24, 28, 26)
CLASS_NOTICE_TEXT = {
    "title": "企业分类告知书",
    "opening": "依据{basis}，本局对你单位开展了企业分类工作。经评定，现将分类结果告知如下：",
    "result": "你单位于{decided}被确定为<b>{cls}类企业</b>（{label}），本局对你单位实施<b>{mode}</b>，{requirement}。",
    "risk": "因你单位生产Ⅰ级（高风险）产品，监管方式已按从严监管的原则相应下调一级。",
    "duty": "企业分类情况属产品质量监督工作信息，你单位不得将分类结果印制于产品标志，"
    "不得用于广告、推广宣传等商业行为。本局将结合监督检查情况对分类实行动态调整。",
    "contact": "联系电话：{phone}",
}
INTERVIEW_TEXT: dict[str, Any] = {
    "title": "约 谈 记 录",
    "rows": ("被约谈企业", "统一社会信用代码", "约谈时间", "约谈地点", "被约谈人", "约谈人", "约谈类型", "约谈事由"),
    "outcome": "约谈情况及企业整改承诺",
    "deadline": "整改期限",
    "sign": ("被约谈人（签字）：", "约谈人（签字）：", "记录人（签字）："),
    "col_mm": (38, 122),
}


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    number: str
    verification_code: str
    filename: str
    warnings: list[str]


class _Data:
    """What layout.render reads of a document: its title values, settings and QR payload."""

    def __init__(self, enterprise_name: str, bureau: str):
        self.info = {"enterprise_name": enterprise_name}
        self.settings = {"bureau.name": bureau}
        self.qr_text = ""

    def setting(self, key: str) -> str:
        return self.settings[key]


def _content_hash(values: dict) -> str:
    plain = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    return hashlib.sha256(canonical_json(plain)).hexdigest()


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _filename(title: str, enterprise: str, on: date) -> str:
    return f"{title}-{_UNSAFE.sub('', enterprise)[:40]}-{on:%Y%m%d}.pdf"


def _finish(db, story, doc_type: str, title: str, record_id: str, values: dict, data: _Data, check, filename: str):
    """Render, sign and enter in the register of issued documents: (the signed PDF, its 核验码, warnings)."""
    content_hash = _content_hash(values)
    furniture = layout.Furniture(
        doc_type=doc_type, title=title, inspection_id=record_id, content_hash=content_hash,
        number=values["number"], footer_note=values["number"],
    )  # fmt: skip
    warnings = check.finish()
    pdf = layout.render(story, furniture, data, margins=tuple(v * mm for v in MARGINS_MM))
    code = verification_code(record_id, content_hash)
    location, device, user = (settings.get(db, k) for k in ("bureau.name", "device.name", "device.inspector"))
    signed = pdfsign.sign_with_fingerprint(
        pdf,
        reason=f"{numbers.DOC_TYPES[doc_type]} {code}",
        location=location,
        device=device,
        inspector=print_check.device_user(db, user),
        device_key=device_binding.own_device_key(db),
    )
    doc = issued.ToIssue(
        inspection_id="", doc_type=doc_type, number=values["number"], verification_code=code,
        content_hash=content_hash, pdf=signed.pdf, filename=filename, signer_fingerprint=signed.fingerprint,
        record_id=record_id,
    )  # fmt: skip
    issued.record_issued(db, doc, issued.SAVED)
    return signed.pdf, code, warnings


def print_class_notice(db: Database, enterprise_id: str, *, who: str = "", on=None, strict=True) -> Printed:
    """Issue a 分类告知书 for the enterprise's current class: a new record and number, a signed PDF."""
    n = class_notice.issue_notice(db, enterprise_id, who=who, on=on)
    check = fonts.GlyphCheck(strict=strict)
    w = layout.Writer(check, base=11)
    t = CLASS_NOTICE_TEXT
    bureau = w.t(n.bureau, "设置：局名")
    width = (210 - MARGINS_MM[1] - MARGINS_MM[3]) * mm
    requirement = w.t(n.requirement, "检查频次")
    story = [
        w.p(bureau, "subtitle"),
        Spacer(1, 2 * mm),
        w.p(t["title"], "title"),
        Spacer(1, 1 * mm),
        w.p(w.t(n.number, "文书编号"), "right"),
        Spacer(1, 5 * mm),
        w.p("<b>" + w.t(n.enterprise_name, "企业名称") + "：</b>", "left"),
        w.p(t["opening"].format(basis=w.t(n.legal_basis, "设置：分类告知书依据")), "body"),
        w.p(
            t["result"].format(
                decided=cn_date(n.decided_on),
                cls=n.classification,
                label=n.class_label,
                mode=n.mode,
                requirement=requirement,
            ),
            "body",
        ),
    ]
    if n.stricter_by_risk:
        story.append(w.p(t["risk"], "body"))
    story.append(w.p(t["duty"], "body"))
    phone = w.t(n.contact_phone, "设置：局联系电话") or "<u>" + "&nbsp;" * 24 + "</u>"
    story += [Spacer(1, 2 * mm), w.p(t["contact"].format(phone=phone), "body"), Spacer(1, 8 * mm)]
    story.append(SealPosition([check.text(n.bureau, "设置：局名"), cn_date(n.issued_on)], n.seal_text, 36 * mm, width))
    values = {
        "id": n.id, "number": n.number, "issued_on": n.issued_on, "uscc": n.uscc, "name": n.enterprise_name,
        "class": n.classification, "decided_on": n.decided_on, "mode": n.mode, "basis": n.legal_basis,
    }  # fmt: skip
    data = _Data(n.enterprise_name, n.bureau)
    name = _filename("分类告知书", n.enterprise_name, n.issued_on)
    pdf, code, warnings = _finish(db, story, numbers.CLASS_NOTICE, t["title"], n.id, values, data, check, name)
    class_notice.keep_pdf(db, ClassificationNotice, n.id, pdf)
    return Printed(pdf, n.number, code, name, warnings)


def print_interview(db: Database, interview_id: str, *, strict=True) -> Printed:
    """The 约谈记录 of a recorded interview (its number issued at the first print), signed."""
    r = interviews.number_for(db, interview_id)
    bureau = settings.get(db, "bureau.name")
    check = fonts.GlyphCheck(strict=strict)
    w = layout.Writer(check, base=11)
    t = INTERVIEW_TEXT
    who = w.t(r.interviewee, "被约谈人") + (f"（{w.t(r.interviewee_title, '职务')}）" if r.interviewee_title else "")
    cells = (
        w.t(r.enterprise_name, "企业名称"),
        w.t(r.uscc, "统一社会信用代码"),
        cn_date(r.held_on),
        w.t(r.place, "约谈地点") or "—",
        who,
        w.t(r.interviewers, "约谈人"),
        f"{interviews.KINDS[r.kind][0]}（{interviews.KINDS[r.kind][1]}）",
        w.t(r.reason, "约谈事由"),
    )
    rows = [[w.p(f"<b>{label}</b>", "cell_c"), w.p(text, "left")] for label, text in zip(t["rows"], cells, strict=True)]
    rows.append([w.p(f"<b>{t['outcome']}</b>", "cell_c"), w.p(w.t(r.outcome, "约谈情况") or "—", "left")])
    rows.append([w.p(f"<b>{t['deadline']}</b>", "cell_c"), w.p(cn_date(r.deadline) if r.deadline else "—", "left")])
    table = Table(
        rows,
        colWidths=[c * mm for c in t["col_mm"]],
        style=layout.table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, layout.GRID),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        ),
    )
    story = [
        w.p(w.t(bureau, "设置：局名"), "subtitle"),
        Spacer(1, 2 * mm),
        w.p(t["title"], "title"),
        w.p(w.t(r.number, "文书编号"), "right"),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 10 * mm),
    ]
    for line in t["sign"]:
        story += [w.p(line + "&nbsp;" * 30 + "日期：" + "&nbsp;" * 20, "left"), Spacer(1, 6 * mm)]
    values = {
        "id": r.id, "number": r.number, "held_on": r.held_on, "uscc": r.uscc, "kind": r.kind,
        "interviewee": r.interviewee, "interviewers": r.interviewers, "reason": r.reason, "outcome": r.outcome,
        "deadline": r.deadline,
    }  # fmt: skip
    data = _Data(r.enterprise_name, bureau)
    name = _filename("约谈记录", r.enterprise_name, r.held_on)
    pdf, code, warnings = _finish(db, story, numbers.INTERVIEW, "约谈记录", r.id, values, data, check, name)
    class_notice.keep_pdf(db, Interview, r.id, pdf)
    return Printed(pdf, r.number, code, name, warnings)
