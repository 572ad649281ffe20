"""`inspector-app classify|plan|draw|followup|stats`: exit codes 0 / 1 / 2, Chinese reasons, same results as core."""

import json
from datetime import date

import pytest
from openpyxl import load_workbook

from inspector_app.cli.main import main
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.storage.models import Enterprise, Inspector
from inspector_app.core.storage.supervision_models import InspectorProfile
from inspector_app.core.supervision import statistics

USCC = "91350100M000100Y43"  # conftest's sample enterprise


@pytest.fixture
def ready(db, sample, db_path):
    """The sample database's path; `run` closes the fixture's connections first so the CLI opens the file as
    another process would (a fresh file's header is only written at the checkpoint on close)."""
    return db_path


_open: list = []


@pytest.fixture(autouse=True)
def _track(db):
    _open[:] = [db]
    yield


def run(db_path, *argv):
    for d in _open:
        d.close()
    return main(["--db", str(db_path), *argv])


def test_classify_set_show_and_refusal(ready, capsys, fixed_today):
    assert (
        run(ready, "classify", "set", USCC, "C", "--reason", "监督抽查不合格", "--by", "张伟", "--on", "2026-01-05")
        == 0
    )
    assert "B类 → C类" in capsys.readouterr().out
    assert run(ready, "classify", "set", USCC, "A", "--reason", "整改好", "--by", "张伟", "--on", "2026-06-01") == 1
    err = capsys.readouterr().err
    assert "不允许越级上升" in err and "第三十三条" in err
    assert run(ready, "classify", "show", USCC, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["classification"] == "C" and data["mode"] == "加严监管" and len(data["history"]) == 1
    assert run(ready, "classify", "risk", USCC, "I", "--reason", "Ⅰ级目录", "--by", "张伟") == 0
    assert run(ready, "classify", "show", USCC) == 0
    out = capsys.readouterr().out
    assert "风险等级：I" in out and "每家企业每年不少于2次检查" in out


def test_classify_spot_check_and_usage_errors(ready, capsys):
    argv = ("classify", "spot-check", USCC, "--level", "national", "--on", "2026-03-01", "--failed", "1")
    assert run(ready, *argv) == 0
    assert "《上海市工业产品生产许可证证后监督检查管理办法》第三十二条" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        run(ready, "classify", "set", USCC, "D", "--reason", "x", "--by", "y")
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        run(ready, "classify", "set", USCC, "C", "--reason", "x", "--by", "y", "--on", "2026-13-01")
    assert e.value.code == 2
    assert run(ready, "classify", "show", "91310000MA0000000X") == 1
    assert "找不到" in capsys.readouterr().err


def test_plan_generate_and_show(ready, capsys):
    assert run(ready, "plan", "generate", "--year", "2026", "--district", "奉贤区") == 0
    assert "计划检查1家次" in capsys.readouterr().out  # one B enterprise
    assert run(ready, "plan", "generate", "--year", "2026", "--district", "奉贤区") == 1
    assert "已存在" in capsys.readouterr().err
    assert run(ready, "plan", "show", "--year", "2026", "--district", "奉贤区", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["licensed"], data["planned"], data["done"], data["coverage"]) == (1, 1, 0, "0.0%")


def _team_db(db, n=6):
    with db.session() as s:
        for i in range(n):
            insp = Inspector(name=f"人员{i}", badge_no=f"3200{i:04d}")
            s.add(insp)
            s.flush()
            s.add(InspectorProfile(inspector_id=insp.id, can_lead=i == 0, technical=i == 1))


def test_draw_run_verify_export_tasks(db, sample, ready, tmp_path, capsys):
    _team_db(db)
    argv = ("draw", "run", "--seed", "20260601", "--year", "2026", "--on", "2026-06-01", "--team-size", "5")
    assert run(ready, *argv) == 0
    out = capsys.readouterr().out.splitlines()
    draw_id = out[0]
    assert any("检查任务1项" in line for line in out)  # 1 enterprise, 100 % hazchem? no: 危险化学品 30 % of 1 → 1
    assert run(ready, "draw", "verify", draw_id) == 0
    assert "核验通过" in capsys.readouterr().out
    assert run(ready, "draw", "package", draw_id, "-o", str(tmp_path / "pkg.json")) == 0
    capsys.readouterr()
    assert main(["draw", "verify", "--package", str(tmp_path / "pkg.json")]) == 0  # no database needed
    pkg = json.loads((tmp_path / "pkg.json").read_text(encoding="utf-8"))
    pkg["seed"] = "另一个种子"
    (tmp_path / "bad.json").write_text(json.dumps(pkg, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["draw", "verify", "--package", str(tmp_path / "bad.json")]) == 1
    assert "结果哈希不一致" in capsys.readouterr().err
    assert run(ready, "draw", "export", draw_id, "-o", str(tmp_path / "pub.xlsx")) == 0
    ws = load_workbook(tmp_path / "pub.xlsx").active
    assert "20260601" in [c.value for c in ws[2]]
    assert run(ready, "draw", "tasks", "--inspector", "32000000") == 0
    assert USCC in capsys.readouterr().out
    assert run(ready, "draw", "list") == 0
    assert draw_id in capsys.readouterr().out


def test_draw_refused_without_leaders(db, sample, ready, capsys):
    assert run(ready, "draw", "run", "--seed", "1", "--year", "2026", "--on", "2026-06-01") == 1
    assert "无法组成检查组" in capsys.readouterr().err
    assert run(ready, "draw", "inspector", "31000001", "--lead") == 0
    assert "可任组长=是" in capsys.readouterr().out
    assert run(ready, "draw", "conflict", "31000001", USCC, "--reason", "亲属") == 0


def test_followup_round_trip_on_the_command_line(db, sample, templates, ready, capsys):
    t = templates["industrial"]
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=t,
        kind="scheduled",
        team=sample.inspector_ids[:2],
        inspected_on=date(2026, 5, 1),
        license_id=sample.license_id,
    )
    for item in t.applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="nonconform" if item.id == "4.1" else "conform", record="无记录")
    svc.complete_inspection(db, iid)
    assert run(ready, "followup", "list", "--today", "2026-06-15", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"]["overdue"] == 1 and data["rows"][0]["item"] == "4.1"
    rect_id = data["rows"][0]["id"]
    assert run(ready, "followup", "start", USCC, "--team", "31000001,31000002", "--on", "2026-06-16") == 0
    out = capsys.readouterr().out
    assert rect_id in out
    assert run(ready, "followup", "mark", rect_id, "--not-rectified", "--record", "仍无出厂检验记录") == 0
    assert out.count("\n") >= 2 and "提出处理建议" in capsys.readouterr().out
    assert run(ready, "followup", "flags", "--status", "proposed") == 0
    flags = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    transfer = next(f for f in flags if f[4] == "移交行政处罚")
    assert run(ready, "followup", "decide", transfer[0], "--confirm", "--by", "科长", "--on", "2026-06-20") == 0
    assert run(ready, "followup", "decide", transfer[0], "--confirm", "--by", "科长") == 1
    assert "不能重复决定" in capsys.readouterr().err
    assert run(ready, "followup", "transfer", USCC, "--reason", "无证生产", "--by", "张伟", "--on", "2026-07-01") == 0


def test_stats_outputs_by_extension(db, sample, ready, tmp_path, capsys):
    for ext in ("json", "xlsx", "pdf"):
        assert run(ready, "stats", "--year", "2026", "-o", str(tmp_path / f"s.{ext}")) == 0
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    expected = statistics.build_report(db, *statistics.year_period(2026)).to_dict()
    assert data["total"] == expected["total"] and data["districts"] == expected["districts"]
    assert (tmp_path / "s.pdf").read_bytes()[:5] == b"%PDF-"
    assert run(ready, "stats", "--from", "2026-01-01", "--to", "2026-06-30", "--district", "奉贤区") == 0
    out = capsys.readouterr().out
    assert "奉贤区2026-01-01至2026-06-30" in out and "表4" in out
    for bad in (("--to", "2026-02-01"), ("--year", "2026", "--to", "2026-02-01"), ("--year", "2026", "-o", "x.txt")):
        with pytest.raises(SystemExit) as e:
            run(ready, "stats", *bad)
        assert e.value.code == 2
    assert run(ready, "stats", "--from", "2026-06-30", "--to", "2026-01-01") == 1
    assert "早于" in capsys.readouterr().err


def test_enterprise_is_unchanged_after_a_refusal(db, sample, ready):
    run(ready, "classify", "set", USCC, "AA", "--reason", "x", "--by", "y")
    with db.session() as s:
        assert s.get(Enterprise, sample.enterprise_id).classification == "B"


def test_stats_from_alone_runs_until_today(ready, capsys, fixed_today):  # docs/cli.md: --from DATE [--to DATE]
    assert run(ready, "stats", "--from", "2026-01-01", "--district", "奉贤区") == 0
    assert "奉贤区2026-01-01至2026-06-15" in capsys.readouterr().out
    assert run(ready, "stats", "--from", "2026-07-01") == 1  # after today: the end would precede the start
    assert "早于" in capsys.readouterr().err


def test_stats_refuses_an_unknown_district_and_campaign_kind(ready, tmp_path, capsys):
    out = tmp_path / "s.json"
    assert run(ready, "stats", "--year", "2026", "--district", "火星区", "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert "“火星区”不是本市的区" in err and "奉贤区" in err and "浦东新区" in err
    assert run(ready, "stats", "--year", "2026", "--campaign-kind", "bogus", "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert "“bogus”不是检查类型" in err and "special（专项）" in err
    assert not out.exists()  # refused: nothing written
    assert run(ready, "stats", "--year", "2026", "--campaign-kind", "special", "--campaign-kind", "flight") == 0


def test_classify_dates_are_checked(ready, capsys, fixed_today):
    assert run(ready, "classify", "set", USCC, "A", "--reason", "x", "--by", "张伟", "--on", "2027-08-01") == 1
    assert "2027-08-01晚于今天（2026-06-15）" in capsys.readouterr().err
    assert run(ready, "classify", "set", USCC, "C", "--reason", "处罚", "--by", "张伟", "--on", "2026-03-01") == 0
    capsys.readouterr()
    assert run(ready, "classify", "set", USCC, "B", "--reason", "x", "--by", "张伟", "--on", "2020-01-01") == 1
    err = capsys.readouterr().err
    assert "2020-01-01早于该企业最近一次分类记录（2026-03-01" in err and "不足1年" not in err
    argv = ("classify", "spot-check", USCC, "--level", "national", "--on", "2026-02-01", "--failed", "1")
    assert run(ready, *argv) == 0  # already C: no change of class, the check is recorded


def test_bureau_work_is_refused_on_a_field_laptop(db, sample, templates, ready, capsys, fixed_today):
    from tests.core.roles import as_device

    _team_db(db)
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=templates["industrial"],
        kind="scheduled",
        team=sample.inspector_ids[:2],
        inspected_on=date(2026, 5, 1),
        license_id=sample.license_id,
    )
    for item in templates["industrial"].applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="nonconform" if item.id == "4.1" else "conform", record="无")
    svc.complete_inspection(db, iid)
    as_device(db, "field")
    refused = [
        ("classify", "set", USCC, "C", "--reason", "x", "--by", "张伟"),
        ("classify", "spot-check", USCC, "--level", "national", "--on", "2026-03-01", "--failed", "1"),
        ("classify", "risk", USCC, "I", "--reason", "x", "--by", "张伟"),
        ("plan", "generate", "--year", "2026", "--district", "奉贤区"),
        ("draw", "run", "--seed", "20260601", "--year", "2026", "--team-size", "5"),
        ("draw", "inspector", "31000001", "--lead"),
        ("followup", "transfer", USCC, "--reason", "无证生产", "--by", "张伟"),
    ]
    for argv in refused:
        assert run(ready, *argv) == 1, argv
        err = capsys.readouterr().err
        assert "由区局进行，本机是现场检查终端" in err and "请在区局的电脑上操作" in err, argv
    # reading, and the inspectors' follow-up work, stay allowed
    assert run(ready, "classify", "show", USCC) == 0
    assert run(ready, "plan", "show", "--year", "2026", "--district", "奉贤区") == 0
    assert run(ready, "stats", "--year", "2026") == 0
    assert run(ready, "draw", "list") == 0
    capsys.readouterr()
    assert run(ready, "followup", "list", "--json") == 0
    rect_id = json.loads(capsys.readouterr().out)["rows"][0]["id"]
    assert run(ready, "followup", "start", USCC, "--team", "31000001,31000002", "--on", "2026-06-10") == 0
    assert run(ready, "followup", "mark", rect_id, "--not-rectified", "--record", "仍无出厂检验记录") == 0
    capsys.readouterr()
    assert run(ready, "followup", "flags", "--status", "proposed") == 0
    flag_id = capsys.readouterr().out.splitlines()[0].split("\t")[0]
    assert run(ready, "followup", "decide", flag_id, "--confirm", "--by", "张伟") == 1
    assert "处理建议的决定" in capsys.readouterr().err
    assert run(ready, "classify", "show", USCC, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["classification"] == "B" and data["history"] == [] and data["risk_level"] is None


def test_a_second_identical_draw_is_refused(db, sample, ready, capsys):  # docs/supervision.md
    _team_db(db)
    argv = ("draw", "run", "--seed", "20260601", "--year", "2026", "--on", "2026-06-01", "--team-size", "5")
    assert run(ready, *argv) == 0
    draw_id = capsys.readouterr().out.splitlines()[0]
    assert run(ready, *argv) == 1
    err = capsys.readouterr().err
    assert f"draw show {draw_id}" in err and "结果完全相同" in err
    assert run(ready, "draw", "list") == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
