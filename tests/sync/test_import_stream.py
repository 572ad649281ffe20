"""How the import reads records and attachments (verify.py, members.py, records.record_hash): the faster paths
give the same hashes and refuse what the slower ones refused, and some inputs they did not handle."""

import json
import math
import random
import string
import threading
import zipfile
from datetime import datetime
from hashlib import sha256

import pytest
import sqlalchemy as sa

from inspector_app.core.storage.models import ItemResult
from inspector_app.core.storage.sync_models import Device
from inspector_app.sync import crypto, records
from inspector_app.sync import members as member_reading
from inspector_app.sync.format import (
    FORMAT_VERSION,
    BundleRefused,
    Header,
    Limits,
    Manifest,
    Member,
    b64,
    canonical_json,
    sealed_path,
)

from .hostile_helpers import forge, real_records, refused, write_zip


@pytest.fixture
def w(world):
    world.bundles_dir = world.a.bundles
    return world


# ------------------------------------------------------------------ record_hash
class _Plain(records.RecordKind):
    name = "plain"


def _reference(data: dict, files: dict) -> str:
    return sha256(canonical_json({"data": data, "files": dict(sorted(files.items()))})).hexdigest()


def _value(rnd: random.Random, depth: int = 0):
    r = rnd.random()
    if r < 0.35:
        text = "".join(rnd.choice(string.ascii_letters + "+/=") for _ in range(rnd.choice([0, 9, 4095, 4096, 9000])))
        if text and rnd.random() < 0.5:  # something canonical JSON escapes or writes as UTF-8
            at = rnd.randrange(len(text))
            text = text[:at] + rnd.choice(['"', "\\", "\n", "\x00", "\x1f", "\x7f", "é", "检", "\u2028"]) + text[at:]
        return text
    if r < 0.45:
        return rnd.randint(-(10**20), 10**20)
    if r < 0.5:
        return rnd.random() * 1e6
    if r < 0.55:
        return rnd.choice([None, True, False])
    if r < 0.7 and depth < 2:
        return [_value(rnd, depth + 1) for _ in range(3)]
    if r < 0.85 and depth < 2:
        return {rnd.choice(["a", "B", "é", "z9", "照片"]): _value(rnd, depth + 1) for _ in range(3)}
    return "现场照片"


def test_record_hash_is_the_hash_of_the_canonical_json_whatever_the_values():
    rnd = random.Random(20260615)
    kind = _Plain()
    long_values = 0
    for _ in range(1500):
        data = {
            rnd.choice(["print_copy", "thumbnail", "a", "Z", "é", "中文", 'q"']) + str(n): _value(rnd) for n in range(5)
        }
        files = {"original": "ab" * 32} if rnd.random() < 0.5 else {}
        expected = _reference(data, files)
        assert records.record_hash(kind, data, files) == expected
        # A key named as base64 whose value is not (a quote, a control character) still hashes right
        # when the quote is there; base64_keys is only given for strictly validated values.
        safe_hint = {k for k, v in data.items() if isinstance(v, str) and not any(c < " " for c in v)}
        assert records.record_hash(kind, data, files, safe_hint) == expected
        long_values += any(isinstance(v, str) and len(v) >= 4096 for v in data.values())
    assert long_values > 300  # the streamed path was taken


def test_values_without_a_canonical_form_raise_value_error():
    kind = _Plain()
    for data in ({"x": math.nan}, {"x": "\ud800" * 5000}, {"x": "a" * 5000, "y": math.inf}):
        with pytest.raises(ValueError):
            records.record_hash(kind, data, {})


def test_only_the_generic_validation_vouches_for_base64_columns():
    table = sa.Table(
        "t_blob", sa.MetaData(), sa.Column("id", sa.String(36), primary_key=True), sa.Column("img", sa.LargeBinary)
    )
    assert records.TableKind(table, "t_blob", "图").base64_keys == {"img"}

    class Lenient(records.TableKind):
        def validate(self, data, record_id):
            return data

    assert Lenient(table, "t_blob", "图").base64_keys == frozenset()


