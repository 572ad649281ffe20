"""This laptop's document-number prefix (本机编号前缀, setting `device.docnumber_prefix`): a short name chosen
at device setup — the team's code or the number the bureau gave the laptop — that makes its numbers its own:
`奉市监责改〔2026〕FX03-0001号`.

The rules of a prefix's shape and uniqueness live in core/issuing/number_rules.py (settings.py applies them
when the setting is written); this module says whether a laptop still has to choose one, and stores it.

Earlier versions gave a laptop without a prefix a random one on first use ("3F9A2C-"). A prefix of that
shape (six hexadecimal characters and "-", which a chosen prefix can never be) is treated as not chosen:
the numbers issued with it stay valid (a reprint keeps its number), but a new number waits until the
inspector chooses a prefix. Nothing is ever made up: docnumbers.issue raises PrefixNeeded instead.
"""

from sqlalchemy.orm import Session

from inspector_app.core import settings
from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.issuing.number_rules import EXAMPLE, HINT, KEY, is_legacy_random, normalise
from inspector_app.core.storage.db import Database
from inspector_app.i18n import _


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


def needed(session: Session) -> PrefixNeeded | None:
    """Why this laptop cannot issue a new number by prefix (no prefix, or the random one of an earlier
    version), or None. A laptop with a block of serials needs no prefix."""
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
        return settings.read(s, KEY), needed(s) is not None


def choose(db: Database, prefix: str) -> str:
    """Store this laptop's prefix after its rules (the GUI's question at the next issue, `keys init
    --number-prefix`); returns it as stored. Numbers already issued keep their old prefix."""
    value = normalise(prefix)
    if not value:
        raise ValidationError(_("本机编号前缀"), _("不能为空：{h}").format(h=HINT))
    settings.update(db, {KEY: value})
    return value
