"""One inspection of a file, validated and resolved to database ids (Plan), and what 'the same inspection' means
when a file is imported again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from inspector_app.core.inspection.inspections import (
    Answer,
)
from inspector_app.core.inspection.templates import Template
from inspector_app.core.issuing import signing
from inspector_app.core.storage.models import (
    Inspection,
    Inspector,
    ItemResult,
)


def answer_of(r: ItemResult) -> Answer:
    return Answer(
        r.item_id,
        r.conclusion,
        r.na_reason or "",
        r.record or "",
        r.remark or "",
        bool(r.rectified_on_site),
        r.problem_category or None,
    )


def is_empty(a: Answer) -> bool:
    return not (a.conclusion or a.na_reason or a.record or a.remark or a.rectified_on_site)


@dataclass
class Plan:
    """One inspection of the file, validated and resolved to database ids; `action` says what to do."""

    index: int
    id: str | None
    template: Template
    enterprise_id: str
    site_id: str
    license_id: str | None
    kind: str
    inspected_on: date
    status: str
    completed_at: datetime | None
    team: list[Inspector]
    answers: dict[str, Answer]
    existing: Inspection | None = None
    action: str = "create"  # create | update | unchanged
    # Signatures of the file (empty: none), for signing.record_paper_signatures and for comparison.
    signatures: list[signing.SignatureInput] = field(default_factory=list)
    signature_dicts: list[dict] = field(default_factory=list)
    signed_on: date | None = None  # as written in the file; None: not written
    rectification_days: int | None = None  # as written in the file; None: not written
    sign: bool = False  # record the signatures when writing
    sign_only: bool = False  # the record itself is as in the database: only the signatures are written

    def state(self) -> tuple:
        return state_key(
            self.enterprise_id,
            self.site_id,
            self.license_id,
            self.template.digest,
            self.kind,
            self.inspected_on,
            self.status,
            [m.id for m in self.team],
            self.answers.values(),
        )


def state_key(enterprise_id, site_id, license_id, digest, kind, inspected_on, status, team, answers) -> tuple:
    """What 'the same inspection' means when a file is imported again."""
    kept = sorted((a for a in answers if not is_empty(a)), key=lambda a: a.item_id)
    return (enterprise_id, site_id, license_id, digest, kind, inspected_on, status, tuple(team), tuple(kept))


def existing_state(insp: Inspection) -> tuple:
    return state_key(
        insp.enterprise_id,
        insp.site_id,
        insp.license_id,
        insp.template_digest,
        insp.kind,
        insp.inspected_on,
        insp.status,
        [m.inspector_id for m in insp.members],
        [answer_of(r) for r in insp.results],
    )
