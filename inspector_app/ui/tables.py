"""Small pieces shared by the screens that show plain rows: a read-only table model, a table view, a
district chooser. Lists of unbounded size (the roster) have their own lazy model (roster_model.py)."""

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableView

from inspector_app.core.catalog import DISTRICTS
from inspector_app.i18n import _

CITY = ""  # the district combo's value for the whole city


class RowsModel(QAbstractTableModel):
    """Read-only rows of plain values with optional per-row background colours and ids (any value the
    controller needs back for a row: a record id, a dataclass)."""

    def __init__(self, headers: tuple[str, ...] | list[str] = (), parent=None):
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[tuple] = []
        self._colors: list[str | None] = []
        self._ids: list[object] = []

    def set_rows(self, rows, colors=None, ids=None, headers=None) -> None:
        self.beginResetModel()
        if headers is not None:
            self._headers = list(headers)
        self._rows = [tuple(r) for r in rows]
        self._colors = list(colors) if colors is not None else [None] * len(self._rows)
        self._ids = list(ids) if ids is not None else [None] * len(self._rows)
        self.endResetModel()

    def row_id(self, row: int):
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row(self, row: int) -> tuple:
        return self._rows[row]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if section < len(self._headers) else None
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self._colors[index.row()]:
            return QBrush(QColor(self._colors[index.row()]))
        return None


def make_table(model: QAbstractTableModel, parent=None, stretch_last: bool = True, single: bool = False) -> QTableView:
    """A read-only view of whole rows; `single`: one row at a time (a list the controller acts on)."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    view.setWordWrap(False)
    return view


def district_combo(parent=None, with_city: bool = True) -> QComboBox:
    box = QComboBox(parent)
    if with_city:
        box.addItem(_("全市"), CITY)
    for d in DISTRICTS:
        box.addItem(d, d)
    return box
