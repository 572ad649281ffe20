"""The bureau's statistics screen (000 表1–表4, 000 二(二), 003 附件) with 000's figures 1 and 2.

The report is built by core.supervision.statistics on the database worker and arrives as a plain `Report`; this screen
only lays it out. The two charts are drawn with QPainter (PySide6-Essentials has no QtCharts). The tables
use `ui.tables.RowsModel`.
Exports (XLSX / PDF / JSON) run on the worker too: the same numbers as on screen.
"""

from datetime import date

from PySide6.QtCore import QDate, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui import file_dialogs
from inspector_app.ui.errors import show_error
from inspector_app.ui.tables import RowsModel, district_combo, make_table

CLASS_COLORS = {"AA": "#2E7D32", "A": "#4A7DB5", "B": "#F2B134", "C": "#C62828"}
BAR_COLOR = "#4A7DB5"


# ------------------------------------------------------------------ charts (000 图1, 图2)
class BarChart(QWidget):
    """Vertical bars with their values and category labels underneath (000 图1: enterprises per district)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._items: list[tuple[str, int]] = []
        self._title = ""
        self.setMinimumSize(420, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, items: list[tuple[str, int]], title: str = "") -> None:
        self._items, self._title = list(items), title
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        w, h = self.width(), self.height()
        top, bottom, left, right = 28, 70, 44, 12
        p.setPen(QColor("#333333"))
        title_font = QFont(self.font())
        title_font.setBold(True)
        p.setFont(title_font)
        p.drawText(QRectF(0, 4, w, 20), Qt.AlignmentFlag.AlignCenter, self._title)
        p.setFont(self.font())
        items = self._items
        if not items:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("无数据"))
            return
        peak = max(v for _n, v in items) or 1
        step = _nice_step(peak)
        top_value = step * -(-peak // step)
        plot_h, plot_w = h - top - bottom, w - left - right
        axis = QPen(QColor("#888888"))
        p.setPen(axis)
        p.drawLine(left, top + plot_h, left + plot_w, top + plot_h)
        for v in range(0, top_value + 1, step):
            y = top + plot_h - plot_h * v / top_value
            p.setPen(QPen(QColor("#E0E0E0")))
            p.drawLine(QPointF(left, y), QPointF(left + plot_w, y))
            p.setPen(QColor("#555555"))
            p.drawText(
                QRectF(0, y - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(v)
            )
        slot = plot_w / len(items)
        bar_w = max(4.0, slot * 0.6)
        for i, (name, value) in enumerate(items):
            x = left + slot * i + (slot - bar_w) / 2
            bh = plot_h * value / top_value
            p.fillRect(QRectF(x, top + plot_h - bh, bar_w, bh), QColor(BAR_COLOR))
            p.setPen(QColor("#222222"))
            p.drawText(QRectF(x - 10, top + plot_h - bh - 16, bar_w + 20, 14), Qt.AlignmentFlag.AlignCenter, str(value))
            p.save()
            p.translate(left + slot * i + slot / 2, top + plot_h + 6)
            p.rotate(45)
            p.drawText(
                QRectF(0, -7, bottom * 1.3, 14), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name
            )
            p.restore()


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if peak / step <= 6:
            return step
    return max(1, peak // 5)


class PieChart(QWidget):
    """A pie with a legend (000 图2: enterprises per class)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._items: list[tuple[str, int, str, str]] = []  # label, value, percent text, colour
        self._title = ""
        self.setMinimumSize(320, 220)

    def set_data(self, items: list[tuple[str, int, str, str]], title: str = "") -> None:
        self._items, self._title = list(items), title
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        w, h = self.width(), self.height()
        title_font = QFont(self.font())
        title_font.setBold(True)
        p.setFont(title_font)
        p.setPen(QColor("#333333"))
        p.drawText(QRectF(0, 4, w, 20), Qt.AlignmentFlag.AlignCenter, self._title)
        p.setFont(self.font())
        total = sum(v for _l, v, _p, _c in self._items)
        if not total:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("无数据"))
            return
        d = min(h - 40, w * 0.5, 320)
        rect = QRectF(16, 30 + (h - 40 - d) / 2, d, d)
        angle = 90 * 16
        for _label, value, _pct, color in self._items:
            span = -round(5760 * value / total)
            p.setBrush(QColor(color))
            p.setPen(QPen(QColor("white"), 1.5))
            p.drawPie(rect, angle, span)
            angle += span
        x, y = rect.right() + 20, rect.top() + 8
        for label, value, pct, color in self._items:
            p.fillRect(QRectF(x, y, 14, 14), QColor(color))
            p.setPen(QColor("#222222"))
            p.drawText(QRectF(x + 20, y - 2, w - x - 20, 18), Qt.AlignmentFlag.AlignVCenter, f"{label}  {value}  {pct}")
            y += 24


