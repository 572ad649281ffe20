"""What the document-number settings may be (文书编号格式, 本机编号前缀, 本机编号段), as plain rules on text.

Nothing here reads or writes settings: core/settings.py applies these rules when a value is written,
core/issuing/numbers.py when it issues a number, core/issuing/number_prefix.py when a laptop chooses its
prefix. Keeping them below all three is what keeps settings and numbers out of an import circle.

The rules of a prefix (setting `device.docnumber_prefix`):
- 2 to 5 ASCII letters or digits, upper-cased, followed by one "-" (added when left out) that keeps the
  prefix apart from the serial: without it "FX" + 10001 and "FX1" + 0001 would print the same number;
- not all zeros (every laptop would think of "00" first);
- not a prefix that numbers in this database already carry for another device (the bureau's bundles bring
  the numbers the other laptops issued).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.errors import ValidationError
from inspector_app.core.storage.docs_models import DocNumber
from inspector_app.i18n import _

PATTERN_KEY = "docnumber.pattern"
BLOCK_START, BLOCK_END = "device.docnumber_block_start", "device.docnumber_block_end"
NUMBER_KEYS = frozenset({PATTERN_KEY, BLOCK_START, BLOCK_END})
SAMPLE_FIELDS = {"short": "××市监", "year": 2026, "prefix": "03-", "serial": 12}

KEY = "device.docnumber_prefix"
MIN_CHARS, MAX_CHARS = 2, 5
EXAMPLE = "FX03"
_SHAPE = re.compile(rf"[A-Z0-9]{{{MIN_CHARS},{MAX_CHARS}}}-?")
_LEGACY_RANDOM = re.compile(r"[0-9A-F]{6}-")
# The hint shown where a prefix is asked for.
HINT = _("2–5 个英文字母或数字，如检查组代号“FX03”或局里分配的“03”；各台电脑不能相同")


# ---------------------------------------------------------------------------------------------- the pattern
def pattern_fields(pattern: str) -> set[str]:
    """The replacement fields of a str.format pattern ("{serial:04d}" → "serial"); literal {{ }} are none."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:  # an unmatched { or }
        raise ValidationError(
            _("文书编号格式"), _("花括号不配对（{e}）；字段要写成 {{year}} 这样，成对出现").format(e=exc)
        ) from None
    return {name.split(".")[0].split("[")[0] for _text, name, _format, _conv in parsed if name}


def check_pattern(pattern: str) -> None:
    """Refuse a pattern that cannot be formatted or has no serial number in it."""
    label = _("文书编号格式")
    if not re.search(r"\{serial(:[^}]*)?\}", pattern):
        raise ValidationError(label, _("必须包含流水号 {serial}，如 {serial:04d}"))
    try:
        pattern.format(**SAMPLE_FIELDS)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(
            label,
            _("“{p}”无法使用（{e}）；可用字段：{{short}} {{year}} {{prefix}} {{serial}}").format(p=pattern, e=exc),
        ) from None


def check_pattern_setting(value: str) -> None:
    """The rules of the setting: a usable pattern (check_pattern) with a serial and a year."""
    check_pattern(value)  # {serial} present; the pattern formats with the fields numbers.issue gives it
    fields = pattern_fields(value)
    if "serial" not in fields:
        raise ValidationError(_("文书编号格式"), _("必须包含流水号 {serial}，如 {serial:04d}"))
    if "year" not in fields:
        # numbers.issue restarts the serial every year: without the year, 2027's first number is 2026's.
        raise ValidationError(_("文书编号格式"), _("必须包含年份 {year}：流水号每年从头编起，缺了年份会重号"))


def check_together(
    values: Mapping[str, str], changed: set[str], label: Callable[[str], str]
) -> dict[str, ValidationError]:
    """The rules between the pattern and the block, for the changed ones (a stored inconsistency elsewhere
    does not block a save). `values` holds every setting after the change; `label` names a key."""
    errors: dict[str, ValidationError] = {}
    if not changed & NUMBER_KEYS:
        return errors
    start, end = values[BLOCK_START].strip(), values[BLOCK_END].strip()
    if bool(start) != bool(end):
        missing = BLOCK_END if start else BLOCK_START
        errors[missing] = ValidationError(label(missing), _("编号段的起号和止号要一起填写（或都留空）"))
    elif start and start.isdigit() and end.isdigit() and int(end) < int(start):
        errors[BLOCK_END] = ValidationError(label(BLOCK_END), _("止号 {b} 小于起号 {a}").format(a=start, b=end))
    try:
        fields = pattern_fields(values[PATTERN_KEY])
    except ValidationError as exc:
        errors[PATTERN_KEY] = exc
        return errors
    if "prefix" not in fields and not (start and end):
        # numbers.issue refuses to number then: two laptops would issue the same numbers.
        errors[PATTERN_KEY] = ValidationError(
            label(PATTERN_KEY),
            _("不含本机前缀 {prefix} 时，须同时填写局分配给本机的编号段，否则不同电脑会编出相同的号"),
        )
    return errors


# ---------------------------------------------------------------------------------------------- the prefix
def is_legacy_random(prefix: str) -> bool:
    """A prefix an earlier version chose at random (secrets.token_hex(3).upper() + "-")."""
    return bool(_LEGACY_RANDOM.fullmatch(prefix.strip()))


def normalise(value: str) -> str:
    """The prefix as stored ("fx03" → "FX03-"), or ValidationError saying what a prefix must look like.
    "" (no prefix) stays "": a laptop numbering by a block of serials needs none."""
    label = _("本机编号前缀")
    text = value.strip().upper()
    if not text:
        return ""
    if not _SHAPE.fullmatch(text):
        raise ValidationError(label, _("“{v}”不合要求：应为{h}").format(v=value.strip(), h=HINT))
    text = text.rstrip("-")
    if set(text) == {"0"}:
        raise ValidationError(label, _("“{v}”太容易与别的电脑重复，请用检查组代号或局里分配的编号").format(v=text))
    return text + "-"


def used_by_other_device(session: Session, prefix: str, own_device: str) -> str | None:
    """The device name under which numbers with `prefix` were issued elsewhere ("" if unnamed), or None."""
    others = select(DocNumber.device).where(DocNumber.prefix == prefix, DocNumber.device != own_device).limit(1)
    return session.scalar(others)


def check_unused(session: Session, prefix: str, own_device: str) -> None:
    """ValidationError if numbers in this database carry `prefix` for another device than `own_device`."""
    if not prefix:
        return
    other = used_by_other_device(session, prefix, own_device)
    if other is not None:
        raise ValidationError(
            _("本机编号前缀"),
            _("“{p}”已用于{d}出具的文书编号，请换一个").format(p=prefix, d=f"“{other}”" if other else _("另一台电脑")),
        )
