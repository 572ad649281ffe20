"""The 回访 form (001 §27, 004 二(三)): one card per earlier problem, its evidence and a verdict.

Not the whole record form with the problem in 备注: the card shows the earlier finding with its date and
deadline, a text for what was seen, the photos of the rectification and 已整改 / 部分整改 / 未整改. A verdict is
saved when it is clicked (core/supervision/followup_form.py: give_verdict); the evidence text is saved with
it and when the card loses the focus. A problem still present after its deadline shows the measures proposed
to the bureau (责令停产整顿 …). 完成回访 needs every verdict; then the main window offers the signatures.
"""

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.supervision import followup_form as ff
from inspector_app.i18n import _
from inspector_app.ui.errors import show_error
from inspector_app.ui.photo_strip import PhotoStrip
from inspector_app.ui.tasks import ARCHIVE, SUPERVISION

WARN = "color: #c62828; font-weight: bold"


class _Evidence(QPlainTextEdit):
    left = Signal()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.left.emit()


class ProblemCard(QFrame):
    """One earlier problem: finding, evidence text, photos, verdict, proposals."""

    verdict_given = Signal(str, str, str)  # rectification id, verdict, evidence
    evidence_left = Signal(str, str)  # rectification id, evidence

    def __init__(self, db, worker, inspection_id: str, n: int, item_id: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.problem: ff.Problem | None = None
        v = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        v.addWidget(self.heading)
        self.finding = QLabel()
        self.finding.setWordWrap(True)
        v.addWidget(self.finding)
        v.addWidget(QLabel(_("整改情况（查看了什么、是否到位）：")))
        self.evidence = _Evidence()
        self.evidence.setTabChangesFocus(True)
        self.evidence.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.evidence.left.connect(self._left)
        v.addWidget(self.evidence)
        self.photos = PhotoStrip(db, worker, inspection_id, self, item_id=item_id)  # loads its own thumbnails
        self.photos.thumbs.setMaximumHeight(self.photos.thumbs.iconSize().height() + 3 * self.fontMetrics().height())
        v.addWidget(self.photos)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("结论：")))
        self.buttons = QButtonGroup(self)
        self.verdict_buttons: dict[str, QRadioButton] = {}
        for key, label in ff.VERDICTS.items():
            b = QRadioButton(_(label))
            self.buttons.addButton(b)
            self.verdict_buttons[key] = b
            b.clicked.connect(lambda _c=False, k=key: self._give(k))
            row.addWidget(b)
        row.addStretch(1)
        v.addLayout(row)
        self.proposals = QLabel()
        self.proposals.setWordWrap(True)
        self.proposals.setStyleSheet(WARN)
        v.addWidget(self.proposals)
        self.n = n

    def show_problem(self, p: ff.Problem, visit, editable: bool) -> None:
        self.problem = p
        self.heading.setText(
            _("<b>问题{n}</b>　检查项 {i}　{t}").format(n=self.n, i=p.item_id, t=p.item_title)
            + (f"　<span style='color:#777'>{p.category}</span>" if p.category else "")
        )
        late = visit > p.deadline
        self.finding.setText(
            _("原问题：{p}\n{f}检查发现，整改期限{d}{late}").format(
                p=p.problem or _("（未填写检查记录）"),
                f=p.found_on.isoformat(),
                d=p.deadline.isoformat(),
                late=_("（回访时已过期限）") if late else _("（回访时期限未到）"),
            )
        )
        if not self.evidence.hasFocus():
            self.evidence.setPlainText(p.evidence)
        self.evidence.setReadOnly(not editable)
        self.photos.set_read_only(not editable)
        self.buttons.setExclusive(False)
        for key, b in self.verdict_buttons.items():
            b.setChecked(key == p.verdict)
            b.setEnabled(editable)
        self.buttons.setExclusive(True)
        text = ""
        if p.overdue_on(visit):
            text = _(
                "逾期仍未整改（《关于进一步加强获证企业后续监管工作的实施意见》二(三)：回访中发现原问题仍存在的，应责令企业停产整顿）。"
            )
        if p.proposals:
            text += _("已提请区局：") + "、".join(p.proposals)
        self.proposals.setText(text)
        self.proposals.setVisible(bool(text))

    def _give(self, verdict: str) -> None:
        if self.problem is not None:
            self.verdict_given.emit(self.problem.rectification_id, verdict, self.evidence.toPlainText())

    def _left(self) -> None:
        p = self.problem
        if p is not None and not self.evidence.isReadOnly() and self.evidence.toPlainText().strip() != p.evidence:
            self.evidence_left.emit(p.rectification_id, self.evidence.toPlainText())


