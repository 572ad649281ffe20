"""From a paper document to the document that was issued: by its 核验码 or by its QR code.

`lookup(db, text)` takes what was typed or scanned and returns plain values (`Found`): the signed record the
paper points at (enterprise, inspection, problems, signatures), whether the paper shows its latest state or
was corrected since, the amendments, the notice number and whether it was voided, the archived PDFs issued
for it (the exact bytes handed out, to compare with the paper) and the verdict on them. A signed QR code
(documents/qrsig.py) is first checked against the device register: a code not signed by a registered device
that was valid on the day of issue is refused as forged, before anything of the archive is shown.
`describe(found)` is the same in Chinese lines, for the CLI; the 核验文书 dialog shows the fields.

A 分类告知书 or 约谈记录 (documents/supervision_docs.py) belongs to no inspection: its code and QR name the
record's id, and what is found is its entry in the register of issued documents (`FoundRecordDoc`): the
archived PDF, its number, the enterprise, and the verdict on the archived copy.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from inspector_app.core.catalog import INSPECTION_KINDS
from inspector_app.core.errors import DomainError, NotFound, ValidationError
from inspector_app.core.issuing import code_typos, signing
from inspector_app.core.issuing import issued as issued_docs
from inspector_app.core.issuing import numbers as docnumbers
from inspector_app.core.issuing.doc_types import RECORD_DOC_TITLES
from inspector_app.core.storage.db import Database
from inspector_app.documents import qrsig
from inspector_app.i18n import _

QR_SIGNED, QR_UNSIGNED = "signed", "unsigned"


@dataclass(frozen=True)
class Found:
    via: str  # "code" or "qr"
    qr_state: str  # QR_SIGNED / QR_UNSIGNED / "" (typed code)
    qr_issuer: str  # the device that signed the QR, and its inspector
    qr_issued_on: date | None
    doc_type: str  # from the QR; "" for a typed code (it does not say which document)
    state: signing.SignedState
    paper_hash: str  # the full content hash the paper shows
    paper_is_latest: bool
    record_problems: tuple[str, ...]  # what signing.verify_record finds changed after signing
    issued: tuple[issued_docs.IssuedInfo, ...]  # archived documents of this state (and type, from a QR)
    numbers: tuple[docnumbers.DocNumberInfo, ...]
    archived_verdict: str = ""  # first line of trust.assess on the latest archived PDF
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def trustworthy(self) -> bool:
        """Found in this archive, unchanged since signing (a forged QR never gets this far)."""
        return not self.record_problems

    @property
    def info(self) -> dict:
        return self.state.canonical["inspection"]

    @property
    def voided(self) -> tuple[docnumbers.DocNumberInfo, ...]:
        return tuple(n for n in self.numbers if n.status == docnumbers.VOIDED)


@dataclass(frozen=True)
class FoundRecordDoc:
    """A 分类告知书 or 约谈记录 found in the register of issued documents."""

    via: str
    qr_state: str
    doc_type: str
    issued: tuple[issued_docs.IssuedInfo, ...]  # this record's documents with the paper's content, oldest first
    enterprise: tuple[str, str]  # name, 统一社会信用代码
    archived_verdict: str = ""
    archived_intact: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def trustworthy(self) -> bool:
        """The archived copy is there, intact and signed by a known device."""
        return self.archived_intact


def lookup(db: Database, text: str) -> Found | FoundRecordDoc:
    """Raises ValidationError (a mistyped code, naming the wrong character where it can; a forged or damaged
    QR code) or NotFound (nothing of this archive matches), with Chinese messages."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("核验码"), _("请输入核验码，或扫描文书上的二维码"))
    if text.upper().startswith("XCJC:"):
        return _by_qr(db, text)
    return _by_code(db, text)


def lookup_image(db: Database, path: str) -> tuple[str, Found | FoundRecordDoc]:
    """Read the QR code of a photo or scan of the page, then look it up: (the code's text, what was found)."""
    from inspector_app.documents import qrread

    text = qrread.read_file(path)
    return text, lookup(db, text)


