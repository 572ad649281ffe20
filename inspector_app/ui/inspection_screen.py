"""The on-site record form (一企一表, 002 三(四); the form of 002 附件2), filled item by item.

Every change is saved at once through the serial database lane (ui/tasks.py): a conclusion or checkbox at once, a text
field 250 ms after the last keystroke, when it loses focus and when the screen closes. There is no Save
button. The screen keeps its own copy of the answers (plain `Answer` values) so that progress and the
completion blockers follow every keystroke without a database round trip.

This module lays the screen out, saves and completes; its other ideas are mixins of their own:
- ui/inspection_build.py: the items are built progressively, so the form paints before all are built;
- ui/inspection_photos.py: evidence photos per item (002 三(四));
- ui/inspection_nav.py: moving between items and the blockers of completion;
- ui/inspection_keys.py: answering by keyboard (the status line, moving on after an answer, F1).
"""

from collections import deque
from dataclasses import replace
from functools import partial

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from inspector_app.core.catalog import INSPECTION_KINDS
from inspector_app.core.inspection import inspections
from inspector_app.core.inspection.inspections import COMPLETED, STATUSES, Answer, IncompleteInspection, InspectionView
from inspector_app.i18n import _
from inspector_app.ui.errors import show_error
from inspector_app.ui.inspection_build import FIRST_ITEMS, ProgressiveBuildMixin
from inspector_app.ui.inspection_keys import KeysMixin
from inspector_app.ui.inspection_nav import GREEN, NavigationMixin, fill_background
from inspector_app.ui.inspection_photos import PhotosMixin
from inspector_app.ui.item_controls import MUTED, RED, bold, set_text_colour
from inspector_app.ui.item_widget import CONCLUSION_WIDTH, REMARK_WIDTH, ItemWidget
from inspector_app.ui.photo_strip import PhotoStrip
from inspector_app.ui.status_items import status_panel
from inspector_app.ui.tasks import ARCHIVE

SAVE_DEBOUNCE_MS = 250  # text fields: save this long after the last keystroke
TEXT_FIELDS = ("record", "remark")

AMBER = "#8a6d00"
SAVE_COLOURS = {"saving": AMBER, "saved": GREEN, "error": RED.name()}


def confirm_complete(parent: QWidget) -> bool:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        _("完成检查"),
        _("完成后本检查记录将不能再修改。确定完成检查吗？"),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setObjectName("confirmComplete")
    box.button(QMessageBox.StandardButton.Yes).setText(_("完成检查"))
    box.button(QMessageBox.StandardButton.No).setText(_("再检查一下"))
    box.setDefaultButton(QMessageBox.StandardButton.Yes)
    return box.exec() == QMessageBox.StandardButton.Yes


