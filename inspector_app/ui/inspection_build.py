"""The record form's items, built progressively: the screen paints before all of them are built.

The form opens with the items that fill its window (FIRST_ITEMS, then what `_fill_window` finds the window's
height needs); the others are built a few per event-loop turn after the first paint (`pending_items` counts
them). `items` always holds every item: reading it builds the rest at once, so a caller never sees a partial
form; inside the screen, `_item(id)` builds just up to that item.

A mixin of ui/inspection_screen.py's InspectionScreen, which owns the state it uses: `_todo` (the sections,
items and footnotes still to build, in order), `_items`, `_form`, `_section_font`, `_painted`, `_building`.
"""

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

from inspector_app.core.inspection.inspections import Answer
from inspector_app.core.inspection.templates import Section, TemplateItem
from inspector_app.i18n import _
from inspector_app.ui.item_controls import MUTED, set_text_colour
from inspector_app.ui.item_widget import ItemWidget

# Building an item costs ≈ 1 ms and showing it as much again; a window shows 4–8 of a form's 16 items.
FIRST_ITEMS = 4  # built with the screen; showEvent adds what the window's height needs
ITEMS_PER_TURN = 4  # then built per event-loop turn, so typing is never held up for long
BUILD_ANYWAY_MS = 200  # a window that gets no paint (minimised, covered) is built on after this


class ProgressiveBuildMixin:
    """Builds the form's items before and after the first paint (InspectionScreen)."""

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
            elif callable(entry):  # a panel of its own (the production-status form, ui/status_items.py)
                w = entry(body)
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
        self._connect_keys(w)
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
