"""The user guide's screenshots stay current: scripts/screenshots.py runs the real app under Xvfb (as the lead
and a writer of docs/user-guide.md do) and every picture the guide shows comes out, screen-sized and not blank."""

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "user-guide.md"
WIDTH, HEIGHT = 1280, 720


def shown_in_guide() -> set[str]:
    """The names of the pictures docs/user-guide.md links: img/guide/name.png."""
    import re

    return {m for m in re.findall(r"img/guide/([a-z0-9-]+)\.png", GUIDE.read_text("utf-8"))}


def spread(image: QImage) -> float:
    """The standard deviation of grey over a grid of samples: a blank (one-colour) picture gives 0."""
    values = [
        image.pixelColor(x, y).lightness()
        for x in range(0, image.width(), max(1, image.width() // 64))
        for y in range(0, image.height(), max(1, image.height() // 36))
    ]
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_screenshot_script_shows_every_screen_of_the_guide(tmp_path):
    done = subprocess.run(
        [sys.executable, "scripts/screenshots.py", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
    )
    report = (done.stdout + done.stderr)[-6000:]
    assert done.returncode == 0, report
    pictures = {p.stem: p for p in sorted(tmp_path.glob("*.png"))}
    assert shown_in_guide() <= set(pictures), f"the guide shows pictures the script no longer takes:\n{report}"
    for name, path in pictures.items():
        image = QImage(str(path))
        assert not image.isNull(), name
        assert image.width() <= WIDTH and image.height() <= HEIGHT, (name, image.size())
        assert image.width() >= WIDTH // 3 and image.height() >= HEIGHT // 3, (name, image.size())
        assert spread(image) > 10, f"{name} is blank"
