"""Published templates travel bureau → field with their content; a laptop starts new inspections on them,
keeps the version an inspection started with, and can never send a release itself."""

import json
import uuid
import zipfile
from datetime import date

from sqlalchemy import func, select

from inspector_app.core.inspection import inspections
from inspector_app.core.inspection.template_store import (
    TemplateRelease,
    available_templates,
    publish_template,
    template_catalogue,
)
from inspector_app.core.inspection.templates import template_for_category
from tests.core.test_template_store import industrial_text, write
from tests.sync.hostile_helpers import forge, refused


def _publish(w, version: int, item_category: str = "技术、工艺文件"):
    path = write(w.tmp, f"industrial-v{version}.toml", industrial_text(version, item_category=item_category))
    return publish_template(w.bureau.db, path, published_by="王芳")


def _records(path, kind: str) -> list[dict]:
    with zipfile.ZipFile(path) as zf:
        return [json.loads(line) for line in zf.read(f"records/{kind}.jsonl").splitlines()]


def _start(w, node, template) -> str:
    return inspections.start_inspection(
        node.db,
        site_id=w.site_id,
        template=template,
        kind="scheduled",
        team=w.inspector_ids[:2],
        license_id=w.license_id,
        inspected_on=date(2026, 6, 15),
    )


def test_a_published_template_reaches_the_laptop_with_its_content(world):
    w = world
    release = _publish(w, 3)
    r = w.bureau.export()
    assert r.counts["template_release"] == 1
    (snap,) = [s for s in _records(r.path, "template_snapshot") if s["id"] == release.digest]
    assert json.loads(snap["data"]["content"])["version"] == 3

    assert available_templates(w.a.db)["industrial"].version == 2  # before the bundle
    res = w.a.import_(r.path)
    assert res.preview.total("conflict") == 0
    template = template_for_category(available_templates(w.a.db), "危险化学品")
    assert (template.id, template.version, template.digest) == ("industrial", 3, release.digest)
    assert template.item("3.3").text == "企业质量手册是否为现行有效版本。"
    (entry,) = [e for e in template_catalogue(w.a.db) if e.in_use and e.id == "industrial"]
    assert (entry.source, entry.published_by, entry.file_name) == ("published", "王芳", "industrial-v3.toml")

    # An inspection on it goes back to the bureau; the bureau already holds the same snapshot.
    iid = _start(w, w.a, template)
    inspections.save_answer(w.a.db, iid, "3.3", conclusion="conform")
    back = w.a.export()
    assert "template_release" not in back.counts  # a laptop never sends the bureau's releases
    res = w.bureau.import_(back.path)
    assert res.preview.total("conflict") == 0
    view = inspections.load_inspection(w.bureau.db, iid)
    assert (view.template.version, view.answer("3.3").conclusion) == (3, "conform")


def test_a_newer_release_supersedes_and_a_started_inspection_keeps_its_version(world):
    w = world
    _publish(w, 3)
    w.a.import_(w.bureau.export().path)
    v3 = available_templates(w.a.db)["industrial"]
    started = _start(w, w.a, v3)

    v4 = _publish(w, 4, item_category="其他")
    r = w.bureau.export()
    assert r.counts["template_release"] == 1  # only the new release: v3 already went
    w.a.import_(r.path)
    current = available_templates(w.a.db)["industrial"]
    assert (current.version, current.digest, current.item("3.3").category) == (4, v4.digest, "其他")
    assert inspections.load_inspection(w.a.db, started).template.digest == v3.digest
    listed = [(e.version, e.source, e.in_use) for e in template_catalogue(w.a.db) if e.id == "industrial"]
    assert listed == [(4, "published", True), (3, "published", False), (2, "shipped", False)]


def test_bundles_applied_out_of_order_still_end_on_the_newest_version(world):
    w = world
    _publish(w, 3)
    first = w.bureau.export()
    _publish(w, 4)
    second = w.bureau.export()
    w.b.import_(second.path)  # the later USB stick arrives first
    assert available_templates(w.b.db)["industrial"].version == 4
    res = w.b.import_(first.path)
    assert res.preview.total("conflict") == 0
    assert available_templates(w.b.db)["industrial"].version == 4
    with w.b.db.session() as s:
        assert s.scalar(select(func.count()).select_from(TemplateRelease)) == 2


def test_a_laptop_cannot_send_a_release(world):
    w = world
    _publish(w, 3)
    r = w.bureau.export()
    w.a.import_(r.path)
    assert "template_release" not in w.a.export(full=True).counts

    # A bundle signed by the laptop that carries a release anyway (an altered program) is refused whole.
    (release,) = _records(r.path, "template_release")
    release = {**release, "id": str(uuid.uuid4()), "data": {**release["data"], "version": 9}}
    w.bundles_dir = w.a.bundles
    forged = forge(w.a.bundles / "forged.ibundle", w.a.identity, w.bureau.id, records={"template_release": [release]})
    refused(w, forged, "kind_not_allowed", "records/template_release.jsonl")
    assert available_templates(w.bureau.db)["industrial"].version == 3
