"""`inspector-app numbers list|void`: the register of document numbers; a voided number is recorded with its
reason and never issued again (issue 3 §2)."""

import pytest

from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main
from inspector_app.core import settings
from inspector_app.core.issuing import numbers as docnumbers
from tests.documents import factory


@pytest.fixture
def issued(db, sample, templates, fixed_today):
    """A signed inspection whose notice has been numbered once: (inspection id, number)."""
    settings.set_value(db, "bureau.short_name", "奉市监")
    settings.set_value(db, "device.docnumber_prefix", "03-")
    iid = factory.signed(db, sample, templates)
    return iid, docnumbers.get_or_issue(db, iid).number


def run(db, *args):
    db.close()  # one user of the file at a time (see tests/cli/test_cli_pdf.py)
    return main(["--db", str(db.path), *args])


def test_list_shows_the_issued_numbers(db, issued, capsys):
    iid, number = issued
    assert number == "奉市监责改〔2026〕03-0001号"
    assert run(db, "numbers", "list") == EXIT_OK
    (line,) = capsys.readouterr().out.splitlines()
    assert line.split("\t")[:4] == [number, "已使用", "责令整改通知书", iid]


def test_void_records_the_reason_and_the_next_print_gets_a_new_number(db, issued, capsys):
    iid, number = issued
    assert run(db, "numbers", "void", number, "--reason", "打印错误，企业名称缺字") == EXIT_OK
    assert "已作废：奉市监责改〔2026〕03-0001号" in capsys.readouterr().out
    (info,) = docnumbers.list_numbers(db)
    assert info.status == "voided" and info.void_reason == "打印错误，企业名称缺字" and info.voided_at
    fresh = docnumbers.get_or_issue(db, iid).number
    assert fresh == "奉市监责改〔2026〕03-0002号"  # the voided number is never reused

    assert run(db, "numbers", "list", "--inspection", iid[:8]) == EXIT_OK
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(r[0], r[1]) for r in rows] == [(number, "已作废"), (fresh, "已使用")]
    assert rows[0][-1] == "打印错误，企业名称缺字"


def test_refused_voids_change_nothing(db, issued, capsys):
    _iid, number = issued
    assert run(db, "numbers", "void", number, "--reason", "  ") == EXIT_REFUSED
    assert "作废原因：不能为空" in capsys.readouterr().err
    assert run(db, "numbers", "void", "奉市监责改〔2026〕03-0099号", "--reason", "打错") == EXIT_REFUSED
    assert "没有编号为" in capsys.readouterr().err
    assert [n.status for n in docnumbers.list_numbers(db)] == ["issued"]
    assert run(db, "numbers", "void", number, "--reason", "打错") == EXIT_OK
    assert run(db, "numbers", "void", number, "--reason", "再次") == EXIT_REFUSED
    assert "已于 2026-06-15 作废" in capsys.readouterr().err
    assert docnumbers.list_numbers(db)[0].void_reason == "打错"  # the first reason stays
    with pytest.raises(SystemExit) as exc:
        run(db, "numbers", "void", number)  # --reason is required
    assert exc.value.code == EXIT_USAGE


def test_list_filters(db, issued, capsys):
    assert run(db, "numbers", "list", "--year", "2027") == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out == "" and "没有登记的文书编号" in captured.err
    assert run(db, "numbers", "list", "--year", "2026") == EXIT_OK
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert run(db, "numbers", "list", "--inspection", "ffffffff") == EXIT_REFUSED
    assert "找不到检查记录" in capsys.readouterr().err
