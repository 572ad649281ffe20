"""Inspections exported as JSON (core/inspection/json_io.py) and imported elsewhere: the file, its stability,
the round trip to another database, and the template snapshot it carries."""

import copy
import json
import shutil

import pytest
from sqlalchemy import select

from inspector_app.core.errors import NotFound
from inspector_app.core.inspection import inspections as svc
from inspector_app.core.inspection.json_io import (
    export_inspections,
    import_inspections,
    inspections_document,
)
from inspector_app.core.inspection.templates import load_templates
from inspector_app.core.storage.models import (
    Inspection,
)
from tests.core.inspection_io_helpers import (
    FORMS,
    USCC,
    one_problem,
    paper_record,
    refused,
    row_counts,
    write,
)

# ------------------------------------------------------------------------------------------------ export


def test_export_writes_readable_utf8_json_with_the_template_snapshot(db, two, templates, tmp_path):
    done, draft = two
    out = tmp_path / "out.json"
    assert export_inspections(db, None, out) == 2
    raw = out.read_bytes()
    text = raw.decode("utf-8")
    assert "上海申华塑料制品有限公司" in text and "\\u" not in text  # Chinese as itself, not escaped
    assert text.startswith('{\n  "format": "inspector-app/inspection"') and text.endswith("}\n")
    doc = json.loads(text)
    assert list(doc) == ["format", "format_version", "templates", "inspections"]
    assert [t["id"] for t in doc["templates"]] == ["food", "industrial"]
    assert {t["digest"] for t in doc["templates"]} == {templates["food"].digest, templates["industrial"].digest}
    # Ordered by inspection date: the food draft (14 June) first.
    first, second = doc["inspections"]
    assert (first["id"], second["id"]) == (draft, done)
    assert list(second) == [
        "id",
        "enterprise",
        "site_address",
        "license_number",
        "template",
        "kind",
        "inspected_on",
        "status",
        "completed_at",
        "team",
        "answers",
        "status_values",
        "signed_on",
        "rectification_days",
        "signatures",
        "photos",
    ]
    # Not signed: no signing date, no period, no signatures.
    assert (second["signed_on"], second["rectification_days"], second["signatures"]) == (None, None, [])
    assert second["template"] == {"id": "industrial", "version": 2, "digest": templates["industrial"].digest}
    assert second["enterprise"] == {"uscc": USCC, "name": "上海申华塑料制品有限公司"}
    assert second["license_number"] == "(沪)XK13-006-00021"
    assert (second["status"], second["completed_at"], second["kind"]) == (
        "completed",
        "2026-06-15T10:30:00",
        "scheduled",
    )
    assert second["team"] == [
        {"name": "刘洋", "badge_no": "31000002", "role": "组长"},
        {"name": "张伟", "badge_no": "31000001", "role": "组员"},
    ]
    answers = {a["item_id"]: a for a in second["answers"]}
    assert [a["item_id"] for a in second["answers"]] == [i.id for i in templates["industrial"].items]
    assert answers["4.1"] == {
        "item_id": "4.1",
        "conclusion": "不符合",
        "record": "出厂检验报告缺少批号",
        "remark": "",
        "na_reason": "",
        "rectified_on_site": True,
        "problem_category": None,
    }
    assert answers["2.2"]["conclusion"] == "不适用" and answers["2.2"]["na_reason"] == "适用于食品相关产品"
    assert answers["6.1"]["na_reason"] == "产品不涉及产业政策"
    assert first["status"] == "draft" and first["completed_at"] is None
    assert {a["item_id"] for a in first["answers"]} == {"1.1", "2.2"}
    assert first["answers"][0] == {
        "item_id": "1.1",
        "conclusion": None,
        "record": "",
        "remark": "尚未核对营业执照原件",
        "na_reason": "",
        "rectified_on_site": False,
        "problem_category": None,
    }


