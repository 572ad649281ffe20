"""Answering by keyboard on the record form (InspectionScreen): the status line, moving on after an answer, F1.

- A number key for an option the item does not have (3 where 不适用 is not offered) says so in the status
  line under the form, instead of doing nothing.
- “答题后跳到下一项” (off by default, remembered on this laptop in windows.ini): after 1/2/3 chose a
  conclusion, the keyboard moves to the next unanswered item.
- F1 opens a panel that lists every shortcut of the form.
"""

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QStatusBar, QVBoxLayout, QWidget

from inspector_app.i18n import _
from inspector_app.ui.geometry import settings

ADVANCE_KEY = "inspection/advance_after_answer"
STATUS_MS = 6000


def shortcuts() -> list[tuple[str, str]]:
    """(keys, what they do) on the record form, in the order a user needs them."""
    return [
        ("1 / 2 / 3", _("选择“符合”/“不符合”/“不适用”（焦点在检查结论上；也可按 Alt+1/2/3）")),
        ("← / →", _("在检查结论之间切换")),
        ("Tab / Shift+Tab", _("下一个/上一个填写框：检查结论 → 检查记录 → 备注 → 下一检查项")),
        ("Ctrl+J / F3", _("跳到下一个尚未填写结论的检查项")),
        ("Ctrl+Shift+P", _("为当前检查项添加现场照片")),
        ("Ctrl+Enter", _("完成检查（全部填写后）")),
        ("F1", _("显示本快捷键说明")),
    ]


class ShortcutsPanel(QDialog):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle(_("快捷键"))
        root = QVBoxLayout(self)
        rows = "".join(
            f"<tr><td style='padding:3px 14px 3px 0'><b>{keys}</b></td><td style='padding:3px 0'>{what}</td></tr>"
            for keys, what in shortcuts()
        )
        self.table = QLabel(f"<table>{rows}</table>", self)
        self.table.setTextFormat(Qt.TextFormat.RichText)
        root.addWidget(self.table)
        note = QLabel(_("勾选“答题后跳到下一项”后，按 1/2/3 选择结论即跳到下一个未填项。"), self)
        note.setWordWrap(True)
        root.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        buttons.rejected.connect(self.reject)
        root.addWidget(buttons)


class KeysMixin:
    """The status line, the “move on” setting and F1 for InspectionScreen."""

    def _build_keys(self, root: QVBoxLayout, bar) -> None:
        self.advance_box = QCheckBox(_("答题后跳到下一项"), self)
        self.advance_box.setToolTip(_("按 1/2/3 选择检查结论后，自动跳到下一个尚未填写的检查项（F1 查看全部快捷键）"))
        self.advance_box.setChecked(str(settings().value(ADVANCE_KEY, "false")).lower() == "true")
        self.advance_box.toggled.connect(lambda on: settings().setValue(ADVANCE_KEY, on))
        bar.insertWidget(bar.count() - 2, self.advance_box)
        self.status_line = QStatusBar(self)
        self.status_line.setSizeGripEnabled(False)
        self.status_line.showMessage(_("按 F1 查看快捷键"), STATUS_MS)
        root.addWidget(self.status_line)
        self.shortcuts_panel: ShortcutsPanel | None = None
        QShortcut(QKeySequence("F1"), self, self.show_shortcuts, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _connect_keys(self, item_widget) -> None:
        bar = getattr(item_widget, "bar", None)
        if bar is None or not hasattr(bar, "keyed"):
            return
        bar.keyed.connect(self._answered_by_key)
        bar.unavailable.connect(lambda text: self.status_line.showMessage(text, STATUS_MS))

    def _answered_by_key(self, _code: str) -> None:
        if self.advance_box.isChecked() and not self.read_only:
            QTimer.singleShot(0, self.next_unanswered)  # after the answer was taken in

    def show_shortcuts(self) -> ShortcutsPanel:
        if self.shortcuts_panel is None:
            self.shortcuts_panel = ShortcutsPanel(self)
        self.shortcuts_panel.show()
        self.shortcuts_panel.raise_()
        return self.shortcuts_panel