# ------------------------------------------------------------------------------------------------ typed code
def _by_code(db: Database, code: str) -> Found | FoundRecordDoc:
    bad = code_typos.bad_characters(code)
    if bad:
        listed = "、".join(
            _("{w}“{c}”").format(w=code_typos.where(p) if p <= code_typos.LENGTH else _("第{p}个字符").format(p=p), c=c)
            for p, c in bad
        )
        reason = _("{l}不是核验码中会出现的字符（核验码只用数字和除 I、L、O、U 外的字母）").format(l=listed)
        raise ValidationError(_("核验码"), reason)
    clean = code_typos.normalise(code)
    if len(clean) != code_typos.LENGTH:
        raise ValidationError(
            _("核验码"), _("应为17位（4组4位加1位校验位），输入的是{n}位，请核对后重新输入").format(n=len(clean))
        )
    try:
        id_prefix, hash_prefix = signing.parse_verification_code(clean)
    except ValidationError:
        pass  # a mistyped code: the inspection's path below says which character
    else:
        records = issued_docs.find_record_documents(db, id_prefix, hash_prefix)
        if records:
            return _found_record(db, records, via="code")
    try:
        state = signing.find_by_code(db, clean)
    except (ValidationError, NotFound) as exc:
        fixes = code_typos.corrections(db, clean)
        if len(fixes) == 1:
            said = _("校验不符") if isinstance(exc, ValidationError) else _("本存档中没有这个核验码")
            raise ValidationError(
                _("核验码"), _("{s}，可能抄错了一位：{e}。").format(s=said, e=code_typos.explain(fixes[0]))
            ) from None
        if isinstance(exc, ValidationError):
            raise ValidationError(
                _("核验码"), _("校验位不符，可能抄错了一位（无法确定是哪一位），请逐位核对后重新输入")
            ) from None
        raise
    _id_prefix, hash_prefix = signing.parse_verification_code(clean)
    paper_hash = next(h for h in _hashes(state) if h.startswith(hash_prefix))
    return _found(db, state, paper_hash, via="code")


# ------------------------------------------------------------------------------------------------ QR code
def _by_qr(db: Database, text: str) -> Found | FoundRecordDoc:
    content = qrsig.parse(text)
    issuer, notes = "", []
    if content.signed:
        issuer = _check_signature(db, content)
    else:
        notes.append(_("旧版二维码（未签名）：只能凭本存档核对，离线无法证明二维码本身的真伪。"))
    if content.doc_type in RECORD_DOC_TITLES:
        records = [
            d
            for d in issued_docs.list_issued_for_record(db, content.inspection_id)
            if d.doc_type == content.doc_type and d.content_hash.startswith(content.hash_prefix)
        ]
        if not records:
            raise NotFound(
                _("二维码所指的{d}不在本数据库的已出具文书存档中（可能尚未同步到区局）。").format(
                    d=issued_docs.doc_title(content.doc_type)
                )
            )
        record_doc = _found_record(db, records, via="qr")
        return dataclasses.replace(record_doc, qr_state=QR_UNSIGNED, notes=tuple(notes) + record_doc.notes)
    try:
        state = signing.get_signed(db, content.inspection_id)
    except (NotFound, signing.NotSigned):
        raise NotFound(
            _("二维码所指的检查记录不在本数据库的存档中（可能尚未同步到区局）。检查记录：{i}").format(
                i=content.inspection_id
            )
        ) from None
    matches = [h for h in _hashes(state) if h.startswith(content.hash_prefix)]
    if not matches:
        raise NotFound(
            _("二维码所示内容与存档中该检查记录签字确认的任何版本都不符：纸质文书所示内容不是出具时的内容。")
        )
    found = _found(db, state, matches[0], via="qr", doc_type=content.doc_type)
    return Found(
        **{
            **found.__dict__,
            "qr_state": QR_SIGNED if content.signed else QR_UNSIGNED,
            "qr_issuer": issuer,
            "qr_issued_on": content.issued_on,
            "notes": tuple(notes) + found.notes,
        }
    )


