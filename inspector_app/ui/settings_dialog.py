"""设置 (文件 → 设置…): the bureau's name, seal text, document-number pattern, rectification period and wording,
and the bundle limits.

A form over core/settings.py: one field per setting (its label, help and rules come from there), grouped in
tabs; the 文书编号 tab shows the number the next notice would get with what is typed, recomputed on the
worker as the inspector types. 确定 sends the changed values to `settings.update`, which checks them all and
writes all or none; a refused value is named in red under its field and nothing is saved.
"""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core import settings
from inspector_app.core.issuing import numbers as docnumbers
from inspector_app.i18n import _
from inspector_app.ui.errors import show_error
from inspector_app.ui.geometry import fit_window

_RED, _GREEN, _GREY = "#a4161a", "#1b5e20", "#666666"

# Tabs and the order of their fields; a key a feature adds to settings.DEFAULTS lands in 其他.
TABS: list[tuple[str, list[str]]] = [
    (
        "本局",
        ["bureau.name", "bureau.short_name", "bureau.seal_text", "bureau.contact_phone", "rectification.default_days"],
    ),
    (
        "文书编号",
        ["docnumber.pattern", "device.docnumber_prefix", "device.docnumber_block_start", "device.docnumber_block_end"],
    ),
    ("文书文字", ["notice.legal_bases", "class_notice.legal_bases", "notice.reinspection", "summary.warning"]),
    ("本机", ["device.name", "device.inspector"]),
    ("数据包", ["bundle.max_files", "bundle.max_file_mb", "bundle.max_total_mb"]),
    ("导入文件", ["input.roster_max_mb", "input.roster_max_rows"]),
]
# Keys with a screen of their own: the draw rules file is imported and checked in 双随机抽取. The earlier single
# 分类告知书 basis is only read (core/issuing/legal_basis.py class_lines): its lines are class_notice.legal_bases.
SET_ELSEWHERE = ("draw.rules", "class_notice.legal_basis")
# What the next document number depends on (core/issuing/numbers.py issue()).
NUMBER_KEYS = (
    "docnumber.pattern",
    "bureau.short_name",
    "device.docnumber_prefix",
    "device.docnumber_block_start",
    "device.docnumber_block_end",
)


class SettingField(QWidget):
    """One setting: its editor, its error (red, hidden while there is none) and its help line."""

    edited = Signal(str)  # the key

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        spec = settings.DEFAULTS[key]
        if spec.kind == "multiline":
            self.editor = QPlainTextEdit()
            self.editor.setTabChangesFocus(True)
            self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * 4 + 14)
            self.editor.textChanged.connect(self._edited)
        else:
            self.editor = QLineEdit()
            if spec.kind == "int":
                self.editor.setMaximumWidth(self.editor.fontMetrics().horizontalAdvance("0") * 14 + 16)
            self.editor.textEdited.connect(self._edited)
        self.editor.setToolTip(settings.rule_text(key))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {_RED}")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        help_text = _(spec.help)
        if settings.is_device_key(key):
            help_text += _("（仅本机，不随同步发出）")
        self.help = QLabel(help_text)
        self.help.setWordWrap(True)
        self.help.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.help.setStyleSheet(f"color: {_GREY}")
        # Rows keep their natural height: a multi-line editor must not spread its row's labels apart.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        layout.addWidget(self.editor)
        layout.addWidget(self.error)
        layout.addWidget(self.help)
        self._filling = False

    def value(self) -> str:
        if isinstance(self.editor, QPlainTextEdit):
            return self.editor.toPlainText()
        return self.editor.text()

    def set_value(self, value: str) -> None:
        self._filling = True  # a programmatic fill is not an edit
        try:
            if isinstance(self.editor, QPlainTextEdit):
                self.editor.setPlainText(value)
            else:
                self.editor.setText(value)
                self.editor.setCursorPosition(0)
        finally:
            self._filling = False

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _edited(self, *_args) -> None:
        if not self._filling:
            self.show_error("")
            self.edited.emit(self.key)


