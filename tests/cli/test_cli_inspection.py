"""`inspector-app inspection list|export|import`: exit codes 0 / 1 / 2, Chinese output, nothing written on refusal."""

import base64
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspector_app.cli.main import main
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.storage.db import open_database
from inspector_app.core.storage.models import Base, Enterprise, Inspector, License, Site

ROOT = Path(__file__).resolve().parents[2]
USCC = "91350100M000100Y43"
SITE1 = "上海市奉贤区南桥镇江海路88号"


def make_roster(path: Path) -> Path:
    """A database on 'another laptop': the same enterprise and inspectors as conftest's sample, other UUIDs."""
    database = open_database(path)
    try:
        with database.session() as s:
            ent = Enterprise(uscc=USCC, name="上海申华塑料制品有限公司", district="奉贤区")
            site = Site(enterprise=ent, address=SITE1, district="奉贤区")
            s.add_all(
                [
                    ent,
                    site,
                    License(
                        enterprise=ent,
                        site=site,
                        number="(沪)XK13-006-00021",
                        category="危险化学品",
                        expiry_date=date(2027, 2, 28),
                    ),
                    Inspector(name="张伟", badge_no="31000001"),
                    Inspector(name="刘洋", badge_no="31000002"),
                ]
            )
    finally:
        database.close()
    return path


def row_counts(path: Path) -> dict[str, int]:
    database = open_database(path)
    try:
        with database.session() as s:
            return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    finally:
        database.close()


@pytest.fixture
def recorded(db, db_path, sample, templates, fixed_today) -> str:
    """A completed inspection in db_path; the fixture's connection is closed so the CLI has the file to itself."""
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=templates["industrial"],
        kind="scheduled",
        team=sample.inspector_ids[:2],
        inspected_on=date(2026, 6, 15),
        license_id=sample.license_id,
    )
    for item in templates["industrial"].applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="conform", record="无异常")
    svc.save_answer(db, iid, "4.1", conclusion="nonconform", record="无出厂检验记录")
    svc.complete_inspection(db, iid)
    db.close()
    return iid


@pytest.fixture
def roster(db, sample):
    """conftest's roster in db_path, with the fixture's connection closed."""
    db.close()
    return sample


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:  # argparse usage errors
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def paper(tmp_path: Path, **overrides) -> Path:
    record = {
        "enterprise": {"uscc": USCC, "name": "上海申华塑料制品有限公司"},
        "site_address": SITE1,
        "template": {"id": "industrial", "version": 2},
        "kind": "scheduled",
        "inspected_on": "2026-06-10",
        "status": "draft",
        "team": [{"name": "张伟", "badge_no": "31000001"}, {"name": "刘洋", "badge_no": "31000002"}],
        "answers": [{"item_id": "1.1", "conclusion": "符合"}],
    }
    record.update(overrides)
    path = tmp_path / "paper.json"
    doc = {"format": "inspector-app/inspection", "format_version": 1, "inspections": [record]}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ export


def test_export_all_then_import_on_another_database(capsys, db_path, recorded, tmp_path):
    out = tmp_path / "out.json"
    code, stdout, err = run(capsys, "--db", db_path, "inspection", "export", "--all", "-o", out)
    assert (code, err) == (0, "")
    assert stdout == f"已导出1份检查记录到 {out}\n"
    assert json.loads(out.read_text("utf-8"))["inspections"][0]["id"] == recorded

    other = make_roster(tmp_path / "other.sqlite3")
    code, stdout, err = run(capsys, "--db", other, "inspection", "import", out)
    assert (code, err) == (0, "")
    assert stdout == f"已导入 {out}：新建1份，更新0份，未变0份。\n新建\t{recorded}\n"

    before = row_counts(other)
    code, stdout, err = run(capsys, "--db", other, "inspection", "import", out)
    assert (code, err) == (0, "")
    assert stdout == f"{out} 中的1份检查记录与数据库中的完全相同，未作任何改动。\n"
    assert row_counts(other) == before


def test_export_chosen_ids_and_to_stdout(capsys, db_path, recorded, tmp_path):
    code, stdout, _err = run(capsys, "--db", db_path, "inspection", "export", recorded, "-o", tmp_path / "one.json")
    assert code == 0 and "已导出1份" in stdout
    code, stdout, err = run(capsys, "--db", db_path, "inspection", "export", recorded, "-o", "-")
    assert (code, err) == (0, "")
    assert json.loads(stdout)["inspections"][0]["id"] == recorded
    assert stdout == (tmp_path / "one.json").read_text("utf-8")


