"""`inspector-app settings show|set`: values shown with their meaning, set through core's rules, printed on
the documents; a refused value exits 1 with a Chinese reason and leaves every setting as it was."""

import json

import pytest

from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main
from inspector_app.core import settings
from inspector_app.core.storage.models import Setting
from tests.documents import factory
from tests.documents.factory import pdf_text

BUREAU = "上海市奉贤区市场监督管理局"


def run(db, *args):
    # Close the test's connections first (see test_cli_pdf.py): the CLI opens the file on its own.
    db.close()
    return main(["--db", str(db.path), *args])


def stored_rows(db) -> dict[str, str]:
    with db.session() as s:
        return {r.key: r.value for r in s.query(Setting)}


def test_show_lists_every_setting_with_its_value_and_meaning(db, capsys):
    assert run(db, "settings", "show") == EXIT_OK
    out = capsys.readouterr().out
    for key, spec in settings.DEFAULTS.items():
        assert f"{spec.label}　{key}（默认值）" in out
        assert spec.help in out
    assert "××区市场监督管理局" in out
    assert "要求：必填，1到365之间的整数" in out  # rectification.default_days
    # A fresh laptop has not chosen its number prefix: no number is made up, the way to choose one is named.
    assert "本机现在无法编出文书编号：本机还没有选定文书编号前缀" in out
    assert "settings set device.docnumber_prefix FX03" in out


def test_set_then_show(db, capsys):
    assert run(db, "settings", "set", "bureau.name", f"  {BUREAU} ") == EXIT_OK
    assert f"已保存：局名（bureau.name）＝{BUREAU}" in capsys.readouterr().out
    assert settings.get(db, "bureau.name") == BUREAU  # trimmed

    assert run(db, "settings", "show", "bureau.name") == EXIT_OK
    out = capsys.readouterr().out
    assert out.splitlines()[:2] == ["局名　bureau.name", f"    {BUREAU}"]  # no longer "（默认值）"
    assert "bureau.short_name" not in out

    assert run(db, "settings", "show", "--json") == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["bureau.name"]["value"] == BUREAU and not data["bureau.name"]["is_default"]
    assert data["rectification.default_days"] == {
        "label": "默认整改期限（日）",
        "value": "30",
        "default": "30",
        "is_default": True,
        "help": settings.DEFAULTS["rectification.default_days"].help,
        "rule": "必填，1到365之间的整数",
    }


def test_the_documents_print_the_new_settings(db, sample, templates, fixed_today, tmp_path, capsys):
    legal = "《某某办法》第二十七条"
    assert (
        run(
            db,
            "settings",
            "set",
            "bureau.name",
            BUREAU,
            "bureau.short_name",
            "奉市监",
            "bureau.seal_text",
            BUREAU,
            "bureau.contact_phone",
            "021-67100000",
            "device.docnumber_prefix",
            "03-",
            "notice.legal_bases",
            f"2026-01-01｜｜全部｜{legal}",
            "rectification.default_days",
            "45",
        )
        == EXIT_OK
    )
    assert "本机下一个文书编号：奉市监责改〔2026〕03-0001号" in capsys.readouterr().out
    iid = factory.signed(db, sample, templates)  # signed after the change: the bureau's default period

    summary, notice = tmp_path / "summary.pdf", tmp_path / "notice.pdf"
    assert run(db, "pdf", "summary", iid, "-o", str(summary)) == EXIT_OK
    text = pdf_text(summary.read_bytes())
    assert f"根据{BUREAU}工作安排" in text
    assert "××区" not in text
    assert "请企业在45日内（即2026年7月30日前）完成整改" in text

    assert run(db, "pdf", "notice", iid, "-o", str(notice)) == EXIT_OK
    assert "奉市监责改〔2026〕03-0001号" in capsys.readouterr().out
    text = pdf_text(notice.read_bytes())
    assert BUREAU in text and "××区" not in text
    assert f"依据{legal}的规定" in text
    assert "奉市监责改〔2026〕03-0001号" in text


