"""What the user guide's pictures show (scripts/screenshots.py): the soak's bureau database (tests/ui/soak_child.py:
the demo roster, a signed, a completed and a draft inspection), the bureau's own heading, and what the later
scenes need — a photo on the draft, a 回访 with one verdict, a class change — made through the core as a user
would make them."""

from __future__ import annotations

from pathlib import Path

BUREAU = {
    "bureau.name": "上海市嘉定区市场监督管理局",
    "bureau.short_name": "嘉市监",
    "bureau.contact_phone": "021-59990000",
}


def photo_jpeg() -> bytes:
    """A small photo as a camera writes it: a picture, the time taken and the place (EXIF GPS), for the viewer."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (960, 640), "#c9d3dc")
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 420, 960, 640), fill="#8a8f94")  # the floor of a workshop
    for x in range(80, 900, 200):  # shelves of product
        draw.rectangle((x, 180, x + 140, 420), fill="#5b6e82", outline="#2f3b47", width=4)
        for y in range(200, 420, 55):
            draw.rectangle((x + 12, y, x + 128, y + 40), fill="#d9b25f", outline="#7a5a1c", width=2)
    exif = Image.Exif()
    exif[0x0132] = "2026:11:03 10:24:37"  # DateTime
    exif.get_ifd(0x8769)[0x9003] = "2026:11:03 10:24:37"  # DateTimeOriginal
    exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 22.0, 48.6), 3: "E", 4: (121.0, 15.0, 3.2)})  # GPS, 嘉定
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def stage(db, data: dict) -> None:
    """What the later scenes show, made through the core as a user would: a photo on the draft (the viewer),
    a 回访 of the signed record's problems with one verdict given (the 回访 form), a class change of the
    enterprise by the bureau (the archive's 变更记录)."""
    from inspector_app.core.archive import list_inspectors
    from inspector_app.core.inspection import photos
    from inspector_app.core.inspection.inspections import template_from_snapshot
    from inspector_app.core.storage.models import Enterprise, Inspection
    from inspector_app.core.supervision import followup_form
    from inspector_app.core.supervision.classification import classify
    from inspector_app.core.supervision.rectification import start_followup

    with db.session() as s:
        draft = s.get(Inspection, data["draft"])
        item = template_from_snapshot(draft.template_digest, draft.template.content).applicable_items[0].id
        current = s.get(Enterprise, data["enterprise"]).classification
    photos.add_photo(db, data["draft"], item, photo_jpeg(), filename="IMG_2031.jpg", caption="成品仓库货架，现场拍摄")
    team = [i.id for i in list_inspectors(db)[:2]]
    data["followup"] = start_followup(db, data["enterprise"], team=team)
    first = followup_form.load(db, data["followup"]).problems[0]
    followup_form.give_verdict(
        db, first.rectification_id, followup_form.PARTIAL, "经营范围变更已受理，新营业执照尚未领取。"
    )
    lower = {"AA": "A", "A": "B", "B": "C", "C": "B"}[current or "B"]  # one step: a change 001 §33 allows
    data["photos"] = photos.list_photos(db, data["draft"])
    classify(db, data["enterprise"], lower, reason="年度动态调整：回访发现问题未全部整改", who="王芳")


def prepare_data(work: Path) -> dict:
    """The database under `work` with everything the scenes show; what the scenes need to find, by name."""
    from tests.ui.soak_child import prepare

    data = prepare(work)
    from inspector_app.core import settings
    from inspector_app.core.roster.export import export_roster
    from inspector_app.core.storage.db import open_database
    from inspector_app.core.storage.models import Enterprise

    db = open_database(data["db"])
    settings.update(db, BUREAU)  # what the guide's first setup fills in: the documents show a real heading
    data["roster"] = work / "名录.csv"
    export_roster(db, data["roster"])
    with db.session() as s:
        data["search"] = s.get(Enterprise, data["enterprise"]).name[:4]
    stage(db, data)
    db.close()
    return data
