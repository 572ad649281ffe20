"""`inspector-app templates validate|publish|list`: each good file with id/version/item count, every problem,
exit codes; the bureau publishes (a laptop may not), and list shows where each version comes from."""

import shutil
from pathlib import Path

import pytest

from inspector_app.cli.main import main
from inspector_app.core.inspection.templates import load_templates

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


# --- publish / list ------------------------------------------------------------------------------------------


def _v3(tmp_path, category="技术、工艺文件") -> Path:
    from tests.core.test_template_store import industrial_text, write

    return write(tmp_path, "industrial-v3.toml", industrial_text(3, item_category=category))


def _releases(db_path) -> list[tuple[str, int]]:
    from inspector_app.core.inspection.template_store import releases
    from inspector_app.core.storage.db import open_database

    db = open_database(db_path)
    try:
        return [(r.template_id, r.version) for r in releases(db)]
    finally:
        db.close()


def test_publish_then_list_shows_what_new_inspections_use(tmp_path, capsys):
    db = str(tmp_path / "bureau.sqlite3")
    assert main(["--db", db, "templates", "publish", str(_v3(tmp_path)), "--by", "王芳"]) == 0
    out = capsys.readouterr().out
    assert "已发布模板 industrial 第 3 版（industrial-v3.toml）" in out
    assert main(["--db", db, "templates", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    (v3,) = [line for line in lines if line.startswith("industrial  第 3 版")]
    assert "区局发布（industrial-v3.toml，" in v3 and "，王芳）" in v3 and v3.endswith("← 新检查使用")
    (v2,) = [line for line in lines if line.startswith("industrial  第 2 版")]
    assert "程序自带（industrial.toml）" in v2 and "新检查使用" not in v2
    (food,) = [line for line in lines if line.startswith("food  第 2 版")]
    assert food.endswith("← 新检查使用")


def test_publish_refuses_a_bad_file_naming_the_item_and_writes_nothing(tmp_path, capsys):
    db = tmp_path / "bureau.sqlite3"
    assert main(["--db", str(db), "templates", "publish", str(_v3(tmp_path, category="工艺文件"))]) == 1
    out, err = capsys.readouterr()
    assert "文件 industrial-v3.toml，检查项 3.3：问题分类 category “工艺文件” 不认识" in err
    assert out == ""
    assert _releases(db) == []


def test_publish_refuses_a_version_already_published(tmp_path, capsys):
    db = tmp_path / "bureau.sqlite3"
    assert main(["--db", str(db), "templates", "publish", str(_v3(tmp_path))]) == 0
    capsys.readouterr()
    (tmp_path / "again").mkdir()
    other = _v3(tmp_path / "again", category="其他")
    assert main(["--db", str(db), "templates", "publish", str(other)]) == 1
    assert "version = 3 不高于区局发布的模板 industrial（第 3 版" in capsys.readouterr().err
    assert _releases(db) == [("industrial", 3)]


def test_publish_is_refused_on_a_field_laptop(tmp_path, capsys):
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.models import Setting
    from inspector_app.core.storage.sync_models import SETTING_DEVICE_ROLE

    path = tmp_path / "laptop.sqlite3"
    db = open_database(path)
    with db.session() as s:
        s.add(Setting(key=SETTING_DEVICE_ROLE, value="field"))
    db.close()
    assert main(["--db", str(path), "templates", "publish", str(_v3(tmp_path))]) == 1
    assert "发布检查表模板由区局进行，本机是现场检查终端" in capsys.readouterr().err
    assert _releases(path) == []


def test_list_reports_a_category_claimed_twice(tmp_path, monkeypatch, capsys):
    from tests.core.test_template_store import cement_text, industrial_text, write

    db = str(tmp_path / "bureau.sqlite3")
    cement = write(tmp_path, "cement.toml", cement_text())
    general = write(tmp_path, "general.toml", industrial_text(3, drop=("水泥",)))
    assert main(["--db", db, "templates", "publish", str(cement), str(general)]) == 0
    capsys.readouterr()
    # A newer program ships industrial v4 that still lists 水泥.
    forms = tmp_path / "forms"
    forms.mkdir()
    shutil.copy(FORMS / "food.toml", forms / "food.toml")
    write(forms, "industrial.toml", industrial_text(4))
    monkeypatch.setattr("inspector_app.paths.forms_dir", lambda: forms)
    assert main(["--db", db, "templates", "list"]) == 1
    out, err = capsys.readouterr()
    assert "cement  第 1 版" in out and "industrial  第 4 版" in out
    assert "产品类别“水泥”同时属于" in err
