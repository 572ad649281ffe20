"""Two clerks at two workstations save the same enterprise at once (issue 17): on a server both read it, then
both write; the later UPDATE names a revision that is gone, and is refused with 已被他人修改 and the values now.
(A file database lets one writer at a time: the later one waits for the lock, the same race cannot happen.)"""

import pytest

from inspector_app.core.errors import EditedByOther
from inspector_app.core.storage.db import open_database
from inspector_app.core.storage.models import Enterprise


def test_a_save_that_loses_the_race_names_the_record_and_its_values(server_db):
    _name, url = server_db
    a, b = open_database(url), open_database(url)
    try:
        with a.session() as s:
            ent = Enterprise(uscc="91350100M000100Y43", name="上海申华塑料制品有限公司", district="奉贤区")
            s.add(ent)
            s.flush()
            eid = ent.id
        with pytest.raises(EditedByOther) as refused, a.session() as s:
            s.get(Enterprise, eid).phone = "021-1111"  # clerk A has the enterprise open and types
            with b.session() as s2:  # clerk B saves first
                s2.get(Enterprise, eid).phone = "021-2222"
            s.flush()
        with a.session() as s:
            assert s.get(Enterprise, eid).phone == "021-2222"  # B's save stands, A's did not overwrite it
    finally:
        a.close()
        b.close()
    assert refused.value.current["联系电话"] == "021-2222"
    assert "上海申华塑料制品有限公司" in str(refused.value) and "已被他人修改" in str(refused.value)
