"""Identifiers printed on licenses and business licences, validated as the standards define them."""

import re
import unicodedata
from dataclasses import dataclass

from inspector_app.core.errors import ValidationError
from inspector_app.i18n import _

# GB 32100-2015: the 31 characters of a unified social credit code (no I, O, S, V, Z).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, …


def _halfwidth(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def code_search_key(text: str) -> str:
    """A code as typed into a search box, in the form it is stored and searched: full-width letters, digits
    and brackets made half-width (ＸＫ１６ → XK16, （沪） → (沪)), every space dropped (also the ideographic
    one), lower case — "9131 0120 ma1h", "（沪）ＸＫ16-204" find what they name."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalize_uscc(raw: str) -> str:
    """Return the code in canonical form or raise ValidationError naming the position of the error."""
    field = _("统一社会信用代码")
    code = _halfwidth(raw).replace(" ", "").upper()
    if not code:
        raise ValidationError(field, _("不能为空"))
    if len(code) != 18:
        raise ValidationError(field, _("应为18位，实为{n}位").format(n=len(code)))
    for pos, ch in enumerate(code, start=1):
        if ch not in USCC_CHARSET:
            raise ValidationError(
                field,
                _("第{pos}位字符“{ch}”不允许（只能是数字和除I、O、S、V、Z以外的大写字母）").format(pos=pos, ch=ch),
            )
    for pos in range(3, 9):  # positions 3–8: administrative division code, digits only
        if not code[pos - 1].isdigit():
            raise ValidationError(field, _("第{pos}位应为数字（第3–8位是行政区划码）").format(pos=pos))
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            field, _("第18位校验码应为“{exp}”，实为“{got}”，请核对前17位是否抄错").format(exp=expected, got=code[17])
        )
    return code


@dataclass(frozen=True)
class LicenseNumber:
    text: str  # as stored: canonical for the current form, verbatim for older forms
    province: str | None
    category_code: str | None  # the two digits after XK
    current_form: bool
    warning: str | None


# Current form: (沪)XK16-204-00006 — province in half- or full-width parentheses, absent on national ones.
_CURRENT = re.compile(r"^(?:\((?P<prov>[\u4e00-\u9fff])\))?XK(?P<cat>\d{2})-(?P<unit>\d{3})-(?P<serial>\d{5})$")
# Older forms still found on valid certificates: a four-digit serial, spaces instead of dashes, or the
# QS number of food-related products before 2018.
_OLDER = (
    re.compile(r"^(?:\((?P<prov>[\u4e00-\u9fff])\))?XK(?P<cat>\d{2})[- ]?\d{3}[- ]?\d{4,5}$"),
    re.compile(r"^QS\d{4} ?\d{4} ?\d{4}$"),
)


def parse_license_number(raw: str) -> LicenseNumber:
    field = _("生产许可证编号")
    text = raw.strip()
    if not text:
        raise ValidationError(field, _("不能为空"))
    compact = _halfwidth(text).upper()
    m = _CURRENT.match(compact)
    if m:
        return LicenseNumber(compact, m.group("prov"), m.group("cat"), True, None)
    for pattern in _OLDER:
        m = pattern.match(compact)
        if m:
            groups = m.groupdict()
            warning = _("“{t}”是旧版编号格式，已按原样保存，请核对证书").format(t=text)
            return LicenseNumber(text, groups.get("prov"), groups.get("cat"), False, warning)
    raise ValidationError(field, _("“{t}”格式不正确，应形如 (沪)XK16-204-00006").format(t=text))
