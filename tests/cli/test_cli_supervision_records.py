"""`inspector-app inspectors|license|interview|classify overdue|classify notice`: exit codes 0 / 1 / 2, Chinese
reasons on stderr, nothing written when refused."""

import pytest

from inspector_app.cli.main import main

USCC = "91350100M000100Y43"  # conftest's sample enterprise
_open: list = []


@pytest.fixture(autouse=True)
def _track(db):
    _open[:] = [db]


def run(db_path, *argv):
    for d in _open:
        d.close()
    return main(["--db", str(db_path), *argv])


def test_inspectors_add_set_list_import_export(db, sample, db_path, tmp_path, capsys):
    assert run(db_path, "inspectors", "add", "zf 9", "赵敏", "--district", "奉贤区", "--lead") == 0
    assert run(db_path, "inspectors", "add", "ZF9", "钱多") == 1
    assert "已登记" in capsys.readouterr().err
    assert run(db_path, "inspectors", "set", "ZF9", "--technical", "是", "--active", "否") == 0
    with pytest.raises(SystemExit) as usage:
        run(db_path, "inspectors", "set", "ZF9", "--active", "也许")
    assert usage.value.code == 2
    capsys.readouterr()
    assert run(db_path, "inspectors", "list", "--district", "奉贤区") == 0
    assert capsys.readouterr().out.splitlines()[1] == "ZF9\t赵敏\t奉贤区\t是\t是\t否"
    bad = tmp_path / "bad.csv"
    bad.write_text("执法证号,姓名\nZF10,\n", encoding="utf-8")
    assert run(db_path, "inspectors", "import", str(bad)) == 1
    err = capsys.readouterr().err
    assert "第2行（列“姓名”）：不能为空" in err and "未写入任何内容" in err and "Traceback" not in err
    out = tmp_path / "inspectors.csv"
    assert run(db_path, "inspectors", "export", "-o", str(out)) == 0
    assert "ZF9,赵敏,奉贤区,是,是,否" in out.read_text(encoding="utf-8-sig")


def test_license_end_and_list(db, sample, db_path, capsys, fixed_today):
    argv = ("license", "end", "(沪)XK13-006-00021", "吊销", "--on", "2026-06-01", "--decision", "沪市监吊〔2026〕1号")
    with pytest.raises(SystemExit) as usage:  # --basis is required
        run(db_path, *argv)
    assert usage.value.code == 2
    capsys.readouterr()
    assert run(db_path, *argv, "--basis", "整改复查仍不合格") == 0
    assert "自2026-06-01起吊销" in capsys.readouterr().out
    assert run(db_path, "license", "list", "--year", "2026") == 0
    assert capsys.readouterr().out.split("\t")[:3] == ["2026-06-01", "吊销", "(沪)XK13-006-00021"]
    assert run(db_path, "license", "end", "(沪)XK99-000-00000", "注销", "--on", "2026-06-01",
               "--decision", "x", "--basis", "y") == 1  # fmt: skip
    assert "找不到编号" in capsys.readouterr().err


def test_interview_add_list_print_and_the_notice(db, sample, db_path, tmp_path, capsys, fixed_today):
    from inspector_app.core import settings

    settings.set_value(db, "class_notice.legal_bases", "｜｜全部｜《××办法》第十一条")
    assert run(db_path, "interview", "add", USCC, "--on", "2026-06-01", "--kind", "c_duty", "--interviewee",
               "王建国", "--interviewer", "张伟", "--interviewer", "刘洋", "--reason", "C类履责约谈") == 0  # fmt: skip
    iid = capsys.readouterr().out.strip()
    assert run(db_path, "interview", "list") == 0
    assert "C类企业履责约谈" in capsys.readouterr().out
    assert run(db_path, "interview", "print", iid[:8], "-o", str(tmp_path / "i.pdf")) == 0
    assert (tmp_path / "i.pdf").read_bytes().startswith(b"%PDF")
    assert run(db_path, "classify", "notice", USCC, "-o", str(tmp_path / "n.pdf")) == 1
    assert "还没有分类记录" in capsys.readouterr().err and not (tmp_path / "n.pdf").exists()
    assert run(db_path, "classify", "new", USCC, "--by", "张伟", "--on", "2026-06-01") == 0
    assert run(db_path, "classify", "notice", USCC, "-o", str(tmp_path / "n.pdf")) == 0
    assert "分类告〔2026〕" in capsys.readouterr().out
    assert run(db_path, "pdf", "verify", str(tmp_path / "n.pdf")) == 0


def test_classify_overdue(db, sample, db_path, capsys):
    # the sample's first license was issued 2021-08-01: two months later, 2021-10-01, it was due
    assert run(db_path, "classify", "overdue", "--today", "2021-10-02", "--since", "2021-01-01") == 0
    line = capsys.readouterr().out.strip().split("\t")
    assert line[:2] == ["已逾期", USCC] and line[5] == "2021-10-01" and line[6] == "逾期1天"
    assert run(db_path, "classify", "overdue", "--today", "2021-09-30", "--since", "2021-01-01") == 0
    assert capsys.readouterr().out == ""
    assert run(db_path, "classify", "overdue", "--all", "--today", "2021-09-30", "--since", "2021-01-01") == 0
    assert "待分类" in capsys.readouterr().out