# ------------------------------------------------------------------ the screen
class StatisticsView(QWidget):
    report_ready = Signal(object)  # core.supervision.statistics.Report
    exported = Signal(str)  # path

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.report = None
        self._busy = False
        self.setWindowTitle(_("统计报表"))
        self._build()

    # ---------------------------------------------------------------- layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.by_year = QRadioButton(_("年度"))
        self.by_year.setChecked(True)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year - (1 if date.today().month < 3 else 0))
        self.by_period = QRadioButton(_("期间"))
        self.start = QDateEdit(QDate(self.year.value(), 1, 1))
        self.end = QDateEdit(QDate(self.year.value(), 12, 31))
        for d in (self.start, self.end):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.year.valueChanged.connect(self._year_changed)
        self.start.dateChanged.connect(lambda _d: self.by_period.setChecked(True))
        self.end.dateChanged.connect(lambda _d: self.by_period.setChecked(True))
        self.district = district_combo(self)
        self.run_button = QPushButton(_("统计"))
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.refresh)
        for w in (
            self.by_year,
            self.year,
            self.by_period,
            self.start,
            QLabel(_("至")),
            self.end,
            QLabel(_("范围")),
            self.district,
            self.run_button,
        ):
            bar.addWidget(w)
        bar.addStretch(1)
        self.export_buttons = {}
        for ext, label in ((".xlsx", _("导出XLSX")), (".pdf", _("导出PDF")), (".json", _("导出JSON"))):
            b = QPushButton(label)
            b.setEnabled(False)
            b.clicked.connect(lambda _c=False, e=ext: self._ask_export(e))
            self.export_buttons[ext] = b
            bar.addWidget(b)
        root.addLayout(bar)
        self.summary = QLabel(_("选择期间和范围后点“统计”。问题按“项次”计，检查按“家次”计。"))
        self.summary.setWordWrap(True)
        self.summary.setObjectName("summary")
        root.addWidget(self.summary)

        self.tabs = QTabWidget()
        self.t4 = RowsModel()
        self.t1 = RowsModel()
        self.t2 = RowsModel()
        self.t3 = RowsModel()
        self.tp = RowsModel()
        self.tc = RowsModel()
        self.bar_chart = BarChart()
        self.pie_chart = PieChart()
        self.tabs.addTab(make_table(self.t4), _("表4 检查情况"))
        self.tabs.addTab(self._with_chart(self.t1, self.bar_chart), _("表1 区域分布"))
        self.tabs.addTab(self._with_chart(self.t2, self.pie_chart), _("表2 分类监管"))
        self.tabs.addTab(make_table(self.t3), _("表3 产品类别"))
        problems = QWidget()
        pl = QVBoxLayout(problems)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(make_table(self.tp))
        self.other_note = QLabel()
        pl.addWidget(self.other_note)
        self.tabs.addTab(problems, _("问题分类"))
        self.to = RowsModel()  # 告知承诺、区域分布、违法线索、监督抽查、飞行检查
        other = make_table(self.to)
        other.setWordWrap(True)
        other.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tabs.addTab(other, _("其他情况"))
        self.tabs.addTab(make_table(self.tc, stretch_last=False), _("专项行动表"))
        root.addWidget(self.tabs, 1)

    def _with_chart(self, model, chart) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(make_table(model))
        split.addWidget(chart)
        split.setStretchFactor(1, 2)
        split.setSizes([480, 620])
        return split

    def _year_changed(self, year: int) -> None:
        for edit, value in ((self.start, QDate(year, 1, 1)), (self.end, QDate(year, 12, 31))):
            edit.blockSignals(True)
            edit.setDate(value)
            edit.blockSignals(False)
        self.by_year.setChecked(True)

    # ---------------------------------------------------------------- actions
    def period(self) -> tuple[date, date]:
        if self.by_year.isChecked():
            y = self.year.value()
            return date(y, 1, 1), date(y, 12, 31)
        return self.start.date().toPython(), self.end.date().toPython()

    def refresh(self) -> None:
        if self._busy or self.db is None:
            return
        from inspector_app.core.supervision.statistics import build_report

        start, end = self.period()
        self._busy = True
        self.run_button.setEnabled(False)
        self.summary.setText(_("正在统计……"))
        self.worker.submit(
            build_report,
            self.db,
            start,
            end,
            district=self.district.currentData() or None,
            on_done=self._show,
            on_error=self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.run_button.setEnabled(True)
        self.summary.setText(str(exc))
        show_error(exc, self)

    def _show(self, report) -> None:
        from inspector_app.core.supervision.statistics import CAMPAIGN_COLUMNS
        from inspector_app.documents import statistics_report as sx

        self._busy = False
        self.run_button.setEnabled(True)
        self.report = report
        self.summary.setText(f"<b>{sx.title(report)}</b><br>{sx.summary_text(report)}")
        total_row = "#EEF3F8"
        t4 = sx.table4(report)
        self.t4.set_rows(t4, colors=[None] * (len(t4) - 1) + [total_row], headers=sx.T4_HEAD)
        t1 = sx.table1(report)
        self.t1.set_rows(t1, colors=[None] * (len(t1) - 1) + [total_row], headers=sx.T1_HEAD)
        t2 = sx.table2(report)
        self.t2.set_rows(t2, colors=[None] * (len(t2) - 1) + [total_row], headers=sx.T2_HEAD)
        t3 = sx.table3(report)
        self.t3.set_rows(t3, colors=[None] * (len(t3) - 1) + [total_row], headers=sx.T3_HEAD)
        tp = sx.problem_rows(report)
        self.tp.set_rows(tp, colors=[None] * (len(tp) - 1) + [total_row], headers=sx.P_HEAD)
        self.other_note.setText(sx.other_note(report))
        self.to.set_rows([list(r) for r in sx.other_figures(report)], headers=sx.O_HEAD)
        head = [_("产品类别")] + [f"{g}·{s}·{c}" if s else f"{g}·{c}" for g, s, c in CAMPAIGN_COLUMNS]
        self.tc.set_rows(sx.campaign_rows(report), headers=head)
        bars = [(r.district, r.enterprises) for r in report.districts if r.enterprises]
        self.bar_chart.set_data(bars or [(r.district, 0) for r in report.districts], _("图1 区域分布情况"))
        self.pie_chart.set_data(
            [
                (f"{c.classification}类", c.enterprises, c.percent, CLASS_COLORS.get(c.classification, "#999999"))
                for c in report.classes
                if c.enterprises
            ],
            _("图2 分类监管企业分布"),
        )
        for b in self.export_buttons.values():
            b.setEnabled(True)
        self.report_ready.emit(report)

    def _ask_export(self, ext: str) -> None:
        if self.report is None:
            return
        from inspector_app.documents.statistics_report import title

        filters = {".xlsx": "Excel (*.xlsx)", ".pdf": "PDF (*.pdf)", ".json": "JSON (*.json)"}
        path, _f = file_dialogs.get_save_file_name(self, _("导出统计"), title(self.report) + ext, filters[ext])
        if path:
            if not path.lower().endswith(ext):
                path += ext
            self.export(path)

    def export(self, path: str) -> None:
        """Write the shown report to path (.xlsx / .pdf / .json) on the worker."""
        from inspector_app.documents.statistics_report import export

        if self.report is None:
            return
        self.worker.submit(
            export,
            self.report,
            path,
            on_done=lambda p: self.exported.emit(str(p)),
            on_error=lambda e: show_error(e, self),
        )
