"""Who did it (issue 17): the bureau's changes — a class, a plan, a draw, a flag decision, a setting — are
recorded with who and when, and the enterprise's archive (一企一档) shows them. On a file database "who" is the
device's user (本机使用人); on a server, the clerk's own database role."""

from datetime import date

from inspector_app.core import archive, settings
from inspector_app.core.supervision import classification as cl


def test_a_classification_shows_in_the_archive_with_who_and_when(db, sample, engine):
    settings.set_value(db, "device.inspector", "张伟")
    cl.classify(db, sample.enterprise_id, "C", reason="年度评定", who="张伟", on=date(2026, 3, 1))
    history = archive.change_history(db, sample.enterprise_id)
    assert [(h.action, h.detail) for h in history] == [("企业分类", "B→C，年度评定")]
    # on a server, the clerk's own database role, and the 经办人 the change names when it is someone else
    expected_who = "张伟" if engine == "sqlite" else f"{db.engine.url.username}（经办人：张伟）"
    assert history[0].who == expected_who and history[0].at.date() >= date(2026, 1, 1)


def test_the_person_a_change_names_is_kept_beside_the_login(db, sample, engine):
    """A shared bureau desktop (or a shared server role) logs in as one user: the 经办人 the clerk gives is
    recorded with it."""
    settings.set_value(db, "device.inspector", "值班电脑")
    cl.classify(db, sample.enterprise_id, "C", reason="年度评定", who="王芳", on=date(2026, 3, 1))
    login = "值班电脑" if engine == "sqlite" else db.engine.url.username
    assert archive.change_history(db, sample.enterprise_id)[0].who == f"{login}（经办人：王芳）"


def test_settings_are_logged_but_not_for_an_enterprise(db, sample):
    from sqlalchemy import select

    from inspector_app.core.storage.bureau_models import ChangeLog

    settings.set_value(db, "bureau.name", "上海市奉贤区市场监督管理局")
    with db.session() as s:
        rows = [(r.action, r.detail, r.enterprise_id) for r in s.scalars(select(ChangeLog))]
    assert ("修改设置", rows[-1][1], None) == rows[-1] and "上海市奉贤区市场监督管理局" in rows[-1][1]
    assert archive.change_history(db, sample.enterprise_id) == []