class InspectionScreen(ProgressiveBuildMixin, PhotosMixin, NavigationMixin, KeysMixin, QWidget):
    """One inspection's record form. Completed inspections open read-only."""

    completed = Signal(str)  # inspection id, after it was completed here

    def __init__(self, db, worker, inspection_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.inspection_id = inspection_id
        self._view: InspectionView = inspections.load_inspection(db, inspection_id)
        self._answers: dict[str, Answer] = dict(self._view.answers)
        self._dirty: dict[str, dict[str, object]] = {}  # item id -> fields not yet handed to the worker
        self._in_flight = 0
        self._save_error: str | None = None
        self._showing_error = False
        self._show_blockers = False  # unanswered items are marked once completion was attempted
        self._completing = False
        self._positioned = False
        self._painted = False
        self._building = False  # a _build_more is scheduled
        # A draft cannot be signed yet; for a completed record the worker says (load_photos).
        self._photos_editable = self._view.status != COMPLETED
        self._photo_strips: dict[str, PhotoStrip] = {}
        self.photo_count = 0  # photos of the whole record, as last loaded

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SAVE_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.flush)

        self.setWindowTitle(
            _("监督检查记录 — {name}（{site}）").format(name=self._view.enterprise_name, site=self._view.site_address)
        )
        self._build()
        self._apply_status()
        self._refresh()
        self.reload_photos()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        v = self._view
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)
        root.setSpacing(6)

        header = QFrame(self)
        header.setFrameShape(QFrame.Shape.StyledPanel)
        fill_background(header, "#eef3f8")
        grid = QGridLayout(header)
        grid.setContentsMargins(10, 6, 10, 6)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        team = "、".join(m.name + (_("（组长）") if n == 0 else "") for n, m in enumerate(v.team))
        self.status_value = QLabel(header)
        fields = [
            (_("企业名称"), v.enterprise_name),
            (_("统一社会信用代码"), v.uscc),
            (_("生产地址"), v.site_address),
            (_("生产许可证编号"), v.license_number or _("（未关联）")),
            (_("检查表"), _("{title}（第 {version} 版）").format(title=v.template.title, version=v.template.version)),
            (_("检查类型"), INSPECTION_KINDS.get(v.kind, v.kind)),
            (_("检查日期"), v.inspected_on.strftime("%Y-%m-%d")),
            (_("检查组"), team),
        ]
        self.header_values: dict[str, QLabel] = {}
        for n, (key, value) in enumerate(fields):
            k = QLabel(key + _("："), header)
            set_text_colour(k, MUTED)
            val = QLabel(value, header)
            val.setTextFormat(Qt.TextFormat.PlainText)
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            row, col = divmod(n, 2)
            grid.addWidget(k, row, col * 2)
            grid.addWidget(val, row, col * 2 + 1)
            self.header_values[key] = val
        self.header_values[_("企业名称")].setFont(bold(self.font()))
        k = QLabel(_("状态") + _("："), header)
        set_text_colour(k, MUTED)
        grid.addWidget(k, len(fields) // 2, 0)
        grid.addWidget(self.status_value, len(fields) // 2, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        root.addWidget(header)

        bar = QHBoxLayout()
        self.progress_label = QLabel(self)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedWidth(160)
        self.progress_bar.setFixedHeight(10)
        self.save_label = QLabel(self)
        self.next_button = QPushButton(_("下一未填项(&N)"), self)
        self.next_button.setToolTip(_("跳到下一个尚未填写结论的检查项（Ctrl+J 或 F3）"))
        self.next_button.clicked.connect(self.next_unanswered)
        self.complete_button = QPushButton(_("完成检查"), self)
        self.complete_button.setToolTip(_("检查全部完成后提交，完成后不能再修改（Ctrl+Enter）"))
        self.complete_button.clicked.connect(self.complete)
        bar.addWidget(self.progress_label)
        bar.addWidget(self.progress_bar)
        bar.addSpacing(12)
        bar.addWidget(self.save_label)
        bar.addStretch(1)
        bar.addWidget(self.next_button)
        bar.addWidget(self.complete_button)
        root.addLayout(bar)

        self.blockers_panel = QFrame(self)
        self.blockers_panel.setFrameShape(QFrame.Shape.Box)
        bp = QVBoxLayout(self.blockers_panel)
        bp.setContentsMargins(8, 6, 8, 6)
        self.blockers_title = QLabel(self.blockers_panel)
        self.blockers_title.setWordWrap(True)
        self.blockers_title.setFont(bold(self.font()))
        self.blockers_list = QListWidget(self.blockers_panel)
        self.blockers_list.setAccessibleName(_("完成检查前需处理的事项"))
        self.blockers_list.itemActivated.connect(self._blocker_chosen)
        self.blockers_list.itemClicked.connect(self._blocker_chosen)
        bp.addWidget(self.blockers_title)
        bp.addWidget(self.blockers_list)
        self.blockers_panel.hide()
        root.addWidget(self.blockers_panel)

        # The paper form's columns (002 附件2), aligned with every item below.
        columns = QHBoxLayout()
        columns.setContentsMargins(13, 0, 12 + self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) + 11, 0)
        columns.setSpacing(8)
        for text, width in ((_("检查结论"), CONCLUSION_WIDTH), (_("检查记录"), 0), (_("备注"), REMARK_WIDTH)):
            label = QLabel(text, self)
            set_text_colour(label, MUTED)
            if width:
                label.setFixedWidth(width)
            columns.addWidget(label, 0 if width else 1)
        root.addLayout(columns)

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        # It grows as the items are built; resized, it repaints only what is new (nothing: that is below).
        body.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        # Parent the body first: reparenting a filled widget would restyle every child again (≈ 70 ms).
        self.scroll.setWidget(body)
        form = QVBoxLayout(body)
        form.setContentsMargins(2, 0, 12, 12)
        form.setSpacing(6)
        form.addStretch(1)  # the sections, items and footnotes go before it (_build_items)
        self._form = form
        self._section_font = bold(self.font())
        self._section_font.setPointSizeF(self._section_font.pointSizeF() * 1.2)
        # What the form shows, in order; built by _build_items.
        self._todo: deque = deque()
        for section in v.template.sections:
            self._todo.append(section)
            self._todo.extend(section.items)
        if v.template.footnotes:
            self._todo.append(v.template.footnotes)
        self.status_panel = None  # 002 附件3/附件4: a steel or cement enterprise's production-status form
        if v.template.status is not None:
            self._todo.append(partial(status_panel, self))
        self._items: dict[str, ItemWidget] = {}
        self._build_items(FIRST_ITEMS)
        root.addWidget(self.scroll, 1)
        self._build_keys(root, bar)  # ui/inspection_keys.py: status line, 答题后跳到下一项, F1

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for seq in ("Ctrl+J", "F3"):
            QShortcut(QKeySequence(seq), self, self.next_unanswered, context=context)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.complete, context=context)
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, self._photos_for_current, context=context)

    # ------------------------------------------------------------------ state shown
    @property
    def view(self) -> InspectionView:
        """The inspection as the inspector currently sees it (local answers included)."""
        return replace(self._view, answers=dict(self._answers))

    @property
    def read_only(self) -> bool:
        return self._view.status == COMPLETED

    def _apply_status(self) -> None:
        ro = self.read_only
        text = STATUSES.get(self._view.status, self._view.status)
        self.status_value.setText(text + (_("（只读）") if ro else ""))
        for w in self._items.values():
            w.set_read_only(ro)
        self.complete_button.setVisible(not ro)
        self.next_button.setVisible(not ro)
        if ro:
            self._show_blockers = False
            self.blockers_panel.hide()

    def _refresh(self) -> None:
        """Progress, save state and blocker marks from the local answers (cheap; runs on every edit)."""
        view = self.view
        answered, total = view.progress()
        self.progress_label.setText(_("已填 {x} / 应填 {y}").format(x=answered, y=total))
        self.progress_bar.setMaximum(max(total, 1))
        self.progress_bar.setValue(answered)
        self._refresh_save_label()
        if self.read_only:
            for w in self._items.values():
                w.set_problem(None)
            return
        blockers = self._mark_problems(self._items.values(), view)
        if self._show_blockers:
            self._fill_blockers(blockers)

    def _refresh_save_label(self) -> None:
        if self.read_only:
            state, text = "saved", _("已完成，只读")
        elif self._save_error:
            state, text = "error", _("保存失败：{e}").format(e=self._save_error)
        elif self._dirty or self._in_flight:
            state, text = "saving", _("保存中…")
        else:
            state, text = "saved", _("已保存")
        self.save_label.setText(text)
        if self.save_label.property("state") != state:
            self.save_label.setProperty("state", state)
            set_text_colour(self.save_label, SAVE_COLOURS[state])

    # ------------------------------------------------------------------ saving
    def set_status_value(self, key: str, value: str) -> None:
        """A production-status field was saved (ui/status_items.py): totals are completion blockers too."""
        self._answers[key] = Answer(key, record=value)
        self._refresh()

    def _on_changed(self, item_id: str, field: str, value: object) -> None:
        if self.read_only:
            return
        ans = self._answers.get(item_id) or Answer(item_id)
        if field == "conclusion":  # the fields that go with a conclusion follow it, as save_answer stores them
            self._answers[item_id] = inspections.with_conclusion(self._view.template.item(item_id), ans, value)
        else:
            self._answers[item_id] = replace(ans, **{field: value})
        self._dirty.setdefault(item_id, {})[field] = value
        if field in TEXT_FIELDS:
            self._debounce.start()
        else:
            self._flush_item(item_id)
        self._refresh()

    def _flush_item(self, item_id: str) -> None:
        fields = self._dirty.pop(item_id, None)
        if not fields or self.read_only:
            return
        self._in_flight += 1
        self.worker.submit(
            inspections.save_answer,
            self.db,
            self.inspection_id,
            item_id,
            on_done=self._saved,
            on_error=lambda exc, item_id=item_id, fields=fields: self._save_failed(item_id, fields, exc),
            **fields,
        )

    def flush(self) -> None:
        """Hand every pending edit to the worker now (debounce timer, focus-out, close)."""
        self._debounce.stop()
        for item_id in list(self._dirty):
            self._flush_item(item_id)
        if shiboken6.isValid(self):
            self._refresh_save_label()

    def _saved(self, _answer: Answer) -> None:
        if not shiboken6.isValid(self):
            return
        self._in_flight -= 1
        self._save_error = None
        self._refresh_save_label()

    def _save_failed(self, item_id: str, fields: dict, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._in_flight -= 1
        # Keep what the inspector typed: the fields stay pending and are sent again on the next save.
        pending = self._dirty.setdefault(item_id, {})
        for key, value in fields.items():
            pending.setdefault(key, value)
        self._save_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        self._refresh_save_label()
        if not self._showing_error:
            self._showing_error = True
            try:
                show_error(exc, self)
            finally:
                self._showing_error = False

    # ------------------------------------------------------------------ completion
    def complete(self) -> None:
        if self.read_only or self._completing:
            return
        self.flush()
        self._show_blockers = True
        self._refresh()
        blockers = self.view.blockers()
        if blockers:
            first = next((b.item_id for b in blockers if b.item_id), None)
            if first:
                self.go_to(first)
            return
        if not confirm_complete(self):
            return
        self._completing = True
        self.complete_button.setEnabled(False)
        self.worker.submit(
            inspections.complete_inspection,
            self.db,
            self.inspection_id,
            on_done=self._completed,
            on_error=self._complete_failed,
            changes={ARCHIVE},
        )

    def _completed(self, _result) -> None:
        if not shiboken6.isValid(self):
            return
        self._completing = False
        self._view = inspections.load_inspection(self.db, self.inspection_id)
        self._answers = dict(self._view.answers)
        self._apply_status()
        self._refresh()
        self.completed.emit(self.inspection_id)

    def _complete_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._completing = False
        self.complete_button.setEnabled(True)
        if isinstance(exc, IncompleteInspection):
            # The database disagrees with what the screen shows (e.g. a save failed): show its list.
            self._show_blockers = True
            self._fill_blockers(exc.blockers)
        show_error(exc, self)

    # ------------------------------------------------------------------ closing
    def hideEvent(self, event) -> None:
        self.flush()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:
        self.flush()
        super().closeEvent(event)
