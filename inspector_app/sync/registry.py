"""The process-wide registry of record kinds: the built-in kinds, receipts and every `kinds_*.py` module.

Assembled here, above the kind modules (which import only the machinery in sync/records.py), so that no
kind module needs to import the registry back.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading

from inspector_app.sync.builtin_kinds import add_builtin_kinds
from inspector_app.sync.receipts import ReceiptKind
from inspector_app.sync.records import Registry


def builtin_registry() -> Registry:
    reg = add_builtin_kinds(Registry())
    reg.add(ReceiptKind())
    return reg


def discover(reg: Registry) -> Registry:
    """Let every `inspector_app/sync/kinds_*.py` module add its kinds (the extension point)."""
    import inspector_app.sync as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("kinds_"):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            module.register(reg)
    return reg


_REGISTRY: Registry | None = None
_REGISTRY_LOCK = threading.Lock()


def registry() -> Registry:
    """The process-wide registry (built-in kinds + discovered modules), built on first use (any thread)."""
    global _REGISTRY
    with _REGISTRY_LOCK:
        if _REGISTRY is None:
            _REGISTRY = discover(builtin_registry())
        return _REGISTRY


def reset_registry() -> None:
    """Forget the registry (tests that register kinds of their own)."""
    global _REGISTRY
    _REGISTRY = None
