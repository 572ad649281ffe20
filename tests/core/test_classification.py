"""Each classification rule of 001 §8–§33 as a test, including the transitions the measures refuse."""

from datetime import date

import pytest

from inspector_app.core import clock
from inspector_app.core.errors import ValidationError
from inspector_app.core.storage.models import Enterprise, License
from inspector_app.core.supervision import classification as cl
from inspector_app.core.supervision.classification import ClassificationRefused

D0 = date(2024, 1, 10)
YEAR_LATER = date(2025, 1, 10)


def _current(db, eid):
    with db.session() as s:
        e = s.get(Enterprise, eid)
        return e.classification, e.risk_level


def _set_class(db, eid, cls):
    with db.session() as s:
        s.get(Enterprise, eid).classification = cls


def test_new_licensee_is_b_with_history(db, sample):  # 001 §10
    _set_class(db, sample.enterprise_id, "A")
    change = cl.register_new_licensee(db, sample.enterprise_id, who="张伟", on=D0)
    assert (change.from_class, change.to_class, change.rule) == (None, "B", "001 §10")
    assert _current(db, sample.enterprise_id)[0] == "B"
    hist = cl.history(db, sample.enterprise_id)
    assert [(h.changed_on, h.to_class, h.who) for h in hist] == [(D0, "B", "张伟")]
    with pytest.raises(ClassificationRefused, match="已有分类记录"):
        cl.register_new_licensee(db, sample.enterprise_id, who="张伟", on=D0)


def test_default_class_of_a_new_enterprise_is_b(db):  # 001 §10 (the column default)
    with db.session() as s:
        e = Enterprise(uscc="91310000MA1FL00011", name="新企业", district="奉贤区")
        s.add(e)
        s.flush()
        assert e.classification == "B"


def test_one_step_upgrade_after_a_year_is_allowed(db, sample):  # 001 §33
    cl.register_new_licensee(db, sample.enterprise_id, who="张伟", on=D0)
    change = cl.classify(db, sample.enterprise_id, "A", reason="年度评定良好", who="刘洋", on=YEAR_LATER)
    assert (change.from_class, change.to_class, change.rule) == ("B", "A", "001 §33")
    assert _current(db, sample.enterprise_id)[0] == "A"


def test_skip_level_upgrade_is_refused_with_reason(db, sample):  # 001 §33
    _set_class(db, sample.enterprise_id, "C")
    with pytest.raises(ClassificationRefused, match=r"不允许越级上升.*C类只能调整为B类.*第三十三条"):
        cl.classify(db, sample.enterprise_id, "A", reason="整改良好", who="刘洋", on=D0)
    _set_class(db, sample.enterprise_id, "B")
    with pytest.raises(ClassificationRefused, match="不允许越级上升"):
        cl.classify(db, sample.enterprise_id, "AA", reason="x", who="刘洋", on=D0, commitment="承诺书2024-01")
    assert _current(db, sample.enterprise_id)[0] == "B"
    assert cl.history(db, sample.enterprise_id) == []  # nothing written


def test_skip_level_downgrade_is_allowed(db, sample):  # 001 §33
    _set_class(db, sample.enterprise_id, "AA")
    change = cl.classify(db, sample.enterprise_id, "C", reason="受到行政处罚", who="刘洋", on=D0)
    assert (change.from_class, change.to_class) == ("AA", "C")


def test_upgrade_within_the_yearly_period_is_refused_downgrade_is_not(db, sample):  # 001 §33 调整周期1年
    cl.register_new_licensee(db, sample.enterprise_id, who="张伟", on=D0)
    with pytest.raises(ClassificationRefused, match=r"不足1年.*2025-01-09"):
        cl.classify(db, sample.enterprise_id, "A", reason="x", who="刘洋", on=date(2024, 6, 1))
    cl.classify(db, sample.enterprise_id, "C", reason="质量保证能力存在严重隐患", who="刘洋", on=date(2024, 6, 1))
    assert _current(db, sample.enterprise_id)[0] == "C"


