"""Moving about the record form and what still blocks its completion (002 三(四)).

`next_unanswered` (Ctrl+J, F3) and `go_to` put the keyboard on an item's conclusion; the blockers panel lists
what must be done before the inspection can be completed, each row jumping to its item; the items that block
are marked. On opening, the form continues at the first unanswered item.

A mixin of ui/inspection_screen.py's InspectionScreen, which owns the widgets and state it uses.
"""

import shiboken6
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QListWidgetItem, QWidget

from inspector_app.core.inspection.inspections import Answer, InspectionView
from inspector_app.i18n import _
from inspector_app.ui.item_controls import RED, set_text_colour

GREEN = "#2e7d32"


def fill_background(widget: QWidget, background: str) -> None:
    pal = widget.palette()
    pal.setColor(QPalette.ColorRole.Window, QColor(background))
    widget.setPalette(pal)
    widget.setAutoFillBackground(True)


class NavigationMixin:
    """Navigation between items and the completion blockers (InspectionScreen)."""

    # ------------------------------------------------------------------ navigation
    def _position_initially(self) -> None:
        """Continue where the inspector left off (showEvent, once the layout has its geometry)."""
        if not shiboken6.isValid(self) or self.read_only:
            return
        todo = self.unanswered()
        if todo:
            self.go_to(todo[0])

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

    # ------------------------------------------------------------------ blockers
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
            fill_background(self.blockers_panel, "#f1f8f1" if ok else "#fff5f5")
            set_text_colour(self.blockers_title, GREEN if ok else RED)
            pal = self.blockers_panel.palette()
            pal.setColor(QPalette.ColorRole.WindowText, QColor(GREEN if ok else RED))
            self.blockers_panel.setPalette(pal)
        self.blockers_panel.show()
