"""`inspector-app keys init|show|export`: this installation's identity for sync bundles.

inspector-app keys init --role field|bureau [--name NAME] [--number-prefix FX03]   first setup (once)
inspector-app keys show                                      device id, role, key fingerprint
inspector-app keys export -o FILE                            the public key file (.ibkey) to register
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.i18n import _

if TYPE_CHECKING:  # the CLI loads core only when a command runs
    from inspector_app.core.storage.db import Database
    from inspector_app.core.storage.device_keys import Identity

ORDER = 61


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "keys", help=_("本机身份与密钥：初始设置、查看、导出公钥"), description=_("同步数据包用的本机身份与密钥。")
    )
    sub = parser.add_subparsers(dest="keys_command", metavar=_("子命令"), required=True)

    p = sub.add_parser(
        "init",
        help=_("初始设置：选择本机角色并生成密钥"),
        description=_("选择本机是现场检查终端（field）还是区局（bureau），并生成签名和加密密钥。只需做一次。"),
    )
    p.add_argument("--role", choices=("field", "bureau"), required=True, help=_("field：现场检查终端；bureau：区局"))
    p.add_argument("--name", help=_("本机名称（默认：计算机名）"))
    p.add_argument(
        "--number-prefix",
        metavar=_("前缀"),
        help=_(
            "本机文书编号前缀：2–5 个英文字母或数字，如检查组代号 FX03，各台电脑不同（已设置过的本机也可用此项补填）"
        ),
    )
    p.set_defaults(func=_init)

    p = sub.add_parser("show", help=_("显示本机设备编号、角色和公钥指纹"))
    p.set_defaults(func=_show)

    p = sub.add_parser("export", help=_("导出本机公钥文件（.ibkey），交区局登记"))
    p.add_argument("-o", "--output", type=Path, required=True, metavar=_("文件"), help=_("输出文件；“-”表示标准输出"))
    p.set_defaults(func=_export)


def _open(args: argparse.Namespace) -> Database:
    from inspector_app.cli.main import open_db

    return open_db(args)


def _print_identity(identity: Identity) -> None:
    from inspector_app.core.storage.device_keys import keys_dir
    from inspector_app.core.storage.sync_models import ROLES

    print(_("设备编号：{d}").format(d=identity.device_id))
    print(_("角色：{r}（{c}）").format(r=ROLES[identity.role], c=identity.role))
    print(_("名称：{n}").format(n=identity.name or "—"))
    print(_("公钥指纹：{f}").format(f=identity.fingerprint))
    print(_("签名公钥（Ed25519）：{k}").format(k=identity.signing_public))
    print(_("加密公钥（X25519）：{k}").format(k=identity.encryption_public))
    print(_("私钥文件：{p}").format(p=keys_dir() / f"{identity.device_id}.key"))


def _init(args: argparse.Namespace) -> int:
    from inspector_app.core.issuing import number_prefix
    from inspector_app.sync.keys import setup_device

    wanted = number_prefix.normalise(args.number_prefix) if args.number_prefix else ""  # refused before any key
    db = _open(args)
    try:
        identity = setup_device(db, args.role, args.name)
        if wanted:
            number_prefix.choose(db, wanted)
        prefix, needed = number_prefix.current(db)
    finally:
        db.close()
    _print_identity(identity)
    if not needed:
        print(_("文书编号前缀：{p}").format(p=prefix or "—"))
    else:
        how = _("inspector-app settings set {k} {e}").format(k=number_prefix.KEY, e=number_prefix.EXAMPLE)
        print(
            _("尚未选定本机文书编号前缀，出具责令整改通知书前请用 --number-prefix 或 {h} 选定。").format(h=how),
            file=sys.stderr,
        )
    return 0


def _show(args: argparse.Namespace) -> int:
    from inspector_app.sync.keys import load_identity

    db = _open(args)
    try:
        identity = load_identity(db)
    finally:
        db.close()
    _print_identity(identity)
    return 0


def _export(args: argparse.Namespace) -> int:
    from inspector_app.sync.keys import export_public_key, load_identity

    db = _open(args)
    try:
        identity = load_identity(db)
    finally:
        db.close()
    data = export_public_key(identity)
    if str(args.output) == "-":
        sys.stdout.write(data.decode())
        return 0
    args.output.write_bytes(data)
    print(_("已导出公钥文件“{p}”。公钥指纹：{f}（登记时请当面核对）").format(p=args.output, f=identity.fingerprint))
    return 0
