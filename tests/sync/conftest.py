"""Sync fixtures: a bureau and two field laptops as three separate database files, with registered keys.

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
    path: Path
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


def _build(root: Path, templates, key_dir: Path, broadcast: bool) -> None:
    """Build the three databases in `root` (keys under key_dir): the expensive part, done once a session."""
    from inspector_app.core.storage.db import open_database
    from inspector_app.sync.export import export_bundle
    from inspector_app.sync.importer import import_bundle
    from inspector_app.sync.keys import export_public_key, register_device, setup_device

    dbs, ids = {}, {}
    for name, role in (("bureau", "bureau"), ("a", "field"), ("b", "field")):
        db = open_database(root / f"{name}.sqlite3")
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


@pytest.fixture(scope="session")
def _world_templates(tmp_path_factory, templates):
    """Pristine copies of the three databases and their keys: before and after the first broadcast."""
    import os

    root = tmp_path_factory.mktemp("sync-worlds")
    saved = os.environ.get("INSPECTOR_APP_DATA_DIR")
    os.environ["INSPECTOR_APP_DATA_DIR"] = str(root / "appdata")  # staging of the first broadcast
    try:
        for name, broadcast in (("bare", False), ("world", True)):
            (root / name).mkdir()
            _build(root / name, templates, root / "appdata", broadcast)
    finally:
        if saved is None:
            os.environ.pop("INSPECTOR_APP_DATA_DIR", None)
        else:
            os.environ["INSPECTOR_APP_DATA_DIR"] = saved
    return root


def _world(tmp_path, templates, source: Path, keys_from: Path) -> World:
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
        path = copy_db(source / f"{name}.sqlite3", tmp_path / f"{name}.sqlite3")
        db = open_database(path)
        nodes.append(Node(name, path, db, load_identity(db), bundles))
    with nodes[0].db.session() as s:
        lic = s.scalar(select(License))
        site_id, license_id = lic.site_id, lic.id
        inspector_ids = list(s.scalars(select(Inspector.id).order_by(Inspector.badge_no)))
    template = next(t for t in templates.values() if t.product_kind == "industrial")
    return World(tmp_path, *nodes, site_id, license_id, inspector_ids, template, nodes)


@pytest.fixture
def bare_world(tmp_path, templates, _world_templates):
    """Three databases with identities and registrations, before any bundle has travelled."""
    world = _world(tmp_path, templates, _world_templates / "bare", _world_templates / "appdata")
    yield world
    world.close()


@pytest.fixture
def world(tmp_path, templates, _world_templates):
    """The bureau's first broadcast (roster, device register) imported on both laptops."""
    world = _world(tmp_path, templates, _world_templates / "world", _world_templates / "appdata")
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
