"""This laptop's document-number prefix (本机编号前缀, setting `device.docnumber_prefix`): a short name chosen
at device setup — the team's code or the number the bureau gave the laptop — that makes its numbers its own:
`奉市监责改〔2026〕FX03-0001号`.

The rules of a prefix live here (settings.py applies them when the setting is written):
- 2 to 5 ASCII letters or digits, upper-cased, followed by one "-" (added when left out) that keeps the
  prefix apart from the serial: without it "FX" + 10001 and "FX1" + 0001 would print the same number;
- not all zeros (every laptop would think of "00" first);
- not a prefix that numbers in this database already carry for another device (the bureau's bundles bring
  the numbers the other laptops issued).

Earlier versions gave a laptop without a prefix a random one on first use ("3F9A2C-"). A prefix of that
shape (six hexadecimal characters and "-", which a chosen prefix can never be) is treated as not chosen:
the numbers issued with it stay valid (a reprint keeps its number), but a new number waits until the
inspector chooses a prefix. Nothing is ever made up: docnumbers.issue raises PrefixNeeded instead.
"""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.storage.db import Database
from inspector_app.i18n import _

KEY = "device.docnumber_prefix"
MIN_CHARS, MAX_CHARS = 2, 5
EXAMPLE = "FX03"
_SHAPE = re.compile(rf"[A-Z0-9]{{{MIN_CHARS},{MAX_CHARS}}}-?")
_LEGACY_RANDOM = re.compile(r"[0-9A-F]{6}-")
# The hint shown where a prefix is asked for.
HINT = _("2–5 个英文字母或数字，如检查组代号“FX03”或局里分配的“03”；各台电脑不能相同")


class PrefixNeeded(DomainError):
    """A new document number is needed and this laptop has not chosen its prefix (or still has the random
    one an earlier version made). `legacy` is that old prefix, "" when there is none."""

    def __init__(self, legacy: str = ""):
        self.legacy = legacy
        if legacy:
            text = _(
                "本机的文书编号前缀“{p}”是旧版本随机生成的。已出具的文书编号仍然有效；"
                "出具新的文书编号前，请选定本机编号前缀（{h}）。"
            ).format(p=legacy, h=HINT)
        else:
            text = _("本机还没有选定文书编号前缀，编不出文书编号。请选定本机编号前缀（{h}）。").format(h=HINT)
        self.reason = text  # without the ways to set it: the GUI asks right away
        text += _("在“文件 → 设置… → 文书编号”中填写，或用命令 inspector-app settings set {k} {e}").format(
            k=KEY, e=EXAMPLE
        )
        super().__init__(text)


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
    from inspector_app.core.storage.docs_models import DocNumber

    others = select(DocNumber.device).where(DocNumber.prefix == prefix, DocNumber.device != own_device).limit(1)
    return session.scalar(others)


def check_unused(session: Session, prefix: str) -> None:
    """ValidationError if numbers in this database carry `prefix` for another device."""
    from inspector_app.core import settings

    if not prefix:
        return
    other = used_by_other_device(session, prefix, settings.read(session, "device.name"))
    if other is not None:
        raise ValidationError(
            _("本机编号前缀"),
            _("“{p}”已用于{d}出具的文书编号，请换一个").format(p=prefix, d=f"“{other}”" if other else _("另一台电脑")),
        )


def needed(session: Session) -> PrefixNeeded | None:
    """Why this laptop cannot issue a new number by prefix (no prefix, or the random one of an earlier
    version), or None. A laptop with a block of serials needs no prefix."""
    from inspector_app.core import settings

    prefix = settings.read(session, KEY).strip()
    if is_legacy_random(prefix):
        return PrefixNeeded(prefix)
    if prefix:
        return None
    if settings.read(session, "device.docnumber_block_start").strip():
        return None
    return PrefixNeeded()


def current(db: Database) -> tuple[str, bool]:
    """(the stored prefix, whether a new one must be chosen before the next new number)."""
    with db.session() as s:
        from inspector_app.core import settings

        return settings.read(s, KEY), needed(s) is not None


def choose(db: Database, prefix: str) -> str:
    """Store this laptop's prefix after its rules (the GUI's question at the next issue, `keys init
    --number-prefix`); returns it as stored. Numbers already issued keep their old prefix."""
    from inspector_app.core import settings

    value = normalise(prefix)
    if not value:
        raise ValidationError(_("本机编号前缀"), _("不能为空：{h}").format(h=HINT))
    settings.update(db, {KEY: value})
    return value
