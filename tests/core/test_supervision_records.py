"""Issue 15: the inspector register, license actions, interviews, the classification deadline and notice —
cases derived from 《上海市工业产品生产许可证证后监督检查管理办法》 (001) §10, §11, §24, §35, §39 and 000's tables."""

import json
from datetime import date

import pytest
from pypdf import PdfReader

from inspector_app.core import settings
from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.storage.models import Enterprise, License
from inspector_app.core.supervision import (
    class_notice,
    classification,
    inspector_files,
    inspectors,
    interviews,
    statistics,
)
from inspector_app.core.supervision import license_actions as la
from inspector_app.core.supervision.draw_snapshot import roster_snapshot_in


def _text(pdf: bytes) -> str:
    import io

    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


# ------------------------------------------------------------------ 001 §10: two months after the license
@pytest.mark.parametrize(
    ("licensed", "due"),
    [
        (date(2026, 3, 3), date(2026, 5, 3)),
        (date(2026, 12, 31), date(2027, 2, 28)),  # no 31 February: the last day of the month
        (date(2027, 12, 31), date(2028, 2, 29)),  # a leap year
        (date(2026, 11, 15), date(2027, 1, 15)),  # across the year
    ],
)
def test_the_classification_deadline_is_two_calendar_months_after_the_license(licensed, due):
    assert class_notice.two_months_after(licensed) == due


def _new_licensee(db, uscc: str, issued: date, number: str) -> str:
    with db.session() as s:
        ent = Enterprise(uscc=uscc, name=f"新获证企业{number[-2:]}", district="奉贤区")
        s.add(ent)
        s.flush()
        s.add(License(enterprise_id=ent.id, number=number, category="水泥", issue_date=issued,
                      expiry_date=date(2031, 1, 1)))  # fmt: skip
        return ent.id


def test_an_unclassified_new_licensee_is_overdue_after_two_months(db, fixed_today):
    late = _new_licensee(db, "91310000MA1FL0001A", date(2026, 4, 14), "(沪)XK08-001-00091")  # due 06-14
    on_time = _new_licensee(db, "91310000MA1FL0002A", date(2026, 4, 15), "(沪)XK08-001-00092")  # due 06-15
    rows = {r.enterprise_id: r for r in class_notice.due(db)}
    assert rows[late].state == class_notice.OVERDUE and rows[late].due_on == date(2026, 6, 14) and rows[late].days == 1
    assert rows[on_time].state == class_notice.PENDING and rows[on_time].days == 0
    classification.register_new_licensee(db, late, who="张伟", on=date(2026, 6, 15))  # 001 §10: B
    assert late not in {r.enterprise_id for r in class_notice.due(db)}


# ------------------------------------------------------------------ 001 §11: the notice
def test_the_notice_tells_the_class_under_a_number_and_is_signed(db, sample, fixed_today):
    from inspector_app.documents.pdfsign import verify_pdf
    from inspector_app.documents.supervision_docs import print_class_notice

    with pytest.raises(DomainError, match="分类告知书法律依据"):  # no default basis: 001 expired (001 §54)
        print_class_notice(db, sample.enterprise_id)
    basis = "2025-01-01｜｜全部｜《××市工业产品生产许可证后续监管办法》第十一条"
    settings.set_value(db, "class_notice.legal_bases", basis)
    with pytest.raises(DomainError, match="还没有分类记录"):
        print_class_notice(db, sample.enterprise_id)
    classification.classify(db, sample.enterprise_id, "C", reason="监督抽查不合格", who="张伟", on=date(2026, 5, 2))
    printed = print_class_notice(db, sample.enterprise_id, who="张伟")
    text = _text(printed.pdf)
    assert "企业分类告知书" in text and "上海申华塑料制品有限公司" in text
    assert "2026年5月2日被确定为C类企业（较差）" in text and "加严监管" in text and "不少于2次检查" in text
    assert "不得用于广告" in text and printed.number in text and printed.number == "××市监分类告〔2026〕T1-0001号"
    assert "001 " not in text and "§" not in text  # users see titles and articles, never our seed numbers
    v = verify_pdf(printed.pdf)
    assert v.intact and v.number == printed.number
    (row,) = class_notice.list_notices(db)
    assert row.classification == "C" and row.pdf_sha256 and len(row.pdf_sha256) == 64


# ------------------------------------------------------------------ 001 §35: 约谈
def test_an_interview_is_recorded_printed_and_counted_once_per_enterprise(db, sample, fixed_today):
    from inspector_app.documents.supervision_docs import print_interview

    common = dict(kind="quality", interviewee="王建国", interviewers=["张伟", "刘洋"], reason="抽查不合格")
    with pytest.raises(ValidationError, match="至少两人"):  # 001 §24
        interviews.add(db, sample.enterprise_id, held_on=date(2026, 5, 1), **{**common, "interviewers": ["张伟"]})
    with pytest.raises(ValidationError, match="整改期限"):
        interviews.add(db, sample.enterprise_id, held_on=date(2026, 5, 1), deadline=date(2026, 4, 1), **common)
    first = interviews.add(db, sample.enterprise_id, held_on=date(2026, 5, 1), interviewee_title="法定代表人",
                           outcome="承诺30日内整改", deadline=date(2026, 5, 31), **common)  # fmt: skip
    interviews.add(db, sample.enterprise_id, held_on=date(2026, 6, 1), **common)
    printed = print_interview(db, first[:8])
    text = _text(printed.pdf)
    assert "约 谈 记 录" in text and "王建国（法定代表人）" in text and "张伟、刘洋" in text
    assert "承诺30日内整改" in text and "2026年5月31日" in text and "第三十五条" in text
    again = print_interview(db, first)
    assert again.number == printed.number  # a reprint keeps its number
    report = statistics.build_report(db, date(2026, 1, 1), date(2026, 12, 31))
    counted = {r.category: r.values[-1] for r in report.campaign}
    assert counted["危险化学品"] == 1  # 约谈企业（家）: one enterprise, two interviews


