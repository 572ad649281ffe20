"""`inspector-app amend …`: corrections (更正) of a signed inspection record (issue 3 §1).

    inspector-app amend list   INSPECTION
    inspector-app amend create INSPECTION --reason TEXT (--item ID [--conclusion C] [--record TEXT]
                               [--remark TEXT] [--na-reason TEXT] [--rectified|--not-rectified])… [--days N]
    inspector-app amend sign   INSPECTION (--rep-name NAME [--rep-title T] [--rep-phone P]
                               | --rep-state refused|absent --rep-reason TEXT --witness NAME) [--signed-on DATE]
    inspector-app amend delete INSPECTION

The signed record is never edited: `create` makes a draft correction, which takes effect once signed.
`sign` records a correction signed on paper by every team member and the representative (or the note of a
refusal, 002 三(四)) — core/issuing/signing/ takes paper signatures (source "paper") for corrections as for records;
signatures drawn on the pad are taken in the program's 更正… dialog. An inspection has at most one draft, so
`sign` and `delete` name the inspection. INSPECTION is the record id or its first 8+ characters.
Exit codes (cli/main.py): 0 done, 1 refused (nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from inspector_app.cli.main import Refused
from inspector_app.i18n import _

if TYPE_CHECKING:  # the CLI loads core only when a command runs
    from inspector_app.core.issuing.signing import AmendmentView, Change
    from inspector_app.core.storage.db import Database

ORDER = 45  # after inspection

FIELD_OPTIONS = {
    "conclusion": "--conclusion",
    "record": "--record",
    "remark": "--remark",
    "na_reason": "--na-reason",
    "rectified_on_site": "--rectified/--not-rectified",
}


class _Item(argparse.Action):
    """--item starts the corrections of one item; the field options after it belong to that item."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        value: Any,
        option_string: str | None = None,
    ) -> None:
        groups = list(getattr(namespace, self.dest, None) or [])
        groups.append({"item_id": value.strip()})
        setattr(namespace, self.dest, groups)


class _Field(argparse.Action):
    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        value: Any,
        option_string: str | None = None,
    ) -> None:
        groups = getattr(namespace, "items", None)
        if not groups:
            parser.error(_("{o} 须写在 --item 检查项之后，如 --item 4.1 {o} …").format(o=option_string))
        if self.dest in groups[-1]:
            parser.error(_("检查项 {i} 的{o}写了两次").format(i=groups[-1]["item_id"], o=option_string))
        groups[-1][self.dest] = self.const if self.nargs == 0 else value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "amend",
        help=_("更正已签字的检查记录：创建、列出、录入纸质签字、删除草稿"),
        description=_(
            "已签字的检查记录不能修改；如有错误，另作更正记录，写明原因，经检查组和企业代表签字后生效。"
            "文书按更正后的内容打印，并在记录表中列出更正记录。"
        ),
    )
    sub = parser.add_subparsers(dest="amend_command", metavar=_("子命令"), required=True)
    inspection = {"metavar": _("检查记录"), "help": _("检查记录编号，或其开头至少8位")}

    p = sub.add_parser("list", help=_("列出检查记录的更正（已签字和草稿）"))
    p.add_argument("inspection", **inspection)
    p.set_defaults(func=_list)

    p = sub.add_parser(
        "create",
        help=_("创建更正（草稿，签字后生效）"),
        description=_(
            "每个 --item 之后写该项更正后的内容；可写多个 --item。检查结论为 符合、不符合 或 不适用"
            "（不适用只用于检查表允许的项）。"
        ),
    )
    p.add_argument("inspection", **inspection)
    p.add_argument("--reason", required=True, metavar=_("原因"), help=_("更正原因（必填）"))
    p.add_argument("--item", dest="items", action=_Item, metavar=_("检查项"), help=_("要更正的检查项，如 4.1"))
    p.add_argument("--conclusion", action=_Field, default=argparse.SUPPRESS, metavar=_("结论"),
                   help=_("更正后的检查结论：符合、不符合、不适用"))  # fmt: skip
    p.add_argument("--record", action=_Field, default=argparse.SUPPRESS, metavar=_("文字"),
                   help=_("更正后的检查记录"))  # fmt: skip
    p.add_argument("--remark", action=_Field, default=argparse.SUPPRESS, metavar=_("文字"),
                   help=_("更正后的备注"))  # fmt: skip
    p.add_argument("--na-reason", action=_Field, default=argparse.SUPPRESS, metavar=_("文字"),
                   help=_("更正后的不适用理由（默认：检查表写明的理由）"))  # fmt: skip
    p.add_argument("--rectified", dest="rectified_on_site", action=_Field, nargs=0, const=True,
                   default=argparse.SUPPRESS, help=_("已当场整改（只用于不符合项）"))  # fmt: skip
    p.add_argument("--not-rectified", dest="rectified_on_site", action=_Field, nargs=0, const=False,
                   default=argparse.SUPPRESS, help=_("未当场整改"))  # fmt: skip
    p.add_argument("--days", type=int, metavar=_("天数"), help=_("更正后的整改期限（日）"))
    p.set_defaults(func=_create, _parser=p)

    p = sub.add_parser(
        "sign",
        help=_("录入更正的纸质签字，使其生效"),
        description=_(
            "更正已在纸上写明，并由检查组全体成员和企业代表签字后，录入这些签字；企业代表拒绝签字或不在场的，"
            "写明原因和见证人。用签字板签字请在程序的“更正…”中进行。"
        ),
    )
    p.add_argument("inspection", **inspection)
    p.add_argument("--rep-state", choices=("signed", "refused", "absent"), default="signed",
                   help=_("企业代表：signed 已签字（默认）、refused 拒绝签字、absent 不在场"))  # fmt: skip
    p.add_argument("--rep-name", default="", metavar=_("姓名"), help=_("企业代表姓名（已签字时必填）"))
    p.add_argument("--rep-title", default="", metavar=_("职务"), help=_("企业代表职务"))
    p.add_argument("--rep-phone", default="", metavar=_("电话"), help=_("企业代表联系电话"))
    p.add_argument("--rep-reason", default="", metavar=_("原因"), help=_("拒绝签字或不在场的原因"))
    p.add_argument("--witness", default="", metavar=_("姓名"), help=_("见证人（拒绝签字或不在场时必填）"))
    p.add_argument("--signed-on", metavar="YYYY-MM-DD", help=_("签字日期（默认：今天）"))
    p.set_defaults(func=_sign)

    p = sub.add_parser("delete", help=_("删除尚未签字的更正（草稿）"))
    p.add_argument("inspection", **inspection)
    p.set_defaults(func=_delete)


