"""The 监管 menu's screens, each in a window of its own: one window per screen, raised when asked again, its
size and place kept per screen (ui/geometry.py). A mixin of MainWindow, which provides `db`, `_worker`,
`_tools` and `open_work()`. A screen's module is imported when it is first opened, not at start-up.
"""

import importlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from inspector_app.ui.geometry import fit_window

# name → (module, class, size on a large screen; fit_window shrinks it to a smaller one)
TOOLS = {
    "plan": ("inspector_app.ui.plan_view", "PlanView", (1100, 720)),
    "draw": ("inspector_app.ui.draw_view", "DrawView", (1100, 720)),
    "followup": ("inspector_app.ui.followup_view", "FollowupView", (1100, 700)),
    "statistics": ("inspector_app.ui.statistics_view", "StatisticsView", (1200, 800)),
    "classification": ("inspector_app.ui.classification_view", "ClassificationView", (1100, 620)),
    "license_actions": ("inspector_app.ui.license_actions_view", "LicenseActionsView", (1100, 640)),
    "interviews": ("inspector_app.ui.interviews_view", "InterviewsView", (1100, 660)),
}


class ToolWindows:
    def open_tool(self, name: str) -> None:
        tool = self._tools.get(name)
        if tool is None:
            tool = self._make_tool(name)
            tool.setWindowFlag(Qt.WindowType.Window, True)
            fit_window(tool, name, TOOLS[name][2])
            tool.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            tool.destroyed.connect(lambda _obj=None, n=name: self._tools.pop(n, None))
            self._tools[name] = tool
        tool.show()
        tool.raise_()
        tool.activateWindow()

    def _make_tool(self, name: str) -> QWidget:
        module, cls, _size = TOOLS[name]
        tool = getattr(importlib.import_module(module), cls)(self.db, self._worker, self)
        if name == "followup":  # a 回访 started from the follow-up list opens in its own form
            tool.followup_started.connect(lambda iid: self.open_work(iid, "followup"))
        return tool
