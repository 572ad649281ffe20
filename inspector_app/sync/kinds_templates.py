"""Record kind of the published checklist templates (core/inspection/template_store.py), bureau → field.

A release names its template_snapshot by digest (a foreign key), and snapshots are sent along with any
record that references them (`include_when_referenced`), so a laptop receives the content with the release.
The bureau's word: a laptop never sends releases, and an older bureau bundle never rolls one back.
A release is never edited (a change is a new version), so there is nothing to conflict over.
"""

import re

from inspector_app.core.storage.sync_models import BUREAU
from inspector_app.i18n import _
from inspector_app.sync.records import RecordProblem, TableKind

_ID = re.compile(r"[a-z0-9_-]+")  # core/inspection/template_file.py: a template id


def _check(data: dict) -> None:
    if not _ID.fullmatch(str(data.get("template_id", ""))):
        raise RecordProblem(_("模板编号“{i}”无效").format(i=str(data.get("template_id"))[:50]))
    if not isinstance(data.get("version"), int) or data["version"] < 1:
        raise RecordProblem(_("模板版本应为从 1 开始的整数"))


def register(registry) -> None:
    from inspector_app.core.inspection.template_store import TemplateRelease

    release = registry.add(
        TableKind(
            TemplateRelease,
            "template_release",
            "检查表模板发布",
            senders={BUREAU},
            order=60,  # after template_snapshot (50), which it references
            ordered=True,
            authority=BUREAU,
            title=lambda d: _("{i} 第 {v} 版").format(i=d.get("template_id", ""), v=d.get("version", "")),
            domain=_check,
        )
    )
    release.deletable = False  # withdrawn by publishing a newer version, never deleted
