"""The production-status form (002 附件3) travels with its record: laptop → bureau, values and signature intact."""

from inspector_app.core.inspection import inspections
from inspector_app.core.inspection.status_values import save_status_value
from inspector_app.core.issuing import signing
from inspector_app.core.storage.models import License


def test_status_values_reach_the_bureau_signed(world):
    with world.a.db.session() as s:  # the license inspected is a steel one (建筑用钢筋)
        s.get(License, world.license_id).category = "建筑用钢筋"
    iid = world.start(world.a)
    world.answer_all(world.a, iid)
    save_status_value(world.a.db, iid, "2.1", "120.5")
    save_status_value(world.a.db, iid, "7.1", ["棒材产品", "冷轧产品"])
    save_status_value(world.a.db, iid, "9.1", [["1000", "2"]])
    world.complete_and_sign(world.a, iid)
    world.bureau.import_(world.a.export().path)
    view = inspections.load_inspection(world.bureau.db, iid)
    assert view.template.status.title == "山西省钢铁获证企业生产状况登记表"
    assert {k: view.answers[k].record for k in ("S2.1", "S7.1", "S9.1")} == {
        "S2.1": "120.5",
        "S7.1": '["棒材产品", "冷轧产品"]',
        "S9.1": '[["1000", "2"]]',
    }
    assert signing.verify_record(world.bureau.db, iid) == []
