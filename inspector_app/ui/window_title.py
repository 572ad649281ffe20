"""Which database the main window works on, in the title bar's words (issue 17): a file by its name, a server
database as 服务器 host/dbname — never the user name or password of its URL. Pure: no Qt, no SQLAlchemy."""

from pathlib import Path
from urllib.parse import urlsplit

from inspector_app.i18n import _


def database_name(location: str, is_server: bool) -> str:
    """`location` is Database.location: the file's path, or the server URL (its password already hidden)."""
    if not is_server:
        return Path(location).name
    url = urlsplit(location)
    host = url.hostname or "localhost"  # no host: the local server's socket
    return _("服务器 {h}/{d}").format(h=host, d=url.path.lstrip("/"))