# ------------------------------------------------------------------ records that used to crash the import
def _with_line(w, recs: dict, kind: str, line: bytes, name: str):
    """A signed bundle whose records/<kind>.jsonl is `line` (written as is, not canonical JSON)."""
    return forge(w.a.bundles / name, w.a.identity, w.bureau.id, records=recs, files={f"records/{kind}.jsonl": line})


def test_nan_and_lone_surrogates_are_invalid_records_not_crashes(w):
    recs = real_records(w)
    env = recs["inspection"][0]
    nan = dict(env, data={**env["data"], "template_version": math.nan})
    line = json.dumps(nan, ensure_ascii=False).encode() + b"\n"  # json.loads accepts NaN
    err = refused(
        w, _with_line(w, recs, "inspection", line, "nan.ibundle"), "invalid_record", "records/inspection.jsonl"
    )
    assert "第1行" in str(err) and "NaN" in str(err)
    item = next(iter(env["data"]["answers"]))
    answers = {**env["data"]["answers"], item: {**env["data"]["answers"][item], "remark": "\ud800"}}
    surrogate = dict(env, data={**env["data"], "answers": answers})
    line = json.dumps(surrogate).encode() + b"\n"  # "\ud800" as an escape: valid JSON, not valid UTF-8
    refused(w, _with_line(w, recs, "inspection", line, "sur.ibundle"), "invalid_record", "records/inspection.jsonl")


def test_a_record_line_over_the_limit_is_refused_even_inside_one_chunk(w):
    w.start(w.a, {w.items[0]: "conform"})
    path = w.a.export("lines.ibundle", encrypt=False).path  # its template snapshot is one line of ≈ 20 KB
    refused(w, path, "too_large", "records/template_snapshot.jsonl", limits=Limits(max_record_line_bytes=1000))
    w.bureau.import_(path, limits=Limits(max_record_line_bytes=1_000_000))  # the same bundle is fine otherwise


# ------------------------------------------------------------------ the read-ahead worker
def _bundle_readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bundle-")]


def test_a_damaged_deflated_records_member_is_refused_and_the_reader_stops(w, monkeypatch):
    monkeypatch.setattr(member_reading, "_READ_AHEAD_MIN", 0)  # small members too go through the worker
    w.start(w.a, {w.items[0]: "conform"})
    path = w.a.export("plain.ibundle", encrypt=False).path
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("records/inspection.jsonl")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    raw = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.orig_filename.encode()) + len(info.extra)
    for at in range(start + 10, start + info.compress_size - 10, 7):
        raw[at] ^= 0x55
    path.write_bytes(bytes(raw))
    with pytest.raises(BundleRefused) as exc:
        w.bureau.verify(path)
    assert exc.value.problem in ("damaged", "hash_mismatch", "zip_bomb"), str(exc.value)
    refused(w, path, exc.value.problem, "records/inspection.jsonl")
    assert _bundle_readers() == []


def test_records_read_ahead_decrypts_and_refuses_a_tampered_member(w, monkeypatch):
    monkeypatch.setattr(member_reading, "_READ_AHEAD_MIN", 0)
    iid = w.start(w.a, {w.items[0]: "nonconform"})
    r = w.a.export("enc.ibundle")
    assert r.encrypted
    with zipfile.ZipFile(r.path) as zf:
        members = [(n, zf.read(n)) for n in zf.namelist()]
    victim = "sealed/00000001"  # the second member: records/inspection.jsonl (the snapshot comes first)
    tampered = [(n, (d[:40] + bytes([d[40] ^ 1]) + d[41:]) if n == victim else d) for n, d in members]
    p = write_zip(w.a.bundles / "t.ibundle", tampered)
    refused(w, p, "decrypt_failed", "records/inspection.jsonl")
    assert _bundle_readers() == []
    res = w.bureau.import_(r.path)  # the untouched bundle goes through the same worker
    assert res.preview.total("added") == 2
    with w.bureau.db.session() as s:
        q = sa.select(ItemResult.conclusion).where(ItemResult.inspection_id == iid, ItemResult.item_id == w.items[0])
        assert s.scalar(q) == "nonconform"
    assert _bundle_readers() == []


