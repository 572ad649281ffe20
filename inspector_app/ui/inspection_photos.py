"""Evidence photos per item of the record form (002 三(四)).

Photos are added per item from a file dialog (Ctrl+Shift+P for the item with the focus) or by dropping files
on the item; the worker decodes and stores them (core/inspection/photos.py) and one job loads every item's
thumbnails. Photos may change until the inspection is signed, so a completed record still takes them until
its signatures.

A mixin of ui/inspection_screen.py's InspectionScreen, which owns the state it uses: `_photos_editable`,
`_photo_strips` and `photo_count`.
"""

import shiboken6

from inspector_app.ui.errors import show_error
from inspector_app.ui.photo_strip import PhotoStrip, load_photos


class PhotosMixin:
    """Each item's photo strip and the one job that loads them all (InspectionScreen)."""

    @property
    def photos_editable(self) -> bool:
        return self._photos_editable

    def photo_strip(self, item_id: str) -> PhotoStrip:
        """The item's thumbnails, made the first time the item has (or gets) a photo."""
        strip = self._photo_strips.get(item_id)
        if strip is None:
            strip = PhotoStrip(self.db, self.worker, self.inspection_id, item_id=item_id, compact=True)
            strip.changed.connect(self.reload_photos)
            self._item(item_id).set_photo_strip(strip)
            self._photo_strips[item_id] = strip
        return strip

    def choose_photos(self, item_id: str) -> None:
        if self._photos_editable and not self._item(item_id).locked:
            self.photo_strip(item_id).choose_files()

    def add_photos(self, item_id: str, files: list) -> None:
        if self._photos_editable and not self._item(item_id).locked:
            self.photo_strip(item_id).add_files(files)

    def _photos_for_current(self) -> None:
        item_id = self._current_item()
        if item_id is not None:
            self.choose_photos(item_id)

    def reload_photos(self) -> None:
        """Every item's thumbnails and whether they may still change, in one worker job."""
        self.worker.submit(
            load_photos, self.db, self.inspection_id, on_done=self._photos_loaded, on_error=self._photos_failed
        )

    def _photos_loaded(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        editable, infos = result
        if editable != self._photos_editable:
            self._photos_editable = editable
            for w in self._items.values():
                w.set_photos_editable(editable)
        per_item: dict[str, list] = {}
        for n, info in enumerate(infos, start=1):  # numbered as in the record's photo appendix
            per_item.setdefault(info.item_id, []).append((n, info))
        if per_item:
            # Every item first: a strip made now joins the end of the focus chain, after all the items' fields.
            self._build_items()
        for item_id, shown in per_item.items():
            if item_id in self._items:
                self.photo_strip(item_id).show_photos([i for _n, i in shown], [n for n, _i in shown])
        for item_id, strip in self._photo_strips.items():
            if item_id not in per_item:
                strip.show_photos([])
        self.photo_count = len(infos)

    def _photos_failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            show_error(exc, self)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        # Signed in another window while this one stayed open: photos are then fixed; look again.
        if (
            event.type() == event.Type.ActivationChange
            and self.isActiveWindow()
            and self.read_only
            and self._photos_editable
        ):
            self.reload_photos()