# ---------------------------------------------------------------------------------------------- helpers


def _value(field: str, value: Any) -> str:
    from inspector_app.core.catalog import CONCLUSIONS

    if field == "conclusion":
        return CONCLUSIONS.get(value, _("未填写")) if value else _("未填写")
    if field == "rectified_on_site":
        return _("是") if value else _("否")
    return str(value) if value not in (None, "") else _("（空）")


def change_line(change: Change) -> str:
    """One change as the record's 更正记录 prints it."""
    from inspector_app.documents.record import FIELD_LABELS

    where = _("检查项 {i} ").format(i=change.item_id) if change.item_id else ""
    label = FIELD_LABELS.get(change.field, change.field)
    return f"{where}{label}：{_value(change.field, change.old)} → {_value(change.field, change.new)}"


def _open(args: argparse.Namespace) -> tuple[Database, str]:
    from inspector_app.cli.main import open_db
    from inspector_app.cli.pdf import resolve_inspection

    db = open_db(args)
    try:
        return db, resolve_inspection(db, args.inspection)
    except BaseException:
        db.close()
        raise


def _require_signed(db: Database, inspection_id: str) -> None:
    from inspector_app.core.issuing import signing

    if signing.status(db, inspection_id) != signing.SIGNED_STATUS:
        raise Refused(_("该检查记录尚未签字确认，不需要更正：签字确认前可直接在检查记录中修改。"))


def _draft(db: Database, inspection_id: str) -> AmendmentView:
    from inspector_app.core.issuing import signing

    _require_signed(db, inspection_id)
    draft = next((a for a in signing.get_signed(db, inspection_id).amendments if a.status != signing.SIGNED), None)
    if draft is None:
        raise Refused(
            _("该检查记录没有未签字的更正。用 inspector-app amend create {i} … 创建更正。").format(i=inspection_id[:8])
        )
    return draft


def _conclusion(text: str) -> str:
    from inspector_app.core.catalog import CONCLUSIONS

    t = text.strip()
    for code, label in CONCLUSIONS.items():
        if t in (code, label):
            return code
    raise Refused(_("检查结论“{c}”无效：应为 符合、不符合 或 不适用").format(c=text))


def _changes(db: Database, inspection_id: str, groups: list[dict], days: int | None) -> list[tuple]:
    """(item id, field, new value) for create_amendment, with the form's rules for the fields that go with a
    conclusion (inspections.with_conclusion, as the form applies them): 不适用 only where the template allows it
    and with its stated reason unless one is given; 当场整改 only on a 不符合."""
    from inspector_app.core.inspection.inspections import Answer, load_inspection, with_conclusion
    from inspector_app.core.issuing import signing

    template = load_inspection(db, inspection_id).template
    answers = signing.get_signed(db, inspection_id).answers()
    out: list[tuple] = []
    for group in groups:
        item_id = group["item_id"]
        edits = {k: v for k, v in group.items() if k != "item_id"}
        try:
            item = template.item(item_id)
        except KeyError:
            item = None  # create_amendment names the unknown item
        current = answers.get(item_id) or Answer(item_id)
        if "conclusion" in edits:
            code = edits["conclusion"] = _conclusion(edits["conclusion"])
            if item is not None and code == "na" and not item.na_allowed:
                raise Refused(_("检查项 {i}：检查表不允许该项填写“不适用”").format(i=item_id))
            if item is not None:
                # The fields that go with the conclusion follow it unless given (inspections.with_conclusion).
                after = with_conclusion(item, current, code)
                for field in ("na_reason", "rectified_on_site"):
                    if field not in edits and getattr(after, field) != getattr(current, field):
                        edits[field] = getattr(after, field)
        final = edits.get("conclusion", current.conclusion)
        if edits.get("rectified_on_site") and final != "nonconform":
            raise Refused(_("检查项 {i}：当场整改只用于结论为“不符合”的检查项").format(i=item_id))
        for field in signing.AMENDABLE_FIELDS:
            if field in edits:
                out.append((item_id, field, edits[field]))
    if days is not None:
        out.append(("", signing.PERIOD_FIELD, days))
    return out


