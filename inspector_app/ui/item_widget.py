"""One sub-item of the record form (002 附件2): official text, conclusion, record, remark, 当场整改, and for
an item whose text spans two statistics categories (000 二(二)) the 问题类别 of a 不符合; evidence photos
(002 三(四)) through an "添加照片…" button under the remark or image files dropped anywhere on the item.

Dumb layout: the widget shows values and emits what the inspector changed; InspectionScreen saves. The
photo thumbnails are a PhotoStrip the screen hands in (`set_photo_strip`) once the item has photos; the
conclusion bar, the 问题类别 combo and the wrapped labels are item_controls.py.
"""

from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.catalog import PRODUCT_KINDS
from inspector_app.core.inspection.inspections import Answer, with_conclusion
from inspector_app.core.inspection.templates import TemplateItem
from inspector_app.i18n import _
from inspector_app.ui.item_controls import (
    BLUE,
    MUTED,
    RED,
    CategoryCombo,
    ConclusionBar,
    WrappedLabel,
    bold,
    set_text_colour,
)
from inspector_app.ui.photo_strip import local_files

CONCLUSION_ORDER = ("conform", "nonconform", "na")


class _ItemField:
    """The item's record and remark: leaving one saves it; image files dropped on it become the item's photos
    (the field would insert the file's path). Overridden handlers, not an event filter: a filter sees every
    event of the fields in Python, ≈ 500 while the form opens."""

    owner: "ItemWidget"

    def focusOutEvent(self, event) -> None:
        self.owner.text_left.emit(self.owner.item.id)
        super().focusOutEvent(event)

    def dragEnterEvent(self, event) -> None:
        if not self.owner._take_drag(event):
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if not self.owner._take_drag(event):
            super().dragMoveEvent(event)

    def dragLeaveEvent(self, event) -> None:
        self.owner._take_drag(event)
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:
        if not self.owner._take_drag(event):
            super().dropEvent(event)


class RecordEdit(_ItemField, QPlainTextEdit):
    def __init__(self, owner: "ItemWidget"):
        super().__init__(owner)
        self.owner = owner


class RemarkEdit(_ItemField, QLineEdit):
    def __init__(self, owner: "ItemWidget"):
        super().__init__(owner)
        self.owner = owner


# Column widths shared by every item and the column header above the form (the paper form's columns).
CONCLUSION_WIDTH = 270
REMARK_WIDTH = 220


