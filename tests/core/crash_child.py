"""The victim of test_crash.py: answers inspection items one by one until it is killed.

    python crash_child.py DB FORMS_DIR FIRST_COUNTER

Opens (creating or resuming) the database, makes sure it holds one enterprise, one site, two inspectors and
one draft inspection, prints "ready", then for counter = FIRST_COUNTER, FIRST_COUNTER + 1, ... saves the
answer value(counter) to item item_for(counter) with core.inspection.inspections.save_answer, printing
"saving ITEM COUNTER" before the call and "saved ITEM COUNTER" after it returned. Output is flushed per line,
so a line the parent read was printed before the kill. Stops by itself after a while so it never lingers.
"""

import sys
import time
from pathlib import Path

CONCLUSIONS = ("conform", "nonconform", None)  # None: the inspector cleared the conclusion
LIFETIME = 20.0  # seconds; the parent kills it long before


def item_for(items: list[str], counter: int) -> str:
    return items[counter % len(items)]


def value(counter: int) -> tuple[str | None, str]:
    """(conclusion, record) written at this counter; every counter writes a different record."""
    return CONCLUSIONS[counter % len(CONCLUSIONS)], f"第{counter}次保存：现场核查记录 #{counter}"


def item_ids(template) -> list[str]:
    return [item.id for item in template.applicable_items]


def template(forms: Path):
    from inspector_app.core.inspection.templates import load_templates, template_for_category

    return template_for_category(load_templates(forms), "危险化学品")


def _setup(db, tmpl) -> str:
    """The one draft inspection, created on the first run; every step is its own transaction and idempotent."""
    from sqlalchemy import select

    from inspector_app.core.inspection.inspections import start_inspection
    from inspector_app.core.storage.models import Enterprise, Inspection, Inspector, Site

    with db.session() as s:
        site = s.scalar(select(Site))
        if site is None:
            ent = Enterprise(uscc="91310120MA1H000001", name="上海奉贤化工有限公司", district="奉贤区")
            site = Site(enterprise=ent, address="上海市奉贤区南桥镇江海路88号", district="奉贤区")
            s.add_all(
                [ent, site, Inspector(name="张伟", badge_no="31000001"), Inspector(name="刘洋", badge_no="31000002")]
            )
            s.flush()
        site_id = site.id
        team = list(s.scalars(select(Inspector.id).order_by(Inspector.badge_no)))
        inspection_id = s.scalar(select(Inspection.id))
    if inspection_id is None:
        inspection_id = start_inspection(db, site_id=site_id, template=tmpl, kind="scheduled", team=team)
    return inspection_id


def say(line: str) -> None:
    """One write() per line, so a kill never leaves half a line that looks whole."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    db_path, forms, counter = Path(argv[0]), Path(argv[1]), int(argv[2])
    from inspector_app.core.inspection.inspections import save_answer
    from inspector_app.core.storage.db import open_database

    deadline = time.monotonic() + LIFETIME
    db = open_database(db_path)
    tmpl = template(forms)
    items = item_ids(tmpl)
    inspection_id = _setup(db, tmpl)
    say(f"ready {inspection_id}")
    while time.monotonic() < deadline:
        item = item_for(items, counter)
        conclusion, record = value(counter)
        say(f"saving {item} {counter}")
        save_answer(db, inspection_id, item, conclusion=conclusion, record=record)
        say(f"saved {item} {counter}")
        counter += 1
    return 3  # not killed: the parent treats this as a failure


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