def test_export_of_an_unknown_id_is_refused(capsys, db_path, recorded, tmp_path):
    out = tmp_path / "x.json"
    code, stdout, err = run(capsys, "--db", db_path, "inspection", "export", recorded, "nope", "-o", out)
    assert code == 1 and stdout == ""
    assert err == "找不到检查记录：nope；未导出任何内容\n"
    assert not out.exists()


def test_export_to_a_folder_that_does_not_exist_is_refused(capsys, db_path, recorded, tmp_path):
    code, _out, err = run(capsys, "--db", db_path, "inspection", "export", "--all", "-o", tmp_path / "no" / "x.json")
    assert code == 1 and "无法写入文件" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "-o", "x.json"], "请指定要导出的检查记录编号，或用 --all 导出全部"),
        (["export", "some-id", "--all", "-o", "x.json"], "不能同时指定检查记录编号和 --all"),
        (["export", "--all"], "-o/--output"),
        (["import"], "文件"),
        (["frobnicate"], "无效的选项 'frobnicate'"),
        ([], "子命令"),
    ],
)
def test_usage_errors_exit_2(capsys, db_path, tmp_path, argv, message):
    code, stdout, err = run(capsys, "--db", db_path, "inspection", *argv)
    assert code == 2 and stdout == ""
    assert "用法错误" in err and message in err
    assert not db_path.exists()  # a usage error does not even open the database


# ------------------------------------------------------------------------------------------------ import


def test_import_refused_lists_every_problem_and_writes_nothing(capsys, db_path, recorded, tmp_path):
    path = paper(
        tmp_path,
        kind="例行",
        team=[{"badge_no": "31009999"}],
        answers=[{"item_id": "1.1", "conclusion": "不适用"}],
    )
    before = row_counts(db_path)
    code, stdout, err = run(capsys, "--db", db_path, "inspection", "import", path)
    assert code == 1 and stdout == ""
    lines = err.splitlines()
    assert lines[0] == f"导入被拒绝，未写入任何数据。文件“{path}”有4个问题："
    assert [line.split(":")[0] for line in lines[1:]] == [
        "· inspections[0].kind",
        "· inspections[0].team[0].badge_no",
        "· inspections[0].team",
        "· inspections[0].answers[0] (检查项 1.1)",
    ]
    assert row_counts(db_path) == before


def test_importing_over_a_completed_inspection_is_refused(capsys, db_path, recorded, tmp_path):
    out = tmp_path / "out.json"
    assert run(capsys, "--db", db_path, "inspection", "export", recorded, "-o", out)[0] == 0
    doc = json.loads(out.read_text("utf-8"))
    doc["inspections"][0]["answers"][0]["remark"] = "补记"
    out.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    code, _out, err = run(capsys, "--db", db_path, "inspection", "import", out)
    assert code == 1 and "已完成，不能被导入修改" in err


def test_import_of_a_missing_or_broken_file(capsys, db_path, tmp_path):
    code, _out, err = run(capsys, "--db", db_path, "inspection", "import", tmp_path / "nowhere.json")
    assert code == 1 and "无法读取文件" in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "inspector-app/inspection",\n  "inspections": [}', "utf-8")
    code, _out, err = run(capsys, "--db", db_path, "inspection", "import", broken)
    assert code == 1 and "JSON 格式错误，第 2 行第 19 列" in err


def test_import_check_only_writes_nothing(capsys, db_path, roster, tmp_path, fixed_today):
    path = paper(tmp_path)
    before = row_counts(db_path)
    code, stdout, err = run(capsys, "--db", db_path, "inspection", "import", "--check", path)
    assert (code, err) == (0, "")
    assert stdout == f"检查通过：{path} 可以导入（将新建1份，更新0份，未变0份），未写入任何数据。\n"
    assert row_counts(db_path) == before


def test_import_warnings_go_to_stderr(capsys, db_path, roster, tmp_path, fixed_today):
    path = paper(tmp_path, enterprise={"uscc": USCC, "name": "申华塑料"})
    code, stdout, err = run(capsys, "--db", db_path, "inspection", "import", path)
    assert code == 0 and "新建1份" in stdout
    assert err.startswith("警告：inspections[0].enterprise.name: 文件中为“申华塑料”")


def test_import_with_a_broken_forms_folder_is_refused(capsys, db_path, roster, tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "bad.toml").write_text('[template]\nid = "x"\n', "utf-8")
    before = row_counts(db_path)
    code, _out, err = run(capsys, "--db", db_path, "inspection", "import", "--forms", forms, paper(tmp_path))
    assert code == 1 and err.startswith("检查表模板有问题，未导入任何数据：")
    assert row_counts(db_path) == before


