"""The Qt binding must not leak or drop references: a working day makes millions of Qt calls.

PySide6 6.12.0 under Python 3.11 dropped one reference to None per void call and aborted the app with
"none_dealloc" after ~10^4 calls; pyproject.toml excludes it. This guards the pin.
"""

import sys

from PySide6.QtWidgets import QLabel


def test_void_and_bool_calls_keep_refcounts_of_singletons(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = [sys.getrefcount(o) for o in (None, True, False)]
    for _ in range(2000):
        label.setText("符合")
        label.isVisible()
        label.hasFocus()
    after = [sys.getrefcount(o) for o in (None, True, False)]
    drift = [a - b for a, b in zip(after, before, strict=True)]
    assert all(abs(d) < 100 for d in drift), f"Qt calls changed singleton refcounts by {drift}"