class FollowupForm(QWidget):
    checklist_requested = Signal(str)  # the whole record form of the 回访, for what the cards do not show
    completed = Signal(str)

    def __init__(self, db, worker, inspection_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.worker, self.inspection_id = db, worker, inspection_id
        self.form: ff.FollowupForm | None = None
        self.cards: list[ProblemCard] = []
        self.setWindowTitle(_("回访记录"))
        self.resize(900, 640)
        v = QVBoxLayout(self)
        self.header = QLabel(_("正在载入…"))
        self.header.setWordWrap(True)
        v.addWidget(self.header)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.addStretch(1)
        self.scroll.setWidget(self.body)
        v.addWidget(self.scroll, 1)
        bottom = QHBoxLayout()
        self.status = QLabel()
        bottom.addWidget(self.status, 1)
        whole = QPushButton(_("打开完整检查表"))
        whole.clicked.connect(lambda: self.checklist_requested.emit(self.inspection_id))
        self.complete_button = QPushButton(_("完成回访"))
        self.complete_button.clicked.connect(self.complete)
        bottom.addWidget(whole)
        bottom.addWidget(self.complete_button)
        v.addLayout(bottom)
        worker.data_changed.connect(self._data_changed)
        self.refresh()

    def _data_changed(self, changes) -> None:
        if ARCHIVE in changes and shiboken6.isValid(self):
            self.refresh()

    def refresh(self) -> None:
        self.worker.submit(ff.load, self.db, self.inspection_id, on_done=self._show, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            show_error(exc, self)

    def _refused(self, exc: BaseException) -> None:
        """A verdict or text refused: said, and the cards show again what is stored."""
        self._failed(exc)
        if shiboken6.isValid(self):
            self.refresh()

    def _show(self, form: ff.FollowupForm) -> None:
        if not shiboken6.isValid(self):
            return
        self.form = form
        self.header.setText(
            _("<b>{e}</b>（{u}）<br/>生产地址：{a}<br/>回访日期：{d}　检查人员：{t}").format(
                e=form.enterprise_name, u=form.uscc, a=form.site_address, d=form.visit_on.isoformat(),
                t="、".join(form.team),
            )
        )  # fmt: skip
        while len(self.cards) < len(form.problems):
            n = len(self.cards)
            card = ProblemCard(self.db, self.worker, self.inspection_id, n + 1, form.problems[n].item_id, self.body)
            card.verdict_given.connect(self.give_verdict)
            card.evidence_left.connect(self.save_evidence)
            card.photos.changed.connect(self.refresh)
            self.body_layout.insertWidget(len(self.cards), card)
            self.cards.append(card)
        for card, p in zip(self.cards, form.problems, strict=False):
            card.show_problem(p, form.visit_on, form.editable)
        self.complete_button.setEnabled(form.editable)
        if not form.editable:
            self.status.setText(_("回访已完成"))
        elif form.missing:
            self.status.setText(_("还有{n}个问题待给出结论").format(n=form.missing))
        else:
            self.status.setText(_("每个问题都已有结论，可以完成回访"))

    def give_verdict(self, rectification_id: str, verdict: str, evidence: str) -> None:
        self.worker.submit(
            ff.give_verdict, self.db, rectification_id, verdict, evidence,
            changes={ARCHIVE, SUPERVISION}, on_error=self._refused,
        )  # fmt: skip

    def save_evidence(self, rectification_id: str, evidence: str) -> None:
        self.worker.submit(
            ff.save_evidence, self.db, rectification_id, evidence, changes={ARCHIVE}, on_error=self._refused
        )

    def complete(self) -> None:
        self.worker.submit(
            ff.complete, self.db, self.inspection_id, changes={ARCHIVE, SUPERVISION},
            on_done=self._completed, on_error=self._failed,
        )  # fmt: skip

    def _completed(self, _result=None) -> None:
        if shiboken6.isValid(self):
            self.completed.emit(self.inspection_id)
