"""The enterprise's seal position: a clear square with a light dashed circle and the small label 企业盖章处.

002 附件2 asks for 企业名称（盖章） on the record and 附件1 for 企业代表确认签字（公章） in the summary's signature
box: the enterprise stamps its round seal there. A Chinese official seal is a 42 mm circle (enterprise seals
38–42 mm), so the area is a 42 mm circle inside a square of SIDE_MM where nothing else is printed; the label
sits inside the circle near its bottom edge and is the only text in the square.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from inspector_app.documents import fonts, layout

DIAMETER_MM = 42.0
SIDE_MM = 44.0  # the clear square around the circle (1 mm on each side for the stamp's slack)
LABEL = "企业盖章处"
LABEL_SIZE = 7.5
LABEL_ABOVE_BOTTOM_MM = 5.0  # the label's baseline above the circle's lowest point


def draw(canvas, cx: float, cy: float) -> None:
    """The dashed circle and its label around the centre (cx, cy), in points."""
    r = DIAMETER_MM * mm / 2
    canvas.saveState()
    canvas.setStrokeColor(layout.LIGHT)
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 2)
    canvas.circle(cx, cy, r, stroke=1, fill=0)
    canvas.setFillColor(layout.LIGHT)
    canvas.setFont(fonts.BODY, LABEL_SIZE)
    canvas.drawCentredString(cx, cy - r + LABEL_ABOVE_BOTTOM_MM * mm, LABEL)
    canvas.restoreState()


class SealArea(Flowable):
    """The seal position as a flowable of the given width: the square on the right (or centred), nothing else."""

    def __init__(self, width: float, align: str = "RIGHT"):
        super().__init__()
        self.width, self.height, self.align = width, SIDE_MM * mm, align

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def draw(self):
        side = SIDE_MM * mm
        cx = self.width - side / 2 if self.align == "RIGHT" else self.width / 2
        draw(self.canv, cx, side / 2)