# ------------------------------------------------------------------ 001 §39: a license ended
def test_a_cancelled_license_is_not_drawn_and_not_counted_as_valid(db, sample, fixed_today):
    def snapshot(on):
        with db.session() as s:
            return json.dumps(roster_snapshot_in(s, year=2026, on=on, district=None), ensure_ascii=False)

    before = statistics.build_report(db, date(2026, 1, 1), date(2026, 6, 14))
    assert "91350100M000100Y43" in snapshot(date(2026, 6, 14))
    la.record(db, "(沪)XK13-006-00021", "注销", effective_on=date(2026, 6, 1), decision_no="沪市监注〔2026〕5号",
              basis="企业申请注销")  # fmt: skip
    la.record(db, "（沪）XK16-204-00006", "revoke", effective_on=date(2026, 6, 10), decision_no="沪市监撤〔2026〕2号",
              basis="逾期未整改")  # fmt: skip
    assert "91350100M000100Y43" not in snapshot(date(2026, 6, 14))  # no license in force: not drawn
    assert "91350100M000100Y43" in snapshot(date(2026, 5, 31))  # before the decisions it was
    after = statistics.build_report(db, date(2026, 1, 1), date(2026, 6, 14))
    assert before.certificates_total - after.certificates_total == 2  # 表3
    assert before.total.enterprises - after.total.enterprises == 1  # 表1
    with pytest.raises(DomainError, match="已于2026-06-01注销"):
        la.record(db, "(沪)XK13-006-00021", "撤销", effective_on=date(2026, 6, 2), decision_no="x", basis="y")
    # 注销 may follow a revocation (the formality after it)
    la.record(db, "(沪)XK16-204-00006", "注销", effective_on=date(2026, 6, 12), decision_no="沪市监注〔2026〕6号",
              basis="撤销后注销")  # fmt: skip
    with pytest.raises(ValidationError, match="还没有到"):
        la.record(db, "(沪)XK16-204-00006", "吊销", effective_on=date(2026, 7, 1), decision_no="x", basis="y")
    assert [r.label for r in la.list_actions(db)] == ["注销", "撤销", "注销"]


# ------------------------------------------------------------------ the register (the GUI dialog's rules)
def test_register_rules_are_the_dialogs(db):
    from inspector_app.core import archive

    iid = archive.add_inspector(db, "张伟", " zf-0001 ")  # the GUI dialog's path
    assert inspectors.list_all(db)[0].badge_no == "ZF-0001"
    with pytest.raises(ValidationError, match="已登记"):
        inspectors.add(db, "ＺＦ－０００１", "李四")  # full-width is the same number
    with pytest.raises(ValidationError, match="姓名"):
        inspectors.add(db, "ZF-0002", "  ")
    row = inspectors.update(db, "zf-0001", district="奉贤区", can_lead=True, active=False)
    assert (row.id, row.district, row.can_lead, row.technical, row.active) == (iid, "奉贤区", True, False, False)
    assert archive.list_inspectors(db) == []  # not in service: not offered


def test_register_import_is_strict_and_names_every_bad_row(db, tmp_path):
    bad = tmp_path / "检查人员.csv"
    bad.write_text(
        "执法证号,姓名,所属区,可任组长,技术专家,在用\n"
        "31000001,张伟,奉贤区,是,否,是\n"
        "31000002,,奉贤区,否,否,是\n"
        "31000001,刘洋,奉贤区,否,也许,是\n",
        encoding="utf-8-sig",
    )
    report = inspector_files.import_file(db, bad)
    assert not report.written and inspectors.list_all(db) == []
    texts = [str(e) for e in report.errors]
    assert "第3行（列“姓名”）：不能为空" in texts
    assert any("第4行（列“技术专家”）" in t and "也许" in t for t in texts)
    assert any("第4行（列“执法证号”）：与第2行重复" in t for t in texts)
    report = inspector_files.import_file(db, bad, skip_invalid=True)
    assert report.written and report.added == 1 and len(report.errors) == 3
    out = tmp_path / "out.xlsx"
    assert inspector_files.export_file(db, out) == 1
    again = inspector_files.import_file(db, out)
    assert again.written and (again.added, again.changed) == (0, 1)
    (row,) = inspectors.list_all(db)
    assert (row.name, row.district, row.can_lead, row.technical, row.active) == ("张伟", "奉贤区", True, False, True)
