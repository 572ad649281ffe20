"""`inspector-app templates validate`: each good file with id/version/item count, every problem, exit codes."""

import shutil
from pathlib import Path

import pytest

from inspector_app.cli.main import main
from inspector_app.core.templates import load_templates

FORMS = Path(__file__).resolve().parents[2] / "forms"


def test_default_validates_the_shipped_forms(capsys):
    assert main(["templates", "validate"]) == 0
    out, err = capsys.readouterr()
    templates = load_templates(FORMS)
    for template in templates.values():
        assert f"通过（id = {template.id}，版本 {template.version}，{len(template.items)} 个检查项）" in out
    assert out.count("通过") == len(list(FORMS.glob("*.toml")))
    assert err == ""


def test_named_files_are_validated(capsys):
    assert main(["templates", "validate", str(FORMS / "food.toml")]) == 0
    out = capsys.readouterr().out
    assert "food.toml：通过（id = food" in out


def test_a_broken_file_lists_every_problem_and_exits_1(tmp_path, capsys):
    text = (FORMS / "food.toml").read_text("utf-8")
    broken = text.replace('id = "food"', 'id = "Food Form"', 1).replace("version = 2", 'version = "二"', 1)
    assert broken != text
    path = tmp_path / "broken.toml"
    path.write_text(broken, "utf-8")
    assert main(["templates", "validate", str(FORMS / "food.toml"), str(path)]) == 1
    out, err = capsys.readouterr()
    assert "food.toml：通过" in out
    assert "broken.toml" not in out
    problems = [line for line in err.splitlines() if line.startswith("文件 broken.toml")]
    assert len(problems) >= 2  # both mistakes, not just the first
    assert "未通过校验" in err


def test_a_toml_syntax_error_names_the_line(tmp_path, capsys):
    path = tmp_path / "syntax.toml"
    path.write_text("[template]\nid = “food”\n", "utf-8")
    assert main(["templates", "validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "文件 syntax.toml" in err and "第 2 行" in err


def test_two_files_with_the_same_id_conflict(tmp_path, capsys):
    a = tmp_path / "a.toml"
    b = tmp_path / "b.toml"
    shutil.copy(FORMS / "food.toml", a)
    shutil.copy(FORMS / "food.toml", b)
    assert main(["templates", "validate", str(a), str(b)]) == 1
    err = capsys.readouterr().err
    assert 'id = "food" 与文件 a.toml 重复' in err
    assert "同时出现在文件 a.toml 中" in err


def test_a_missing_file_exits_1(tmp_path, capsys):
    assert main(["templates", "validate", str(tmp_path / "nothere.toml")]) == 1
    assert "nothere.toml" in capsys.readouterr().err


def test_default_folder_conflicts_between_files_are_reported(tmp_path, monkeypatch, capsys):
    forms = tmp_path / "forms"
    forms.mkdir()
    shutil.copy(FORMS / "food.toml", forms / "food.toml")
    shutil.copy(FORMS / "food.toml", forms / "food-copy.toml")
    monkeypatch.setattr("inspector_app.paths.forms_dir", lambda: forms)
    assert main(["templates", "validate"]) == 1
    out, err = capsys.readouterr()
    assert out.count("通过") == 2  # each file is fine on its own
    assert "重复" in err


def test_empty_default_folder_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("inspector_app.paths.forms_dir", lambda: tmp_path)
    assert main(["templates", "validate"]) == 1
    assert "没有任何 .toml" in capsys.readouterr().err


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["templates"])
    assert caught.value.code == 2
