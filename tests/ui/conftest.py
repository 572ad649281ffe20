"""UI fixtures: a small roster with every license state, and a started main window over it."""

from datetime import date

import pytest

# Pinned by the `fixed_today` fixture: 2026-06-15.
ROSTER = [
    # name, uscc, district, class, [(license number, category, expiry)]
    (
        "上海申华塑料制品有限公司",
        "91310120MA1HK0001B",
        "奉贤区",
        "B",
        [
            ("(沪)XK16-204-00006", "直接接触食品的材料等相关产品", date(2026, 7, 31)),  # expiring, 46 days
            ("(沪)XK13-006-00021", "危险化学品", date(2027, 2, 28)),
        ],
    ),
    (
        "上海浦江电线电缆有限公司",
        "91310115MA1FL0002R",
        "浦东新区",
        "A",
        [("(沪)XK06-001-00123", "电线电缆", date(2026, 3, 31))],
    ),
    (
        "上海宝钢建筑钢筋有限公司",
        "91310113MA1GN00032",
        "宝山区",
        "AA",
        [("(沪)XK05-001-00456", "建筑用钢筋", date(2028, 12, 31))],
    ),
    ("上海松江化肥有限公司", "91310117MA1J00004R", "松江区", "C", [("XK13-007-00789", "化肥", date(2029, 1, 1))]),
    ("上海嘉定水泥有限公司", "91310114MA1H00005Y", "嘉定区", "B", [("(沪)XK08-001-00999", "水泥", date(2027, 6, 30))]),
]


def insert_roster(db) -> dict[str, str]:
    """The ROSTER into a database through the ORM; returns enterprise ids by name."""
    from inspector_app.core.storage.models import Enterprise, Inspector, License, Site

    ids = {}
    with db.session() as s:
        for name, uscc, district, cls, licenses in ROSTER:
            ent = Enterprise(
                uscc=uscc,
                name=name,
                legal_rep="王建国",
                contact="李秀英",
                phone="021-57001234",
                address=f"上海市{district}工业路1号",
                district=district,
                classification=cls,
                risk_level="II",
            )
            site = Site(enterprise=ent, address=f"上海市{district}工业路1号", district=district)
            s.add_all([ent, site])
            for number, category, expiry in licenses:
                s.add(License(enterprise=ent, site=site, number=number, category=category, expiry_date=expiry))
            s.flush()
            ids[name] = ent.id
        s.add_all([Inspector(name="张伟", badge_no="31000001"), Inspector(name="刘洋", badge_no="31000002")])
    return ids


@pytest.fixture
def roster_ids(db, fixed_today) -> dict[str, str]:
    return insert_roster(db)


@pytest.fixture
def no_blocking_dialogs(monkeypatch, request):
    """Message boxes are the edge of the world: record their text instead of blocking on exec().

    A test that did not ask for `captured_boxes` fails if one was shown (with its text), instead of hanging.
    Not autouse: other screens' tests in this folder stub their dialogs their own way.
    """
    from PySide6.QtWidgets import QMessageBox

    from inspector_app.ui.error_dialog import ErrorDialog

    texts: list[str] = []

    def fake_exec(box):
        texts.append("\n".join(t for t in (box.text(), box.informativeText()) if t))
        return QMessageBox.StandardButton.Ok

    def fake_error_exec(dialog):
        texts.append(dialog.message.text() + "\n" + dialog.details)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(ErrorDialog, "exec", fake_error_exec)
    # Boxes opened without waiting (an error whose window had closed, ui/tasks.py) are recorded the same way.
    monkeypatch.setattr(QMessageBox, "open", lambda box: fake_exec(box) and None)
    monkeypatch.setattr(ErrorDialog, "open", lambda dialog: fake_error_exec(dialog) and None)
    yield texts
    if "captured_boxes" not in request.fixturenames and texts:
        pytest.fail("unexpected dialog:\n" + "\n---\n".join(texts))


@pytest.fixture
def captured_boxes(no_blocking_dialogs) -> list[str]:
    return no_blocking_dialogs


@pytest.fixture
def start_window(qtbot, db_path, request):
    """start_window(path=db_path, demo=False) -> a shown MainWindow whose database job has finished."""
    from inspector_app.ui.main_window import MainWindow

    windows = []

    def start(path=None, demo=False, wait_roster=True):
        if "db" in request.fixturenames:
            # One user of the file at a time, as on the inspector's laptop: the fixture's engine lets go.
            request.getfixturevalue("db").close()
        window = MainWindow(path or db_path, demo=demo)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        if wait_roster:
            with qtbot.waitSignal(window.roster_shown, timeout=15000):
                window.start()
        else:
            window.start()
        return window

    yield start
    for window in windows:
        window.shutdown()


@pytest.fixture
def db_worker(qtbot):
    """The serial database worker the screens use, stopped after the test."""
    from inspector_app.ui.tasks import TaskManager

    worker = TaskManager()
    yield worker
    worker.stop()


@pytest.fixture
def inspection_id(db, sample, templates, fixed_today):
    """A draft double-random inspection of the sample's hazardous-chemicals license (industrial form)."""
    from inspector_app.core.inspection import inspections
    from inspector_app.core.inspection.templates import template_for_category

    return inspections.start_inspection(
        db,
        site_id=sample.site_id,
        template=template_for_category(templates, "危险化学品"),
        kind="double_random",
        team=sample.inspector_ids[:2],
        license_id=sample.license_id,
    )


@pytest.fixture
def signed_id(db, sample, templates, fixed_today):
    """A completed inspection signed by its team and the representative (tests/documents/factory.py), on a
    laptop that has the bureau's settings (no placeholder question when issuing)."""
    from tests.documents import factory

    factory.configure_bureau(db)
    return factory.signed(db, sample, templates)
