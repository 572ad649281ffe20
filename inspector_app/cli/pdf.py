"""`inspector-app pdf …`: the official documents of a signed inspection as signed PDFs, and their verification.

    inspector-app pdf summary INSPECTION -o FILE       问题汇总表 (002 附件1)
    inspector-app pdf record  INSPECTION -o FILE [--photos]   监督检查记录表 (002 附件2)
    inspector-app pdf notice  INSPECTION -o FILE       责令整改通知书
    inspector-app pdf verify  FILE                     exit 0 intact, 1 altered or unsigned

INSPECTION is the inspection's id (see `inspection list`) or an unambiguous beginning of it (8+ characters).
"""

import sys
from pathlib import Path

from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, Refused
from inspector_app.i18n import _

ORDER = 50

DOCS = {
    "summary": _("问题汇总表（002 附件1）"),
    "record": _("监督检查记录表（002 附件2）"),
    "notice": _("责令整改通知书"),
}


def register(subparsers) -> None:
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
        if doc == "record":
            p.add_argument("--photos", action="store_true", help=_("附现场照片（缩小后附在记录表后）"))
        p.set_defaults(func=_generate, doc_type=doc)
    p = sub.add_parser("verify", help=_("核验PDF文书的电子签名：完整还是被改动、由谁签名"))
    p.add_argument("file", type=Path, metavar=_("文件"))
    p.set_defaults(func=_verify)


def resolve_inspection(db, text: str) -> str:
    """The full id for an id or an unambiguous beginning of one; Refused with a Chinese message otherwise."""
    from sqlalchemy import select

    from inspector_app.core.models import Inspection

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


def _generate(args) -> int:
    from inspector_app.cli.main import open_db
    from inspector_app.documents.generate import generate

    db = open_db(args)
    try:
        iid = resolve_inspection(db, args.inspection)
        doc = generate(
            db,
            iid,
            args.doc_type,
            with_photos=getattr(args, "photos", False),
            strict=not args.allow_missing_glyphs,
        )
    finally:
        db.close()
    out: Path = args.output
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(doc.pdf)
        tmp.replace(out)
    except OSError as exc:
        raise Refused(_("无法写入“{p}”：{e}").format(p=out, e=exc.strerror)) from None
    for warning in doc.warnings:
        print(_("注意：字体缺字，已用〓代替：{w}").format(w=warning), file=sys.stderr)
    line = _("已出具{doc}：{p}（核验码 {c}").format(doc=DOCS[args.doc_type], p=out, c=doc.verification_code)
    if doc.number:
        line += _("，文号 {n}").format(n=doc.number)
    print(line + "）")
    return EXIT_OK


def _verify(args) -> int:
    from inspector_app.documents.pdfsign import verify_file

    result = verify_file(args.file)
    print(("完整" if result.intact else "已改动或无有效签名") + "：" + result.message)
    if result.signer:
        print(_("签名人：{s}").format(s=result.signer))
    if result.fingerprint:
        own = _("（本机）") if result.own_device else ""
        print(_("签名公钥指纹（SHA-256）：{f}{o}").format(f=result.fingerprint, o=own))
    if result.signed_at:
        print(_("签名时间：{t:%Y-%m-%d %H:%M:%S %Z}").format(t=result.signed_at))
    if result.inspection_id:
        from inspector_app.core.signing import verification_code

        print(_("检查记录：{i}").format(i=result.inspection_id))
        print(_("内容哈希：{h}").format(h=result.content_hash))
        try:
            print(_("核验码：{c}").format(c=verification_code(result.inspection_id, result.content_hash)))
        except ValueError:
            pass
    if result.number:
        print(_("文号：{n}").format(n=result.number))
    return EXIT_OK if result.intact else EXIT_REFUSED
