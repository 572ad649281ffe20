"""`inspector-app bundle export|import|verify|inspect|history|conflicts|resolve`: sync bundles (docs/bundle-format.md).

    inspector-app bundle export -o FILE [--to DEVICE] [--full] [--encrypt | --no-encrypt]
    inspector-app bundle import FILE
    inspector-app bundle verify FILE       checks everything an import checks; writes nothing
    inspector-app bundle inspect FILE      what the bundle says about itself
    inspector-app bundle history           bundles exported and imported, per device, with gaps
    inspector-app bundle conflicts         open conflicts;  bundle resolve ID --keep local|incoming

Exit codes: 0 done (also: the same bundle again, nothing changed), 1 refused (the reason and the member on
stderr; nothing written), 2 usage.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.i18n import _

if TYPE_CHECKING:  # the CLI loads core only when a command runs
    from inspector_app.core.storage.db import Database
    from inspector_app.sync.preview import Preview

ORDER = 60


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bundle",
        help=_("同步数据包：导出、导入、校验、查看"),
        description=_("在现场检查终端与区局之间用文件（U盘、共享文件夹、邮件）同步数据。"),
    )
    sub = parser.add_subparsers(dest="bundle_command", metavar=_("子命令"), required=True)

    p = sub.add_parser(
        "export",
        help=_("导出数据包"),
        description=_("导出自上次发往同一目标以来的新数据（--full：全部数据）。现场终端默认发往区局并加密。"),
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar=_("文件"), help=_("输出文件（.ibundle）"))
    p.add_argument(
        "--to", metavar=_("设备"), help=_("目标设备：设备编号（或前6位以上）、检查人员执法证号；区局可用 * 群发")
    )
    p.add_argument("--full", action="store_true", help=_("导出全部数据，而不只是上次以来的新数据"))
    enc = p.add_mutually_exclusive_group()
    enc.add_argument("--encrypt", dest="encrypt", action="store_true", default=None, help=_("用目标设备的公钥加密"))
    enc.add_argument("--no-encrypt", dest="encrypt", action="store_false", help=_("不加密"))
    p.add_argument("--force", action="store_true", help=_("覆盖已有的同名文件"))
    p.set_defaults(func=_export)

    p = sub.add_parser(
        "import", help=_("导入数据包"), description=_("先全部校验，再在一个事务中全部写入；有任何问题则不写入。")
    )
    p.add_argument("file", type=Path, metavar=_("文件"))
    p.set_defaults(func=_import)

    p = sub.add_parser(
        "verify", help=_("校验数据包（不写入）"), description=_("做导入时的全部检查，并预览导入的结果；不写入数据库。")
    )
    p.add_argument("file", type=Path, metavar=_("文件"))
    p.set_defaults(func=_verify)

    p = sub.add_parser("inspect", help=_("查看数据包的基本信息"))
    p.add_argument("file", type=Path, metavar=_("文件"))
    p.set_defaults(func=_inspect)

    p = sub.add_parser("history", help=_("同步记录：按设备列出导出和导入的数据包"))
    p.set_defaults(func=_history)

    p = sub.add_parser("conflicts", help=_("列出待处理的同步冲突"))
    p.add_argument("--all", action="store_true", help=_("包括已处理的"))
    p.set_defaults(func=_conflicts)

    p = sub.add_parser("resolve", help=_("处理一条同步冲突"))
    p.add_argument("conflict", metavar=_("冲突编号"))
    p.add_argument("--keep", choices=("local", "incoming"), required=True, help=_("保留本机版本或对方版本"))
    p.set_defaults(func=_resolve)


def _open(args: argparse.Namespace) -> Database:
    from inspector_app.cli.main import open_db

    return open_db(args)


def _export(args: argparse.Namespace) -> int:
    from inspector_app.sync.export import export_bundle

    db = _open(args)
    try:
        r = export_bundle(db, args.output, to=args.to, full=args.full, encrypt=args.encrypt, overwrite=args.force)
    finally:
        db.close()
    print(
        _("已导出“{p}”：发往{d}，第{n}号，{kind}，{enc}。").format(
            p=r.path,
            d=r.destination_label,
            n=r.sequence,
            kind=_("完整数据") if r.full else _("新数据"),
            enc=_("已加密") if r.encrypted else _("未加密"),
        )
    )
    for kind, n in r.counts.items():
        gone = r.deleted.get(kind, 0)
        print(f"  {_label(kind)}：{n}" + (_("（其中删除 {d}）").format(d=gone) if gone else ""))
    if r.files:
        print(_("  附件：{n} 个").format(n=r.files))
    if r.empty:
        print(_("  （自上次导出以来没有新数据）"))
    return 0


def _label(kind: str) -> str:
    from inspector_app.sync.registry import registry

    k = registry().get(kind)
    return k.label if k else kind


def _print_preview(p: Preview) -> None:
    for k in p.kinds:
        c = k.counts
        print(
            "  "
            + _("{l}：新增 {a}，更新 {u}，删除 {d}，相同 {s}，较旧 {o}，冲突 {c}").format(
                l=k.label, a=c["added"], u=c["updated"], d=c["deleted"], s=c["same"], o=c["older"], c=c["conflict"]
            )
        )
    for c in p.conflicts[:50]:
        print("  " + _("冲突：{k} {t}").format(k=c.label, t=c.title))
    if len(p.conflicts) > 50:
        print("  " + _("……另有 {n} 条冲突").format(n=len(p.conflicts) - 50))
    for d in p.deletions[:50]:
        print("  " + _("删除：{k} {t}（{id}）").format(k=d.label, t=d.title, id=d.record_id))


def _import(args: argparse.Namespace) -> int:
    from inspector_app.sync.importer import import_bundle

    db = _open(args)
    try:
        result = import_bundle(db, args.file)
    finally:
        db.close()
    print(result.summary_text())
    if result.changed:
        _print_preview(result.preview)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from inspector_app.sync.importer import preview_bundle
    from inspector_app.sync.verify import verify_bundle

    db = _open(args)
    try:
        vb = verify_bundle(db, args.file, stage=False, full_check=True)
        preview = preview_bundle(db, vb)
    finally:
        db.close()
    m = vb.manifest
    print(
        _(
            "校验通过：来自{s}的第{n}号数据包，生成于{t}（UTC），签名有效，{c}个成员的大小和SHA-256均与清单一致。"
        ).format(s=vb.source.label, n=m.sequence, t=m.created_at.strftime("%Y-%m-%d %H:%M"), c=len(m.members))
    )
    if preview.already_applied:
        print(preview.summary_text())
        return 0
    print(_("如果导入，将会："))
    _print_preview(preview)
    if preview.gaps:
        print(_("注意：尚未收到该设备的第 {g} 号数据包。").format(g="、".join(map(str, preview.gaps[:20]))))
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from inspector_app.sync.importer import inspect_bundle

    db = None
    if args.db is not None or _default_db_exists():
        try:
            db = _open(args)
        except Exception:  # inspect works without a database
            db = None
    try:
        info = inspect_bundle(args.file, db=db)
    finally:
        if db is not None:
            db.close()
    print(_("格式版本：{v}").format(v=info["format_version"]))
    print(_("加密：{e}").format(e=_("是，收件设备 {r}").format(r=info["recipient"]) if info["encrypted"] else _("否")))
    m = info.get("manifest")
    if m is None:
        print(_("（数据包已加密，只有收件设备能查看清单）"))
        return 0
    print(_("发送设备：{n}（{r}，{d}）").format(n=m.source_name or "—", r=m.source_role, d=m.source))
    print(_("发往：{d}").format(d=_("全部设备") if m.destination == "*" else m.destination))
    print(
        _("序号：第{n}号　生成时间：{t}（UTC）　{k}").format(
            n=m.sequence, t=m.created_at.strftime("%Y-%m-%d %H:%M:%S"), k=_("完整数据") if m.full else _("新数据")
        )
    )
    print(_("程序版本：{v}　清单SHA-256：{h}").format(v=m.app_version, h=info["manifest_sha256"]))
    for kind, n in sorted(m.counts.items()):
        print(f"  {_label(kind)}（{kind}）：{n}")
    files = [x for x in m.members if x.path.startswith("files/")]
    print(
        _("成员：{n} 个，其中附件 {f} 个，共 {b} 字节").format(
            n=len(m.members), f=len(files), b=sum(x.size for x in m.members)
        )
    )
    return 0


def _default_db_exists() -> bool:
    from inspector_app.core.storage.db import database_exists
    from inspector_app.paths import default_db_path

    return database_exists(default_db_path())


def _history(args: argparse.Namespace) -> int:
    from inspector_app.sync.history import delivery_text, sync_history

    db = _open(args)
    try:
        streams = sync_history(db)
        delivery = delivery_text(db)
    finally:
        db.close()
    if delivery:
        print(delivery)
    if not streams:
        print(_("还没有导出或导入过数据包。"))
        return 0
    for st in streams:
        print(f"{st.device_label}　{st.direction_label}")
        for b in st.bundles:
            print(
                "  "
                + _("第{n}号　{t}　{c} 条记录　{f}").format(
                    n=b.seq, t=b.logged_at.strftime("%Y-%m-%d %H:%M"), c=b.records, f=b.file_name
                )
            )
        if st.gaps:
            print("  " + _("缺少：第 {g} 号").format(g="、".join(map(str, st.gaps))))
    return 0


def _conflicts(args: argparse.Namespace) -> int:
    from inspector_app.sync.conflicts import list_conflicts

    db = _open(args)
    try:
        rows = list_conflicts(db, open_only=not args.all)
    finally:
        db.close()
    if not rows:
        print(_("没有待处理的同步冲突。"))
        return 0
    for r in rows:
        state = _("待处理") if r.status == "open" else _("已处理（{k}）").format(k=r.resolution_label)
        waiting = _("，另有 {n} 条相关记录随之处理").format(n=r.waiting) if r.waiting else ""
        print(f"{r.id[:8]}　{r.kind_label}　{r.title}　{r.reason}{waiting}　{_('来自')}{r.source_label}　{state}")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    from inspector_app.sync.conflicts import resolve_conflict

    db = _open(args)
    try:
        resolve_conflict(db, args.conflict, args.keep)
    finally:
        db.close()
    print(_("已处理：保留{k}版本。下一次同步时会发给对方。").format(k=_("本机") if args.keep == "local" else _("对方")))
    return 0
