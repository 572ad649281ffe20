"""Helpers shared by the documents, signing, CLI and UI tests: completed and signed inspections."""

import io
import math
import random
from datetime import date

from inspector_app.core.inspection import inspections as svc
from inspector_app.core.issuing import signing

# Records long enough to wrap over several lines, with the characters a record really contains.
PROBLEMS = {
    "1.2": "营业执照经营范围未包含许可证产品“涂料”，企业称正在办理变更登记（受理号 2026-0412）。",
    "4.1": "抽查2026年5月出厂检验记录，批号20260512-03缺少黏度、细度项目的检验数据；检验报告未经审核人签字。",
    "5.1": "成品仓库内3个批次产品包装桶上未标注生产许可证编号，已当场要求企业补贴标签。",
}


def signature_png(seed: int = 0, width: int = 360, height: int = 140) -> bytes:
    """A hand-drawn-looking scribble as PNG with transparency."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    img = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    pts = []
    for i in range(60):
        x = 20 + i * (width - 40) / 59
        y = height / 2 + math.sin(i / 4 + seed) * height / 4 + rnd.uniform(-8, 8)
        pts.append((x, y))
    d.line(pts, fill=(10, 10, 60, 255), width=5, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def strokes(seed: int = 0) -> tuple:
    return (tuple((10.0 + i * 5, 40.0 + (i * seed) % 17) for i in range(20)),)


def complete(db, sample, templates, *, kind="double_random", problems=PROBLEMS, long_records=0, team=2, **kw):
    """A completed inspection of the sample's industrial license with the given 不符合 records."""
    iid = svc.start_inspection(
        db,
        site_id=sample.site_id,
        template=templates["industrial"],
        kind=kind,
        team=sample.inspector_ids[:team],
        inspected_on=kw.get("inspected_on", date(2026, 6, 15)),
        license_id=sample.license_id,
    )
    for item in templates["industrial"].applicable_items:
        if item.id in problems:
            svc.save_answer(db, iid, item.id, conclusion="nonconform", record=problems[item.id])
        else:
            record = "现场核查，符合要求。" + ("查阅记录、询问相关人员并现场核实，未发现异常情况。" * long_records)
            svc.save_answer(db, iid, item.id, conclusion="conform", record=record)
    if "5.1" in problems:
        svc.save_answer(db, iid, "5.1", rectified_on_site=True)
    svc.complete_inspection(db, iid)
    return iid


def team_signatures(db, iid) -> list:
    return [
        signing.SignatureInput(
            role=signing.INSPECTOR, inspector_id=i, name=n, image=signature_png(k), strokes=strokes(k)
        )
        for k, (i, n) in enumerate(signing.team_of(db, iid))
    ]


def representative(state=signing.SIGNED) -> signing.SignatureInput:
    if state == signing.SIGNED:
        return signing.SignatureInput(
            role=signing.REPRESENTATIVE, name="李秀英", title="质量部经理", phone="13800138000",
            image=signature_png(7), strokes=strokes(7),
        )  # fmt: skip
    return signing.SignatureInput(
        role=signing.REPRESENTATIVE, name="王建国", title="总经理", phone="13900000000", state=state,
        reason="企业负责人对第4项检查结论有异议" if state == signing.REFUSED else "企业负责人外出，联系不上",
        witness="陈静（检查组）",
    )  # fmt: skip


def sign(db, iid, *, rep_state=signing.SIGNED, days=None, on=date(2026, 6, 15)):
    return signing.sign_inspection(
        db, iid, [*team_signatures(db, iid), representative(rep_state)], rectification_days=days, signed_on=on
    )


def signed(db, sample, templates, *, rep_state=signing.SIGNED, **kw):
    iid = complete(db, sample, templates, **kw)
    sign(db, iid, rep_state=rep_state)
    return iid


# ---------------------------------------------------------------------------------------------- reading PDFs


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, as a reader's copy-and-paste gives it (pypdf, a test dependency)."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [page.extract_text() or "" for page in reader.pages]


def flat(text: str) -> str:
    """Text without any whitespace: a field wrapped over two lines is still found."""
    import re

    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    return flat("".join(pdf_pages(pdf)))


def font_report(pdf: bytes) -> list[tuple[str, str, bool]]:
    """(base font, subtype, embedded) for every font of every page, walking the PDF objects (pyHanko reader)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    def obj(x):
        return x.get_object() if hasattr(x, "get_object") else x

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    seen = {}
    for page_ref in obj(obj(reader.root["/Pages"])["/Kids"]):
        page = obj(page_ref)
        resources = obj(page["/Resources"]) if "/Resources" in page else {}
        fonts = obj(resources["/Font"]) if "/Font" in resources else {}
        for name in list(fonts.keys()):
            font = obj(fonts[name])
            base = str(font["/BaseFont"])
            subtype = str(font["/Subtype"])
            desc = obj(font["/FontDescriptor"]) if "/FontDescriptor" in font else None
            if desc is None and "/DescendantFonts" in font:
                desc = obj(obj(obj(font["/DescendantFonts"])[0])["/FontDescriptor"])
            embedded = desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            seen[base] = (base, subtype, embedded)
    return list(seen.values())


BUREAU_SETTINGS = {
    "bureau.name": "上海市奉贤区市场监督管理局",
    "bureau.short_name": "奉市监",
    "bureau.seal_text": "上海市奉贤区市场监督管理局",
    "bureau.contact_phone": "021-67100000",
}


def configure_bureau(db) -> None:
    """The bureau's settings as its bundle brings them: no placeholder left on the documents."""
    from inspector_app.core import settings

    settings.update(db, BUREAU_SETTINGS)
