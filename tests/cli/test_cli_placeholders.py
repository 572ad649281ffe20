"""`inspector-app pdf …` before the bureau's settings arrived: refused (exit 1) naming what is missing, unless
--allow-placeholders; the number prefix is chosen (keys init --number-prefix, settings set), never made up."""

import pytest

from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, main
from inspector_app.core import settings
from inspector_app.core.issuing import issued as issued_docs
from inspector_app.core.issuing import numbers as docnumbers
from tests.documents import factory
from tests.documents.factory import pdf_text


@pytest.fixture
def signed_id(db, sample, templates, fixed_today):
    return factory.signed(db, sample, templates)


def run(db, *args):
    db.close()  # the CLI opens the file on its own (see test_cli_pdf.py)
    return main(["--db", str(db.path), *args])


def test_a_document_with_placeholders_is_refused_naming_what_is_missing(db, signed_id, tmp_path, capsys):
    out = tmp_path / "n.pdf"
    assert run(db, "pdf", "notice", signed_id, "-o", str(out)) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert err.startswith("未出具：以下局里的设置还没有填写，文书上会印出占位内容：")
    for expected in [
        "局名：仍是占位文字“××区市场监督管理局”",
        "印章文字：仍是占位文字“××区市场监督管理局”",
        "局联系电话：未填写，文书上为空白",
        "局名简称：仍是占位文字“××市监”",
        "随局里的同步数据包到来（inspector-app bundle import）",
        "inspector-app settings set bureau.name",
        "确需照此出具，请加 --allow-placeholders。",
    ]:
        assert expected in err, expected
    assert "Traceback" not in err
    # nothing issued: no file, no archive entry, and no document number used up
    assert not out.exists() and issued_docs.list_issued(db, signed_id) == [] and docnumbers.list_numbers(db) == []

    assert run(db, "pdf", "summary", signed_id, "-o", str(out)) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "局名：" in err and "印章文字" not in err  # the summary prints only the bureau's name


def test_allow_placeholders_issues_a_real_pdf_and_says_what_it_shows(db, signed_id, tmp_path, capsys):
    out = tmp_path / "n.pdf"
    assert run(db, "pdf", "notice", signed_id, "-o", str(out), "--allow-placeholders") == EXIT_OK
    captured = capsys.readouterr()
    assert "已出具责令整改通知书" in captured.out and "文号 ××市监责改〔2026〕T1-0001号" in captured.out
    assert "注意：文书上印的是占位内容（局名、印章文字、局联系电话、局名简称）" in captured.err
    text = pdf_text(out.read_bytes())
    assert "××区市场监督管理局" in text and "××市监责改〔2026〕T1-0001号" in text
    assert len(issued_docs.list_issued(db, signed_id)) == 1


def test_with_the_bureaus_settings_nothing_is_asked(db, signed_id, tmp_path, capsys):
    factory.configure_bureau(db)
    assert run(db, "pdf", "notice", signed_id, "-o", str(tmp_path / "n.pdf")) == EXIT_OK
    assert capsys.readouterr().err == ""


def test_a_notice_without_a_chosen_prefix_is_refused_then_numbered_with_the_chosen_one(db, signed_id, tmp_path, capsys):
    factory.configure_bureau(db)
    settings.reset(db, "device.docnumber_prefix")
    out = tmp_path / "n.pdf"
    assert run(db, "pdf", "notice", signed_id, "-o", str(out), "--allow-placeholders") == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "本机还没有选定文书编号前缀" in err and "settings set device.docnumber_prefix FX03" in err
    assert not out.exists()

    assert run(db, "settings", "set", "device.docnumber_prefix", "fx03") == EXIT_OK
    assert "本机下一个文书编号：奉市监责改〔2026〕FX03-0001号" in capsys.readouterr().out
    assert run(db, "pdf", "notice", signed_id, "-o", str(out)) == EXIT_OK
    assert "奉市监责改〔2026〕FX03-0001号" in pdf_text(out.read_bytes())


def test_keys_init_chooses_the_prefix_and_refuses_a_bad_one_before_making_keys(db, capsys):
    from inspector_app.core.storage.sync_models import device_role

    assert run(db, "keys", "init", "--role", "field", "--number-prefix", "F") == EXIT_REFUSED
    assert "本机编号前缀：“F”不合要求" in capsys.readouterr().err and device_role(db) is None

    assert run(db, "keys", "init", "--role", "field", "--name", "张伟的笔记本", "--number-prefix", "fx03") == EXIT_OK
    assert "文书编号前缀：FX03-" in capsys.readouterr().out
    assert settings.get(db, "device.docnumber_prefix") == "FX03-"


def test_keys_init_without_a_prefix_says_how_to_choose_one(db, capsys):
    assert run(db, "keys", "init", "--role", "field") == EXIT_OK
    assert "尚未选定本机文书编号前缀" in capsys.readouterr().err
    # an installation set up before: the same command adds the prefix
    assert run(db, "keys", "init", "--role", "field", "--number-prefix", "JD2") == EXIT_OK
    assert "文书编号前缀：JD2-" in capsys.readouterr().out


def test_the_flag_is_in_the_help_of_every_document_command(capsys):
    for doc in ("summary", "record", "notice"):
        with pytest.raises(SystemExit):
            main(["pdf", doc, "--help"])
        assert "--allow-placeholders" in capsys.readouterr().out
