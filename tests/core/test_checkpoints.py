"""The six check points of 《上海市工业产品生产许可证证后监督检查管理办法》第二十五条 (001 §25), as the templates map
the items: the record grouped by point, the follow-up by point, statistics by point.

Derived from the seed: (四) “产品出厂检验的实施情况，重点检查出厂检验记录和报告” is what item 4.1 of 002 附件2 checks
(出厂检验是否逐批检验); (一) “在产品包装上标注生产许可证编号和标志” is item 5 (标识标志); 证照信息 (1.x) is none of
the six. The sample's problems (tests/documents/factory.PROBLEMS) are on 1.2, 4.1 and 5.1 (the last rectified
on the spot)."""

from datetime import date

from inspector_app.core.inspection import inspections as svc
from inspector_app.core.supervision import checkpoints, rectification
from inspector_app.documents.generate import generate
from tests.documents import factory
from tests.documents.factory import pdf_text


def test_the_record_groups_items_by_the_six_points(db, sample, templates, fixed_today):
    iid = factory.complete(db, sample, templates)
    groups = checkpoints.record_groups(templates["industrial"], svc.load_inspection(db, iid).answers)
    assert [g.no for g in groups] == [1, 2, 3, 4, 5, 6, 0]
    by = {g.no: dict(g.items) for g in groups}
    assert by[4] == {"4.1": "nonconform"} and by[1] == {"5.1": "nonconform"}
    assert by[3] == {"4.2": "na"}  # 原辅材料: the form's row for food-related products only
    assert set(by[0]) >= {"1.1", "1.2", "1.3", "7.1"}
    assert groups[3].name == "（四）产品出厂检验"


def test_the_printed_record_shows_the_grouping(db, sample, templates, fixed_today):
    iid = factory.signed(db, sample, templates)
    text = pdf_text(generate(db, iid, "record").pdf)
    assert "检查重点归类（《上海市工业产品生产许可证证后监督检查管理办法》第二十五条）" in text
    assert "（四）产品出厂检验4(1)不符合" in text
    assert "（一）生产许可证编号和标志标注5不符合" in text


def test_statistics_by_point(db, sample, templates, fixed_today):
    factory.complete(db, sample, templates)
    factory.complete(db, sample, templates, problems={})  # a second, clean record of the same enterprise
    rows = {r.no: r for r in checkpoints.checkpoint_statistics(db, date(2026, 1, 1), date(2026, 12, 31))}
    assert list(rows) == [1, 2, 3, 4, 5, 6, 0]
    assert (rows[4].checked, rows[4].problems, rows[4].enterprises, rows[4].rate) == (2, 1, 1, "50.0%")
    assert (rows[1].checked, rows[1].problems) == (2, 1)  # rectified on the spot is still a 不符合 found
    assert (rows[3].checked, rows[3].problems, rows[3].rate) == (0, 0, "—")  # 不适用 is not checked
    assert rows[0].problems == 1  # 1.2 证照信息
    assert checkpoints.checkpoint_statistics(db, date(2025, 1, 1), date(2025, 12, 31))[3].checked == 0


def test_the_followup_by_point(db, sample, templates, fixed_today):
    factory.complete(db, sample, templates)
    fu = rectification.start_followup(db, sample.enterprise_id, team=sample.inspector_ids[:2])
    groups = checkpoints.followup_groups(db, fu)
    # 5.1 was rectified on the spot: only 4.1 (四) and 1.2 (其他) are re-checked.
    assert [(no, name, [r.item_id for r in rows]) for no, name, rows in groups] == [
        (4, "（四）产品出厂检验", ["4.1"]),
        (0, "其他", ["1.2"]),
    ]


def test_the_command_line_shows_both(db, sample, templates, db_path, capsys, fixed_today):
    from inspector_app.cli.main import main

    factory.complete(db, sample, templates)
    db.close()
    assert main(["--db", str(db_path), "stats", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "按检查重点（《上海市工业产品生产许可证证后监督检查管理办法》第二十五条）" in out
    assert "（四）产品出厂检验\t1\t1\t100.0%\t1" in out
    uscc, team = "91350100M000100Y43", "31000001,31000002"
    assert main(["--db", str(db_path), "followup", "start", uscc, "--team", team, "--on", "2026-07-20"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()[1:]]
    assert [(r[1], r[2]) for r in rows] == [("4.1", "（四）产品出厂检验"), ("1.2", "其他")]