class SettingsDialog(QDialog):
    saved = Signal(dict)  # the values as stored, by key

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self._loaded: dict[str, str] | None = None
        self._preview_seq = 0
        self.setWindowTitle(_("设置"))
        fit_window(self, "settings", (640, 560))

        self.fields: dict[str, SettingField] = {}
        self.tabs = QTabWidget()
        self._tab_of: dict[str, int] = {}
        listed = [key for _title, keys in TABS for key in keys if key in settings.DEFAULTS]
        others = [key for key in settings.DEFAULTS if key not in listed and key not in SET_ELSEWHERE]
        for title, keys in [*TABS, ("其他", others)]:
            keys = [k for k in keys if k in settings.DEFAULTS]
            if keys:
                self._add_tab(_(title), keys)

        self.message = QLabel(_("正在读取设置…"))
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("确定"))
        self.ok_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("取消"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        intro = QLabel(
            _(
                "问题汇总表、监督检查记录表和责令整改通知书上印的内容，以及导入数据包的上限。"
                "修改后新打印的文书即按新设置；除“本机”外，局里的设置随数据包发到各台电脑。"
            )
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self._preview_timer = QTimer(self, singleShot=True, interval=250)
        self._preview_timer.timeout.connect(self.update_preview)
        for field in self.fields.values():
            field.setEnabled(False)
            field.edited.connect(self._field_edited)
        self._worker.submit(settings.all_settings, self._db, on_done=self._show, on_error=self._load_failed)

    def _add_tab(self, title: str, keys: list[str]) -> None:
        page = QWidget()
        form = QFormLayout(page)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # In a scroll area the page gets the height its wrapped help lines need at its real width (and a
        # small screen can still reach every field).
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        index = self.tabs.addTab(scroll, title)
        for key in keys:
            field = SettingField(key)
            self.fields[key] = field
            self._tab_of[key] = index
            label = QLabel(_(settings.DEFAULTS[key].label) + _("："))
            label.setBuddy(field.editor)
            form.addRow(label, field)
            if key == "docnumber.pattern":  # the preview right under the pattern it follows
                field.layout().addWidget(self._build_preview())

    def _build_preview(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        line = QHBoxLayout()
        line.setSpacing(0)
        line.addWidget(QLabel(_("下一个编号：")))
        self.preview = QLabel("…")
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.preview.font()
        font.setBold(True)
        self.preview.setFont(font)
        line.addWidget(self.preview)
        line.addStretch(1)
        self.preview_note = QLabel()
        self.preview_note.setWordWrap(True)
        self.preview_note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.preview_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_note.hide()
        layout.addLayout(line)
        layout.addWidget(self.preview_note)
        return box

    # --- loading -----------------------------------------------------------------------------------------
    def _show(self, values: dict[str, str]) -> None:
        self._loaded = dict(values)
        for key, field in self.fields.items():
            field.set_value(values.get(key, ""))
            field.setEnabled(True)
        self.ok_button.setEnabled(True)
        self.message.clear()
        self.update_preview()

    def _load_failed(self, exc: BaseException) -> None:
        self._say(_("无法读取设置：{e}").format(e=exc), _RED)
        from inspector_app.core.errors import DomainError

        if not isinstance(exc, DomainError):
            show_error(exc, self)

    def _say(self, text: str, color: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {color}")

    # --- editing -----------------------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        return {key: field.value() for key, field in self.fields.items()}

    def changes(self) -> dict[str, str]:
        """The values that differ from those loaded: only these are sent, so untouched rows stay defaults."""
        if self._loaded is None:
            return {}
        return {key: value for key, value in self.values().items() if value != self._loaded.get(key)}

    def _field_edited(self, key: str) -> None:
        self._mark_tab(self._tab_of[key])
        if key in NUMBER_KEYS:
            self._preview_timer.start()

    def update_preview(self) -> None:
        """Ask the worker for the next number with the number fields as typed; only the latest answer shows."""
        if self._loaded is None or not hasattr(self, "preview"):
            return
        self._preview_seq += 1
        seq = self._preview_seq
        typed = {key: value for key, value in self.changes().items() if key in NUMBER_KEYS}
        self._worker.submit(
            docnumbers.preview_number,
            self._db,
            typed,
            on_done=lambda result: self._show_preview(seq, result, None),
            on_error=lambda exc: self._show_preview(seq, None, exc),
        )

    def _show_preview(self, seq: int, result, error) -> None:
        if seq != self._preview_seq:
            return  # a newer edit is on its way
        from inspector_app.core.errors import DomainError

        if error is not None and not isinstance(error, DomainError):
            show_error(error, self)
            return
        if error is not None:
            self.preview.setText(_("无法编号"))
            self.preview.setStyleSheet(f"color: {_RED}")
            self.preview_note.setText(str(error))
            self.preview_note.setStyleSheet(f"color: {_RED}")
            self.preview_note.show()
            return
        self.preview.setText(result.number)
        self.preview.setStyleSheet("")
        self.preview_note.setText(result.note)
        self.preview_note.setStyleSheet(f"color: {_GREY}")
        self.preview_note.setVisible(bool(result.note))

    # --- saving ------------------------------------------------------------------------------------------
    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.saved.emit({})
            self.accept()
            return
        self.ok_button.setEnabled(False)
        for field in self.fields.values():
            field.show_error("")
        for index in range(self.tabs.count()):
            self._mark_tab(index)
        self._say(_("正在保存…"), _GREY)
        self._worker.submit(settings.update, self._db, changes, on_done=self._saved, on_error=self._save_failed)

    def _saved(self, stored: dict[str, str]) -> None:
        self._loaded = {**(self._loaded or {}), **stored}
        self._say(_("已保存。"), _GREEN)
        self.saved.emit(stored)
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        from inspector_app.core.errors import DomainError

        self.ok_button.setEnabled(True)
        errors = getattr(exc, "errors", None)
        if isinstance(exc, settings.SettingsRefused) and errors:
            first = None
            for key, error in errors.items():
                field = self.fields.get(key)
                if field is None:
                    continue
                field.show_error(str(error))
                self._mark_tab(self._tab_of[key])
                first = first or field
            if first is not None:
                self.tabs.setCurrentIndex(self._tab_of[first.key])
                first.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            self._say(
                _("有 {n} 项不符合要求（见标红处），设置未保存，请改正后再按“确定”。").format(n=len(errors)), _RED
            )
        elif isinstance(exc, DomainError):
            self._say(str(exc) + _("\n设置未保存。"), _RED)
        else:
            self._say(_("设置未保存。"), _RED)
            show_error(exc, self)

    def _mark_tab(self, index: int) -> None:
        """A tab with a refused field has a red title, so the inspector sees where to look."""
        wrong = any(not f.error.isHidden() for k, f in self.fields.items() if self._tab_of[k] == index)
        self.tabs.tabBar().setTabTextColor(index, QColor(_RED) if wrong else QColor())
