"""Before a document leaves the laptop: which of the bureau's settings that it prints are still unset or the
placeholder (××区市场监督管理局, ××市监, an empty telephone).

Until the bureau's settings arrive (with its sync bundle) or are typed in, the documents print placeholders
(core/settings.py DEFAULTS). That is fine for a preview and wrong on paper, so issuing — printing or saving
in the 出具文书 window, `inspector-app pdf …` — asks first (GUI) or refuses unless told otherwise (CLI,
`--allow-placeholders`). One function decides for both: `check(db, doc_type)`.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from inspector_app.core import settings
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Setting
from inspector_app.core.storage.sync_models import BUREAU, SETTING_DEVICE_ROLE
from inspector_app.i18n import _

_NAME, _SHORT, _SEAL, _PHONE = "bureau.name", "bureau.short_name", "bureau.seal_text", "bureau.contact_phone"
# What each document prints of the bureau's settings (documents/summary.py, record.py, notice.py): the name in
# the heading or footer; the notice also the seal, the telephone and the short name in its number.
PRINTED: dict[str, tuple[str, ...]] = {
    "summary": (_NAME,),
    "record": (_NAME,),
    "notice": (_NAME, _SEAL, _PHONE, _SHORT),
}
ALL = (_NAME, _SEAL, _PHONE, _SHORT)
PLACEHOLDER_MARK = "××"
WHERE = _("文件 → 设置… → 本局")


@dataclass(frozen=True)
class Unset:
    key: str
    label: str  # 局名
    value: str  # what is stored now: "" or the placeholder

    @property
    def state(self) -> str:
        """In a few words, what the paper would show."""
        if not self.value:
            return _("未填写，文书上为空白")
        return _("仍是占位文字“{v}”").format(v=self.value)


@dataclass(frozen=True)
class PrintCheck:
    doc_type: str
    unset: tuple[Unset, ...]
    bureau: bool  # this installation is the bureau (nobody sends it the settings)

    @property
    def ok(self) -> bool:
        return not self.unset

    def labels(self) -> str:
        return "、".join(u.label for u in self.unset)

    def lines(self) -> list[str]:
        return [f"{u.label}：{u.state}" for u in self.unset]

    def where(self, *, cli: bool = False) -> str:
        """Where the missing settings come from, in the words of the GUI or of the CLI."""
        if cli:
            first = self.unset[0].key if self.unset else _NAME
            fill = _("用 inspector-app settings set {k} …（见 settings show）填写").format(k=first)
            if self.bureau:
                return _("请{f}。").format(f=fill)
            return _("局里的这些设置随局里的同步数据包到来（inspector-app bundle import），也可{f}。").format(f=fill)
        if self.bureau:
            return _("请在“{w}”中填写。").format(w=WHERE)
        return _("局里的这些设置随局里的同步数据包到来（同步 → 导入同步数据包），也可在“{w}”中填写。").format(w=WHERE)

    def message(self, *, cli: bool = False) -> str:
        """The whole explanation: what is missing, what the paper would show, where to set it."""
        if self.ok:
            return ""
        head = _("以下局里的设置还没有填写，文书上会印出占位内容：")
        text = head + "\n" + "\n".join("  · " + line for line in self.lines()) + "\n" + self.where(cli=cli)
        if cli:
            text += "\n" + _("确需照此出具，请加 --allow-placeholders。")
        return text


def is_placeholder(key: str, value: str) -> bool:
    """Unset, or still the shipped placeholder (anything with ××, as in ××区市场监督管理局)."""
    value = value.strip()
    return not value or value == settings.DEFAULTS[key].default or PLACEHOLDER_MARK in value


def check_in(session: Session, doc_type: str) -> PrintCheck:
    keys = PRINTED.get(doc_type, ALL)
    unset = tuple(
        Unset(key, settings.label(key), value)
        for key in keys
        if is_placeholder(key, value := settings.read(session, key))
    )
    role = session.get(Setting, SETTING_DEVICE_ROLE)
    return PrintCheck(doc_type, unset, role is not None and role.value == BUREAU)


def check(db: Database, doc_type: str) -> PrintCheck:
    """What of the bureau's settings `doc_type` prints is unset or the placeholder (empty: ready)."""
    with db.session() as s:
        return check_in(s, doc_type)


def device_user(db: Database, user: str = "") -> str:
    """Who the laptop's certificate names: `user` if given, else the setting 本机使用人, else the inspector the
    bureau registered this device for (it comes back in the bureau's register). Never this team's leader: a
    certificate that changed with the team would give the laptop a new certificate for every other leader."""
    from inspector_app.core.storage.sync_models import SETTING_DEVICE_ID, Device

    with db.session() as s:
        user = user or settings.read(s, "device.inspector")
        if not user:
            own = s.get(Setting, SETTING_DEVICE_ID)
            device = s.get(Device, own.value) if own is not None else None
            user = device.inspector_name if device is not None else ""
    return user
