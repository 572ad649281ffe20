"""Two clerks editing the same enterprise (issue 17): the later save is refused with 已被他人修改 and the values
now, never a silent overwrite. Each clerk is a database connection of their own, as on two workstations."""

from datetime import date

import pytest

from inspector_app.core import archive
from inspector_app.core.errors import EditedByOther
from inspector_app.core.storage.db import open_database
from inspector_app.core.supervision import classification as cl


def _second_clerk(db):
    return open_database(db.path if db.path is not None else db.engine.url.render_as_string(hide_password=False))


def test_the_later_classification_is_refused_with_the_class_now(db, sample):
    other = _second_clerk(db)
    try:
        seen_by_a = archive.get_enterprise(db, sample.enterprise_id)  # both open the enterprise's archive
        seen_by_b = archive.get_enterprise(other, sample.enterprise_id)
        assert seen_by_a.rev == seen_by_b.rev
        cl.classify(other, sample.enterprise_id, "C", reason="年度评定", who="刘洋", on=date(2026, 3, 1),
                    expected_rev=seen_by_b.rev)  # fmt: skip
        with pytest.raises(EditedByOther) as refused:
            cl.classify(db, sample.enterprise_id, "A", reason="年度评定", who="张伟", on=date(2026, 3, 1),
                        expected_rev=seen_by_a.rev)  # fmt: skip
    finally:
        other.close()
    message = str(refused.value)
    assert "已被他人修改" in message and "分类：C" in message and "上海申华塑料制品有限公司" in message
    assert refused.value.current["分类"] == "C"
    assert archive.get_enterprise(db, sample.enterprise_id).classification == "C"  # B's save stands
    assert [h.who for h in cl.history(db, sample.enterprise_id)] == ["刘洋"]