# ------------------------------------------------------------------ sealed attachments on the workers
def _forge_sealed(w, path, contents: dict[str, bytes], counts: dict[str, int], wrong: str | None = None):
    """An encrypted bundle from laptop A for the bureau, by hand; `wrong`: a member whose manifest hash lies."""
    with w.a.db.session() as s:
        bureau_key = s.get(Device, w.bureau.id).encryption_key
    sealer = crypto.Sealer(w.bureau.id, bureau_key, chunk_size=4096)
    members = tuple(Member(p, len(d), sha256(b"lie" if p == wrong else d).hexdigest()) for p, d in contents.items())
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        app_version="0.1.0",
        source=w.a.id,
        source_role="field",
        source_name=w.a.identity.name,
        sequence=7,
        destination=w.bureau.id,
        created_at=datetime(2026, 6, 15, 8),
        full=False,
        counts=counts,
        members=members,
    ).to_bytes()
    sig = b64(crypto.sign(w.a.identity.signing, manifest)).encode()
    zmembers = [
        ("bundle.json", Header(FORMAT_VERSION, sealer.encryption).to_bytes()),
        ("sealed/manifest", sealer.seal(crypto.STREAM_MANIFEST, manifest)),
        ("sealed/signature", sealer.seal(crypto.STREAM_SIGNATURE, sig)),
    ]
    for i, data in enumerate(contents.values()):
        zmembers.append((sealed_path(i), sealer.seal(crypto.STREAM_FIRST_MEMBER + i, data)))
    return write_zip(path, zmembers)


def test_a_sealed_attachment_with_the_wrong_hash_is_refused_by_the_staging_workers(w):
    recs = real_records(w)
    iid = recs["inspection"][0]["id"]
    contents = {f"records/{k}.jsonl": b"".join(canonical_json(r) + b"\n" for r in v) for k, v in recs.items()}
    photos = {f"files/inspection/{iid}/p{n}": random.Random(n).randbytes(10_000 + n) for n in range(40)}
    contents = {**photos, **contents}
    counts = {k: len(v) for k, v in recs.items()}
    victim = f"files/inspection/{iid}/p23"
    path = _forge_sealed(w, w.a.bundles / "sealed.ibundle", contents, counts, wrong=victim)
    refused(w, path, "hash_mismatch", victim)
    assert _bundle_readers() == []
    # With honest hashes the attachments pass and only the record check objects (they belong to no record).
    path = _forge_sealed(w, w.a.bundles / "sealed2.ibundle", contents, counts)
    err = refused(w, path, "invalid_record")
    assert "附件不属于任何记录" in str(err)


def test_a_tampered_or_cut_sealed_attachment_is_refused_by_name(w):
    """A sealed attachment of photo size (decrypted on the reading thread, staged on the workers) with a
    flipped bit or cut short is refused by name."""
    recs = real_records(w)
    iid = recs["inspection"][0]["id"]
    contents = {f"files/inspection/{iid}/p{n}": random.Random(n).randbytes(9_000 + n) for n in range(12)}
    contents.update({f"records/{k}.jsonl": b"".join(canonical_json(r) + b"\n" for r in v) for k, v in recs.items()})
    counts = {k: len(v) for k, v in recs.items()}
    good = _forge_sealed(w, w.a.bundles / "good.ibundle", contents, counts)
    with zipfile.ZipFile(good) as zf:
        members = [(n, zf.read(n)) for n in zf.namelist()]
    victim = sealed_path(5)  # p5, sealed in chunks of 4 KiB
    flipped = [(n, (d[:5000] + bytes([d[5000] ^ 1]) + d[5001:]) if n == victim else d) for n, d in members]
    refused(w, write_zip(w.a.bundles / "flip.ibundle", flipped), "decrypt_failed", f"files/inspection/{iid}/p5")
    cut = [(n, d[:-5] if n == victim else d) for n, d in members]  # checked against the manifest first
    refused(w, write_zip(w.a.bundles / "cut.ibundle", cut), "size_mismatch", f"files/inspection/{iid}/p5")
    assert _bundle_readers() == []
    err = refused(w, good, "invalid_record")  # honest: only the record check objects (attachments of no record)
    assert "附件不属于任何记录" in str(err)