def test_aa_requires_a_written_self_commitment(db, sample):  # 001 §8
    _set_class(db, sample.enterprise_id, "A")
    with pytest.raises(ClassificationRefused, match=r"书面承诺.*第八条"):
        cl.classify(db, sample.enterprise_id, "AA", reason="优秀", who="刘洋", on=D0)
    change = cl.classify(
        db, sample.enterprise_id, "AA", reason="优秀", who="刘洋", on=D0, commitment="承诺书（2024-01-05）"
    )
    assert change.commitment == "承诺书（2024-01-05）"


def test_false_commitment_goes_to_b_or_c_and_blocks_aa_for_five_years(db, sample, monkeypatch):  # 001 §9
    monkeypatch.setattr(clock, "today", lambda: date(2029, 6, 1))  # the story runs until 2029
    _set_class(db, sample.enterprise_id, "AA")
    with pytest.raises(ClassificationRefused, match="只能调整为B类或C类"):
        cl.false_commitment(db, sample.enterprise_id, "A", reason="虚假承诺", who="刘洋", on=D0)
    change = cl.false_commitment(db, sample.enterprise_id, "B", reason="承诺不实", who="刘洋", on=D0)
    assert (change.from_class, change.to_class, change.rule) == ("AA", "B", "001 §9")
    assert cl.supervision(db, sample.enterprise_id).aa_blocked_until == date(2029, 1, 10)
    cl.classify(db, sample.enterprise_id, "A", reason="年度评定", who="刘洋", on=date(2025, 2, 1))
    with pytest.raises(ClassificationRefused, match=r"2029-01-10前不再接受.*第九条"):
        cl.classify(db, sample.enterprise_id, "AA", reason="x", who="刘洋", on=date(2028, 12, 1), commitment="新承诺")
    cl.classify(db, sample.enterprise_id, "AA", reason="期满", who="刘洋", on=date(2029, 1, 10), commitment="新承诺")
    assert _current(db, sample.enterprise_id)[0] == "AA"


def test_false_commitment_applies_only_to_aa(db, sample):  # 001 §9
    with pytest.raises(ClassificationRefused, match="不是AA类企业"):
        cl.false_commitment(db, sample.enterprise_id, "C", reason="x", who="刘洋", on=D0)


def test_failed_spot_check_moves_to_c(db, sample):  # 001 §32
    _set_class(db, sample.enterprise_id, "A")
    _check_id, change = cl.record_spot_check(
        db, sample.enterprise_id, level="provincial", checked_on=D0, batches=2, failed_batches=1, reference="省抽2024-7"
    )
    assert (change.from_class, change.to_class, change.rule) == ("A", "C", "001 §32")
    assert "省级监督抽查不合格1批次" in change.reason
    assert _current(db, sample.enterprise_id)[0] == "C"
    _id, none = cl.record_spot_check(db, sample.enterprise_id, level="national", checked_on=D0, batches=1)
    assert none is None  # a passed check changes nothing


def test_spot_check_input_is_validated(db, sample):
    with pytest.raises(ValidationError, match="抽查级别"):
        cl.record_spot_check(db, sample.enterprise_id, level="county", checked_on=D0)
    with pytest.raises(ValidationError, match="批次"):
        cl.record_spot_check(db, sample.enterprise_id, level="national", checked_on=D0, batches=1, failed_batches=2)