def _check_signature(db: Database, content: qrsig.QrContent) -> str:
    """The issuing device as the register names it; ValidationError when the code was not signed by a
    registered device valid on the day of issue."""
    import base64

    from inspector_app.core.issuing.device_register import registered_devices

    forged = _("二维码签名无效：不是区局登记的设备签发的二维码，该纸质文书可能是伪造的，请向出具机关核实。")
    for row in registered_devices(db):
        try:
            public = base64.b64decode(row.signing_key, validate=True)
        except ValueError:
            continue
        if qrsig.key_id(public) != content.key_id:
            continue
        if not qrsig.signature_holds(content, public):
            raise ValidationError(_("二维码"), forged)
        day = content.issued_on
        assert day is not None, "a signed (version 2) code carries its day of issue"
        if row.revoked_at is not None and day >= row.revoked_at.date():
            raise ValidationError(
                _("二维码"),
                _(
                    "签发二维码的设备“{d}”已于{t:%Y-%m-%d}被吊销，该日及以后出具的文书不能凭二维码证明，请向出具机关核实。"
                ).format(d=row.label, t=row.revoked_at),
            )
        if (row.valid_from and day < row.valid_from) or (row.valid_until and day > row.valid_until):
            raise ValidationError(
                _("二维码"),
                _("二维码的出具日期{d:%Y-%m-%d}不在签发设备“{n}”登记的有效期内，请向出具机关核实。").format(
                    d=day, n=row.label
                ),
            )
        who = row.label
        return who + (_("（检查人员 {i}）").format(i=row.inspector_name) if row.inspector_name else "")
    raise ValidationError(_("二维码"), forged)


# ------------------------------------------------------------------------------------------------ the record
def _hashes(state: signing.SignedState) -> list[str]:
    return [state.content_hash, *(a.content_hash for a in state.signed_amendments if a.content_hash)]


def _found(db: Database, state: signing.SignedState, paper_hash: str, *, via: str, doc_type: str = "") -> Found:
    from inspector_app.documents import trust

    issued = [
        d
        for d in issued_docs.list_issued(db, state.inspection_id)
        if d.content_hash == paper_hash and (not doc_type or d.doc_type == doc_type)
    ]
    verdict = ""
    notes = []
    if issued:
        try:
            verdict = trust.assess(issued_docs.issued_pdf(db, issued[-1].id), db).first_line
        except NotFound as exc:  # the archived file is missing or damaged
            notes.append(str(exc))
    return Found(
        via=via,
        qr_state="",
        qr_issuer="",
        qr_issued_on=None,
        doc_type=doc_type,
        state=state,
        paper_hash=paper_hash,
        paper_is_latest=paper_hash == state.current_hash,
        record_problems=tuple(signing.verify_record(db, state.inspection_id)),
        issued=tuple(issued),
        numbers=tuple(docnumbers.list_numbers(db, inspection_id=state.inspection_id)),
        archived_verdict=verdict,
        notes=tuple(notes),
    )


def _found_record(db: Database, records: list[issued_docs.IssuedInfo], *, via: str) -> FoundRecordDoc:
    from inspector_app.documents import trust

    latest = records[-1]
    verdict, intact, notes = "", False, []
    try:
        judged = trust.assess(issued_docs.issued_pdf(db, latest.id), db)
        verdict, intact = judged.first_line, judged.intact_and_known
    except DomainError as exc:  # the archived file is missing or damaged
        notes.append(str(exc))
    return FoundRecordDoc(
        via=via,
        qr_state="",
        doc_type=latest.doc_type,
        issued=tuple(records),
        enterprise=issued_docs.record_enterprise(db, latest),
        archived_verdict=verdict,
        archived_intact=intact,
        notes=tuple(notes),
    )


def describe_record(found: FoundRecordDoc) -> list[str]:
    """A record document found, as Chinese lines: the verdict first."""
    latest = found.issued[-1]
    if found.archived_intact:
        out = [_("找到出具的{d}：以下为存档中的原文书，请与纸质文书逐项核对。").format(d=latest.title)]
    else:
        out = [_("存档中的{d}原件无法确认（见下），请以出具机关的纸质档案为准。").format(d=latest.title)]
    out.extend(found.notes)
    out.append(_("文书：{d}").format(d=latest.title))
    if latest.number:
        out.append(_("文号 {n}").format(n=latest.number))
    name, uscc = found.enterprise
    if name:
        out.append(_("企业：{n}（统一社会信用代码 {u}）").format(n=name, u=uscc))
    out.append(_("存档中出具的原文书 {n} 份：").format(n=len(found.issued)))
    for d in found.issued:
        out.append(
            f"  {d.title}  {d.number or '—'}  {d.issued_at:%Y-%m-%d %H:%M}  {d.how_label}  "
            + _("设备 {v}  SHA-256 {h}").format(v=d.device or d.device_id or "—", h=d.sha256[:16])
        )
    if found.archived_verdict:
        out.append(_("存档原文书的电子签名：{v}").format(v=found.archived_verdict))
    return out


