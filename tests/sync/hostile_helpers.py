"""Helpers of the hostile bundle tests (test_hostile_*.py, test_template_sync.py): forged bundles, raw zips,
and `refused` (an import that must refuse naming the problem and change nothing)."""

import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspector_app.core.storage.models import Base
from inspector_app.sync import crypto
from inspector_app.sync.format import (
    FORMAT_VERSION,
    BundleRefused,
    Header,
    Manifest,
    Member,
    b64,
    canonical_json,
)
from inspector_app.sync.staging_folders import staging_root


def snapshot(node) -> dict:
    with node.db.session() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def no_stray_files(world) -> None:
    root = staging_root()
    assert not root.exists() or not any(root.iterdir())
    assert sorted(p.name for p in world.bundles_dir.iterdir() if p.name.startswith(".")) == []


def refused(world, path: Path, problem: str, member: str | None = None, *, node=None, limits=None) -> BundleRefused:
    """Import must refuse with `problem`, naming `member`, and change nothing (verify too)."""
    node = node or world.bureau
    before = snapshot(node)
    kwargs = {"limits": limits} if limits else {}
    with pytest.raises(BundleRefused) as exc:
        node.import_(path, **kwargs)
    with pytest.raises(BundleRefused) as exc2:
        node.verify(path, **kwargs)
    assert exc.value.problem == problem, str(exc.value)
    assert exc2.value.problem == problem
    if member is not None:
        assert exc.value.member == member, str(exc.value)
        assert member in str(exc.value)
    assert "未作任何改动" in str(exc.value)
    assert snapshot(node) == before
    no_stray_files(world)
    return exc.value


def write_zip(path: Path, members: list, *, method=zipfile.ZIP_STORED) -> Path:
    """members: (name or ZipInfo, bytes)."""
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def forge(
    path: Path,
    signer,
    destination: str,
    *,
    records: dict | None = None,
    files: dict | None = None,
    seq: int = 1,
    sign_with=None,
    manifest_patch: dict | None = None,
    extra: list | None = None,
    header: bytes | None = None,
    role: str | None = None,
    member_patch: dict | None = None,
) -> Path:
    """A plain bundle written by hand: records {kind: [envelope dicts]}, files {path: bytes}."""
    contents: dict[str, bytes] = {}
    counts = {}
    for kind, recs in (records or {}).items():
        contents[f"records/{kind}.jsonl"] = b"".join(canonical_json(r) + b"\n" for r in recs)
        counts[kind] = len(recs)
    contents.update(files or {})
    from hashlib import sha256

    manifest = Manifest(
        format_version=FORMAT_VERSION,
        app_version="0.1.0",
        source=signer.device_id,
        source_role=role or signer.role,
        source_name=signer.name,
        sequence=seq,
        destination=destination,
        created_at=datetime(2026, 6, 15, 8, 0, 0),
        full=False,
        counts=counts,
        members=tuple(Member(p, len(d), sha256(d).hexdigest()) for p, d in contents.items()),
    ).to_dict()
    manifest.update(manifest_patch or {})
    body = canonical_json(manifest)
    sig = b64(crypto.sign((sign_with or signer).signing, body)).encode()
    members = [
        ("bundle.json", header or Header(FORMAT_VERSION, None).to_bytes()),
        ("manifest.json", body),
        ("manifest.sig", sig),
    ]
    contents.update(member_patch or {})
    members += list(contents.items()) + list(extra or [])
    return write_zip(path, members)


def real_records(world, iid=None) -> dict:
    """A plain bundle from laptop A with one inspection: its record envelopes by kind."""
    world.start(world.a, {world.items[0]: "conform"})
    r = world.a.export("plain.ibundle", encrypt=False)
    out = {}
    with zipfile.ZipFile(r.path) as zf:
        for name in zf.namelist():
            if name.startswith("records/"):
                out[name[8:-6]] = [json.loads(line) for line in zf.read(name).splitlines()]
    r.path.unlink()
    return out


def good(w) -> Path:
    return w.a.export("good.ibundle", encrypt=False).path