def test_several_product_types_lowest_class_governs(db, sample):  # 001 §31
    # The sample holds a 危险化学品 and a food-related license: two categories, classified separately.
    cl.classify(db, sample.enterprise_id, "A", reason="评定", who="刘洋", on=D0, category="危险化学品")
    assert cl.product_classes(db, sample.enterprise_id) == {"危险化学品": "A", "直接接触食品的材料等相关产品": "B"}
    assert _current(db, sample.enterprise_id)[0] == "B"  # lowest of A and B
    cl.classify(
        db,
        sample.enterprise_id,
        "C",
        reason="食品相关产品问题",
        who="刘洋",
        on=D0,
        category="直接接触食品的材料等相关产品",
    )
    assert _current(db, sample.enterprise_id)[0] == "C"
    hist = cl.history(db, sample.enterprise_id)
    assert [(h.category, h.from_class, h.to_class) for h in hist] == [
        ("危险化学品", "B", "A"),
        ("直接接触食品的材料等相关产品", "B", "C"),
    ]


def test_spot_check_failure_of_one_category_moves_that_category_to_c(db, sample):  # 001 §31 + §32
    cl.classify(db, sample.enterprise_id, "A", reason="评定", who="刘洋", on=D0, category="危险化学品")
    cl.record_spot_check(
        db, sample.enterprise_id, level="national", checked_on=D0, failed_batches=1, category="危险化学品"
    )
    assert cl.product_classes(db, sample.enterprise_id)["危险化学品"] == "C"
    assert _current(db, sample.enterprise_id)[0] == "C"


def test_category_must_be_licensed(db, sample):  # 001 §31
    with pytest.raises(ValidationError, match="没有“水泥”类别"):
        cl.classify(db, sample.enterprise_id, "A", reason="x", who="刘洋", on=D0, category="水泥")


def test_a_reason_is_required(db, sample):
    with pytest.raises(ValidationError, match="调整原因"):
        cl.classify(db, sample.enterprise_id, "C", reason="  ", who="刘洋", on=D0)


def test_unknown_class_is_refused(db, sample):
    with pytest.raises(ValidationError, match="AA、A、B、C"):
        cl.classify(db, sample.enterprise_id, "D", reason="x", who="刘洋", on=D0)


def test_same_class_is_refused(db, sample):
    with pytest.raises(ClassificationRefused, match="已是B类"):
        cl.classify(db, sample.enterprise_id, "B", reason="x", who="刘洋", on=D0)


@pytest.mark.parametrize(
    ("cls", "risk", "mode_class", "mode"),
    [
        ("AA", None, "AA", "信用监管"),
        ("A", None, "A", "责任监管"),
        ("B", "II", "B", "常态监管"),
        ("C", None, "C", "加严监管"),
        ("AA", "I", "A", "责任监管"),  # 001 §14: level I → one mode stricter
        ("A", "I", "B", "常态监管"),
        ("B", "I", "C", "加严监管"),
        ("C", "I", "C", "加严监管"),  # already the strictest
    ],
)
def test_supervision_mode_from_class_and_risk(cls, risk, mode_class, mode):  # 001 §14, §30
    sup = cl.supervision_of(cls, risk)
    assert (sup.mode_class, sup.mode, sup.stricter_by_risk) == (mode_class, mode, mode_class != cls)


@pytest.mark.parametrize(
    ("mode", "group", "visits"),
    [("AA", 10, 2), ("AA", 11, 3), ("AA", 1, 1), ("A", 7, 4), ("A", 8, 4), ("B", 5, 5), ("C", 5, 10), ("A", 0, 0)],
)
def test_minimum_yearly_inspections(mode, group, visits):  # 001 §30: AA ≥20 %, A ≥50 %, B ≥1, C ≥2
    assert cl.REQUIREMENTS[mode].visits(group) == visits


def test_risk_level_change_is_recorded_and_tightens_the_mode(db, sample):  # 001 §12–§14
    _set_class(db, sample.enterprise_id, "A")
    change = cl.set_risk_level(db, sample.enterprise_id, "I", reason="列入Ⅰ级目录", who="刘洋", on=D0)
    assert (change.from_risk, change.to_risk, change.rule) == (None, "I", "001 §12")
    sup = cl.supervision(db, sample.enterprise_id)
    assert (sup.classification, sup.mode, sup.stricter_by_risk) == ("A", "常态监管", True)
    with pytest.raises(ValidationError, match="风险等级"):
        cl.set_risk_level(db, sample.enterprise_id, "IV", reason="x", who="刘洋")


