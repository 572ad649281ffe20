"""The on-site record form (一企一表, 002 三(四); the form of 002 附件2), filled item by item.

Every change is saved at once through the serial database lane (ui/tasks.py): a conclusion or checkbox at once, a text
field 250 ms after the last keystroke, when it loses focus and when the screen closes. There is no Save
button. The screen keeps its own copy of the answers (plain `Answer` values) so that progress and the
completion blockers follow every keystroke without a database round trip.

Evidence photos (002 三(四)) are added per item from a file dialog or by dropping files on the item; the
worker decodes and stores them (core/inspection/photos.py) and one job loads every item's thumbnails. Photos may
change until the inspection is signed, so a completed record still takes them until its signatures.

The form opens with the items that fill its window; the others are built a few per event-loop turn after the
first paint (`pending_items` counts them). `items` always holds every item: reading it builds the rest at
once, so a caller never sees a partial form; inside the screen, `_item(id)` builds just up to that item.
"""

from collections import deque
from dataclasses import replace

import shiboken6
from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
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
from inspector_app.core.inspection.templates import Section, TemplateItem
from inspector_app.i18n import _
from inspector_app.ui.item_widget import (
    CONCLUSION_WIDTH,
    MUTED,
    RED,
    REMARK_WIDTH,
    ItemWidget,
    bold,
    set_text_colour,
)
from inspector_app.ui.photo_strip import PhotoStrip, load_photos
from inspector_app.ui.tasks import ARCHIVE

SAVE_DEBOUNCE_MS = 250  # text fields: save this long after the last keystroke
# Building an item costs ≈ 1 ms and showing it as much again; a window shows 4–8 of a form's 16 items.
FIRST_ITEMS = 4  # built with the screen; showEvent adds what the window's height needs
ITEMS_PER_TURN = 4  # then built per event-loop turn, so typing is never held up for long
BUILD_ANYWAY_MS = 200  # a window that gets no paint (minimised, covered) is built on after this
TEXT_FIELDS = ("record", "remark")

GREEN, AMBER = "#2e7d32", "#8a6d00"
SAVE_COLOURS = {"saving": AMBER, "saved": GREEN, "error": RED.name()}


def _fill(widget: QWidget, background: str) -> None:
    pal = widget.palette()
    pal.setColor(QPalette.ColorRole.Window, QColor(background))
    widget.setPalette(pal)
    widget.setAutoFillBackground(True)


def show_error(exc: BaseException, parent: QWidget | None = None) -> None:
    """The app's one error dialog when it exists (ui/errors.py), a plain message box otherwise."""
    try:
        from inspector_app.ui.errors import show_error as app_show_error
    except ImportError:
        QMessageBox.warning(parent, _("出错了"), str(exc))
    else:
        app_show_error(exc, parent)


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