def test_export_is_stable(db, two, tmp_path):
    export_inspections(db, None, tmp_path / "a.json")
    export_inspections(db, None, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_export_of_chosen_ids_keeps_their_order(db, two, tmp_path):
    done, draft = two
    export_inspections(db, [done, draft, done], tmp_path / "x.json")
    doc = json.loads((tmp_path / "x.json").read_text("utf-8"))
    assert [i["id"] for i in doc["inspections"]] == [done, draft]
    export_inspections(db, [done], tmp_path / "one.json")
    doc = json.loads((tmp_path / "one.json").read_text("utf-8"))
    assert [t["id"] for t in doc["templates"]] == ["industrial"]


def test_export_of_an_unknown_id_writes_nothing(db, two, tmp_path):
    out = tmp_path / "x.json"
    with pytest.raises(NotFound, match="no-such-id"):
        export_inspections(db, [two[0], "no-such-id"], out)
    assert not out.exists()
    assert list(tmp_path.glob(".x.json.*")) == []


def test_export_of_an_empty_database(db, tmp_path):
    assert export_inspections(db, None, tmp_path / "e.json") == 0
    assert inspections_document(db)["inspections"] == []


# --------------------------------------------------------------------------------------- round trip


def test_export_then_import_into_a_fresh_database_gives_identical_answers(db, two, templates, tmp_path, other_db):
    out = export_inspections(db, None, tmp_path / "out.json") and tmp_path / "out.json"
    result = import_inspections(other_db, out, templates)
    assert set(result.created) == set(two) and result.updated == result.unchanged == ()
    assert result.warnings == ()
    for iid in two:
        mine, theirs = svc.load_inspection(db, iid), svc.load_inspection(other_db, iid)
        assert theirs.answers == mine.answers
        assert [m.badge_no for m in theirs.team] == [m.badge_no for m in mine.team]
        assert theirs.template == mine.template
        assert (theirs.status, theirs.kind, theirs.inspected_on, theirs.license_number, theirs.site_address) == (
            mine.status,
            mine.kind,
            mine.inspected_on,
            mine.license_number,
            mine.site_address,
        )
        assert theirs.enterprise_id == mine.enterprise_id  # matched by USCC, whose id it is (core/storage/identity.py)
    # Exporting again from the other database gives the same file, byte for byte.
    export_inspections(other_db, None, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == out.read_bytes()


def test_importing_the_same_file_twice_changes_nothing(db, two, templates, tmp_path, other_db):
    out = tmp_path / "out.json"
    export_inspections(db, None, out)
    import_inspections(other_db, out, templates)
    before = row_counts(other_db)
    with other_db.session() as s:
        revs = {i.id: i.rev for i in s.scalars(select(Inspection))}
    result = import_inspections(other_db, out, templates)
    assert result.created == result.updated == ()
    assert set(result.unchanged) == set(two)
    assert not result.changed
    assert row_counts(other_db) == before
    with other_db.session() as s:
        assert {i.id: i.rev for i in s.scalars(select(Inspection))} == revs
    # Importing back into the database it came from changes nothing either.
    assert set(import_inspections(db, out, templates).unchanged) == set(two)


# ---------------------------------------------------------------------------------------- templates


@pytest.fixture
def forms_v2(tmp_path):
    """The forms folder after a clerk changed item 1.1 of the industrial form and made it version 3."""
    forms = tmp_path / "forms_v2"
    shutil.copytree(FORMS, forms)
    path = forms / "industrial.toml"
    text = path.read_text("utf-8").replace("version = 2", "version = 3", 1)
    path.write_text(text.replace("是否存在擅自变更名称的行为。", "是否擅自变更名称。", 1), "utf-8")
    return load_templates(forms)


def test_an_export_carries_its_template_to_a_machine_with_newer_forms(db, two, templates, tmp_path, other_db, forms_v2):
    done, _draft = two
    out = tmp_path / "out.json"
    export_inspections(db, [done], out)
    result = import_inspections(other_db, out, forms_v2)
    assert result.created == (done,)
    assert result.warnings == (
        "inspections[0].template: 检查表模板 industrial 第 2 版 不是本机 forms 中的模板，按文件附带的模板快照导入",
    )
    view = svc.load_inspection(other_db, done)
    assert view.template == templates["industrial"]
    assert view.answers == svc.load_inspection(db, done).answers
    # Once the snapshot is in the database, the same file imports without a warning and changes nothing.
    again = import_inspections(other_db, out, forms_v2)
    assert again.unchanged == (done,) and again.warnings == ()


def test_without_the_snapshot_a_digest_of_another_version_is_refused(db, two, templates, tmp_path, other_db, forms_v2):
    done, _draft = two
    out = tmp_path / "out.json"
    export_inspections(db, [done], out)
    doc = json.loads(out.read_text("utf-8"))
    del doc["templates"]
    problems = refused(other_db, write(out, doc), forms_v2)
    digest = templates["industrial"].digest
    assert problems == [
        f"inspections[0].template.digest: 检查表模板 industrial 第 2 版 的校验值 {digest[:12]}… "
        "与本机 forms 中的同名模板（第 3 版）内容不同，文件中也没有附带该模板快照（templates）。"
        "请使用本程序导出的完整文件；纸质记录请删去 digest，按本机模板录入"
    ]
    # With the same forms as the exporting machine, the digest alone is enough.
    assert import_inspections(other_db, out, templates).created == (done,)


def test_a_tampered_template_snapshot_is_refused(db, two, templates, tmp_path, other_db):
    out = tmp_path / "out.json"
    export_inspections(db, [two[0]], out)
    doc = json.loads(out.read_text("utf-8"))
    doc["templates"][0]["sections"][0]["items"][0]["text"] = "改过的检查内容"
    problems = refused(other_db, write(out, doc), templates)
    assert problems[0] == "templates[0]: 内容与其校验值不符，快照已被改动或损坏；请从备份恢复。"


def test_a_digest_naming_another_template_is_refused(db, sample, templates, tmp_path):
    rec = paper_record(template={"id": "industrial", "version": 2, "digest": templates["food"].digest})
    problem = one_problem(db, tmp_path, templates, rec)
    assert problem == (
        f"inspections[0].template: 校验值 {templates['food'].digest[:12]}… 对应的是模板 food 第 2 版，"
        "与文件中写的 检查表模板 industrial 第 2 版 不符"
    )


def test_an_exported_record_survives_a_round_trip_through_an_edit(db, two, templates, tmp_path, other_db):
    """Scripts may load the export, change a draft and write it back: the structure stays importable."""
    out = tmp_path / "out.json"
    export_inspections(db, None, out)
    doc = json.loads(out.read_text("utf-8"))
    edited = copy.deepcopy(doc)
    draft = next(i for i in edited["inspections"] if i["status"] == "draft")
    draft["answers"].append({"item_id": "9.1", "conclusion": "符合"})
    import_inspections(other_db, out, templates)
    result = import_inspections(other_db, write(tmp_path / "edited.json", edited), templates)
    assert result.updated == (draft["id"],) and len(result.unchanged) == 1
    assert svc.load_inspection(other_db, draft["id"]).answer("9.1").conclusion == "conform"
