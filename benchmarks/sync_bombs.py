"""Zip bombs for the sync benchmark (bench_sync.py, issue 4 §6 point 3): an honest 1 GiB one, one that lies
about its size, overlapping entries, ten million declared entries — each must be refused within 1 s."""

import struct
import time
import zipfile
import zlib
from pathlib import Path

BOMB_TARGET_S = 1.0


def _bomb_honest(path: Path, gib: float) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("records/inspection.jsonl", "w", force_zip64=True) as f:
            block = b"\0" * (16 * 1024 * 1024)
            for _ in range(int(gib * 64)):
                f.write(block)
    return path


def _bomb_lying(path: Path, real: int) -> Path:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = b"".join(comp.compress(b" " * (16 * 1024 * 1024)) for _ in range(real // (16 * 1024 * 1024))) + comp.flush()
    name = b"bundle.json"
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(data), 900, len(name), 0) + name
    central = (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, 0, len(data), 900, len(name), 0, 0, 0, 0, 0, 0
        )
        + name
    )
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    path.write_bytes(local + data + central + eocd)
    return path


def _bomb_overlap(path: Path, entries: int) -> Path:
    """Fifield-style: one compressed kernel, thousands of directory entries pointing into it."""
    kernel = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = kernel.compress(b"\0" * (100 * 1024 * 1024)) + kernel.flush()
    body = b""
    central = b""
    name0 = b"files/k/x/s0"
    body = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(data), 100 * 1024 * 1024, len(name0), 0)
    body += name0 + data
    for i in range(entries):
        n = b"files/k/x/s%d" % i
        central += (
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                0,
                len(data),
                100 * 1024 * 1024,
                len(n),
                0,
                0,
                0,
                0,
                0,
                0,
            )
            + n
        )
    eocd = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, min(entries, 0xFFFF), min(entries, 0xFFFF), len(central), len(body), 0
    )
    path.write_bytes(body + central + eocd)
    return path


def _bomb_entries(path: Path) -> Path:
    """An end record claiming ten million entries (zip64)."""
    n = 10_000_000
    rec = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, 46 * n, 0)
    loc = struct.pack("<4sIQI", b"PK\x06\x07", 0, 0, 1)
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(rec + loc + eocd)
    return path


def bench_bombs(root, bureau_path):
    from inspector_app.core.storage.db import open_database
    from inspector_app.sync.format import BundleRefused
    from inspector_app.sync.importer import import_bundle

    db = open_database(bureau_path)
    bombs = root / "bombs"
    bombs.mkdir()
    cases = [
        ("honest 1 GiB of zeros (ratio ≈ 1000:1)", _bomb_honest(bombs / "honest.ibundle", 1)),
        (
            "lies about its size (declares 900 B, inflates to 512 MiB)",
            _bomb_lying(bombs / "lying.ibundle", 512 * 1024 * 1024),
        ),
        ("overlapping entries (2,000 × 100 MiB)", _bomb_overlap(bombs / "overlap.ibundle", 2000)),
        ("ten million declared entries", _bomb_entries(bombs / "entries.ibundle")),
    ]
    print()
    print("ZIP BOMBS")
    for label, path in cases:
        t = time.perf_counter()
        try:
            import_bundle(db, path)
        except BundleRefused as exc:
            elapsed = time.perf_counter() - t
            verdict = "met" if elapsed <= BOMB_TARGET_S else "NOT met"
            print(
                f"  {label:58s} refused in {elapsed * 1000:7.1f} ms [{exc.problem}] "
                f"({verdict}; {path.stat().st_size / 1e6:.1f} MB file)"
            )
        else:
            print(f"  {label:58s} NOT REFUSED")
    db.close()
