"""Writing a file so that a reader, a crash or a power cut sees the old file or the new one, never half of it.

Every file the program writes whole (an export, a key, a cache, an issued PDF) goes through `replacing()` or
`write_atomic()`: a temporary file in the same folder, renamed over the target. `durable=True` also fsyncs
the file before the rename and the folder after it, so the new file survives a power cut; a cache that is
only a shortcut may skip that.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: str | Path, *, mode: int | None = None, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write (by any library); on success it replaces `path`.

    `mode` creates the temporary file with those permissions first (0o600 for a private key). On any error
    the temporary file is removed and the target is untouched.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if mode is not None:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode))
        yield tmp
        if durable:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        if exc.filename == str(tmp):  # a message names the user's file, not our temporary one
            exc.filename = str(path)
        raise
    finally:
        tmp.unlink(missing_ok=True)
    if durable:
        fsync_dir(path.parent)


def write_atomic(path: str | Path, data: bytes | str, *, mode: int | None = None, durable: bool = True) -> None:
    """Write `data` (text as UTF-8) to `path` whole; see `replacing`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path, mode=mode, durable=durable) as tmp:
        with open(tmp, "r+b" if mode is not None else "wb") as f:
            f.write(raw)
            f.truncate()


def fsync_dir(folder: str | Path) -> None:
    """Make a rename in `folder` durable. Windows cannot open a folder for fsync (NTFS journals its metadata),
    and some file systems (FAT on a USB stick under some kernels) refuse it: both are left as they are."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