class InspectionScreen(QWidget):
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
        _fill(header, "#eef3f8")
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
        self._items: dict[str, ItemWidget] = {}
        self._build_items(FIRST_ITEMS)
        root.addWidget(self.scroll, 1)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for seq in ("Ctrl+J", "F3"):
            QShortcut(QKeySequence(seq), self, self.next_unanswered, context=context)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.complete, context=context)
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, self._photos_for_current, context=context)

    def _build_items(self, count: int | None = None, through: str | None = None) -> bool:
        """Build the next `count` items (all without count), or up to and including item `through`, with the
        section titles and footnotes between them; True if anything was built."""
        built, new, shown, body = 0, [], self.isVisible(), self._form.parentWidget()
        if not self._todo:
            return False
        if shown:
            # Showing a widget lays out its parent at once, squeezing the items on screen into the old height
            # (then restored: a repaint of the whole window); the layout waits until every widget is in.
            self._form.setEnabled(False)
        while self._todo and (count is None or built < count):
            entry = self._todo.popleft()
            if isinstance(entry, TemplateItem):
                w = self._make_item(entry)
                self._items[entry.id] = w
                new.append(w)
                built += 1
                if entry.id == through:
                    count = built
            elif isinstance(entry, Section):
                w = QLabel(f"{entry.no}  {entry.title}", body)
                w.setTextFormat(Qt.TextFormat.PlainText)
                w.setFont(self._section_font)
                w.setContentsMargins(0, 8, 0, 0)
            else:  # the form's footnotes
                notes = "\n".join(f"({n}) {t}" for n, t in enumerate(entry, start=1))
                w = QLabel(_("备注：") + "\n" + notes, body)
                w.setTextFormat(Qt.TextFormat.PlainText)
                w.setWordWrap(True)
                w.setContentsMargins(0, 8, 0, 0)
                set_text_colour(w, MUTED)
            self._form.insertWidget(self._form.count() - 1, w)  # before the closing stretch
            if shown:
                w.move(0, body.height())  # shown below what is on screen: no repaint of the items there
                w.show()
        if shown:
            self._form.setEnabled(True)
            # The scroll area would resize the form one event-loop turn later: let it do so now.
            QApplication.sendEvent(self.scroll, QEvent(QEvent.Type.LayoutRequest))
        if new and not self.read_only:
            self._mark_problems(new)
        return bool(new)

    def _make_item(self, item: TemplateItem) -> ItemWidget:
        w = ItemWidget(item, self._view.product_kind, self._form.parentWidget())
        w.set_answer(self._answers.get(item.id) or Answer(item.id))
        w.changed.connect(self._on_changed)
        w.text_left.connect(self._flush_item)
        w.photos_requested.connect(self.choose_photos)
        w.photos_dropped.connect(self.add_photos)
        w.set_photos_editable(self._photos_editable)
        w.set_read_only(self.read_only)
        return w

    @property
    def items(self) -> dict[str, ItemWidget]:
        """Every item's widget, in form order (the ones not built yet are built now)."""
        self._build_items()
        return self._items

    @property
    def pending_items(self) -> int:
        """How many items are still to be built after the first paint."""
        return sum(isinstance(e, TemplateItem) for e in self._todo)

    def _item(self, item_id: str) -> ItemWidget:
        """One item's widget, building the form up to it if needed (laid out, so it can be scrolled to)."""
        if item_id not in self._items:
            self._build_items(through=item_id)
        return self._items[item_id]

    def _fill_window(self) -> None:
        """Before the first paint: build items until they reach the bottom of the form's scrolled area."""
        self.layout().activate()
        viewport = self.scroll.viewport()
        needed = viewport.height() + self._form.contentsMargins().bottom()
        while self._todo and self._form.totalHeightForWidth(viewport.width()) < needed:
            self._build_items(1)

    def _start_building(self) -> None:
        if self._todo and not self._building:
            self._building = True
            QTimer.singleShot(0, self, self._build_more)

    def _build_more(self) -> None:
        # A closed screen stops here; showing it again carries on (showEvent).
        if not shiboken6.isValid(self):
            return
        if self.isVisible() and self._build_items(ITEMS_PER_TURN) and self._todo:
            QTimer.singleShot(0, self, self._build_more)
        else:
            self._building = False

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self._start_building()  # the rest once the window is on screen

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

    def _mark_problems(self, widgets, view: InspectionView | None = None) -> list:
        """Mark these items as blocking completion where they do; returns every blocker."""
        blockers = (view or self.view).blockers()
        per_item = {b.item_id for b in blockers if b.item_id}
        for w in widgets:
            item_id = w.item.id
            message = None
            if item_id in per_item:
                ans = self._answers.get(item_id) or Answer(item_id)
                if ans.conclusion == "nonconform":
                    message = _("“不符合”须填写检查记录")
                elif self._show_blockers:
                    message = _("尚未填写检查结论")
            w.set_problem(message)
        return blockers

    def _fill_blockers(self, blockers) -> None:
        self.blockers_list.clear()
        ok = not blockers
        if ok:
            self.blockers_title.setText(_("已满足完成条件，可以完成检查（Ctrl+Enter）"))
        else:
            self.blockers_title.setText(
                _("还不能完成检查，请先处理以下 {n} 项（点击可跳转）：").format(n=len(blockers))
            )
        row_height = self.blockers_list.fontMetrics().height() + 6  # CJK glyphs are taller than the default row
        for b in blockers:
            text = b.message
            if b.item_id:
                text += _("（{section}）").format(section=self._view.template.item(b.item_id).section_title)
            row = QListWidgetItem(text, self.blockers_list)
            row.setSizeHint(QSize(0, row_height))
            row.setData(Qt.ItemDataRole.UserRole, b.item_id)
        self.blockers_list.setVisible(not ok)
        rows = min(len(blockers), 5)
        self.blockers_list.setFixedHeight(row_height * rows + 2 * self.blockers_list.frameWidth())
        if self.blockers_panel.property("ok") != ok:
            self.blockers_panel.setProperty("ok", ok)
            _fill(self.blockers_panel, "#f1f8f1" if ok else "#fff5f5")
            set_text_colour(self.blockers_title, GREEN if ok else RED)
            pal = self.blockers_panel.palette()
            pal.setColor(QPalette.ColorRole.WindowText, QColor(GREEN if ok else RED))
            self.blockers_panel.setPalette(pal)
        self.blockers_panel.show()

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

    # ------------------------------------------------------------------ photos
    @property
    def photos_editable(self) -> bool:
        return self._photos_editable

    def photo_strip(self, item_id: str) -> PhotoStrip:
        """The item's thumbnails, made the first time the item has (or gets) a photo."""
        strip = self._photo_strips.get(item_id)
        if strip is None:
            strip = PhotoStrip(self.db, self.worker, self.inspection_id, item_id=item_id, compact=True)
            strip.changed.connect(self.reload_photos)
            self._item(item_id).set_photo_strip(strip)
            self._photo_strips[item_id] = strip
        return strip

    def choose_photos(self, item_id: str) -> None:
        if self._photos_editable and not self._item(item_id).locked:
            self.photo_strip(item_id).choose_files()

    def add_photos(self, item_id: str, files: list) -> None:
        if self._photos_editable and not self._item(item_id).locked:
            self.photo_strip(item_id).add_files(files)

    def _photos_for_current(self) -> None:
        item_id = self._current_item()
        if item_id is not None:
            self.choose_photos(item_id)

    def reload_photos(self) -> None:
        """Every item's thumbnails and whether they may still change, in one worker job."""
        self.worker.submit(
            load_photos, self.db, self.inspection_id, on_done=self._photos_loaded, on_error=self._photos_failed
        )

    def _photos_loaded(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        editable, infos = result
        if editable != self._photos_editable:
            self._photos_editable = editable
            for w in self._items.values():
                w.set_photos_editable(editable)
        per_item: dict[str, list] = {}
        for n, info in enumerate(infos, start=1):  # numbered as in the record's photo appendix
            per_item.setdefault(info.item_id, []).append((n, info))
        if per_item:
            # Every item first: a strip made now joins the end of the focus chain, after all the items' fields.
            self._build_items()
        for item_id, shown in per_item.items():
            if item_id in self._items:
                self.photo_strip(item_id).show_photos([i for _n, i in shown], [n for n, _i in shown])
        for item_id, strip in self._photo_strips.items():
            if item_id not in per_item:
                strip.show_photos([])
        self.photo_count = len(infos)

    def _photos_failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            show_error(exc, self)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        # Signed in another window while this one stayed open: photos are then fixed; look again.
        if (
            event.type() == event.Type.ActivationChange
            and self.isActiveWindow()
            and self.read_only
            and self._photos_editable
        ):
            self.reload_photos()

    # ------------------------------------------------------------------ navigation
    def _current_item(self) -> str | None:
        focus = QApplication.focusWidget()
        if focus is None:
            return None
        for item_id, w in self._items.items():
            if w is focus or w.isAncestorOf(focus):
                return item_id
        return None

    def unanswered(self) -> list[str]:
        view = self.view
        return [i.id for i in view.template.items if not view.locked(i.id) and not view.answer(i.id).conclusion]

    def go_to(self, item_id: str) -> None:
        """Scroll the item into view and put the keyboard on its conclusion buttons."""
        w = self._item(item_id)
        self.scroll.ensureWidgetVisible(w, 0, 40)
        if w.locked or self.read_only:
            w.setFocus()
        else:
            w.focus_conclusion()

    def next_unanswered(self) -> str | None:
        todo = self.unanswered()
        if not todo:
            self.save_label.setText(_("所有应填项均已填写"))
            if not self.read_only:
                self.complete_button.setFocus()
            return None
        order = [i.id for section in self._view.template.sections for i in section.items]
        current = self._current_item()
        start = order.index(current) if current else -1
        target = next((i for i in todo if order.index(i) > start), todo[0])
        self.go_to(target)
        return target

    def _blocker_chosen(self, row: QListWidgetItem) -> None:
        item_id = row.data(Qt.ItemDataRole.UserRole)
        if item_id:
            self.go_to(item_id)
            w = self._items[item_id]
            ans = self._answers.get(item_id) or Answer(item_id)
            if ans.conclusion == "nonconform" and w.record is not None:
                w.record.setFocus()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._todo and not self._painted:
            self._fill_window()
            QTimer.singleShot(BUILD_ANYWAY_MS, self, self._start_building)
        else:
            self._start_building()
        if not self._positioned:
            self._positioned = True
            # Continue where the inspector left off, once the layout has its geometry.
            QTimer.singleShot(0, self._position_initially)

    def _position_initially(self) -> None:
        if not shiboken6.isValid(self) or self.read_only:
            return
        todo = self.unanswered()
        if todo:
            self.go_to(todo[0])

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
