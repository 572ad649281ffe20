"""Documents benchmark: the user's targets (issue 14 §4), each printed beside its floor measured in the same run.
Not part of the test run.

    .venv/bin/python benchmarks/bench_documents.py

(a) the three signed documents of one inspection (problem summary, record, notice), from the click to the
    bytes on disk: generate, sign, write the file and archive it (documents/issue.save_issued) — CPU ms,
    target ≤ 300 ms; floor: three bare one-page reportlab documents with the same embedded font and text;
(b) 500 problem summaries in a batch, signed and saved — seconds, target ≤ 60 s; floor: 500 bare pages.
Fonts are registered and pyHanko imported before timing (once per process in the app as well). Times are
CPU time of this process (time.process_time), medians for (a): the machine is shared, and wall clock counts
the others' work too; (b) prints wall clock as well.
"""

import io
import os
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


def main() -> int:
    from inspector_app.core import clock
    from inspector_app.core.inspection.templates import load_templates
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.models import Enterprise, Inspector, License, Site
    from inspector_app.documents import fonts, pdfsign, qr
    from inspector_app.documents.generate import generate
    from inspector_app.documents.issue import save_issued
    from tests.conftest import Sample
    from tests.documents import factory
    from tests.documents.factory import pdf_pages

    clock.today = lambda: date(2026, 6, 15)
    fonts.register()
    import pyhanko.sign  # noqa: F401 — imported once per process in the app too

    work = Path(tempfile.mkdtemp(prefix="bench-docs-out-"))
    db = open_database(work / "bench.sqlite3")
    templates = load_templates(ROOT / "forms")
    from inspector_app.core import settings

    settings.set_value(db, "device.docnumber_prefix", "B1")
    factory.configure_bureau(db)
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

    iid = factory.signed(db, sample, templates)
    texts = [pdf_pages(generate(db, iid, t).pdf)[0] for t in ("summary", "record", "notice")]
    pages = [[chunk for line in text.splitlines() for chunk in textwrap.wrap(line, 48) if chunk.strip()]
             for text in texts]  # fmt: skip
    runs = iter(range(10**6))

    def three_documents():
        qr.qr_matrix.cache_clear()  # no help from an earlier run's QR code
        n = next(runs)
        for doc_type in ("summary", "record", "notice"):
            save_issued(db, generate(db, iid, doc_type), work / f"{doc_type}-{n}.pdf")

    def three_bare():
        for n, lines in enumerate(pages):
            (work / f"bare-{n}.pdf").write_bytes(bare_document(lines))

    three = median_time(three_documents, 11)
    floor = median_time(three_bare, 11)
    print(f"(a) three signed documents of one inspection, click to bytes on disk : {three * 1000:7.1f} ms CPU"
          f"  (target ≤ 300 ms)  {'OK' if three <= 0.3 else 'OVER'}")  # fmt: skip
    print(f"    floor: three bare one-page reportlab documents, same font and text : {floor * 1000:7.1f} ms CPU"
          f"  ({three / floor:.1f}× the floor)")  # fmt: skip

    # (b) 500 summaries: 25 inspections (each a different enterprise's record would weigh the same), 20 rounds
    ids = [factory.signed(db, sample, templates) for _ in range(25)]
    out = work / "batch"
    out.mkdir()
    t, w = time.process_time(), time.perf_counter()
    for n in range(500):
        qr.qr_matrix.cache_clear()
        save_issued(db, generate(db, ids[n % len(ids)], "summary"), out / f"summary-{n}.pdf")
    batch_cpu, batch_wall = time.process_time() - t, time.perf_counter() - w
    t, w = time.process_time(), time.perf_counter()
    for n in range(500):
        (out / f"bare-{n}.pdf").write_bytes(bare_document(pages[0]))
    bare_cpu, bare_wall = time.process_time() - t, time.perf_counter() - w
    verdict = "OK" if max(batch_cpu, batch_wall) <= 60 else "OVER"
    print(f"(b) 500 problem summaries in a batch, signed and saved                : {batch_cpu:7.1f} s CPU"
          f" ({batch_wall:.1f} s wall)  (target ≤ 60 s)  {verdict}")  # fmt: skip
    print(f"    floor: 500 bare one-page reportlab documents                       : {bare_cpu:7.1f} s CPU"
          f" ({bare_wall:.1f} s wall)")  # fmt: skip
    try:
        import _rl_accel  # noqa: F401

        accel = "with"
    except ImportError:
        accel = "WITHOUT (pip install rl_accel)"
    print(f"    reportlab C accelerator: {accel}")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
