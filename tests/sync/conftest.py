"""Sync fixtures: a bureau and two field laptops as three separate databases, with registered keys.

The laptops are SQLite files; the bureau is a file too, or — when the `engine` parameter is "postgresql" — a
server database (cloned per test from a template database built once a session).

`world` gives the three nodes after first setup: the bureau holds a small roster and has registered both
laptops; each laptop has registered the bureau's key and imported the bureau's first (broadcast) bundle.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms"


@dataclass
class Node:
    name: str
    path: Path | str  # the file, or a server database's URL (what --db takes)
    db: object
    identity: object
    bundles: Path

    @property
    def id(self) -> str:
        return self.identity.device_id

    def export(self, name: str | None = None, **kw):
        from inspector_app.sync.export import export_bundle

        self._n = getattr(self, "_n", 0) + 1
        out = self.bundles / (name or f"{self.name}-{self._n}.ibundle")
        return export_bundle(self.db, out, **kw)

    def import_(self, path, **kw):
        from inspector_app.sync.importer import import_bundle

        return import_bundle(self.db, Path(path), **kw)

    def verify(self, path, **kw):
        from inspector_app.sync.verify import verify_bundle

        return verify_bundle(self.db, Path(path), **kw)


@dataclass
class World:
    tmp: Path
    bureau: Node
    a: Node
    b: Node
    site_id: str
    license_id: str
    inspector_ids: list[str]
    template: object
    nodes: list[Node] = field(default_factory=list)

    def start(self, node: Node, answers: dict[str, str] | None = None) -> str:
        """Start an inspection on `node` and answer some items (item id → conclusion)."""
        from inspector_app.core.inspection import inspections

        iid = inspections.start_inspection(
            node.db,
            site_id=self.site_id,
            template=self.template,
            kind="scheduled",
            team=self.inspector_ids[:2],
            license_id=self.license_id,
            inspected_on=date(2026, 6, 15),
        )
        for item, conclusion in (answers or {}).items():
            inspections.save_answer(
                node.db, iid, item, conclusion=conclusion, record="记录" if conclusion == "nonconform" else ""
            )
        return iid

    def answer_all(self, node: Node, iid: str) -> None:
        from inspector_app.core.inspection import inspections

        view = inspections.load_inspection(node.db, iid)
        for item in view.template.items:
            if not view.locked(item.id):
                inspections.save_answer(node.db, iid, item.id, conclusion="conform")

    def complete_and_sign(self, node: Node, iid: str) -> None:
        """Complete the inspection on `node` and sign it: two team members and the enterprise representative."""
        from inspector_app.core.inspection import inspections
        from inspector_app.core.issuing import signing
        from tests.documents import factory

        inspections.complete_inspection(node.db, iid)
        team = [
            signing.SignatureInput(
                role="inspector", inspector_id=i, image=factory.signature_png(n), strokes=factory.strokes(n)
            )
            for n, i in enumerate(self.inspector_ids[:2])
        ]
        signing.sign_inspection(node.db, iid, [*team, factory.representative()])

    @property
    def items(self) -> list[str]:
        return [i.id for i in self.template.applicable_items]

    def close(self) -> None:
        for n in self.nodes:
            n.db.close()


def make_roster(db) -> tuple[str, str, list[str]]:
    from inspector_app.core.storage.models import Enterprise, Inspector, License, Site

    with db.session() as s:
        ent = Enterprise(
            uscc="91350100M000100Y43",
            name="上海申华塑料制品有限公司",
            legal_rep="王建国",
            address="上海市奉贤区南桥镇江海路88号",
            district="奉贤区",
        )
        site = Site(enterprise=ent, address="上海市奉贤区南桥镇江海路88号", district="奉贤区")
        lic = License(
            enterprise=ent,
            site=site,
            number="(沪)XK13-006-00021",
            category="危险化学品",
            products="涂料",
            issue_date=date(2022, 3, 1),
            expiry_date=date(2027, 2, 28),
        )
        inspectors = [
            Inspector(name="张伟", badge_no="31000001"),
            Inspector(name="刘洋", badge_no="31000002"),
            Inspector(name="陈静", badge_no="31000003"),
        ]
        s.add_all([ent, site, lic, *inspectors])
        s.flush()
        return site.id, lic.id, [i.id for i in inspectors]


def copy_db(src: Path, dst: Path) -> Path:
    """A consistent copy of a live database file (SQLite backup: WAL included)."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        b.close()
        a.close()
    return dst


def _build(root: Path, templates, key_dir: Path, broadcast: bool, bureau: str | None = None) -> None:
    """Build the three databases in `root` (keys under key_dir): the expensive part, done once a session.
    `bureau`: the URL of a server database for the bureau's (default: a file in root)."""
    from inspector_app.core.storage.db import open_database
    from inspector_app.sync.export import export_bundle
    from inspector_app.sync.importer import import_bundle
    from inspector_app.sync.keys import export_public_key, register_device, setup_device

    dbs, ids = {}, {}
    for name, role in (("bureau", "bureau"), ("a", "field"), ("b", "field")):
        db = open_database(bureau if name == "bureau" and bureau else root / f"{name}.sqlite3")
        if name == "bureau":
            make_roster(db)
        ids[name] = setup_device(db, role, name, key_dir=key_dir)
        dbs[name] = db
    register_device(dbs["bureau"], export_public_key(ids["a"]), inspector="31000001")
    register_device(dbs["bureau"], export_public_key(ids["b"]), inspector="31000002")
    for laptop in ("a", "b"):
        register_device(dbs[laptop], export_public_key(ids["bureau"]))
    if broadcast:
        out = root / "roster.ibundle"
        export_bundle(dbs["bureau"], out, key_dir=key_dir)
        for laptop in ("a", "b"):
            import_bundle(dbs[laptop], out, key_dir=key_dir)
        out.unlink()
    for db in dbs.values():
        db.close()


