"""`inspector-app pdf verify FILE` and `inspector-app pdf lookup CODE`: is a document genuine?

    inspector-app pdf verify FILE         exit 0: intact and signed by a known device; 1 otherwise
    inspector-app pdf lookup CODE|QRTEXT  exit 0: the issued document found (and its QR signature holds)
    inspector-app pdf lookup --image SCAN read the QR code from a photo or scan of the page

The first line of `verify` is one of 完整 / 签名人身份无法确认 / 已改动 / 不是本程序出具的文书
(documents/trust.py). Registered as sub-commands of `pdf` by cli/pdf.py (register_commands).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, Refused
from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.core.storage.db import Database
    from inspector_app.documents.trust import Verdict


def register_commands(sub: argparse._SubParsersAction) -> None:
    """Add `verify` and `lookup` to the `pdf` sub-command group."""
    label = _("核验PDF文书：是否完整、是否由本机或区局登记的设备签名")
    p = sub.add_parser("verify", help=label, description=label)
    p.add_argument("file", type=Path, metavar=_("文件"))
    p.set_defaults(func=_verify)
    label = _("凭纸质文书上的核验码或二维码，查出存档中出具的原文书及其状态")
    p = sub.add_parser("lookup", help=label, description=label)
    code_help = _("17位核验码（如 8Z3K-1QWE-2MXD-8RTV-H），或扫码得到的文字")
    p.add_argument("code", nargs="?", metavar=_("核验码"), help=code_help)
    p.add_argument("--image", type=Path, metavar=_("图片"), help=_("文书页面的照片或扫描件，从中读取二维码"))
    export_help = _("把存档中的原文书（最近出具的一份）另存为此PDF文件")
    p.add_argument("--export", type=Path, metavar=_("文件"), help=export_help)
    p.set_defaults(func=_lookup)


def _open_existing_db(args: argparse.Namespace) -> Database | None:
    """The database if its file exists (verify and lookup never create one), else None."""
    from inspector_app.cli.main import db_target, open_db
    from inspector_app.core.errors import DomainError
    from inspector_app.core.storage.db import database_exists

    if not database_exists(db_target(args)):
        return None

    try:
        return open_db(args)
    except DomainError as exc:
        print(_("未能打开数据库，无法核对设备登记和存档：{e}").format(e=exc), file=sys.stderr)
        return None


def _verify(args: argparse.Namespace) -> int:
    from inspector_app.documents import trust

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(_("已改动：无法读取文件“{p}”：{e}").format(p=args.file, e=exc.strerror or exc))
        return EXIT_REFUSED
    db = _open_existing_db(args)
    try:
        verdict = trust.assess(data, db)
        print(verdict.first_line)
        _details(verdict)
        if db is not None:
            _archive_lines(db, data, verdict)
    finally:
        if db is not None:
            db.close()
    return EXIT_OK if verdict.intact_and_known else EXIT_REFUSED


def _details(verdict: Verdict) -> None:
    result = verdict.verification
    if result.signer:
        print(_("证书所写签名人：{s}").format(s=result.signer))
    if result.fingerprint:
        own = _("（本机）") if result.own_device else ""
        print(_("签名公钥指纹（SHA-256）：{f}{o}").format(f=result.fingerprint, o=own))
    if result.signed_at:
        print(_("签名时间（签名方自称）：{t:%Y-%m-%d %H:%M:%S %Z}").format(t=result.signed_at))
    if result.inspection_id:
        from inspector_app.core.issuing.doc_types import RECORD_DOC_TITLES
        from inspector_app.core.issuing.signing import verification_code

        if result.doc_type in RECORD_DOC_TITLES:  # a 分类告知书 or 约谈记录 names its own record
            print(_("{d}记录：{i}").format(d=RECORD_DOC_TITLES[result.doc_type], i=result.inspection_id))
        else:
            print(_("检查记录：{i}").format(i=result.inspection_id))
        print(_("内容哈希：{h}").format(h=result.content_hash))
        try:
            print(_("核验码：{c}").format(c=verification_code(result.inspection_id, result.content_hash)))
        except ValueError:
            pass
    if result.number:
        print(_("文号：{n}").format(n=result.number))


def _archive_lines(db: Database, data: bytes, verdict: Verdict) -> None:
    """What this database's archive of issued documents says about the file: the bureau holds every laptop's
    documents, so it can tell an exact copy of one handed out."""
    from inspector_app.core.issuing import issued as issued_docs

    copy = issued_docs.find_copy(db, data)
    if copy is not None:
        print(
            _("存档：与已出具文书存档一致（{d}，{t:%Y-%m-%d %H:%M}，{h}，设备 {v}）").format(
                d=copy.title, t=copy.issued_at, h=copy.how_label, v=copy.device or copy.device_id or "—"
            )
        )
    elif verdict.verification.inspection_id:
        print(_("存档：已出具文书存档中没有与此文件完全相同的文书。"))
    result = verdict.verification
    devices = issued_docs.devices_of_key(db, result.fingerprint) if result.signed else []
    if devices:
        print(_("签名公钥属于设备：{d}（据已出具文书存档）").format(d="、".join(devices)))


def _lookup(args: argparse.Namespace) -> int:
    from inspector_app.documents import lookup

    if bool(args.code) == bool(args.image):
        raise Refused(_("请给出核验码（或扫码文字），或用 --image 给出文书页面的图片，二者选一。"))
    text = args.code
    if args.image is not None:
        from inspector_app.documents import qrread

        text = qrread.read_file(args.image)  # Refused-like DomainError with a Chinese reason
        print(_("二维码内容：{t}").format(t=text))
    db = _open_existing_db(args)
    if db is None:
        raise Refused(_("找不到数据库，无法查询已出具的文书（用 --db 指定区局或本机的数据库）。"))
    try:
        found = lookup.lookup(db, text)
        for line in lookup.describe(found):
            print(line)
        if args.export is not None and found.issued:
            from inspector_app.core.issuing import issued as issued_docs

            out = issued_docs.export_issued(db, found.issued[-1].id, args.export)
            print(_("已另存存档原件：{p}").format(p=out))
        elif args.export is not None:
            print(_("存档中没有该文书的PDF，未另存。"), file=sys.stderr)
    finally:
        db.close()
    return EXIT_OK if found.trustworthy else EXIT_REFUSED