def _print_amendment(a: AmendmentView) -> None:
    from inspector_app.core.issuing import signing

    state = _("已签字") if a.status == signing.SIGNED else _("草稿（未签字，尚未生效）")
    on = a.signed_on.isoformat() if a.signed_on else "—"
    print("\t".join((_("第{n}次更正").format(n=a.seq), state, on, a.id, _("原因：{r}").format(r=a.reason))))
    for c in a.changes:
        print("  " + change_line(c))
    if a.signatures:
        team = "、".join(s.name for s in a.signatures if s.role == signing.INSPECTOR)
        rep = next(s for s in a.signatures if s.role == signing.REPRESENTATIVE)
        who = rep.name if rep.state == signing.SIGNED else rep.note
        print("  " + _("签字：{t}；企业代表：{r}").format(t=team, r=who))


# ---------------------------------------------------------------------------------------------- commands


def _list(args: argparse.Namespace) -> int:
    from inspector_app.core.issuing import signing

    db, iid = _open(args)
    try:
        signed = signing.status(db, iid) == signing.SIGNED_STATUS
        amendments = signing.get_signed(db, iid).amendments if signed else ()
    finally:
        db.close()
    if not signed:
        print(_("该检查记录尚未签字确认，没有更正。"), file=sys.stderr)
    elif not amendments:
        print(_("该检查记录没有更正。"), file=sys.stderr)
    for a in amendments:
        _print_amendment(a)
    return 0


def _create(args: argparse.Namespace) -> int:
    from inspector_app.core.issuing import signing

    groups = getattr(args, "items", None) or []
    if not groups and args.days is None:
        args._parser.error(_("请用 --item 指定要更正的检查项及其更正后的内容，或用 --days 更正整改期限"))
    for g in groups:
        if len(g) == 1:
            options = "、".join(FIELD_OPTIONS.values())
            args._parser.error(_("--item {i} 之后没有更正内容（{o}）").format(i=g["item_id"], o=options))
    db, iid = _open(args)
    try:
        _require_signed(db, iid)
        amendment_id = signing.create_amendment(db, iid, args.reason, _changes(db, iid, groups, args.days))
        amendment = next(a for a in signing.get_signed(db, iid).amendments if a.id == amendment_id)
    finally:
        db.close()
    print(_("已创建更正（草稿）："))
    _print_amendment(amendment)
    print(
        _(
            "更正须经检查组和企业代表签字后生效：在程序中选中该检查记录点“更正…”签字；"
            "已在纸上签字的，用 inspector-app amend sign {i} 录入。"
        ).format(i=iid[:8])
    )
    return 0


def _sign(args: argparse.Namespace) -> int:
    from inspector_app.core.issuing import signing

    signed_on = None
    if args.signed_on:
        try:
            signed_on = date.fromisoformat(args.signed_on)
        except ValueError:
            raise Refused(_("签字日期：应为 YYYY-MM-DD，现在是“{d}”").format(d=args.signed_on)) from None
    db, iid = _open(args)
    try:
        draft = _draft(db, iid)
        inputs = [
            signing.SignatureInput(role=signing.INSPECTOR, inspector_id=i, source=signing.PAPER)
            for i, _name in signing.team_of(db, iid)
        ]
        inputs.append(
            signing.SignatureInput(
                role=signing.REPRESENTATIVE,
                name=args.rep_name,
                title=args.rep_title,
                phone=args.rep_phone,
                state=args.rep_state,
                reason=args.rep_reason,
                witness=args.witness,
                source=signing.PAPER,
            )
        )
        amendment = signing.sign_amendment(db, draft.id, inputs, signed_on=signed_on)
        code = signing.get_signed(db, iid).verification_code
    finally:
        db.close()
    print(_("第{n}次更正已录入纸质签字，现已生效：").format(n=amendment.seq))
    _print_amendment(amendment)
    print(_("文书按更正后的内容打印；新的核验码：{c}").format(c=code))
    return 0


def _delete(args: argparse.Namespace) -> int:
    from inspector_app.core.issuing import signing

    db, iid = _open(args)
    try:
        draft = _draft(db, iid)
        signing.delete_draft_amendment(db, draft.id)
    finally:
        db.close()
    print(_("已删除第{n}次更正（草稿）。").format(n=draft.seq))
    return 0
