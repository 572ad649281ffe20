"""Every window and dialog fits a 1280×720 laptop screen with its buttons in view, and reopens where it was left.

The whole app runs in a child process (tests/ui/fit_child.py) whose offscreen platform has one 1280×720
screen (Qt's offscreen `configfile` option): the test session's own application has the default 800×800
screen, and a QApplication's screens cannot change once it exists.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout

ROOT = Path(__file__).resolve().parents[2]
LAPTOP = {"screens": [{"name": "Laptop", "x": 0, "y": 0, "width": 1280, "height": 720, "logicalDpi": 96, "dpr": 1}]}
EVERY_WINDOW = {
    "main",
    "DocumentsDialog",
    "SignDialog",
    "AmendmentDialog",
    "SettingsDialog",
    "InspectorsDialog",
    "DeviceSetupDialog",
    "ExportDialog",
    "ImportDialog",
    "DevicesDialog",
    "ConflictsDialog",
    "SyncHistoryDialog",
    "StartInspectionDialog",
    "VerifyDocumentDialog",
    "plan",
    "draw",
    "followup",
    "statistics",
    "classification",
    "license_actions",
    "interviews",
    "inspection",
}


def contains(outer: list[int], inner: list[int]) -> bool:
    return QRect(*outer).contains(QRect(*inner))


@pytest.mark.slow
def test_every_window_fits_a_1280x720_screen_with_its_buttons_visible(tmp_path):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(LAPTOP))
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.fit_child", str(tmp_path / "work")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=500,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    windows = {w["name"]: w for w in map(json.loads, done.stdout.splitlines())}
    assert set(windows) == EVERY_WINDOW
    for name, w in windows.items():
        assert w["screen"] == [0, 0, 1280, 720]
        assert contains(w["screen"], w["frame"]), f"{name} at {w['frame']} is not inside the screen"
        assert w["hidden_buttons"] == [], f"{name}: buttons out of view: {w['hidden_buttons']}"
    # The dialogs that were taller than a laptop (760×820, 1000×860) now fit.
    assert windows["SignDialog"]["frame"][3] <= 720
    assert windows["DocumentsDialog"]["frame"][3] <= 720
    # The checklist takes the whole screen, so the 检查记录 column has the width.
    assert windows["inspection"]["client"][2] >= 1200


class Sized(QDialog):
    def __init__(self, name: str):
        super().__init__()
        from inspector_app.ui.geometry import fit_window

        QVBoxLayout(self).addWidget(QDialogButtonBox(QDialogButtonBox.StandardButton.Close))
        fit_window(self, name, (3000, 400))


def test_a_dialog_shrinks_to_the_screen_and_reopens_where_it_was_left(qtbot):
    first = Sized("probe")
    qtbot.addWidget(first)
    first.show()
    area = first.screen().availableGeometry()
    assert area.contains(first.frameGeometry())  # 3000 wide on an 800 wide screen: shrunk
    assert first.width() < 3000
    first.setGeometry(40, 60, 420, 300)
    first.reject()  # hidden: remembered

    again = Sized("probe")
    qtbot.addWidget(again)
    again.show()
    assert again.geometry() == QRect(40, 60, 420, 300)

    other = Sized("another")  # remembered by name: another dialog keeps its own
    qtbot.addWidget(other)
    other.show()
    assert other.geometry() != QRect(40, 60, 420, 300)


def test_remembered_per_screen(qtbot):
    from inspector_app.ui import geometry

    dialog = Sized("probe")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.setGeometry(40, 60, 420, 300)
    dialog.reject()
    screen = dialog.screen()
    assert geometry.saved_geometry("probe", screen) == (QRect(40, 60, 420, 300), False)
    store = geometry.settings()
    assert [k for k in store.allKeys() if k.startswith("probe/")] == [
        f"probe/{geometry.screen_key(screen)}/maximised",
        f"probe/{geometry.screen_key(screen)}/rect",
    ]
    assert geometry.screen_key(screen).endswith("_800x800")