def test_downgrade_one_step(db, sample):  # 001 §33 降级处理
    _set_class(db, sample.enterprise_id, "A")
    change = cl.downgrade_one(db, sample.enterprise_id, reason="回访仍未整改", who="刘洋", on=D0)
    assert (change.from_class, change.to_class) == ("A", "B")
    _set_class(db, sample.enterprise_id, "C")
    assert cl.downgrade_one(db, sample.enterprise_id, reason="x", who="刘洋", on=D0) is None


def test_license_categories_are_read_from_licenses(db, sample):
    with db.session() as s:
        cats = sorted({lic.category for lic in s.query(License).filter_by(enterprise_id=sample.enterprise_id)})
    assert cats == ["危险化学品", "直接接触食品的材料等相关产品"]


# ------------------------------------------------------------------ dates of the history (today = 2026-06-15)
def _spot_checks(db, eid) -> int:
    from inspector_app.core.storage.supervision_models import SpotCheck

    with db.session() as s:
        return s.query(SpotCheck).filter_by(enterprise_id=eid).count()


def test_a_change_dated_after_today_is_refused(db, sample, fixed_today):
    eid, tomorrow = sample.enterprise_id, date(2026, 6, 16)
    with pytest.raises(ValidationError, match=r"调整日期：2026-06-16晚于今天（2026-06-15）"):
        cl.classify(db, eid, "C", reason="x", who="刘洋", on=tomorrow)
    with pytest.raises(ValidationError, match="晚于今天"):
        cl.classify(db, eid, "C", reason="x", who="刘洋", on=date(2027, 8, 1))
    with pytest.raises(ValidationError, match="晚于今天"):
        cl.register_new_licensee(db, eid, who="张伟", on=tomorrow)
    with pytest.raises(ValidationError, match="晚于今天"):
        cl.set_risk_level(db, eid, "I", reason="列入Ⅰ级目录", who="刘洋", on=tomorrow)
    with pytest.raises(ValidationError, match="晚于今天"):
        cl.downgrade_one(db, eid, reason="回访仍未整改", who="刘洋", on=tomorrow)
    with pytest.raises(ValidationError, match=r"抽查日期：2026-06-16晚于今天"):  # even a passed check
        cl.record_spot_check(db, eid, level="national", checked_on=tomorrow, batches=1)
    _set_class(db, eid, "AA")
    with pytest.raises(ValidationError, match="晚于今天"):
        cl.false_commitment(db, eid, "B", reason="承诺不实", who="刘洋", on=tomorrow)
    assert cl.history(db, eid) == [] and _spot_checks(db, eid) == 0
    assert _current(db, eid) == ("AA", None)
    assert cl.classify(db, eid, "C", reason="受到行政处罚", who="刘洋", on=fixed_today).changed_on == fixed_today


def test_a_change_dated_before_the_latest_recorded_change_is_refused(db, sample, fixed_today):
    eid = sample.enterprise_id
    cl.register_new_licensee(db, eid, who="张伟", on=date(2025, 1, 10))
    cl.classify(db, eid, "A", reason="年度评定良好", who="刘洋", on=date(2026, 2, 1))
    # before: refused for what it is, not with the misleading "less than a year since the last change"
    with pytest.raises(ValidationError) as e:
        cl.classify(db, eid, "C", reason="x", who="刘洋", on=date(2020, 1, 1))
    assert "2020-01-01早于该企业最近一次分类记录（2026-02-01，年度动态调整，B → A）" in str(e.value)
    assert "不足1年" not in str(e.value)
    with pytest.raises(ValidationError, match="早于该企业最近一次分类记录"):
        cl.set_risk_level(db, eid, "I", reason="列入Ⅰ级目录", who="刘洋", on=date(2026, 1, 31))
    with pytest.raises(ValidationError, match="早于该企业最近一次分类记录"):
        cl.downgrade_one(db, eid, reason="回访仍未整改", who="刘洋", on=date(2026, 1, 31))
    assert [h.to_class for h in cl.history(db, eid)] == ["B", "A"] and _current(db, eid)[0] == "A"
    # the same day as the latest change, and later, are fine
    risk = cl.set_risk_level(db, eid, "I", reason="列入Ⅰ级目录", who="刘洋", on=date(2026, 2, 1))
    assert risk.changed_on == date(2026, 2, 1)
    with pytest.raises(ValidationError, match=r"最近一次分类记录（2026-02-01，产品质量风险等级，风险等级 — → I）"):
        cl.classify(db, eid, "C", reason="x", who="刘洋", on=date(2026, 1, 1))


