"""The bureau's records named as a clerk names them: an enterprise by its 统一社会信用代码 (the 约谈 screen
and `interview add` take the code, core/supervision/interviews.py the id)."""

from __future__ import annotations

from inspector_app.core.archive import enterprise_id_by_uscc
from inspector_app.core.errors import NotFound
from inspector_app.core.storage.db import Database
from inspector_app.core.supervision import interviews
from inspector_app.i18n import _


def add_interview(db: Database, uscc: str, **fields) -> str:
    """Record an interview of the enterprise with this code (interviews.add's rules); its id."""
    enterprise_id = enterprise_id_by_uscc(db, uscc)
    if enterprise_id is None:
        raise NotFound(_("统一社会信用代码：找不到“{c}”对应的企业").format(c=uscc.strip()))
    return interviews.add(db, enterprise_id, **fields)
