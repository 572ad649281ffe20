"""The enterprise list as a Qt model over core.roster.index.RosterIndex.

Filtering is RosterIndex's job (C-level passes over its columns); this model only keeps the list of
visible row indices and answers data() straight from the index's columns. No proxy model: a
QSortFilterProxyModel calls back into Python once per row per filter, far too slow for 100,000 rows.
"""

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from inspector_app.core import clock
from inspector_app.core.catalog import CLASSES, EXPIRY_WARNING_DAYS
from inspector_app.core.roster.index import NO_EXPIRY, RosterFilter, RosterIndex, RosterRow
from inspector_app.i18n import _

COL_NAME, COL_USCC, COL_DISTRICT, COL_CLASS, COL_LICENSES, COL_EXPIRY = range(6)
HEADERS = (_("企业名称"), _("统一社会信用代码"), _("所在区"), _("分类"), _("生产许可证编号"), _("最早到期"))

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the enterprise id of a row
STATE_ROLE = Qt.ItemDataRole.UserRole + 2  # license_state of the earliest expiry: valid/expiring/expired/ended/None

# (background, text) per license state: light backgrounds keep the text readable; the expiry cell also gets
# a strong text colour. Shared with the archive view so a state looks the same everywhere.
# "ended": every license 撤回/撤销/吊销/注销 (001 §39): grey row, the 最早到期 cell says 已注销 in red.
STATE_COLORS = {"expired": ("#f8d7da", "#a4161a"), "expiring": ("#fff3cd", "#8a5a00"), "ended": ("#e9ecef", "#a4161a")}
_BACKGROUND = {k: QBrush(QColor(bg)) for k, (bg, _fg) in STATE_COLORS.items()}
_FOREGROUND = {k: QBrush(QColor(fg)) for k, (_bg, fg) in STATE_COLORS.items()}

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_BG = Qt.ItemDataRole.BackgroundRole
_FG = Qt.ItemDataRole.ForegroundRole


class RosterTableModel(QAbstractTableModel):
    def __init__(self, index: RosterIndex | None = None, parent=None):
        super().__init__(parent)
        self._index = index or RosterIndex([])
        self._filter = RosterFilter()
        self._today = clock.today()
        self._today_ordinal = self._today.toordinal()
        self._visible: list[int] = list(range(len(self._index)))

    # --- state -------------------------------------------------------------------------------------------
    @property
    def total_count(self) -> int:
        return len(self._index)

    @property
    def filter(self) -> RosterFilter:
        return self._filter

    def set_index(self, index: RosterIndex) -> None:
        """A freshly loaded roster (after an import or the demo data); the current filter is kept."""
        self._index = index
        self.set_filter(self._filter)

    def set_filter(self, f: RosterFilter) -> None:
        """The unit of work of one keystroke: search the index, then one model reset."""
        self._today = clock.today()
        self._today_ordinal = self._today.toordinal()
        visible = self._index.search(f, self._today)
        self.beginResetModel()
        self._filter = f
        self._visible = visible
        self.endResetModel()

    def row_of(self, row: int) -> RosterRow:
        return self._index.row(self._visible[row])

    def enterprise_id(self, row: int) -> str:
        return self._index.ids[self._visible[row]]

    def find_row(self, enterprise_id: str) -> int | None:
        """The visible row of an enterprise, or None if it is filtered out."""
        try:
            i = self._index.ids.index(enterprise_id)
            return self._visible.index(i)
        except ValueError:
            return None

    # --- QAbstractTableModel -------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=_DISPLAY):
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index, role=_DISPLAY):
        # Called for every visible cell and role on each paint: return early, build nothing we don't need.
        if role == _DISPLAY:
            i = self._visible[index.row()]
            col = index.column()
            if col == COL_NAME:
                return self._index.names[i]
            if col == COL_USCC:
                return self._index.usccs[i]
            if col == COL_DISTRICT:
                return self._index.districts[i]
            if col == COL_CLASS:
                return self._index.classes[i]
            if col == COL_LICENSES:
                return self._index.licenses[i]
            expiry = self._index.earliest_expiry(i)
            if expiry and self._index.ended[i] and self._index.expiry[i] <= self._today_ordinal:
                return _("已{w}").format(w=self._index.ended[i])
            return expiry.isoformat() if expiry else ""
        if role == _BG:
            return _BACKGROUND.get(self._state_at(index))
        if role == _FG:
            return _FOREGROUND.get(self._state_at(index)) if index.column() == COL_EXPIRY else None
        if role == _TOOLTIP:
            return self._tooltip(index)
        if role == ID_ROLE:
            return self._index.ids[self._visible[index.row()]]
        if role == STATE_ROLE:
            return self._state_at(index)
        return None

    def _state_at(self, index) -> str | None:
        """license_state() of the earliest expiry, on date ordinals (no date object per painted cell)."""
        i = self._visible[index.row()]
        expiry = self._index.expiry[i]
        if expiry == NO_EXPIRY:
            return None
        if self._index.ended[i] and expiry <= self._today_ordinal:
            return "ended"
        if expiry < self._today_ordinal:
            return "expired"
        return "expiring" if expiry <= self._today_ordinal + EXPIRY_WARNING_DAYS else "valid"

    def _tooltip(self, index) -> str | None:
        i = self._visible[index.row()]
        col = index.column()
        if col == COL_CLASS:
            return CLASSES.get(self._index.classes[i])
        expiry = self._index.earliest_expiry(i)
        if col == COL_EXPIRY and expiry and self._index.ended[i]:
            done = expiry <= self._today
            text = _("许可证已于{d}{w}") if done else _("许可证将于{d}{w}")
            return text.format(d=expiry.isoformat(), w=self._index.ended[i])
        if col == COL_EXPIRY and expiry:
            return expiry_text(expiry, self._today)
        if col in (COL_NAME, COL_LICENSES):
            return self._index.names[i] if col == COL_NAME else self._index.licenses[i]
        return None


def expiry_text(expiry: date, today: date) -> str:
    days = (expiry - today).days
    if days < 0:
        return _("已过期 {n} 天").format(n=-days)
    if days == 0:
        return _("今天到期")
    return _("还有 {n} 天到期").format(n=days)