def _build_worlds(root: Path, templates, bureau_urls: dict[str, str] | None = None) -> Path:
    import os

    saved = os.environ.get("INSPECTOR_APP_DATA_DIR")
    os.environ["INSPECTOR_APP_DATA_DIR"] = str(root / "appdata")  # staging of the first broadcast
    try:
        for name, broadcast in (("bare", False), ("world", True)):
            (root / name).mkdir()
            _build(root / name, templates, root / "appdata", broadcast, (bureau_urls or {}).get(name))
    finally:
        if saved is None:
            os.environ.pop("INSPECTOR_APP_DATA_DIR", None)
        else:
            os.environ["INSPECTOR_APP_DATA_DIR"] = saved
    return root


@pytest.fixture(scope="session")
def _world_templates(tmp_path_factory, templates):
    """Pristine copies of the three databases and their keys: before and after the first broadcast."""
    return _build_worlds(tmp_path_factory.mktemp("sync-worlds"), templates)


@pytest.fixture(scope="session")
def _pg_world_templates(tmp_path_factory, templates):
    """The same with the bureau on the server: template databases `<name>` of the bureau, beside the laptops'
    files; each test clones them (CREATE DATABASE … TEMPLATE)."""
    from tests import pg

    names = {name: pg.new_name(f"tplw_{name}") for name in ("bare", "world")}
    urls = {name: pg.create(db) for name, db in names.items()}
    root = _build_worlds(tmp_path_factory.mktemp("sync-worlds-pg"), templates, urls)
    yield root, names
    for db in names.values():
        pg.drop(db)


def _pg_bureau(request, world_name: str) -> str:
    """A clone of the session's bureau template `world_name` for this test, dropped after it."""
    from tests import pg

    _root, names = request.getfixturevalue("_pg_world_templates")
    clone = pg.new_name("bureau")
    url = pg.create(clone, template=names[world_name])
    request.addfinalizer(lambda: pg.drop(clone))
    return url


def _world(tmp_path, templates, source: Path, keys_from: Path, bureau_url: str | None = None) -> World:
    import shutil

    from sqlalchemy import select

    from inspector_app import paths
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.models import Inspector, License
    from inspector_app.sync.keys import load_identity

    shutil.copytree(keys_from / "keys", paths.data_dir() / "keys", dirs_exist_ok=True)
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    nodes = []
    for name in ("bureau", "a", "b"):
        if name == "bureau" and bureau_url:
            path: Path | str = bureau_url
        else:
            path = copy_db(source / f"{name}.sqlite3", tmp_path / f"{name}.sqlite3")
        db = open_database(path)
        nodes.append(Node(name, path, db, load_identity(db), bundles))
    with nodes[0].db.session() as s:
        lic = s.scalar(select(License))
        site_id, license_id = lic.site_id, lic.id
        inspector_ids = list(s.scalars(select(Inspector.id).order_by(Inspector.badge_no)))
    template = next(t for t in templates.values() if t.product_kind == "industrial")
    return World(tmp_path, *nodes, site_id, license_id, inspector_ids, template, nodes)


def _engine_world(request, engine: str, name: str) -> World:
    tmp_path, templates = request.getfixturevalue("tmp_path"), request.getfixturevalue("templates")
    if engine == "postgresql":
        root, _names = request.getfixturevalue("_pg_world_templates")
        return _world(tmp_path, templates, root / name, root / "appdata", _pg_bureau(request, name))
    root = request.getfixturevalue("_world_templates")
    return _world(tmp_path, templates, root / name, root / "appdata")


@pytest.fixture
def bare_world(request, engine):
    """Three databases with identities and registrations, before any bundle has travelled."""
    world = _engine_world(request, engine, "bare")
    yield world
    world.close()


@pytest.fixture
def world(request, engine):
    """The bureau's first broadcast (roster, device register) imported on both laptops."""
    world = _engine_world(request, engine, "world")
    yield world
    world.close()


@pytest.fixture
def w(world):
    """The world whose laptop A exports into bundles_dir (the hostile bundle tests look for stray files there)."""
    world.bundles_dir = world.a.bundles
    return world


def bureau_state(db) -> dict:
    """Everything the bureau holds, per kind and record: the data of the row and of each open conflict."""
    import json

    from sqlalchemy import select

    from inspector_app.core.storage.sync_models import Conflict
    from inspector_app.sync.registry import registry

    out = {}
    with db.session() as s:
        for kind in registry().kinds():
            if kind.stateless:
                continue
            for rid, d in kind.dump(s).items():
                out[(kind.name, rid)] = {d.hash}
        for c in s.scalars(select(Conflict).where(Conflict.status == "open")):
            out.setdefault((c.kind, c.record_id), set()).add(c.incoming_hash)
            assert json.loads(c.incoming_data)["data"] is not None
    return out