def problem_lines(found: Found) -> list[str]:
    """The 不符合 items as the paper lists them, from the signed state (after the paper's amendments)."""
    answers = found.state.answers()
    lines = []
    for item_id, ans in answers.items():
        if ans.conclusion == "nonconform":
            extra = _("（已当场整改）") if ans.rectified_on_site else ""
            lines.append(f"{item_id} {ans.record}{extra}")
    return lines


def describe(found: Found | FoundRecordDoc) -> list[str]:
    """The lookup result as Chinese lines: the verdict first."""
    if isinstance(found, FoundRecordDoc):
        return describe_record(found)
    info, st = found.info, found.state
    out = []
    if found.record_problems:
        out.append(_("存档记录异常：{p}。请以出具机关的纸质档案为准。").format(p="；".join(found.record_problems)))
    elif found.qr_state == QR_SIGNED:
        out.append(
            _("二维码签名有效：由设备 {d} 于 {t:%Y-%m-%d} 出具；以下为存档中的原文书，请与纸质文书逐项核对。").format(
                d=found.qr_issuer, t=found.qr_issued_on
            )
        )
    else:
        out.append(_("找到出具的文书：以下为存档中的原文书，请与纸质文书逐项核对。"))
    out.extend(found.notes)
    if found.doc_type:
        out.append(_("文书：{d}").format(d=issued_docs.doc_title(found.doc_type)))
    out.append(_("企业：{n}（统一社会信用代码 {u}）").format(n=info.get("enterprise_name", ""), u=info.get("uscc", "")))
    out.append(_("生产地址：{a}").format(a=info.get("site_address", "")))
    out.append(
        _("检查：{d}，{k}，检查组 {t}").format(
            d=info.get("inspected_on", ""),
            k=INSPECTION_KINDS.get(info.get("kind", ""), info.get("kind", "")),
            t="、".join(m.get("name", "") for m in st.canonical.get("team", [])),
        )
    )
    rep = st.representative
    rep_text = rep.note or _("{n} 已签字").format(n=rep.name)
    out.append(
        _("签字确认：{d}；检查组 {n} 人签字；企业代表：{r}").format(d=st.signed_on, n=len(st.inspectors), r=rep_text)
    )
    problems = problem_lines(found)
    out.append(_("发现问题 {n} 项；整改期限 {d} 日").format(n=len(problems), d=st.rectification_days))
    out.extend(f"  {line}" for line in problems)
    for am in st.signed_amendments:
        out.append(_("第{n}次更正（{d} 签字）：{r}").format(n=am.seq, d=am.signed_on, r=am.reason))
    if found.paper_is_latest:
        out.append(_("纸质文书所示为最新内容（之后没有更正）。"))
    else:
        later = _("纸质文书所示内容之后已被更正：以最新更正后的内容为准（核验码 {c}）。")
        out.append(later.format(c=st.verification_code))
    for n in found.numbers:
        if n.status == docnumbers.VOIDED:
            voided = _("文号 {n} 已作废（{t:%Y-%m-%d}，原因：{r}）")
            out.append(voided.format(n=n.number, t=n.voided_at, r=n.void_reason or "—"))
        else:
            out.append(_("文号 {n}（有效）").format(n=n.number))
    if found.issued:
        out.append(_("存档中出具的原文书 {n} 份：").format(n=len(found.issued)))
        for d in found.issued:
            out.append(
                f"  {d.title}  {d.number or '—'}  {d.issued_at:%Y-%m-%d %H:%M}  {d.how_label}  "
                + _("设备 {v}  SHA-256 {h}").format(v=d.device or d.device_id or "—", h=d.sha256[:16])
            )
        if found.archived_verdict:
            out.append(_("存档原文书的电子签名：{v}").format(v=found.archived_verdict))
    else:
        out.append(_("存档中没有这份文书的PDF原件（可能尚未从现场终端同步到区局）。"))
    return out
