"""`inspector-app devices list|register|revoke`: the register of devices whose bundles are accepted.

    inspector-app devices list
    inspector-app devices register FILE.ibkey [--inspector BADGE] [--valid-from DATE] [--valid-until DATE]
    inspector-app devices revoke DEVICE [--reason TEXT]          (bureau only)

At the bureau, `register` takes a laptop's key (the inspector who uses it is required); on a laptop it
takes only the bureau's key, once, at setup.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.i18n import _

if TYPE_CHECKING:  # the CLI loads core only when a command runs
    from inspector_app.core.storage.db import Database
    from inspector_app.sync.keys import DeviceInfo

ORDER = 62


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("日期应为 YYYY-MM-DD：{t}").format(t=text)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "devices", help=_("设备登记：列出、登记、吊销"), description=_("允许向本机发送数据包的设备。")
    )
    sub = parser.add_subparsers(dest="devices_command", metavar=_("子命令"), required=True)

    p = sub.add_parser("list", help=_("列出已登记的设备"))
    p.set_defaults(func=_list)

    p = sub.add_parser(
        "register",
        help=_("用公钥文件（.ibkey）登记设备"),
        description=_("区局登记现场检查终端（须指明检查人员）；现场检查终端只登记区局的公钥。"),
    )
    p.add_argument("file", type=Path, metavar=_("公钥文件"))
    p.add_argument("--inspector", metavar=_("执法证号"), help=_("使用该终端的检查人员（执法证号或姓名）"))
    p.add_argument("--valid-from", type=_date, metavar="YYYY-MM-DD", help=_("有效期起"))
    p.add_argument("--valid-until", type=_date, metavar="YYYY-MM-DD", help=_("有效期止"))
    p.set_defaults(func=_register)

    p = sub.add_parser("revoke", help=_("吊销设备（区局）：此后拒收它的数据包"))
    p.add_argument("device", metavar=_("设备"), help=_("设备编号（或前6位以上）或检查人员执法证号"))
    p.add_argument("--reason", default="", help=_("原因，例如“笔记本遗失”"))
    p.set_defaults(func=_revoke)


def _open(args: argparse.Namespace) -> Database:
    from inspector_app.cli.main import open_db

    return open_db(args)


def _describe(d: DeviceInfo) -> str:
    valid = ""
    if d.valid_from or d.valid_until:
        valid = _("　有效期 {a} 至 {b}").format(a=d.valid_from or "—", b=d.valid_until or "—")
    state = (
        _("　已吊销（{t}{r}）").format(
            t=d.revoked_at.strftime("%Y-%m-%d"), r="，" + d.revoked_reason if d.revoked_reason else ""
        )
        if d.revoked_at
        else ""
    )
    me = _("（本机）") if d.is_self else ""
    return f"{d.id}　{d.role_label}{me}　{d.inspector_name or d.name or '—'}　{_('指纹')} {d.fingerprint}{valid}{state}"


def _list(args: argparse.Namespace) -> int:
    from inspector_app.sync.keys import list_devices

    db = _open(args)
    try:
        devices = list_devices(db)
    finally:
        db.close()
    if not devices:
        print(_("尚未登记任何设备（本机也尚未完成初始设置：keys init）。"))
    for d in devices:
        print(_describe(d))
    return 0


def _register(args: argparse.Namespace) -> int:
    from inspector_app.cli.main import Refused
    from inspector_app.sync.keys import register_device

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise Refused(_("无法读取“{p}”：{e}").format(p=args.file, e=exc.strerror or exc)) from None
    db = _open(args)
    try:
        d = register_device(
            db, data, inspector=args.inspector, valid_from=args.valid_from, valid_until=args.valid_until
        )
    finally:
        db.close()
    print(_("已登记：{d}").format(d=_describe(d)))
    print(_("请与设备持有人当面核对公钥指纹：{f}").format(f=d.fingerprint))
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from inspector_app.sync.keys import revoke_device

    db = _open(args)
    try:
        d = revoke_device(db, args.device, args.reason)
    finally:
        db.close()
    print(_("已吊销：{d}").format(d=_describe(d)))
    print(_("下一次发给各终端的数据包会带上这一吊销。"))
    return 0
