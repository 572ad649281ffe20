"""The verdict on a PDF: intact and signed by a known device, intact but of an unknown signer, altered, or
not our document at all.

pdfsign.verify_pdf answers *integrity*: the signature is valid and covers every byte. It cannot answer
*identity*: anyone can make a self-signed certificate that says CN=张伟（laptop-a）. A signer is known only
when its key is
* this installation's own PDF key, or
* certified by a device of the register (`sync_device`: registered at the bureau, or published by it in a
  bundle) that was neither revoked nor outside its validity at the signing time (device_binding.py), or
* a key that the archive of issued documents attributes to a registered device that is not revoked (the
  documents issued before certificates carried the device's statement travel to the bureau in the laptops'
  signed bundles, each with its signing key).
Anything else is "签名人身份无法确认", never 完整.

The signing time is the one the signer states (PAdES B-B has no time-stamp): a stolen key can be used with
an earlier time. Revoking a device therefore says "not trusted after this moment", as far as a signer
without a time-stamp authority can say it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from inspector_app.documents.pdfsign import Verification, verify_pdf
from inspector_app.i18n import _

INTACT, UNKNOWN_SIGNER, ALTERED, NOT_OURS = "intact", "unknown_signer", "altered", "not_ours"
HEADLINES = {
    INTACT: _("完整"),
    UNKNOWN_SIGNER: _("签名人身份无法确认"),
    ALTERED: _("已改动"),
    NOT_OURS: _("不是本程序出具的文书"),
}


@dataclass(frozen=True)
class Verdict:
    kind: str
    first_line: str  # what the user reads first: which of the four, and why
    verification: Verification
    device: str = ""  # the known signing device, as the register names it
    inspector: str = ""  # whose device it is
    how_known: str = ""  # 本机 / 设备登记 / 已出具文书存档
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def intact_and_known(self) -> bool:
        return self.kind == INTACT


@dataclass(frozen=True)
class _Known:
    device: str
    inspector: str
    how: str


def assess(data: bytes, db=None) -> Verdict:
    """The verdict on `data`; with `db` the device register and the archive of issued documents are asked
    who the signer is. Never raises for a bad file."""
    v = verify_pdf(data)
    if not v.intact:
        ours = v.inspection_id or b"XCJC:" in data
        damaged_pdf = v.damaged and data[:1024].lstrip().startswith(b"%PDF-")  # e.g. a truncated copy
        if not ours and not damaged_pdf:
            return Verdict(NOT_OURS, _("不是本程序出具的文书：{m}").format(m=v.message), v)
        return Verdict(ALTERED, _("已改动：{m}").format(m=v.message), v)
    if not v.inspection_id:
        return Verdict(
            NOT_OURS, _("不是本程序出具的文书：签名有效，但文件中没有本程序文书的核验信息（检查记录与内容哈希）。"), v
        )
    known, why_not = _who(v, db)
    if known is None:
        return Verdict(
            UNKNOWN_SIGNER,
            _("签名人身份无法确认：文件自签名后未被改动，但{why}，不能证明是本局出具的文书。").format(why=why_not),
            v,
        )
    who = known.device + (_("，检查人员 {i}").format(i=known.inspector) if known.inspector else "")
    line = _("完整：文件完整，签名后未被改动；签名设备为{how}的“{who}”。").format(how=known.how, who=who)
    return Verdict(INTACT, line, v, device=known.device, inspector=known.inspector, how_known=known.how)


def _local(dt_value: datetime | None) -> datetime | None:
    """The signer's stated time as local naive time, as the register stores revocations (core.clock)."""
    if dt_value is None:
        return None
    return dt_value.astimezone().replace(tzinfo=None) if dt_value.tzinfo else dt_value


def _who(v: Verification, db) -> tuple[_Known | None, str]:
    """Who signed, if known; else the reason it is not."""
    if v.own_device:
        return _Known(v.device or v.signer, _cert_user(v.signer), _("本机")), ""
    if db is None:
        return None, _("签名密钥不是本机的，且没有设备登记可供核对")
    from inspector_app.core.issuing.device_register import signer_facts
    from inspector_app.documents import device_binding

    signed_at = _local(v.signed_at)
    binding = v.binding
    facts = signer_facts(db, binding.device_id if binding is not None else None, v.fingerprint)
    if binding is not None:
        row = facts.claimed
        if row is None:
            return None, _("证书声称的设备 {d} 不在设备登记中").format(d=binding.device_id[:8])
        if not device_binding.holds(binding, v.spki, row.signing_key):
            return None, _("证书中的设备声明与设备登记中“{d}”的公钥不符（伪造的证书）").format(d=row.label)
        problem = _not_usable(row, signed_at)
        if problem:
            return None, problem
        how = _("本机") if row.id == facts.own_id else _("区局设备登记中")
        # The key is the device's, so the certificate's name is the device's own word for its user.
        return _Known(row.label, row.inspector_name or _cert_user(v.signer), how), ""
    # A registered device whose archived issued documents carry this signing key.
    for row in facts.archived:
        if not _not_usable(row, signed_at):
            return _Known(row.label, row.inspector_name, _("已出具文书存档中")), ""
    return None, _("签名密钥既不是本机的，也不属于区局登记的任何设备")


def _cert_user(common_name: str) -> str:
    """张伟 from the certificate's CN “张伟（奉贤局-笔记本03）”."""
    return common_name.split("（", 1)[0].strip()


def _not_usable(row, signed_at: datetime | None) -> str:
    """Why a registered device could not sign at `signed_at` ("" when it could)."""
    if row.revoked_at is not None and (signed_at is None or signed_at >= row.revoked_at):
        return _("签名设备“{d}”已于 {t:%Y-%m-%d %H:%M} 被吊销，签名时间不早于吊销时间").format(
            d=row.label, t=row.revoked_at
        )
    day = signed_at.date() if signed_at else None
    if day is not None and ((row.valid_from and day < row.valid_from) or (row.valid_until and day > row.valid_until)):
        return _("签名时间 {t:%Y-%m-%d} 不在设备“{d}”登记的有效期内").format(t=day, d=row.label)
    return ""
