"""The main window's search box and filters over the enterprise list (core/roster/index.py searches)."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from inspector_app.core.catalog import CLASSES, DISTRICTS, PRODUCT_CATEGORIES
from inspector_app.i18n import _


class FilterBar(QWidget):
    """Search box and filters; emits `changed` and leaves the search to the controller."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("搜索：企业名称、统一社会信用代码或许可证编号（Ctrl+F）"))
        self.search.setClearButtonEnabled(True)
        self.district = self._combo(_("全部区"), [(d, d) for d in DISTRICTS])
        self.category = self._combo(_("全部产品类别"), [(c, c) for c in PRODUCT_CATEGORIES])
        self.classification = self._combo(_("全部分类"), [(f"{k} {v}", k) for k, v in CLASSES.items()])
        self.expiring = QCheckBox(_("许可证即将到期/已过期"))

        self.search.textChanged.connect(self.changed)
        for combo in (self.district, self.category, self.classification):
            combo.currentIndexChanged.connect(self.changed)
        self.expiring.toggled.connect(self.changed)

        filters = QHBoxLayout()
        filters.addWidget(self.district)
        filters.addWidget(self.category, 1)
        filters.addWidget(self.classification)
        filters.addWidget(self.expiring)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(filters)

    @staticmethod
    def _combo(all_label: str, entries: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(all_label, None)
        for label, value in entries:
            combo.addItem(label, value)
        return combo

    def values(self) -> dict:
        """Keyword arguments of core.roster.index.RosterFilter."""
        return {
            "text": self.search.text(),
            "district": self.district.currentData(),
            "category": self.category.currentData(),
            "classification": self.classification.currentData(),
            "expiring_only": self.expiring.isChecked(),
        }
