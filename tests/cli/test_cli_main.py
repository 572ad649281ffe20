"""The command line's own words: help and usage errors in Chinese, exit 2, and which arguments open the GUI."""

import pytest

from inspector_app.__main__ import _is_gui
from inspector_app.cli.main import EXIT_USAGE, main


def test_help_is_in_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：inspector-app") and "显示本帮助并退出" in out
    assert "show this help" not in out and "options" not in out
    assert "--demo" in out  # the window's own options are named too (the README points here)


@pytest.mark.parametrize(
    "argv, words",
    [
        (["roster", "import"], "缺少必需的参数：文件"),
        (["no-such-command"], "无效的选项 'no-such-command'"),
        (["roster", "export", "a.csv", "--bogus"], "无法识别的参数：--bogus"),
    ],
)
def test_usage_errors_exit_2_in_chinese(capsys, argv, words):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "用法错误" in err and words in err and "error:" not in err


@pytest.mark.parametrize(
    "argv, gui",
    [
        ([], True),
        (["--demo"], True),
        (["--db", "x.sqlite3"], True),
        (["--db=x.sqlite3", "--demo"], True),
        (["--db=x.sqlite3", "demo"], False),
        (["--version"], False),
    ],
)
def test_which_arguments_open_the_window(argv, gui):
    assert _is_gui(argv) is gui
