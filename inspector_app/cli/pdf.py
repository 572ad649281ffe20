"""`inspector-app pdf …`: the official documents of a signed inspection as signed PDFs, and their verification.

    inspector-app pdf summary INSPECTION -o FILE       问题汇总表 (002 附件1)
    inspector-app pdf record  INSPECTION -o FILE [--photos]   监督检查记录表 (002 附件2)
    inspector-app pdf notice  INSPECTION -o FILE       责令整改通知书
    inspector-app pdf status  INSPECTION -o FILE       生产状况登记表 (002 附件3 钢铁 / 附件4 水泥)
    inspector-app pdf verify  FILE                     exit 0 intact and known signer, 1 otherwise (pdf_check.py)
    inspector-app pdf lookup  CODE | --image SCAN      the issued document behind a paper's code (pdf_check.py)
    inspector-app pdf issued  INSPECTION [--export N -o FILE]   the documents issued (archive), one written out

Unset bureau settings (××区市场监督管理局 …) refuse a document unless --allow-placeholders (cli/placeholders.py).
Writing a document to -o FILE issues it: the exact signed bytes are archived (core/issuing/issued.py) before the
file appears, and travel to the bureau with the next bundle.

INSPECTION is the inspection's id (see `inspection list`) or an unambiguous beginning of it (8+ characters).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.cli import pdf_check
from inspector_app.cli.main import EXIT_OK, Refused
from inspector_app.cli.placeholders import add_flag, refuse_placeholders, warn_placeholders
from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.core.storage.db import Database

ORDER = 50

DOCS = {
    "summary": _("问题汇总表"),
    "record": _("监督检查记录表"),
    "notice": _("责令整改通知书"),
    "status": _("生产状况登记表（钢铁、水泥获证企业）"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pdf",
        help=_("出具文书（PDF，带电子签名）及核验"),
        description=_(
            "为已签字确认的检查记录出具问题汇总表、监督检查记录表、责令整改通知书（PDF，本机电子签名），或核验PDF文书。"
        ),
    )
    sub = parser.add_subparsers(dest="pdf_command", metavar=_("子命令"), required=True)
    for doc, label in DOCS.items():
        p = sub.add_parser(doc, help=label, description=label)
        p.add_argument("inspection", metavar=_("检查记录"), help=_("检查记录编号，或其开头至少8位"))
        p.add_argument("-o", "--output", required=True, type=Path, metavar=_("文件"), help=_("输出的PDF文件"))
        p.add_argument(
            "--allow-missing-glyphs",
            action="store_true",
            help=_("字体中没有的字用〓代替并照常出具（默认拒绝并列出这些字）"),
        )
        add_flag(p)
        if doc == "record":
            p.add_argument("--photos", action="store_true", help=_("附现场照片（缩小后附在记录表后）"))
        p.set_defaults(func=_generate, doc_type=doc)
    pdf_check.register_commands(sub)  # verify, lookup (cli/pdf_check.py)
    label = _("列出某检查记录已出具的文书（存档），或把其中一份按原样另存")
    p = sub.add_parser("issued", help=label, description=label)
    p.add_argument("inspection", metavar=_("检查记录"), help=_("检查记录编号，或其开头至少8位"))
    p.add_argument("--export", type=int, metavar="N", help=_("另存列表中的第N份（存档的原文件，不是重新出具）"))
    p.add_argument("-o", "--output", type=Path, metavar=_("文件"), help=_("另存到的PDF文件（与 --export 一起用）"))
    p.set_defaults(func=_issued)


def resolve_inspection(db: Database, text: str) -> str:
    """The full id for an id or an unambiguous beginning of one; Refused with a Chinese message otherwise."""
    from sqlalchemy import select

    from inspector_app.core.storage.models import Inspection

    text = text.strip().lower()
    with db.session() as s:
        if s.get(Inspection, text) is not None:
            return text
        if len(text) >= 8:
            ids = s.scalars(select(Inspection.id).where(Inspection.id.like(f"{text}%")).limit(3)).all()
            if len(ids) == 1:
                return ids[0]
            if len(ids) > 1:
                raise Refused(_("检查记录编号“{t}”不唯一，请多输入几位").format(t=text))
    raise Refused(_("找不到检查记录“{t}”。用 inspector-app inspection list 查看检查记录编号。").format(t=text))


def _generate(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import open_db
    from inspector_app.documents.generate import generate
    from inspector_app.documents.issue import save_issued

    out: Path = args.output
    db = open_db(args)
    try:
        iid = resolve_inspection(db, args.inspection)
        placeholders = refuse_placeholders(db, args, args.doc_type)  # before a number is issued
        doc = generate(
            db,
            iid,
            args.doc_type,
            with_photos=getattr(args, "photos", False),
            strict=not args.allow_missing_glyphs,
        )
        save_issued(db, doc, out)  # archived, then the file appears; refused: neither
    finally:
        db.close()
    warn_placeholders(placeholders)
    for warning in doc.warnings:
        print(_("注意：字体缺字，已用〓代替：{w}").format(w=warning), file=sys.stderr)
    line = _("已出具{doc}：{p}（核验码 {c}").format(doc=DOCS[args.doc_type], p=out, c=doc.verification_code)
    if doc.number:
        line += _("，文号 {n}").format(n=doc.number)
    print(line + "）")
    return EXIT_OK


def _issued(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import open_db
    from inspector_app.core.issuing import issued as issued_docs

    if (args.export is None) != (args.output is None):
        raise Refused(_("--export N 与 -o 文件 须一起使用：先用 pdf issued 检查记录 查看序号N。"))
    db = open_db(args)
    try:
        iid = resolve_inspection(db, args.inspection)
        docs = issued_docs.list_issued(db, iid)
        if args.export is None:
            if not docs:
                print(_("检查记录 {i} 尚未出具文书（另存为PDF或打印后才记入存档）。").format(i=iid))
                return EXIT_OK
            print(_("检查记录 {i} 已出具的文书：").format(i=iid))
            for n, d in enumerate(docs, start=1):
                print(
                    f"{n:>3}  {d.title}  {d.number or '—'}  {d.issued_at:%Y-%m-%d %H:%M}  {d.how_label}  "
                    + _("核验码 {c}  SHA-256 {h}").format(c=d.verification_code, h=d.sha256[:16])
                )
            return EXIT_OK
        if not 1 <= args.export <= len(docs):
            raise Refused(
                _("检查记录 {i} 的已出具文书中没有第 {n} 份（共 {c} 份）。").format(i=iid, n=args.export, c=len(docs))
            )
        chosen = docs[args.export - 1]
        out = issued_docs.export_issued(db, chosen.id, args.output)
    finally:
        db.close()
    print(_("已另存{d}（存档原件）：{p}").format(d=chosen.title, p=out))
    return EXIT_OK
