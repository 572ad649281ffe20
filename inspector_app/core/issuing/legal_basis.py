"""The legal basis the rectification notice cites (依据……的规定，现责令你单位限期整改), chosen by date and product kind.

A basis is in force for a period and covers some products: 001 (the Shanghai measures) was valid from 2017-05-01
to 2022-04-30 (001 §54) and does not apply to food-related products (001 §2), so a notice dated later, or
addressed to a maker of food-related products, must not cite it. The bureau keeps its bases in the setting
`notice.legal_bases`, one a line:

    有效期起｜有效期止｜适用产品｜法律依据

dates as 2023-03-01 (empty: no bound), 适用产品 one of 全部 / 工业产品 (food-related products excepted) /
食品相关产品. The notice takes the line in force on its date for the enterprise's kind; with none, printing is
refused and says where to enter one. Two lines may not both apply to the same day and kind. Pure rules on
text: core/settings.py checks a value with `check_setting`, documents/data.py asks `for_notice`.

The 分类告知书 (001 §11, core/supervision/class_notice.py) follows the same rule with its own setting
`class_notice.legal_bases` (CLASS): same format, same checks, no default. An installation that still holds the
single value of the earlier setting `class_notice.legal_basis` and no line of the new one reads it as one line
with no bounds for all products (`class_lines`): the bureau wrote that text itself, there being no default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from inspector_app.core.catalog import FOOD_CATEGORY
from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.i18n import _

KEY = "notice.legal_bases"
LABEL = "整改通知书法律依据"


@dataclass(frozen=True)
class Setting:
    """A setting of legal bases: its key, its label in the settings window, the document it is printed on."""

    key: str
    label: str
    document: str


NOTICE = Setting(KEY, LABEL, "责令整改通知书")
CLASS = Setting("class_notice.legal_bases", "分类告知书法律依据", "分类告知书")
OLD_CLASS_KEY = "class_notice.legal_basis"  # one text, no period nor scope (before the review of issue 15)
SCOPES: dict[str, frozenset[str]] = {
    "全部": frozenset({"industrial", "food"}),
    "工业产品": frozenset({"industrial"}),  # 001 §2: 食品相关产品不适用本办法
    "食品相关产品": frozenset({"food"}),
}
KIND_LABELS = {"industrial": "工业产品（食品相关产品除外）", "food": "食品相关产品"}
# Shipped: 001's article as it stood, with its validity (001 §54) and scope (001 §2). Never in force after
# 2022-04-30: a bureau enters the basis of its own time (GUI 设置 → 文书文字; CLI settings set).
DEFAULT = (
    "2017-05-01｜2022-04-30｜工业产品｜《中华人民共和国工业产品生产许可证管理条例》、《工业产品生产许可证获证企业"
    "后续监管规定》（国家质检总局2011年第11号公告）和《上海市工业产品生产许可证证后监督检查管理办法》第二十七条"
)
_SEP = re.compile(r"[|｜]")


@dataclass(frozen=True)
class LegalBasis:
    line: int
    start: date | None
    end: date | None
    scope: str  # a key of SCOPES
    text: str

    def covers(self, on: date, kind: str) -> bool:
        return (
            kind in SCOPES[self.scope]
            and (self.start is None or self.start <= on)
            and (self.end is None or on <= self.end)
        )


class NoLegalBasis(DomainError):
    """No basis in force on the notice's date covers the enterprise's products: the notice is not printed."""


def _date(text: str, n: int, what: str, label: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _(label), _("第{n}行的{w}“{v}”不是日期，应写成 2023-03-01（空则不限）").format(n=n, w=what, v=text)
        ) from None


def class_lines(value: str, old_value: str) -> str:
    """The 分类告知书's lines: the setting's, or the earlier single text as one line without bounds."""
    if value.strip() or not old_value.strip():
        return value
    return "｜｜全部｜" + " ".join(old_value.split())


def parse(value: str, label: str = LABEL) -> list[LegalBasis]:
    """Every line of the setting; ValidationError naming the line for a bad one or two that overlap."""
    bases: list[LegalBasis] = []
    for n, raw in enumerate(value.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = _SEP.split(raw)
        if len(parts) != 4:
            raise ValidationError(
                _(label),
                _("第{n}行应有4栏，用“｜”分开：有效期起｜有效期止｜适用产品｜法律依据，现在有{k}栏").format(
                    n=n, k=len(parts)
                ),
            )
        start, end = _date(parts[0], n, _("有效期起"), label), _date(parts[1], n, _("有效期止"), label)
        scope, text = parts[2].strip(), parts[3].strip()
        if start and end and end < start:
            raise ValidationError(_(label), _("第{n}行的有效期止早于有效期起").format(n=n))
        if scope not in SCOPES:
            raise ValidationError(
                _(label), _("第{n}行的适用产品“{s}”应为 {all} 之一").format(n=n, s=scope, all="、".join(SCOPES))
            )
        if not text:
            raise ValidationError(_(label), _("第{n}行没有写法律依据").format(n=n))
        bases.append(LegalBasis(n, start, end, scope, text))
    for i, a in enumerate(bases):
        for b in bases[i + 1 :]:
            meet = (a.start is None or b.end is None or a.start <= b.end) and (
                b.start is None or a.end is None or b.start <= a.end
            )
            if meet and SCOPES[a.scope] & SCOPES[b.scope]:
                raise ValidationError(
                    _(label),
                    _("第{a}行与第{b}行的有效期重叠，适用产品也重叠：同一天同类产品只能有一条法律依据").format(
                        a=a.line, b=b.line
                    ),
                )
    return bases


def check_setting(value: str) -> None:
    parse(value)


def check_class_setting(value: str) -> None:
    parse(value, CLASS.label)


def for_notice(value: str, on: date, category: str, *, bureau: bool) -> str:
    """The basis the notice dated `on` cites for an enterprise licensed for `category`; NoLegalBasis otherwise."""
    return in_force(NOTICE, value, on, "food" if category == FOOD_CATEGORY else "industrial", bureau=bureau)


def kind_of(categories: list[str]) -> str:
    """An enterprise's product kind: food-related when every license it holds is (001 §2), else industrial."""
    return "food" if categories and all(c == FOOD_CATEGORY for c in categories) else "industrial"


def in_force(setting: Setting, value: str, on: date, kind: str, *, bureau: bool) -> str:
    """The line of `setting` in force on `on` for products of `kind`; NoLegalBasis (saying where to set one)."""
    try:
        bases = parse(value, setting.label)
    except ValidationError as e:
        bases, bad = [], str(e)
    else:
        bad = ""
    found = next((b for b in bases if b.covers(on, kind)), None)
    if found is not None:
        return found.text
    gui = _("文件 → 设置… → 文书文字 → {l}").format(l=_(setting.label))
    cli = _("inspector-app settings set {k} …").format(k=setting.key)
    where = (
        _("请在“{g}”中添加一行（命令行：{c}）").format(g=gui, c=cli)
        if bureau
        else _("局里的设置随局里的同步数据包到来，也可在“{g}”中添加一行（命令行：{c}）").format(g=gui, c=cli)
    )
    raise NoLegalBasis(
        _(
            "没有在{d}有效、适用于{k}的{l}，不能出具{doc}{bad}。"
            "法律依据按有效期和适用产品设置，每行为“有效期起｜有效期止｜适用产品｜法律依据”；{w}。"
        ).format(
            d=on.isoformat(),
            k=KIND_LABELS[kind],
            l=_(setting.label),
            doc=setting.document,
            bad=f"（{bad}）" if bad else "",
            w=where,
        )
    )