def test_list(capsys, db_path, recorded):
    code, stdout, _err = run(capsys, "--db", db_path, "inspection", "list")
    assert code == 0
    assert stdout == f"{recorded}\t2026-06-15\t已完成\t定期\t上海申华塑料制品有限公司\t{SITE1}\n"


def test_list_of_an_empty_database(capsys, db_path):
    code, stdout, err = run(capsys, "--db", db_path, "inspection", "list")
    assert (code, stdout, err) == (0, "", "数据库中没有检查记录。\n")


# ------------------------------------------------------------------------------------------- signatures


def test_import_a_paper_signed_record_then_print_its_summary(capsys, db_path, roster, templates, tmp_path, fixed_today):
    """A record signed on paper, the representative refusing: imported, then its 问题汇总表 shows the refusal."""
    from tests.documents import factory
    from tests.documents.factory import pdf_text

    answers = [
        {"item_id": i.id, "conclusion": "符合", "record": "无异常"} for i in templates["industrial"].applicable_items
    ]
    answers[0] = {"item_id": answers[0]["item_id"], "conclusion": "不符合", "record": "营业执照已过期"}
    scan = base64.b64encode(factory.signature_png(3)).decode("ascii")
    refusal = {"role": "representative", "name": "王建国", "state": "refused", "reason": "不同意检查结论"}
    signatures = [
        {"role": "inspector", "badge_no": "31000001", "image_png_base64": scan},
        {"role": "inspector", "badge_no": "31000002"},
        refusal,
    ]
    fields = {"status": "completed", "answers": answers, "signed_on": "2026-06-10", "rectification_days": 10}
    # Without a witness: refused, naming the place, nothing written.
    before = row_counts(db_path)
    code, stdout, err = run(
        capsys, "--db", db_path, "inspection", "import", paper(tmp_path, signatures=signatures, **fields)
    )
    assert (code, stdout) == (1, "")
    assert "inspections[0].signatures[2].witness: 请填写见证人姓名" in err and "未写入任何数据" in err
    assert row_counts(db_path) == before

    refusal["witness"] = "陈静"
    path = paper(tmp_path, signatures=signatures, **fields)
    code, stdout, err = run(capsys, "--db", db_path, "inspection", "import", path)
    assert (code, err) == (0, "")
    assert stdout.startswith(f"已导入 {path}：新建1份，更新0份，未变0份。\n新建\t")
    iid = stdout.split("新建\t")[1].strip()
    after = row_counts(db_path)
    assert (after["inspection_signoff"], after["signature"]) == (1, 3)

    out = tmp_path / "summary.pdf"
    # the bureau's name is not set in this database: issued as it is, on purpose
    code, stdout, err = run(capsys, "--db", db_path, "pdf", "summary", iid, "-o", out, "--allow-placeholders")
    assert code == 0, err
    text = pdf_text(out.read_bytes())
    assert "企业代表（王建国）拒绝签字。原因：不同意检查结论。见证人：陈静。" in text
    assert "营业执照已过期" in text and "请企业在10日内（即2026年6月20日前）完成整改" in text
    assert run(capsys, "--db", db_path, "pdf", "verify", out)[0] == 0

    # The same file again changes nothing; the export carries the signatures.
    code, stdout, err = run(capsys, "--db", db_path, "inspection", "import", path)
    assert code == 0 and "未作任何改动" in stdout
    exported = tmp_path / "out.json"
    assert run(capsys, "--db", db_path, "inspection", "export", iid, "-o", exported)[0] == 0
    sigs = json.loads(exported.read_text("utf-8"))["inspections"][0]["signatures"]
    assert [s["state"] for s in sigs] == ["signed", "signed", "refused"] and sigs[0]["image_png_base64"] == scan


# -------------------------------------------------------------------------------------- real process


def test_import_in_a_real_process(db_path, recorded, tmp_path):
    out = tmp_path / "out.json"
    python = ROOT / ".venv" / "bin" / "python"
    if not python.exists():
        python = Path(sys.executable)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def cli(*argv):
        return subprocess.run(
            [str(python), "-m", "inspector_app", *map(str, argv)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )

    assert cli("--db", db_path, "inspection", "export", "--all", "-o", out).returncode == 0
    other = make_roster(tmp_path / "other.sqlite3")
    done = cli("--db", other, "inspection", "import", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"已导入 {out}：新建1份")
    again = cli("--db", other, "inspection", "import", out)
    assert again.returncode == 0 and "未作任何改动" in again.stdout
    bad = cli("--db", other, "inspection", "import", paper(tmp_path, kind="例行"))
    assert bad.returncode == 1 and "inspections[0].kind" in bad.stderr and bad.stdout == ""
