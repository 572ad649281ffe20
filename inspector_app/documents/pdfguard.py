"""Two things pyHanko's validation leaves to us.

* The signature's /Contents is a hex string reserved larger than the CMS container; the zero padding after
  the container is covered neither by /ByteRange nor by the CMS, so bytes changed there pass pyHanko's check.
  `padding_untouched` requires the string to be exactly what sign_pdf writes.
* pyHanko logs a Python traceback (WARNING/ERROR) for a damaged or incrementally updated file; with no
  logging configured (the CLI) Python prints it on stderr. `quiet_pyhanko_logging` sends those records to our
  log at DEBUG level, one line each: no traceback reaches a user (CLI and GUI).
"""

from __future__ import annotations

import logging


def padding_untouched(data: bytes, sig) -> bool:
    """The /Contents string between the two byte ranges is exactly what sign_pdf writes: "<", the CMS
    container in upper-case hex, "0" up to the reserved size, ">" — so a byte changed there is seen too."""
    try:
        start, length, second, _rest = (int(x) for x in sig.byte_range)
        gap = data[start + length : second]
        der = bytes(sig.pkcs7_content)
        size = _der_size(der)
        if size is None:
            return False
        body = der[:size].hex().upper().encode()
        return gap == b"<" + body + b"0" * (len(gap) - 2 - len(body)) + b">"
    except (TypeError, ValueError, AttributeError):
        return False


def _der_size(der: bytes) -> int | None:
    """Length of the DER element at the start of `der` (header included)."""
    if len(der) < 2:
        return None
    first = der[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(der) < 2 + count:
        return None
    return 2 + count + int.from_bytes(der[2 : 2 + count], "big")


class _ToDebugLog(logging.Handler):
    """pyHanko logs a Python traceback at WARNING/ERROR for a damaged or updated file; with no logging set
    up (the CLI) Python prints such records on stderr. They go to our log at DEBUG level instead, with the
    exception's one-line text only: the verdict already says what is wrong."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        _log.debug("%s: %s", record.name, text)


_log = logging.getLogger(__name__)
_quiet = False


def quiet_pyhanko_logging() -> None:
    """Route pyHanko's loggers to our DEBUG log, once per process (CLI and GUI alike)."""
    global _quiet
    if _quiet:
        return
    handler = _ToDebugLog()
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False
    _quiet = True
