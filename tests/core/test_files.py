"""Whole-file writes (core/files.py): the old file or the new one, never half; private files private."""

import stat

import pytest

from inspector_app.core.files import replacing, write_atomic


def test_a_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "roster.csv"
    target.write_text("old", encoding="utf-8")
    write_atomic(target, "新的内容")
    assert target.read_text(encoding="utf-8") == "新的内容"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "roster.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("the writer failed half-way")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_a_private_file_is_never_readable_by_others(tmp_path):
    target = tmp_path / "device.key"
    write_atomic(target, b"secret", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    write_atomic(target, b"secret 2", mode=0o600)
    assert target.read_bytes() == b"secret 2" and stat.S_IMODE(target.stat().st_mode) == 0o600