@pytest.mark.parametrize(
    "pattern, reason",
    [
        ("{short}责改〔{year}〕{prefix}号", "必须包含流水号 {serial}"),
        ("{short}责改{prefix}{serial:04d}号", "必须包含年份 {year}"),
        ("{short}责改〔{year}〕{prefix}{serial:04d}号{unknown}", "无法使用"),
        ("{short}责改〔{year}〕{prefix}{serial:xyz}号", "无法使用"),
        ("{short}责改〔{year}〕{serial}号", "不含本机前缀 {prefix} 时，须同时填写局分配给本机的编号段"),
        ("", "不能为空"),
    ],
)
def test_a_bad_pattern_is_refused_and_nothing_changes(db, capsys, pattern, reason):
    settings.set_value(db, "bureau.name", BUREAU)
    before_rows, before = stored_rows(db), settings.all_settings(db)
    assert run(db, "settings", "set", "docnumber.pattern", pattern) == EXIT_REFUSED
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("文书编号格式：") and reason in captured.err
    assert "设置未保存，数据库没有任何改动。" in captured.err
    assert stored_rows(db) == before_rows and settings.all_settings(db) == before


def test_a_pattern_without_prefix_is_accepted_with_a_number_block(db, capsys):
    pattern = "{short}责改〔{year}〕{serial}号"
    args = ["docnumber.pattern", pattern, "device.docnumber_block_start", "3001", "device.docnumber_block_end", "3999"]
    assert run(db, "settings", "set", *args) == EXIT_OK
    assert "本机下一个文书编号：××市监责改〔" in capsys.readouterr().out
    assert settings.get(db, "docnumber.pattern") == pattern
    # and the block cannot be taken away while the pattern has no prefix
    assert run(db, "settings", "set", "device.docnumber_block_start", "", "device.docnumber_block_end", "") == 1
    assert "不同电脑会编出相同的号" in capsys.readouterr().err
    assert settings.get_int(db, "device.docnumber_block_start") == 3001


def test_several_pairs_are_saved_together_or_not_at_all(db, capsys):
    assert run(db, "settings", "set", "bureau.name", BUREAU, "rectification.default_days", "0") == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "默认整改期限（日）：应为1到365之间的整数，现在是 0" in err
    assert stored_rows(db) == {}  # the good bureau name was not written either


@pytest.mark.parametrize(
    "key, value, reason",
    [
        ("rectification.default_days", "366", "应为1到365之间的整数"),
        ("rectification.default_days", "三十", "应为整数"),
        ("rectification.default_days", "", "不能为空"),
        ("bureau.name", "   ", "局名：不能为空"),
        ("bureau.name", "上海" * 21, "局名：最多 40 个字，现在有 42 个字"),
        ("bureau.seal_text", "第一行\n第二行", "只能写一行"),
        ("bureau.short_name", "奉贤区市场监督管理局简称", "最多 10 个字"),
        ("bureau.contact_phone", "请拨打总机", "不像电话号码"),
        ("device.docnumber_block_end", "-3", "1到99999999之间"),
        ("device.docnumber_block_start", "3001", "起号和止号要一起填写"),
    ],
)
def test_other_bad_values_are_refused_in_chinese(db, capsys, key, value, reason):
    assert run(db, "settings", "set", key, value) == EXIT_REFUSED
    assert reason in capsys.readouterr().err
    assert stored_rows(db) == {}


def test_good_values_are_normalised(db):
    assert run(db, "settings", "set", "rectification.default_days", " 060 ", "bureau.contact_phone", "12315") == 0
    assert settings.get(db, "rectification.default_days") == "60"
    assert settings.get(db, "bureau.contact_phone") == "12315"
    assert run(db, "settings", "set", "bureau.contact_phone", "") == EXIT_OK  # optional: may be cleared
    assert settings.get(db, "bureau.contact_phone") == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["set", "bureau.nam", "x"], "“bureau.nam”不是已知的设置项"),
        (["show", "no.such.key"], "“no.such.key”不是已知的设置项"),
        (["set", "bureau.name", "x", "bureau.short_name"], "要成对给出"),
        (["set", "bureau.name", "x", "bureau.name", "y"], "同一设置项给了两次"),
    ],
)
def test_usage_errors_exit_2(db, capsys, args, message):
    with pytest.raises(SystemExit) as caught:
        run(db, "settings", *args)
    assert caught.value.code == EXIT_USAGE
    assert "用法错误" in (err := capsys.readouterr().err) and message in err
    assert stored_rows(db) == {}
