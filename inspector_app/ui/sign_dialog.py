"""Sign a completed inspection: every team member, then the enterprise representative — or the note that the
representative refused or was absent, with the reason and a witness (002 三(四): 拒绝签字的予以注明).

The dialog only collects; core/issuing/signing/ validates and finalises in one transaction on the database lane.
"""

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.issuing import signing
from inspector_app.i18n import _
from inspector_app.ui.geometry import fit_window
from inspector_app.ui.signature_pad import SignatureField
from inspector_app.ui.tasks import ARCHIVE


@dataclass(frozen=True)
class SignInfo:
    """What the dialog shows, read in the worker."""

    status: str
    enterprise: str
    contact: str
    phone: str
    legal_rep: str
    team: tuple[tuple[str, str], ...]  # (inspector id, name)
    default_days: int


def load_sign_info(db, inspection_id: str) -> SignInfo:
    from inspector_app.core.storage.models import Inspection

    status = signing.status(db, inspection_id)
    with db.session() as s:
        insp = s.get(Inspection, inspection_id)
        ent = insp.enterprise
        info = (ent.name, ent.contact, ent.phone, ent.legal_rep)
    return SignInfo(status, *info, tuple(signing.team_of(db, inspection_id)), signing.default_days(db))


class SignDialog(QDialog):
    """`signed_state` holds the SignedState after a successful signing (the dialog is then accepted)."""

    def __init__(self, db, worker, inspection_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.worker, self.inspection_id = db, worker, inspection_id
        self.signed_state: signing.SignedState | None = None
        self.info: SignInfo | None = None
        self.team_fields: list[tuple[str, SignatureField]] = []
        self._built = False
        self.setWindowTitle(_("签字确认"))
        fit_window(self, type(self).__name__, (760, 820))

        self.header = QLabel(_("正在读取……"), self)
        self.header.setWordWrap(True)
        self.body = QWidget(self)
        self.body_layout = QVBoxLayout(self.body)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)

        self.buttons = QDialogButtonBox(self)
        self.sign_button = self.buttons.addButton(_("签字确认"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setObjectName("signButton")
        self.sign_button.setEnabled(False)
        self.buttons.addButton(_("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        worker.submit(load_sign_info, db, inspection_id, on_done=self._loaded, on_error=self._failed)

    # -- building ---------------------------------------------------------------------------------------------
    def _loaded(self, info: SignInfo) -> None:
        self.info = info
        self.header.setText(
            _("<b>{e}</b><br>签字后检查记录即定稿，不能再修改；以后如需更正，须另作更正记录并重新签字。").format(
                e=info.enterprise
            )
        )
        if info.status == signing.SIGNED_STATUS:
            self.header.setText(_("该检查记录已签字确认。"))
            return
        if info.status != "completed":
            self.header.setText(_("该检查记录尚未完成。请先填写全部检查项并“完成检查”，再签字确认。"))
            return

        team_box = QGroupBox(_("检查组签字"), self.body)
        team_layout = QVBoxLayout(team_box)
        for inspector_id, name in info.team:
            field = SignatureField(_("检查人员：{n}").format(n=name), team_box)
            field.pad.setObjectName(f"pad-{inspector_id}")
            field.changed.connect(self._update)
            team_layout.addWidget(field)
            self.team_fields.append((inspector_id, field))
        self.body_layout.addWidget(team_box)

        rep_box = QGroupBox(_("企业代表"), self.body)
        rep_layout = QVBoxLayout(rep_box)
        states = QHBoxLayout()
        self.state_group = QButtonGroup(self)
        self.state_buttons: dict[str, QRadioButton] = {}
        for code, label in (
            (signing.SIGNED, _("签字确认")),
            (signing.REFUSED, _("拒绝签字")),
            (signing.ABSENT, _("不在场")),
        ):
            button = QRadioButton(label, rep_box)
            button.setObjectName(f"state-{code}")
            self.state_group.addButton(button)
            self.state_buttons[code] = button
            states.addWidget(button)
            button.toggled.connect(self._update)
        self.state_buttons[signing.SIGNED].setChecked(True)
        states.addStretch(1)
        rep_layout.addLayout(states)
        form = QFormLayout()
        self.rep_name = QLineEdit(info.contact or info.legal_rep, rep_box)
        self.rep_title = QLineEdit(rep_box)
        self.rep_phone = QLineEdit(info.phone, rep_box)
        self.reason = QLineEdit(rep_box)
        self.reason.setPlaceholderText(_("如：对第4项检查结论有异议，拒绝签字"))
        self.witness = QLineEdit(rep_box)
        self.witness.setPlaceholderText(_("见证人姓名（如检查组成员或企业其他人员）"))
        for w in (self.rep_name, self.reason, self.witness):
            w.textChanged.connect(self._update)
        form.addRow(_("姓名"), self.rep_name)
        form.addRow(_("职务"), self.rep_title)
        form.addRow(_("联系电话"), self.rep_phone)
        form.addRow(_("未签字原因"), self.reason)
        form.addRow(_("见证人"), self.witness)
        rep_layout.addLayout(form)
        self.rep_field = SignatureField(_("企业代表签名"), rep_box)
        self.rep_field.pad.setObjectName("pad-representative")
        self.rep_field.changed.connect(self._update)
        rep_layout.addWidget(self.rep_field)
        self.body_layout.addWidget(rep_box)

        period = QHBoxLayout()
        period.addWidget(QLabel(_("整改期限（日）"), self.body))
        self.days = QSpinBox(self.body)
        self.days.setRange(1, signing.MAX_DAYS)
        self.days.setValue(info.default_days)
        period.addWidget(self.days)
        period.addStretch(1)
        self.body_layout.addLayout(period)
        self.problem_label = QLabel(self.body)
        self.problem_label.setObjectName("signProblems")
        self.problem_label.setStyleSheet("color: #c62828;")
        self.problem_label.setWordWrap(True)
        self.body_layout.addWidget(self.problem_label)
        self.body_layout.addStretch(1)
        self._built = True
        self._update()

    def rep_state(self) -> str:
        return next(code for code, b in self.state_buttons.items() if b.isChecked())

    def missing(self) -> list[str]:
        """What is still needed before 签字确认 can be pressed (shown under the form)."""
        if not self._built:
            return [_("尚未读取")]
        out = [_("{n} 尚未签名").format(n=f.caption.text()) for _i, f in self.team_fields if f.pad.is_empty()]
        if self.rep_state() == signing.SIGNED:
            if not self.rep_name.text().strip():
                out.append(_("请填写企业代表姓名"))
            if self.rep_field.pad.is_empty():
                out.append(_("企业代表尚未签名"))
        else:
            if not self.reason.text().strip():
                out.append(_("请注明未签字的原因"))
            if not self.witness.text().strip():
                out.append(_("请填写见证人"))
        return out

    def _update(self) -> None:
        if not self._built:
            return
        signs = self.rep_state() == signing.SIGNED
        self.rep_field.setEnabled(signs)
        self.reason.setEnabled(not signs)
        self.witness.setEnabled(not signs)
        missing = self.missing()
        self.problem_label.setText("；".join(missing))
        self.sign_button.setEnabled(not missing)

    # -- signing ----------------------------------------------------------------------------------------------
    def inputs(self) -> list[signing.SignatureInput]:
        out = [
            signing.SignatureInput(
                role=signing.INSPECTOR, inspector_id=i, image=f.pad.to_png(), strokes=f.pad.strokes()
            )
            for i, f in self.team_fields
        ]
        state = self.rep_state()
        signs = state == signing.SIGNED
        out.append(
            signing.SignatureInput(
                role=signing.REPRESENTATIVE,
                name=self.rep_name.text(),
                title=self.rep_title.text(),
                phone=self.rep_phone.text(),
                state=state,
                reason="" if signs else self.reason.text(),
                witness="" if signs else self.witness.text(),
                image=self.rep_field.pad.to_png() if signs else None,
                strokes=self.rep_field.pad.strokes() if signs else (),
            )
        )
        return out

    def submit(self) -> None:
        if self.missing():
            return
        self.sign_button.setEnabled(False)
        self.worker.submit(
            signing.sign_inspection,
            self.db,
            self.inspection_id,
            self.inputs(),
            rectification_days=self.days.value(),
            on_done=self._signed,
            on_error=self._failed,
            changes={ARCHIVE},
        )

    def _signed(self, state: signing.SignedState) -> None:
        self.signed_state = state
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        from inspector_app.ui.errors import show_error

        self._update()
        show_error(exc, self)
