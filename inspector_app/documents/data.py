"""Everything a document prints, gathered in one read from the database as plain values.

Documents print what was signed: the enterprise, license and team as they were at signing (the canonical
content stored with the content hash), the answers after every signed amendment, the signatures, the photos,
the bureau's settings and, for the notice, its document number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from inspector_app.core import clock, settings
from inspector_app.core.catalog import INSPECTION_KINDS
from inspector_app.core.inspection import photos
from inspector_app.core.inspection.inspections import Answer
from inspector_app.core.inspection.snapshots import stored_template
from inspector_app.core.inspection.templates import Template, TemplateItem
from inspector_app.core.issuing import legal_basis, print_check
from inspector_app.core.issuing import numbers as docnumbers
from inspector_app.core.issuing.doc_types import NOTICE
from inspector_app.core.issuing.signing import SignedState, get_signed
from inspector_app.core.storage.db import Database


@dataclass(frozen=True)
class Problem:
    no: int
    item: TemplateItem
    answer: Answer

    label: str


@dataclass(frozen=True)
class DocData:
    state: SignedState
    template: Template
    answers: dict[str, Answer]
    settings: dict[str, str]
    number: str = ""
    legal_basis: str = ""  # the notice's, in force on its date for the enterprise's products (core/issuing/legal_basis)
    photos: list = field(default_factory=list)  # [(PhotoInfo, JPEG bytes)]
    printed_on: date | None = None
    qr_text: str = ""  # the signed QR payload every page prints (documents/qrsig.py), set by generate

    # -- the signed snapshot --------------------------------------------------------------------------------
    @property
    def inspection_id(self) -> str:
        return self.state.inspection_id

    @property
    def info(self) -> dict:
        return self.state.canonical["inspection"]

    @property
    def team(self) -> list[dict]:
        return self.state.canonical["team"]

    @property
    def kind_label(self) -> str:
        return INSPECTION_KINDS.get(self.info["kind"], self.info["kind"])

    @property
    def inspected_on(self) -> date:
        return date.fromisoformat(self.info["inspected_on"])

    @property
    def is_double_random(self) -> bool:
        return self.info["kind"] == "double_random"

    @property
    def days(self) -> int:
        return self.state.rectification_days

    @property
    def deadline(self) -> date:
        """The rectification deadline: the signing date plus the period in days (002 附件1 ____日内)."""
        return self.state.signed_on + timedelta(days=self.days)

    def problems(self, *, include_rectified: bool = True) -> list[Problem]:
        """The 不符合 items in form order, numbered 1, 2, … (002 附件1 现场检查发现问题汇总)."""
        out: list[Problem] = []
        for item in self.template.items:
            ans = self.answers.get(item.id)
            if ans is None or ans.conclusion != "nonconform":
                continue
            if not include_rectified and ans.rectified_on_site:
                continue
            out.append(Problem(len(out) + 1, item, ans, self.label(item)))
        return out

    def label(self, item: TemplateItem) -> str:
        return item_label(item, self.template)

    def setting(self, key: str) -> str:
        return self.settings[key]


def item_label(item: TemplateItem, template: Template) -> str:
    """'1(2)': section number and the item's place in it, as the paper form numbers them; '5' for the only
    item of a section."""
    section = next(s for s in template.sections if s.no == item.section_no)
    if len(section.items) == 1:
        return str(section.no)
    return f"{section.no}({section.items.index(item) + 1})"


def cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "    年  月  日"


_templates: dict[str, Template] = {}


def _template(db: Database, digest: str) -> Template:
    """The template an inspection was made with. A snapshot's digest is the SHA-256 of its content, so the
    parsed template is kept by digest: a bureau has a handful of templates, and a session, a query and a
    JSON parse per document (≈ 0.6 ms) are saved."""
    template = _templates.get(digest)
    if template is None:
        template = stored_template(db, digest)
        if len(_templates) >= 32:
            _templates.clear()
        _templates[digest] = template
    return template


def load(db: Database, inspection_id: str, doc_type: str, *, with_photos: bool = False) -> DocData:
    """Read what `doc_type` needs; NotFound / NotSigned (Chinese messages) for an unknown or unsigned one."""
    state = get_signed(db, inspection_id)
    template = _template(db, state.canonical["template"]["digest"])
    number, basis = "", ""
    values = settings.all_settings(db)
    if doc_type == NOTICE:  # the basis first: a notice that cannot be printed takes no number
        basis = legal_basis.for_notice(
            values[legal_basis.KEY],
            state.signed_on,
            state.canonical["inspection"].get("license_category", ""),
            bureau=print_check.check(db, doc_type).bureau,
        )
        number = docnumbers.get_or_issue(db, inspection_id, docnumbers.NOTICE).number
    return DocData(
        state=state,
        template=template,
        answers=state.answers(),
        settings=values,
        number=number,
        legal_basis=basis,
        photos=photos.print_copies(db, inspection_id) if with_photos else [],
        printed_on=clock.today(),
    )
