"""Domain errors. Their message is written for the inspector (Chinese): what is wrong and what to do."""


class DomainError(Exception):
    """Input the app refuses; nothing has been written."""


class ValidationError(DomainError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}：{message}")
        self.field = field
        self.reason = message


class NotFound(DomainError):
    pass


class DatabaseRefused(DomainError):
    """The database file is not ours, is damaged, or was written by a newer version."""


class BureauOnly(DomainError):
    """Work that only the district bureau does, asked of a field laptop (core/storage/sync_models.require_bureau)."""


class EditedByOther(DomainError):
    """Another clerk saved the same record since this one was opened (its revision moved on): the later save
    is refused, never a silent overwrite. `current` holds the record's values now (label → value)."""

    def __init__(self, what: str, current: dict[str, str] | None = None):
        from inspector_app.i18n import _

        self.what, self.current = what, dict(current or {})
        now = "；".join(f"{k}：{v or '（空）'}" for k, v in self.current.items())
        text = _("{w}已被他人修改，您的修改未保存。").format(w=what)
        if now:
            text += _("当前内容——{n}。").format(n=now)
        super().__init__(text + _("请核对当前内容后重新修改。"))
