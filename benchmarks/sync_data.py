"""The sync benchmark's data (bench_sync.py): a bureau and a laptop with inspections and real JPEG photos,
and the timing helpers (wall clock, CPU seconds of this process and its children)."""

import hashlib
import random
import resource
import statistics
import struct
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t, result


def cpu_now() -> float:
    """CPU seconds (user + system) of this process, all threads, and of its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def median(xs):
    return statistics.median(xs)


def _base_images(n: int, seed: int, kb: int):
    """`n` distinct photo-like JPEGs of ≈ `kb` KB (1280 × 960 at 100 KB) with their copies (photos.prepare)."""
    import io

    from PIL import Image

    from inspector_app.core.inspection import photos

    out = []
    scale = (kb / 100) ** 0.5
    w, h = max(64, round(1280 * scale / 16) * 16), max(48, round(960 * scale / 16) * 16)
    for k in range(n):
        rnd = random.Random(seed + k)
        blobs = Image.effect_noise((w // 8, h // 8), 60).resize((w, h), Image.BICUBIC)
        grain = Image.effect_noise((w, h), 8)
        grad = Image.linear_gradient("L")
        chans = [
            Image.blend(Image.blend(blobs, grad.rotate(rnd.randrange(360)).resize((w, h)), 0.5), grain, 0.1)
            for _ in range(3)
        ]
        buf = io.BytesIO()
        Image.merge("RGB", chans).save(buf, "JPEG", quality=55)
        out.append(photos.prepare(buf.getvalue(), f"base{k}.jpg"))
    return out


def _unique_jpeg(base: bytes, rnd: random.Random) -> bytes:
    """The same image with a JPEG comment (COM) segment after SOI: distinct bytes, identical pixels."""
    payload = uuid.uuid4().bytes + rnd.randbytes(rnd.randrange(0, 4096))
    return base[:2] + b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload + base[2:]


def build(root: Path, n_insp: int, n_photos: int, photo_kb: int):
    """Bureau and laptop databases, registered to each other; the laptop holds the inspections and photos."""
    import sqlalchemy as sa

    from inspector_app.core.inspection import photos
    from inspector_app.core.inspection.snapshots import store_snapshot
    from inspector_app.core.inspection.templates import load_templates
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.docs_models import Photo
    from inspector_app.core.storage.models import Inspection, InspectionMember, ItemResult, License
    from inspector_app.sync.export import export_bundle
    from inspector_app.sync.importer import import_bundle
    from inspector_app.sync.keys import export_public_key, register_device, setup_device
    from tests.sync.conftest import make_roster

    bureau = open_database(root / "bureau.sqlite3")
    make_roster(bureau)
    laptop = open_database(root / "laptop.sqlite3")
    b_id = setup_device(bureau, "bureau", "区局")
    l_id = setup_device(laptop, "field", "笔记本")
    register_device(bureau, export_public_key(l_id), inspector="31000001")
    register_device(laptop, export_public_key(b_id))
    roster = root / "roster.ibundle"
    export_bundle(bureau, roster)
    import_bundle(laptop, roster)
    roster.unlink()

    template = next(t for t in load_templates(ROOT / "forms").values() if t.product_kind == "industrial")
    items = [i for i in template.items if i.applies("industrial")]
    rnd = random.Random(1)
    now = datetime(2026, 6, 15, 9, 0)
    with laptop.session() as s:
        lic = s.scalar(sa.select(License))
        team = [r[0] for r in s.execute(sa.text("select id from inspector order by badge_no limit 2"))]
        snap = store_snapshot(s, template)
        s.flush()
        insp_rows, members, results = [], [], []
        for n in range(n_insp):
            iid = str(uuid.uuid4())
            insp_rows.append(
                {
                    "id": iid,
                    "rev": 1,
                    "updated_at": now,
                    "enterprise_id": lic.enterprise_id,
                    "site_id": lic.site_id,
                    "license_id": lic.id,
                    "template_digest": snap.digest,
                    "template_id": template.id,
                    "template_version": template.version,
                    "kind": "scheduled",
                    "inspected_on": date(2026, 1, 1) + timedelta(days=n % 300),
                    "status": "draft",
                    "created_at": now,
                    "completed_at": None,
                }
            )
            members += [{"inspection_id": iid, "inspector_id": t, "position": p} for p, t in enumerate(team)]
            for item in template.items:
                ok = item.applies("industrial")
                bad = ok and rnd.random() < 0.03
                results.append(
                    {
                        "id": str(uuid.uuid4()),
                        "rev": 1,
                        "updated_at": now,
                        "inspection_id": iid,
                        "item_id": item.id,
                        "conclusion": ("nonconform" if bad else "conform") if ok else "na",
                        "na_reason": "" if ok else item.na_reason,
                        "record": "未见出厂检验记录" if bad else "",
                        "remark": "",
                        "rectified_on_site": False,
                    }
                )
        s.execute(sa.insert(Inspection.__table__), insp_rows)
        s.execute(sa.insert(InspectionMember.__table__), members)
        s.execute(sa.insert(ItemResult.__table__), results)
    inspection_ids = [r["id"] for r in insp_rows]
    bases = _base_images(min(32, n_photos), 7, photo_kb)
    rows, per_insp = [], {}
    t0 = time.perf_counter()
    for n in range(n_photos):
        base = bases[n % len(bases)]
        data = _unique_jpeg(base.data, rnd)
        digest = hashlib.sha256(data).hexdigest()
        target = photos.original_path(digest, base.ext)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        iid = inspection_ids[n % n_insp]
        position = per_insp[iid] = per_insp.get(iid, -1) + 1
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "rev": 1,
                "updated_at": now,
                "inspection_id": iid,
                "item_id": items[(n // n_insp) % len(items)].id,
                "sha256": digest,
                "filename": f"IMG_{n:05d}.jpg",
                "ext": base.ext,
                "width": base.width,
                "height": base.height,
                "taken_at": now - timedelta(minutes=n),
                "caption": "",
                "position": position,
                "thumbnail": base.thumbnail,
                "print_copy": base.print_copy,
                "added_at": now,
            }
        )
    with laptop.session() as s:
        s.execute(sa.insert(Photo.__table__), rows)
    sizes = [len(b.data) for b in bases]
    print(
        f"generated: {n_insp} inspections, {len(results)} answers, {n_photos} photos "
        f"(originals ≈ {statistics.mean(sizes) / 1024:.0f} KB, thumbnails ≈ "
        f"{statistics.mean(len(b.thumbnail) for b in bases) / 1024:.0f} KB, print copies ≈ "
        f"{statistics.mean(len(b.print_copy) for b in bases) / 1024:.0f} KB) in {time.perf_counter() - t0:.1f} s"
    )
    return bureau, laptop, photos.photos_dir(), len(items)
