"""Users see a regulation's title and article (《…办法》第二十四条), never our seed numbers (000–004), a docs path
or a section sign (architecture rule 15).

Scanned: every string literal of the GUI (inspector_app/ui) other than docstrings; every translatable string
(`_("…")`) and every argparse help, description and epilog anywhere in the app; and the text of the PDFs
users print — the problem summary, the record, the notice and the statistics report.
"""

import ast
import re
from datetime import date
from pathlib import Path

import pytest

import inspector_app
from inspector_app.documents.generate import generate
from tests.documents.factory import pdf_text

PACKAGE = Path(inspector_app.__file__).parent
INTERNAL = re.compile(r"\b00[0-4]\b\s*(§|第|附件|表|图|[一二三四五六七八九十]+\()|docs/|\.md\b|§")
HELP_KEYWORDS = {"help", "description", "epilog"}
# Modules of the core whose every string is shown: the settings' labels and descriptions, the catalogues.
WHOLE_FILES = {PACKAGE / "core" / "settings.py", PACKAGE / "core" / "catalog.py"}


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def strings_of(node: ast.AST):
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub


def visible_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = docstrings(tree)
    if path.is_relative_to(PACKAGE / "ui") or path.is_relative_to(PACKAGE / "documents") or path in WHOLE_FILES:
        return [(c.lineno, c.value) for c in strings_of(tree) if id(c) not in skip]
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "_":
            found += [(c.lineno, c.value) for arg in node.args for c in strings_of(arg)]
        found += [(c.lineno, c.value) for kw in node.keywords if kw.arg in HELP_KEYWORDS for c in strings_of(kw.value)]
    return sorted(set(found))


def test_no_internal_reference_in_any_string_a_user_sees():
    leaks = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {text!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
        for line, text in visible_strings(path)
        if INTERNAL.search(text)
    ]
    assert leaks == [], "\n".join(leaks)


def test_the_pattern_catches_what_leaked_before():
    for text in ("001 第二十四条", "002 附件2 备注(3)", "000 二(二)", "统计口径见 docs/statistics.md", "001 §24"):
        assert INTERNAL.search(text), text
    assert not INTERNAL.search("《上海市工业产品生产许可证证后监督检查管理办法》第二十四条")
    assert not INTERNAL.search("(沪)XK13-006-00021")


@pytest.mark.parametrize("kind", ["summary", "record", "notice"])
def test_no_internal_reference_in_a_printed_document(db, signed_id, kind):
    text = pdf_text(generate(db, signed_id, kind).pdf)
    assert not INTERNAL.search(text), INTERNAL.search(text)


def test_no_internal_reference_in_the_statistics_report(db, signed_id, tmp_path):
    from inspector_app.core.supervision import statistics
    from inspector_app.documents import statistics_report

    report = statistics.build_report(db, date(2026, 1, 1), date(2026, 12, 31))
    path = statistics_report.export(report, tmp_path / "统计.pdf")
    text = pdf_text(path.read_bytes())
    assert "统计" in text
    assert not INTERNAL.search(text), INTERNAL.search(text)
