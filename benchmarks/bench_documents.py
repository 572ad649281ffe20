"""Documents benchmark: prints measured figures and their targets (issue 3 §6). Not part of the test run.

    .venv/bin/python benchmarks/bench_documents.py

1. problem summary generation including signing vs a bare one-page reportlab document with the same
   embedded font, measured in the same run (target ≤ 2×);
2. a ten-page inspection record with 20 photos, signed (target ≤ 1.5 s);
3. the size of a summary without photos (target ≤ 300 KB).
Fonts are registered and pyHanko imported before timing (once per process in the app as well). Times are
CPU time of this process (time.process_time), medians: the machine is shared, and wall clock counts the
others' work too.
"""

import contextlib
import io
import os
import random
import statistics
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSPECTOR_APP_DATA_DIR", tempfile.mkdtemp(prefix="bench-docs-"))


def median_time(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def paired_times(fns, runs: int) -> list[float]:
    """Median CPU time of each function, measured in turn in every round (the load of the others on the
    machine then weighs on all of them alike)."""
    for fn in fns:
        fn()  # warm-up
    times = [[] for _ in fns]
    for _ in range(runs):
        for fn, ts in zip(fns, times, strict=True):
            t = time.process_time()
            fn()
            ts.append(time.process_time() - t)
    return [statistics.median(ts) for ts in times]


@contextlib.contextmanager
def stock_faces():
    """The document faces as reportlab ships them, for a while: without documents/fonts.py's shared glyf
    table (reportlab aliases a second registration of a face to the first, so it cannot be loaded twice)."""
    from reportlab.pdfbase import pdfmetrics

    from inspector_app.documents import fonts

    faces = [pdfmetrics.getFont(name).face for name in (fonts.BODY, fonts.BOLD)]
    saved = [face.__dict__.pop("get_table", None) for face in faces]
    try:
        yield
    finally:
        for face, get_table in zip(faces, saved, strict=True):
            if get_table is not None:
                face.get_table = get_table


def bare_document(lines: list[str]) -> bytes:
    """One A4 page drawn straight on a reportlab canvas with the same embedded font and the same text as the
    summary (so the same glyphs are subset and embedded): no tables, no images, no QR code, no signature."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from inspector_app.documents import fonts

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, initialFontName=fonts.BODY)
    c.setFont(fonts.BOLD, 18)
    c.drawCentredString(297, 790, lines[0])
    c.setFont(fonts.BODY, 10)
    y = 760
    for line in lines[1:]:
        c.drawString(50, y, line)
        y -= 13
    c.showPage()
    c.save()
    return buf.getvalue()


def photo(seed: int) -> bytes:
    """A 1600×1200 JPEG with texture, about the weight of a phone photo scaled by the camera app."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    img = Image.effect_noise((1600, 1200), 40).convert("RGB")
    d = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rnd.randrange(1600), rnd.randrange(1200)
        d.rectangle((x, y, x + rnd.randrange(40, 400), y + rnd.randrange(40, 300)),
                    fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))  # fmt: skip
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def main() -> int:
    from inspector_app.core import clock
    from inspector_app.core.inspection import photos
    from inspector_app.core.inspection.templates import load_templates
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.models import Enterprise, Inspector, License, Site
    from inspector_app.documents import fonts, pdfsign, qr
    from inspector_app.documents.generate import generate
    from tests.conftest import Sample
    from tests.documents import factory
    from tests.documents.factory import pdf_pages

    clock.today = lambda: date(2026, 6, 15)
    fonts.register()
    import pyhanko.sign  # noqa: F401 — imported once per process in the app too

    db = open_database(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    templates = load_templates(ROOT / "forms")
    with db.session() as s:
        ent = Enterprise(uscc="91350100M000100Y43", name="上海申华塑料制品有限公司", legal_rep="王建国",
                         contact="李秀英", phone="021-57001234", address="上海市奉贤区南桥镇江海路88号",
                         district="奉贤区")  # fmt: skip
        site = Site(enterprise=ent, address="上海市奉贤区南桥镇江海路88号", district="奉贤区")
        lic = License(enterprise=ent, site=site, number="(沪)XK13-006-00021", category="危险化学品",
                      products="涂料", issue_date=date(2022, 3, 1), expiry_date=date(2027, 2, 28))  # fmt: skip
        team = [Inspector(name="张伟", badge_no="31000001"), Inspector(name="刘洋", badge_no="31000002"),
                Inspector(name="陈静", badge_no="31000003")]  # fmt: skip
        s.add_all([ent, site, lic, *team])
        s.flush()
        sample = Sample(ent.id, site.id, lic.id, "", [i.id for i in team])
    pdfsign.ensure_identity("bench", "张伟")

    # 1. summary incl. signing vs bare page
    summary_id = factory.signed(db, sample, templates)
    text = pdf_pages(generate(db, summary_id, "summary").pdf)[0]
    lines = [chunk for line in text.splitlines() for chunk in textwrap.wrap(line, 48) if chunk.strip()]

    def summary_fresh():
        qr.qr_matrix.cache_clear()  # no help from an earlier run's QR code
        return generate(db, summary_id, "summary")

    bare, summary = paired_times([lambda: bare_document(lines), summary_fresh], 25)
    ratio = summary / bare

    # apart from the summary, whose time its 20 MB of copies per page would disturb
    def stock_page():
        with stock_faces():
            return bare_document(lines)

    bare_again, stock = paired_times([lambda: bare_document(lines), stock_page], 15)
    from inspector_app.documents import data as docdata
    from inspector_app.documents import summary as summary_doc

    d = docdata.load(db, summary_id, "summary")
    load_only = median_time(lambda: docdata.load(db, summary_id, "summary"), 15)
    layout_only = median_time(lambda: (qr.qr_matrix.cache_clear(), summary_doc.build(d)), 15)
    unsigned = summary_doc.build(d)[0]
    signing_only = median_time(lambda: pdfsign.sign_pdf(unsigned, reason="bench", device="bench", inspector="张伟"), 15)
    qr_only = median_time(
        lambda: (qr.qr_matrix.cache_clear(), qr.qr_matrix(qr.qr_payload("summary", summary_id, "0" * 64))), 15
    )
    print(f"bare one-page reportlab document, same embedded font : {bare * 1000:7.1f} ms CPU")
    print(f"problem summary incl. data, layout and PAdES signing  : {summary * 1000:7.1f} ms CPU")
    print(f"  ratio {ratio:.2f}×  (target ≤ 2×)  {'OK' if ratio <= 2 else 'OVER'}")
    print(
        f"  (the bare page with reportlab's TTFont as shipped, which copies the whole glyf table per subset:"
        f" {stock * 1000:.1f} ms against {bare_again * 1000:.1f} ms in the same rounds;"
        f" the summary is {summary / (bare * stock / bare_again):.2f}× that)"
    )
    print(
        f"    of which: data {load_only * 1000:.1f} ms,"
        f" layout + fonts + QR (unsigned) {layout_only * 1000:.1f} ms,"
        f" QR code alone {qr_only * 1000:.1f} ms,"
        f" PAdES signing alone {signing_only * 1000:.1f} ms"
    )
    try:
        import _rl_accel  # noqa: F401

        accel = "with"
    except ImportError:
        accel = "WITHOUT (pip install rl_accel)"
    print(f"    reportlab C accelerator: {accel}")

    # 2. ten-page record with 20 photos
    record_id = factory.complete(db, sample, templates, long_records=9, team=3)
    for n in range(20):
        item = templates["industrial"].applicable_items[n % 10].id
        photos.add_photo(db, record_id, item, photo(n), filename=f"现场{n + 1}.jpg", caption=f"现场照片{n + 1}")
    factory.sign(db, record_id)
    doc = generate(db, record_id, "record", with_photos=True)
    pages = len(pdf_pages(doc.pdf))

    def record_fresh():
        qr.qr_matrix.cache_clear()
        return generate(db, record_id, "record", with_photos=True)

    record = median_time(record_fresh, 5)
    print(f"record, {pages} pages with 20 photos, signed            : {record * 1000:7.1f} ms CPU  "
          f"(target ≤ 1500 ms)  {'OK' if record <= 1.5 else 'OVER'}  [{len(doc.pdf) / 1e6:.2f} MB]")  # fmt: skip

    # 3. size
    size = len(generate(db, summary_id, "summary").pdf)
    print(f"summary without photos, signed                        : {size / 1000:7.1f} KB  "
          f"(target ≤ 300 KB)  {'OK' if size <= 300_000 else 'OVER'}")  # fmt: skip
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
