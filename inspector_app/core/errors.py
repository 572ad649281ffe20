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
