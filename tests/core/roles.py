"""Make a test database a field laptop or the bureau, as first setup (sync/keys.setup_device) records it."""

from inspector_app.core.storage.models import Setting
from inspector_app.core.storage.sync_models import SETTING_DEVICE_ROLE


def as_device(db, role: str | None) -> None:
    """role "field" / "bureau", or None: not set up (a standalone install)."""
    with db.session() as s:
        row = s.get(Setting, SETTING_DEVICE_ROLE)
        if role is None:
            if row is not None:
                s.delete(row)
        elif row is None:
            s.add(Setting(key=SETTING_DEVICE_ROLE, value=role))
        else:
            row.value = role
