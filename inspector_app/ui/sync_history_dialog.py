"""同步记录: per device and direction, the bundles sent and received, the latest, and the sequence numbers
still missing (a gap means a bundle that has not arrived: ask the sender for it)."""

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QSplitter, QVBoxLayout, QWidget

from inspector_app.i18n import _
from inspector_app.ui.errors import show_error
from inspector_app.ui.geometry import fit_window
from inspector_app.ui.sync_common import StatusLabel
from inspector_app.ui.tables import RowsModel, make_table


class SyncHistoryDialog(QDialog):
    """Per device: the bundles sent and received, the last one, and the sequence numbers missing."""

    def __init__(self, db, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._worker = db, worker
        self.setWindowTitle(_("同步记录"))
        fit_window(self, "sync_history", (760, 480))
        self.streams_model = RowsModel(
            [_("设备"), _("方向"), _("数据包数"), _("最近一次"), _("最近序号"), _("缺少")], self
        )
        self.streams_view = make_table(self.streams_model, single=True)
        self.bundles_model = RowsModel(
            [_("序号"), _("生成时间（UTC）"), _("导出/导入时间"), _("记录数"), _("文件")], self
        )
        self.bundles_view = make_table(self.bundles_model, single=True)
        self.streams_view.selectionModel().currentRowChanged.connect(self._select)
        self.status = StatusLabel()
        self.delivery = StatusLabel()  # a laptop: what the bureau confirmed holding
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.streams_view)
        splitter.addWidget(self.bundles_view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.delivery)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        from inspector_app.sync.history import delivery_text, sync_history

        self._worker.submit(sync_history, self._db, on_done=self._show, on_error=lambda e: show_error(e, self))
        self._worker.submit(delivery_text, self._db, on_done=self.delivery.setText)

    def _show(self, streams) -> None:
        rows = []
        for st in streams:
            last = st.last
            rows.append(
                (
                    st.device_label,
                    st.direction_label,
                    len(st.bundles),
                    last.logged_at.strftime("%Y-%m-%d %H:%M") if last else "",
                    last.seq if last else "",
                    "、".join(map(str, st.gaps)),
                )
            )
        self.streams_model.set_rows(rows, ids=streams)
        gaps = [st for st in streams if st.gaps]
        self.status.say(
            _("有 {n} 台设备的数据包不连续（缺少的序号见上表），请向对方索取。").format(n=len(gaps)) if gaps else "",
            error=True,
        )
        if streams:
            self.streams_view.selectRow(0)

    def _select(self, current: QModelIndex, _previous=None) -> None:
        if not current.isValid():
            self.bundles_model.set_rows([])
            return
        stream = self.streams_model.row_id(current.row())
        self.bundles_model.set_rows(
            [
                (
                    b.seq,
                    b.created_at.strftime("%Y-%m-%d %H:%M"),
                    b.logged_at.strftime("%Y-%m-%d %H:%M"),
                    b.records,
                    b.file_name,
                )
                for b in reversed(stream.bundles)
            ]
        )
