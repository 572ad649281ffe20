"""The window offers new inspections the templates the bureau published, not only forms/."""

from inspector_app.core.inspection.template_store import publish_template
from inspector_app.core.storage.db import open_database
from tests.core.test_template_store import industrial_text, write


def test_the_window_loads_a_published_version(qtbot, start_window, db_path, tmp_path):
    db = open_database(db_path)
    try:
        release = publish_template(db, write(tmp_path, "v3.toml", industrial_text(3, item_category="其他")))
    finally:
        db.close()
    window = start_window()
    qtbot.waitUntil(lambda: window.templates is not None, timeout=15000)
    assert isinstance(window.templates, dict), window.templates
    assert (window.templates["industrial"].version, window.templates["industrial"].digest) == (3, release.digest)
    assert window.templates["food"].version == 2