class ItemWidget(QWidget):
    """Emits `changed(item_id, field, value)` for every edit; `text_left(item_id)` when a text field loses focus.

    Items the form excludes for this product kind are `locked`: shown greyed as 不适用 with the reason, and
    have no record, remark or 当场整改 fields (record/remark/rectified are None).
    """

    changed = Signal(str, str, object)
    text_left = Signal(str)
    photos_requested = Signal(str)  # item id: the inspector asked to add photos from a file dialog
    photos_dropped = Signal(str, list)  # item id, local file paths dropped on the item

    def __init__(self, item: TemplateItem, product_kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.item = item
        self.locked = not item.applies(product_kind)
        self.setObjectName(f"item-{item.id}")
        self._state = "locked" if self.locked else ""
        self._loading = False
        self._read_only = False
        self.problem_label: QLabel | None = None
        self.record: QPlainTextEdit | None = None
        self.remark: QLineEdit | None = None
        self.rectified: QCheckBox | None = None
        # 问题类别: only on items with alternative problem categories, shown while the answer is 不符合.
        self.category_row: QWidget | None = None
        self.category: CategoryCombo | None = None
        # Evidence photos: the button exists on answerable items; the strip only once there are photos.
        self.photo_button: QPushButton | None = None
        self.photo_strip: QWidget | None = None
        self._photos_editable = False
        self._drop_hover = False

        self._outer = outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 6, 10, 6)
        outer.setSpacing(4)

        # The official text, then the form's own remark for the item (备注 column of 002 附件2).
        if self.locked:
            kinds = "、".join(PRODUCT_KINDS.get(k, k) for k in item.applies_to)
            note = _("本项不适用于{kind}（{reason}），已记为“不适用”，无需填写").format(
                kind=PRODUCT_KINDS.get(product_kind, product_kind), reason=item.na_reason or kinds
            )
        elif item.na_allowed and item.na_reason and item.na_reason not in item.note:
            note = _("不适用情形：{reason}").format(reason=item.na_reason)
            if item.note:
                note += _("；表中备注：{note}").format(note=item.note)
        elif item.note:
            note = _("表中备注：{note}").format(note=item.note)
        else:
            note = ""
        # Plain-text labels: a rich-text label costs twice as much to lay out (≈ 0.7 ms per item).
        head = QHBoxLayout()
        head.setSpacing(8)
        self.id_label = QLabel(item.id, self)
        self.id_label.setTextFormat(Qt.TextFormat.PlainText)
        self.id_label.setFont(bold(self.font()))
        head.addWidget(self.id_label, 0, Qt.AlignmentFlag.AlignTop)
        self.text_label = WrappedLabel(item.text, self)  # not selectable: a text control doubles its layout cost
        head.addWidget(self.text_label, 1)
        outer.addLayout(head)
        self.note = note
        self.note_label: QLabel | None = None
        if note:
            self.note_label = WrappedLabel(note, self)
            set_text_colour(self.note_label, MUTED)
            outer.addWidget(self.note_label)

        # 不适用 is offered only where the form prints it (002 附件2 检查结论 column).
        codes = CONCLUSION_ORDER if (item.na_allowed or self.locked) else CONCLUSION_ORDER[:2]
        self.bar = ConclusionBar(codes, self)
        self.bar.setAccessibleName(_("检查项 {i} 检查结论").format(i=item.id))
        if item.na_reason and "na" in self.bar.buttons:
            self.bar.buttons["na"].setToolTip(_("不适用情形：{r}（按 3 键选择）").format(r=item.na_reason))
        self.bar.chosen.connect(self._on_conclusion)

        row = QHBoxLayout()
        row.setSpacing(8)
        left = QVBoxLayout()
        left.setSpacing(2)
        left.addWidget(self.bar)
        row.addLayout(left)
        outer.addLayout(row)
        self._left = left

        if self.locked:
            self.bar.set_value("na")
            self.bar.setEnabled(False)
            self.bar.setFixedWidth(CONCLUSION_WIDTH)
            row.addStretch(1)
            return

        self.rectified = QCheckBox(_("当场整改"), self)
        self.rectified.setToolTip(_("对不影响检查且可以当场整改的问题，允许企业当场整改（监督检查记录表备注3）"))
        self.rectified.setEnabled(False)
        left.addWidget(self.rectified, 0, Qt.AlignmentFlag.AlignLeft)  # clicks beside the text do nothing
        if item.has_alternative_categories:
            self._build_category(left)
        left.addStretch(1)
        # Fixes the conclusion column's width; 2 px high for the layout spacing a widget here would take.
        left.addSpacerItem(QSpacerItem(CONCLUSION_WIDTH, 2, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed))

        self.record = RecordEdit(self)
        self.record.setTabChangesFocus(True)
        self.record.setPlaceholderText(_("检查记录：检查发现的情况、证据、数据"))
        self.record.setFixedHeight(self.record.fontMetrics().lineSpacing() * 3 + 10)
        self.record.setAccessibleName(_("检查项 {i} 检查记录").format(i=item.id))
        self.record.setToolTip(_("检查记录"))
        middle = QVBoxLayout()  # the record, then the item's photos under it (shown once there are some)
        middle.setSpacing(4)
        middle.addWidget(self.record)
        middle.addStretch(1)
        row.addLayout(middle, 1)
        self._middle = middle

        self.remark = RemarkEdit(self)
        self.remark.setPlaceholderText(_("备注"))
        self.remark.setAccessibleName(_("检查项 {i} 备注").format(i=item.id))
        self.remark.setToolTip(_("备注"))
        self.remark.setFixedWidth(REMARK_WIDTH)
        # Under the remark, in the height the three-line record leaves free: no extra height per item.
        self.photo_button = QPushButton(_("添加照片…"), self)
        self.photo_button.setObjectName("addPhotos")
        self.photo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+Shift+P from the item instead of a Tab stop
        self.photo_button.setAccessibleName(_("检查项 {i} 添加照片").format(i=item.id))
        self.photo_button.setToolTip(
            _("添加现场照片作为本项的证据（Ctrl+Shift+P）；也可以把照片文件拖到本项上。签字确认后不能再增删。")
        )
        self.photo_button.clicked.connect(self._request_photos)
        self.photo_button.hide()  # until the screen knows photos may still change (set_photos_editable)
        side = QVBoxLayout()
        side.setSpacing(4)
        side.addWidget(self.remark)
        side.addWidget(self.photo_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        row.addLayout(side)

        self.record.textChanged.connect(self._on_record)
        self.remark.textEdited.connect(self._on_remark)
        self.rectified.toggled.connect(self._on_rectified)
        # Tab: conclusion → record (what 不符合 needs next) → remark → 当场整改 → the next item.
        QWidget.setTabOrder(self.bar, self.record)
        QWidget.setTabOrder(self.record, self.remark)
        QWidget.setTabOrder(self.remark, self.rectified)
        if self.category is not None:  # … → 当场整改 → 问题类别 (both only on 不符合) → the next item
            QWidget.setTabOrder(self.rectified, self.category)

    def _build_category(self, left: QVBoxLayout) -> None:
        self.category_row = row = QWidget(self)
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(6)
        label = QLabel(_("问题类别"), row)
        self.category = combo = CategoryCombo(row)
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for c in self.item.categories:
            combo.addItem(c + (_("（默认）") if c == self.item.category else ""), c)
        combo.setCurrentIndex(self.item.categories.index(self.item.category))
        combo.setAccessibleName(_("检查项 {i} 问题类别").format(i=self.item.id))
        combo.setToolTip(_("此项“不符合”计入局统计报表的哪一类问题；默认“{c}”").format(c=self.item.category))
        label.setBuddy(combo)
        h.addWidget(label)
        h.addWidget(combo)
        h.addStretch(1)
        combo.currentIndexChanged.connect(self._on_category)
        row.hide()
        left.addWidget(row)

    # ------------------------------------------------------------------ values
    def set_answer(self, answer: Answer) -> None:
        """Show stored values without emitting `changed`."""
        if self.locked:
            return
        self._loading = True
        try:
            self.bar.set_value(answer.conclusion)
            if self.record.toPlainText() != answer.record:
                self.record.setPlainText(answer.record)
            if self.remark.text() != answer.remark:
                self.remark.setText(answer.remark)
            self.rectified.setChecked(answer.rectified_on_site)
            self._sync_rectified()
            if self.category is not None:
                self._set_category(answer.problem_category)
            self._sync_category()
        finally:
            self._loading = False

    def conclusion(self) -> str | None:
        return self.bar.value()

    def answer(self) -> Answer:
        """The answer as the widgets show it (the 不适用 reason is not shown here and is left empty)."""
        category = self.category.currentData() if self.category is not None else None
        return Answer(
            self.item.id,
            self.conclusion(),
            record=self.record.toPlainText(),
            remark=self.remark.text(),
            rectified_on_site=self.rectified.isChecked(),
            problem_category=None if category == self.item.category else category,
        )

    def problem_category(self) -> str | None:
        """The category chosen for a 不符合 on this item (its default `category` when there is no choice)."""
        if self.category is None:
            return self.item.category
        return self.category.currentData()

    def set_read_only(self, read_only: bool) -> None:
        if self.locked or read_only == self._read_only:
            return
        self._read_only = read_only
        self.bar.setEnabled(not read_only)
        self.record.setReadOnly(read_only)
        self.remark.setReadOnly(read_only)
        self.record.setPlaceholderText("" if read_only else _("检查记录：检查发现的情况、证据、数据"))
        self.remark.setPlaceholderText("" if read_only else _("备注"))
        self._sync_rectified()
        self._sync_category()

    # ------------------------------------------------------------------ photos
    def set_photos_editable(self, editable: bool) -> None:
        """Photos may be added and removed (until the inspection is signed, core/inspection/photos.py)."""
        if self.locked:
            return
        self._photos_editable = editable
        self.photo_button.setVisible(editable)
        self.setAcceptDrops(editable)
        if self.photo_strip is not None:
            self.photo_strip.set_read_only(not editable)

    def photos_editable(self) -> bool:
        return self._photos_editable

    def set_photo_strip(self, strip: QWidget) -> None:
        """Place the item's thumbnails under its record (once; the strip hides itself while empty)."""
        if self.photo_strip is strip:
            return
        self.photo_strip = strip
        strip.setParent(self)
        if self.locked:  # a photo on an item the form excludes (imported): shown, not changed here
            self._outer.addWidget(strip)
            strip.set_read_only(True)
        else:
            self._middle.insertWidget(1, strip)
            strip.set_read_only(not self._photos_editable)

    def _drop_files(self, event) -> list[str]:
        return local_files(event.mimeData()) if self._photos_editable else []

    def _set_drop_hover(self, hover: bool) -> None:
        if self._drop_hover != hover:
            self._drop_hover = hover
            self.update()

    def dragEnterEvent(self, event) -> None:
        if self._drop_files(event):
            event.acceptProposedAction()
            self._set_drop_hover(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._drop_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self._set_drop_hover(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:
        self._set_drop_hover(False)
        files = self._drop_files(event)
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.photos_dropped.emit(self.item.id, files)

    def set_problem(self, message: str | None) -> None:
        """Mark the item as blocking completion (red frame + reason), or clear the mark."""
        if self.locked:
            return
        state = "blocked" if message else ""
        if self._state != state:
            self._state = state
            self.update()
        if message and self.problem_label is None:
            self.problem_label = QLabel(self)
            set_text_colour(self.problem_label, RED, strong=True)
            self.problem_label.setWordWrap(True)
            self._left.insertWidget(1, self.problem_label)
        if self.problem_label is not None:
            self.problem_label.setText(message or "")
            self.problem_label.setVisible(bool(message))

    def problem(self) -> str | None:
        """The blocking reason shown on the item, if any (what the inspector sees in red)."""
        if self.problem_label is None or self.problem_label.isHidden():
            return None
        return self.problem_label.text()

    def focus_conclusion(self) -> None:
        self.bar.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ events
    # Slots are declared (@Slot): connecting an undeclared method of a new QObject costs ≈ 4× as much, and the
    # form makes ≈ 100 such connections.
    @Slot()
    def _request_photos(self) -> None:
        self.photos_requested.emit(self.item.id)

    @Slot(str)
    def _on_conclusion(self, code: str) -> None:
        if self._loading:
            return
        # Show what save_answer will store: 当场整改 and the 问题类别 belong to a problem found (不符合) and are
        # cleared on any other conclusion (inspections.with_conclusion, the one place of that rule).
        after = with_conclusion(self.item, self.answer(), code)
        self._loading = True
        try:
            self.rectified.setChecked(after.rectified_on_site)
            if self.category is not None:
                self._set_category(after.problem_category)
        finally:
            self._loading = False
        self._sync_rectified()
        self._sync_category()
        self.changed.emit(self.item.id, "conclusion", code)

    @Slot()
    def _on_record(self) -> None:
        if not self._loading:
            self.changed.emit(self.item.id, "record", self.record.toPlainText())

    @Slot(str)
    def _on_remark(self, text: str) -> None:
        if not self._loading:
            self.changed.emit(self.item.id, "remark", text)

    @Slot(bool)
    def _on_rectified(self, checked: bool) -> None:
        if not self._loading:
            self.changed.emit(self.item.id, "rectified_on_site", checked)

    @Slot(int)
    def _on_category(self, _index: int) -> None:
        if not self._loading:
            chosen = self.category.currentData()
            # None = the item's default category (stored as NULL, see core.inspection.inspections.save_answer).
            self.changed.emit(self.item.id, "problem_category", None if chosen == self.item.category else chosen)

    def _set_category(self, category: str | None) -> None:
        index = self.category.findData(category or self.item.category)
        self.category.setCurrentIndex(index if index >= 0 else self.category.findData(self.item.category))

    def _sync_rectified(self) -> None:
        if not self.locked:
            self.rectified.setEnabled(not self._read_only and self.conclusion() == "nonconform")

    def _sync_category(self) -> None:
        if self.category_row is not None:
            self.category_row.setVisible(self.conclusion() == "nonconform")
            self.category.setEnabled(not self._read_only)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if self._drop_hover:  # where the dragged photos will go
            p.setPen(QPen(BLUE, 2, Qt.PenStyle.DashLine))
            p.setBrush(QColor("#eef4fc"))
        elif self._state == "blocked":
            p.setPen(QPen(RED, 2))
            p.setBrush(QColor("#fff5f5"))
        elif self._state == "locked":
            p.setPen(QPen(QColor("#c0c0c0"), 1, Qt.PenStyle.DashLine))
            p.setBrush(QColor("#f1f1f1"))
        else:
            p.setPen(QPen(QColor("#d0d4da"), 1))
            p.setBrush(self.palette().color(QPalette.ColorRole.Base))
        p.drawRoundedRect(rect, 4, 4)

    def _take_drag(self, event) -> bool:
        """A drag over the record or remark: files are taken as photos of the item (True), text left to it."""
        kind = event.type()
        if kind == event.Type.DragLeave:
            self._set_drop_hover(False)
            return False
        if not self._drop_files(event):
            return False
        {
            event.Type.DragEnter: self.dragEnterEvent,
            event.Type.DragMove: self.dragMoveEvent,
            event.Type.Drop: self.dropEvent,
        }[kind](event)
        return True
