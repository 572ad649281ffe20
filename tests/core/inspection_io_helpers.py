"""Helpers of the inspection JSON tests (test_inspection_io_*.py): a second laptop's roster, inspections to
export, hand-typed paper records, and `refused` (an import that must write nothing)."""

import base64
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspector_app.core.inspection import inspections as svc
from inspector_app.core.inspection.json_io import (
    FORMAT,
    ImportRefused,
    import_inspections,
)
from inspector_app.core.inspection.templates import load_templates
from inspector_app.core.storage.models import (
    Base,
    Enterprise,
    Inspector,
    License,
    Site,
)
from tests.documents import factory

FORMS = Path(__file__).parents[2] / "forms"
USCC = "91350100M000100Y43"
SITE1 = "上海市奉贤区南桥镇江海路88号"
SITE2 = "上海市奉贤区青村镇光明路6号"


def make_roster(database) -> None:
    """The same roster as conftest's `sample`, with other UUIDs (as on another laptop)."""
    with database.session() as s:
        ent = Enterprise(uscc=USCC, name="上海申华塑料制品有限公司", district="奉贤区")
        site = Site(enterprise=ent, address=SITE1, district="奉贤区")
        site2 = Site(enterprise=ent, address=SITE2, district="奉贤区")
        other = Enterprise(uscc="91310000MA1FL0000A", name="上海另一家有限公司", district="松江区")
        s.add_all(
            [
                ent,
                site,
                site2,
                other,
                Site(enterprise=other, address="上海市松江区某路1号", district="松江区"),
                License(
                    enterprise=ent,
                    site=site,
                    number="(沪)XK13-006-00021",
                    category="危险化学品",
                    expiry_date=date(2027, 2, 28),
                ),
                License(
                    enterprise=ent,
                    site=site2,
                    number="(沪)XK16-204-00006",
                    category="直接接触食品的材料等相关产品",
                    expiry_date=date(2026, 7, 31),
                ),
                Inspector(name="陈静", badge_no="31000003"),
                Inspector(name="刘洋", badge_no="31000002"),
                Inspector(name="张伟", badge_no="31000001"),
            ]
        )


def row_counts(database) -> dict[str, int]:
    with database.session() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def completed_industrial(db, sample, templates) -> str:
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=templates["industrial"],
        kind="scheduled",
        team=[sample.inspector_ids[1], sample.inspector_ids[0]],
        inspected_on=date(2026, 6, 15),
        license_id=sample.license_id,
    )
    for item in templates["industrial"].applicable_items:
        svc.save_answer(db, iid, item.id, conclusion="conform", record=f"{item.id} 现场核查无异常")
    svc.save_answer(db, iid, "4.1", conclusion="nonconform", record="出厂检验报告缺少批号", rectified_on_site=True)
    svc.save_answer(db, iid, "3.2", conclusion="na", remark="停产整顿中")
    svc.save_answer(db, iid, "6.1", conclusion="na", na_reason="产品不涉及产业政策")
    svc.complete_inspection(db, iid)
    return iid


def draft_food(db, sample, templates) -> str:
    iid = svc.start_inspection(
        db,
        site_id=_site2(db),  # the second production address
        template=templates["food"],
        kind="double_random",
        team=sample.inspector_ids,
        inspected_on=date(2026, 6, 14),
        license_id=sample.food_license_id,
    )
    svc.save_answer(db, iid, "2.2", conclusion="nonconform", record="更衣室无鞋靴消毒设施")
    svc.save_answer(db, iid, "1.1", remark="尚未核对营业执照原件")
    return iid


def _site2(db) -> str:
    with db.session() as s:
        return s.scalar(select(Site.id).where(Site.address == SITE2))


def write(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def paper_record(**overrides) -> dict:
    """A hand-typed paper record: no id, no digest, Chinese labels, only some answers (a draft)."""
    record = {
        "enterprise": {"uscc": USCC, "name": "上海申华塑料制品有限公司"},
        "site_address": SITE1,
        "license_number": "(沪)XK13-006-00021",
        "template": {"id": "industrial", "version": 2},
        "kind": "定期",
        "inspected_on": "2026-06-10",
        "status": "draft",
        "team": [{"name": "张伟", "badge_no": "31000001", "role": "组长"}, {"name": "刘洋", "badge_no": "31000002"}],
        "answers": [
            {"item_id": "1.1", "conclusion": "符合", "record": "名称一致"},
            {"item_id": "4.1", "conclusion": "不符合", "record": "无出厂检验记录"},
        ],
    }
    record.update(overrides)
    return record


def full_answers(template, **changes) -> list[dict]:
    answers = [{"item_id": i.id, "conclusion": "conform", "record": "无异常"} for i in template.applicable_items]
    for a in answers:
        if a["item_id"] in changes:
            a.update(changes[a["item_id"]])
    return answers


def document(*inspections) -> dict:
    return {"format": FORMAT, "format_version": 1, "inspections": list(inspections)}


def refused(database, path, templates) -> list[str]:
    before = row_counts(database)
    with pytest.raises(ImportRefused) as caught:
        import_inspections(database, path, templates)
    assert row_counts(database) == before, "a refused import must write nothing"
    assert "未写入任何数据" in str(caught.value)
    return caught.value.problems


def one_problem(db, tmp_path, templates, rec) -> str:
    problems = refused(db, write(tmp_path / "p.json", document(rec)), templates)
    assert len(problems) == 1, problems
    return problems[0]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def paper_signatures() -> list[dict]:
    """What a clerk types from a record signed on paper: both inspectors with a scan, the representative refused."""
    return [
        {
            "role": "inspector",
            "badge_no": "31000001",
            "name": "张伟",
            "image_png_base64": b64(factory.signature_png(1)),
        },
        {"role": "检查人员", "badge_no": "31000002", "image_png_base64": b64(factory.signature_png(2))},
        {
            "role": "representative",
            "name": "王建国",
            "title": "总经理",
            "phone": "13900000000",
            "state": "拒绝签字",
            "reason": "对第4.1项检查结论有异议",
            "witness": "陈静（检查组）",
        },
    ]


def signed_paper_record(signatures=None, **overrides) -> dict:
    """A completed paper record (one 不符合, 4.1) with its paper signatures."""
    answers = full_answers(
        load_templates(FORMS)["industrial"], **{"4.1": {"conclusion": "不符合", "record": "出厂检验报告缺少批号"}}
    )
    record = paper_record(status="completed", answers=answers, signatures=paper_signatures())
    record.update(signed_on="2026-06-10", rectification_days=20)
    if signatures is not None:
        record["signatures"] = signatures
    record.update(overrides)
    return record
