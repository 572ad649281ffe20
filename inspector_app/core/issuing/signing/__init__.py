"""Signing an inspection (检查人员和企业负责人员分别签字, 001 §26; 拒绝签字的予以注明, 002 三(四)).

Signing finalises a completed inspection: every team member signs, the enterprise representative signs or
the refusal/absence is recorded with its reason and a witness, and a SHA-256 content hash is stored over a
canonical serialisation of the answers, the team, the signatures, the photos and the template digest.
The inspection row is never edited after that (core/inspection/inspections.py already refuses any change to a
non-draft inspection). A later correction is an `Amendment`: it lists the changed fields, points at the
hash of the state it corrects (a hash chain), and is itself signed. Documents print the state after all
signed amendments and carry the latest hash (`current_hash`).

What lives where (callers use `from inspector_app.core.issuing import signing; signing.NAME`):
- values.py — roles, states, SignatureInput, SignatureView, SignedState, AmendmentView
- content.py — the canonical JSON that is signed and its hash (docs/documents.md documents the format)
- codes.py — the verification code (核验码) and the QR payload derived from a signed state
- signers.py — the rules of a set of signers (signer_problems) and the signature rows built from it
- sign.py — signing on the pad or entering a record signed on paper
- state.py — reading the signed state back, status, verify_record, find_by_code
- amendments.py — corrections (更正): create, sign, delete a draft
"""

from inspector_app.core.issuing.signing.amendments import (
    STATUS_NOT_AMENDABLE,
    create_amendment,
    delete_draft_amendment,
    sign_amendment,
)
from inspector_app.core.issuing.signing.codes import (
    CODE_ALPHABET,
    parse_qr_payload,
    parse_verification_code,
    qr_payload,
    verification_code,
)
from inspector_app.core.issuing.signing.content import sha256_hex, signed_json
from inspector_app.core.issuing.signing.sign import (
    check_days,
    default_days,
    record_paper_signatures,
    sign_in_session,
    sign_inspection,
)
from inspector_app.core.issuing.signing.signers import SignerProblem, representative_values, signer_problems
from inspector_app.core.issuing.signing.state import (
    find_by_code,
    get_signed,
    is_signed,
    status,
    team_of,
    verify_record,
)
from inspector_app.core.issuing.signing.values import (
    ABSENT,
    AMENDABLE_FIELDS,
    AMENDMENT_SCHEMA,
    INSPECTOR,
    MAX_DAYS,
    MAX_IMAGE_BYTES,
    PAD,
    PAPER,
    PERIOD_FIELD,
    REFUSED,
    REPRESENTATIVE,
    ROLES,
    SCHEMA,
    SIGNED,
    SIGNED_STATUS,
    STATES,
    STATUSES,
    AmendmentView,
    Change,
    NotSigned,
    SignatureInput,
    SignatureView,
    SignedState,
)

__all__ = [
    "ABSENT",
    "AMENDABLE_FIELDS",
    "AMENDMENT_SCHEMA",
    "CODE_ALPHABET",
    "INSPECTOR",
    "MAX_DAYS",
    "MAX_IMAGE_BYTES",
    "PAD",
    "PAPER",
    "PERIOD_FIELD",
    "REFUSED",
    "REPRESENTATIVE",
    "ROLES",
    "SCHEMA",
    "SIGNED",
    "SIGNED_STATUS",
    "STATES",
    "STATUSES",
    "STATUS_NOT_AMENDABLE",
    "AmendmentView",
    "Change",
    "NotSigned",
    "SignatureInput",
    "SignatureView",
    "SignedState",
    "SignerProblem",
    "check_days",
    "create_amendment",
    "default_days",
    "delete_draft_amendment",
    "find_by_code",
    "get_signed",
    "is_signed",
    "parse_qr_payload",
    "parse_verification_code",
    "qr_payload",
    "record_paper_signatures",
    "representative_values",
    "sha256_hex",
    "sign_amendment",
    "sign_in_session",
    "sign_inspection",
    "signed_json",
    "signer_problems",
    "status",
    "team_of",
    "verification_code",
    "verify_record",
]
