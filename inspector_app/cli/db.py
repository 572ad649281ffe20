"""`inspector-app db copy --from A --to B`: move a bureau's archive between a file and a server database.

    inspector-app db copy --from bureau.sqlite3 --to postgresql+psycopg://admin@10.0.0.5:5432/bureau
    inspector-app db copy --from postgresql+psycopg://zhangwei@10.0.0.5:5432/bureau --to home.sqlite3

Every row, in one transaction, verified per table by row count and content hash before the commit; the target
must be empty (a new file, or a server database without records). docs/bureau-server.md.
"""

from inspector_app.i18n import _

ORDER = 63  # after the sync groups: an administrator's command


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help=_("数据库：在本机文件与区局数据库服务器之间整体复制"))
    sub = parser.add_subparsers(dest="db_command", metavar=_("子命令"), required=True)
    p = sub.add_parser(
        "copy",
        help=_("把整个数据库复制到一个新的空数据库（文件或服务器），逐表核对行数和内容"),
        description=_(
            "把源数据库的全部记录在一个事务中复制到目标数据库，提交前逐表核对行数和内容校验值；"
            "目标必须是新的空数据库。照片原件和已出具的PDF一并复制（服务器数据库存于库内，文件数据库存于本机数据文件夹），逐个核对校验值。"
        ),
    )
    p.add_argument("--from", dest="source", required=True, metavar=_("源"), help=_("源数据库：文件或服务器地址"))
    p.add_argument("--to", dest="target", required=True, metavar=_("目标"), help=_("目标数据库：文件或服务器地址"))
    p.set_defaults(func=_copy)


def _copy(args) -> int:
    from inspector_app.core.storage.copy import copy_database
    from inspector_app.core.storage.db import open_database

    source = open_database(args.source, upgrade=args.upgrade)
    try:
        target = open_database(args.target, upgrade=args.upgrade)
        try:
            copied = copy_database(source, target)
        finally:
            target.close()
    finally:
        source.close()
    rows = sum(c.rows for c in copied)
    print(
        _("已复制 {s} → {t}：{n} 张表、{r} 条记录，逐表核对行数和内容一致。").format(
            s=source.location, t=target.location, n=len(copied), r=rows
        )
    )
    return 0