def test_a_failed_spot_check_dated_before_the_latest_change_is_refused(db, sample, fixed_today):  # 001 §32
    eid = sample.enterprise_id
    cl.register_new_licensee(db, eid, who="张伟", on=date(2025, 1, 10))
    cl.classify(db, eid, "A", reason="年度评定良好", who="刘洋", on=date(2026, 2, 1))
    # On 2026-01-15 the enterprise was B: "A → C on 2026-01-15" would be a change from a class it did not have.
    with pytest.raises(ValidationError, match=r"抽查日期：2026-01-15早于该企业最近一次分类记录（2026-02-01"):
        cl.record_spot_check(db, eid, level="provincial", checked_on=date(2026, 1, 15), failed_batches=1)
    assert _spot_checks(db, eid) == 0 and _current(db, eid)[0] == "A" and len(cl.history(db, eid)) == 2
    # a passed check of that day changes no class: recorded
    _id, none = cl.record_spot_check(db, eid, level="national", checked_on=date(2026, 1, 15), batches=2)
    assert none is None and _spot_checks(db, eid) == 1
    _id, change = cl.record_spot_check(db, eid, level="provincial", checked_on=date(2026, 3, 1), failed_batches=1)
    assert (change.changed_on, change.from_class, change.to_class) == (date(2026, 3, 1), "A", "C")


# -------------------------------------------------- bureau only (core/storage/sync_models.require_bureau)
def test_classification_changes_are_refused_on_a_field_laptop(db, sample, fixed_today):
    from inspector_app.core.errors import BureauOnly
    from tests.core.roles import as_device

    eid = sample.enterprise_id
    _set_class(db, eid, "AA")
    as_device(db, "field")
    attempts = [
        lambda: cl.classify(db, eid, "A", reason="年度评定", who="刘洋", on=D0),
        lambda: cl.register_new_licensee(db, eid, who="张伟", on=D0),
        lambda: cl.false_commitment(db, eid, "B", reason="承诺不实", who="刘洋", on=D0),
        lambda: cl.record_spot_check(db, eid, level="national", checked_on=D0, failed_batches=1),
        lambda: cl.set_risk_level(db, eid, "I", reason="列入Ⅰ级目录", who="刘洋", on=D0),
        lambda: cl.downgrade_one(db, eid, reason="回访仍未整改", who="刘洋", on=D0),
    ]
    for attempt in attempts:
        with pytest.raises(BureauOnly, match=r"由区局进行，本机是现场检查终端.*请在区局的电脑上操作"):
            attempt()
    assert cl.history(db, eid) == [] and _spot_checks(db, eid) == 0 and _current(db, eid) == ("AA", None)
    # reading stays allowed on the laptop
    assert cl.supervision(db, eid).mode == "信用监管" and cl.product_classes(db, eid) == {}
    # the bureau (and a standalone install, role not set: every other test) may
    as_device(db, "bureau")
    assert cl.classify(db, eid, "A", reason="年度评定", who="刘洋", on=D0).to_class == "A"
