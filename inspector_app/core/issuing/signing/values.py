"""The values of signing: roles and states, what a signer hands in, and the signed state as read back.

The state after all signed amendments is what documents print (`SignedState.answers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from inspector_app.core.errors import DomainError
from inspector_app.core.inspection.inspections import COMPLETED, DRAFT, Answer
from inspector_app.core.issuing.signing.codes import verification_code
from inspector_app.i18n import _

INSPECTOR, REPRESENTATIVE = "inspector", "representative"
ROLES = {INSPECTOR: "检查人员", REPRESENTATIVE: "企业代表"}
SIGNED, REFUSED, ABSENT = "signed", "refused", "absent"
STATES = {SIGNED: "已签字", REFUSED: "拒绝签字", ABSENT: "不在场"}
PAD, PAPER = "pad", "paper"
SIGNED_STATUS = "signed"  # the inspection's status as signing reports it (draft / completed / signed)
STATUSES = {DRAFT: "填写中", COMPLETED: "已完成（待签字）", SIGNED_STATUS: "已签字"}

SCHEMA = "xcjc.signed-inspection.v1"
AMENDMENT_SCHEMA = "xcjc.amendment.v1"
MAX_IMAGE_BYTES = 2_000_000
MAX_DAYS = 365
AMENDABLE_FIELDS = ("conclusion", "na_reason", "record", "remark", "rectified_on_site")
PERIOD_FIELD = "rectification_days"  # an amendment may also change the period (item_id "")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class NotSigned(DomainError):
    pass


# ---------------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class SignatureInput:
    """What the sign dialog or an importer hands in for one signer."""

    role: str
    name: str = ""
    inspector_id: str | None = None
    title: str = ""
    phone: str = ""
    state: str = SIGNED
    reason: str = ""
    witness: str = ""
    strokes: tuple = ()  # ((x, y), …) per stroke, in pad pixels
    image: bytes | None = None  # PNG
    source: str = PAD


@dataclass(frozen=True)
class SignatureView:
    role: str
    position: int
    name: str
    inspector_id: str | None
    title: str
    phone: str
    state: str
    reason: str
    witness: str
    source: str
    image: bytes | None
    image_sha256: str
    signed_on: date

    @property
    def note(self) -> str:
        """The sentence printed in place of a missing representative signature (002 三(四))."""
        if self.state == SIGNED:
            return ""
        who = f"（{self.name}）" if self.name else ""
        what = _("拒绝签字") if self.state == REFUSED else _("不在场，未能签字")
        return _("企业代表{who}{what}。原因：{reason}。见证人：{witness}。").format(
            who=who, what=what, reason=self.reason.rstrip("。"), witness=self.witness
        )


@dataclass(frozen=True)
class Change:
    item_id: str  # "" for the rectification period
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class AmendmentView:
    id: str
    seq: int
    reason: str
    changes: tuple[Change, ...]
    status: str
    previous_hash: str
    content_hash: str | None
    signed_on: date | None
    signatures: tuple[SignatureView, ...]


@dataclass(frozen=True)
class SignedState:
    inspection_id: str
    content_hash: str  # of the original signing
    current_hash: str  # of the latest signed amendment, or content_hash
    canonical: dict  # what was signed (parsed)
    rectification_days: int  # after amendments
    signed_on: date
    signatures: tuple[SignatureView, ...]
    amendments: tuple[AmendmentView, ...] = field(default_factory=tuple)

    @property
    def verification_code(self) -> str:
        return verification_code(self.inspection_id, self.current_hash)

    @property
    def representative(self) -> SignatureView:
        return next(s for s in self.signatures if s.role == REPRESENTATIVE)

    @property
    def inspectors(self) -> tuple[SignatureView, ...]:
        return tuple(s for s in self.signatures if s.role == INSPECTOR)

    @property
    def signed_amendments(self) -> tuple[AmendmentView, ...]:
        return tuple(a for a in self.amendments if a.status == SIGNED)

    def answers(self) -> dict[str, Answer]:
        """The answers as signed, with every signed amendment applied in order."""
        out = {a["item_id"]: Answer(**a) for a in self.canonical["answers"]}
        for amendment in self.signed_amendments:
            for c in amendment.changes:
                if c.item_id:
                    base = out.get(c.item_id) or Answer(c.item_id)
                    out[c.item_id] = Answer(**{**base.__dict__, c.field: c.new})
        return out
