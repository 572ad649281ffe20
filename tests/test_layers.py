"""The layers of the house as tests (architecture rule 12; docs/architecture.md "Layers").

- the import-linter contracts of pyproject.toml: ui, cli → sync, documents → core;
- migrations are frozen: they import nothing of the live app;
- no module takes another module's `_private` name;
- no import circle between our modules (imports inside functions count: they run too).
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "inspector_app"
MIGRATIONS = PACKAGE / "core" / "storage" / "migrations"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        if MIGRATIONS in path.parents:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path, package: str) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import of the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((module, [a.name for a in node.names], node.lineno))
    return found


def test_the_layer_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "import-linter is missing: it is in the test extras of pyproject.toml"
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_migrations_import_nothing_of_the_live_app():
    offenders = []
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        for module, _names, line in _imports(path, "migration"):
            if module.split(".")[0] == "inspector_app":
                offenders.append(f"{path.name}:{line}: {module}")
    assert not offenders, "a migration must be frozen (copy what it needs):\n" + "\n".join(offenders)


def test_no_module_takes_another_modules_private_name():
    modules = _modules()
    offenders = []
    for name, path in sorted(modules.items()):
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for module, names, line in _imports(path, package):
            if module not in modules or module == name:
                continue
            for taken in names:
                if taken.startswith("_") and taken != "_" and not taken.startswith("__"):  # `_` is gettext
                    offenders.append(f"{path.relative_to(ROOT)}:{line}: {taken} from {module}")
    assert not offenders, "make the name public or move it:\n" + "\n".join(offenders)


def test_no_import_circle():
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for module, names, _line in _imports(path, package):
            for candidate in (*(f"{module}.{n}" for n in names), module):
                if candidate in modules and candidate != name:
                    targets.add(candidate)
                    break
        graph[name] = targets
    # A package's __init__ that imports its own modules is how a package is assembled, not a circle.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    circles = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert not circles, "import circles:\n" + "\n".join(" ↔ ".join(sorted(c)) for c in circles)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the graph has a few hundred nodes)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                out.append(component)
    return out
