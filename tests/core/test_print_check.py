"""Placeholders on paper (core/issuing/print_check.py) and this laptop's chosen number prefix
(core/issuing/number_prefix.py):
what a document would print unset, where it comes from, and numbers never made up."""

import pytest

from inspector_app.core import settings
from inspector_app.core.errors import ValidationError
from inspector_app.core.issuing import number_prefix, print_check
from inspector_app.core.issuing import numbers as docnumbers
from inspector_app.core.issuing.number_prefix import PrefixNeeded
from inspector_app.core.storage.models import Setting
from inspector_app.core.storage.sync_models import BUREAU, SETTING_DEVICE_ROLE
from inspector_app.documents.generate import generate
from tests.documents import factory
from tests.documents.factory import pdf_text


def test_a_fresh_installation_names_what_each_document_would_print_as_placeholder(db):
    notice = print_check.check(db, "notice")
    assert not notice.ok
    assert [u.key for u in notice.unset] == [
        "bureau.name",
        "bureau.seal_text",
        "bureau.contact_phone",
        "bureau.short_name",
    ]
    assert notice.labels() == "局名、印章文字、局联系电话、局名简称"
    text = notice.message()
    assert "局名：仍是占位文字“××区市场监督管理局”" in text
    assert "局联系电话：未填写，文书上为空白" in text
    assert "局名简称：仍是占位文字“××市监”" in text
    # a field laptop: the bureau's bundle brings them, or 设置 → 本局
    assert "随局里的同步数据包到来（同步 → 导入同步数据包）" in text and "文件 → 设置… → 本局" in text
    # the summary and the record print only the bureau's name
    assert [u.label for u in print_check.check(db, "summary").unset] == ["局名"]
    assert [u.label for u in print_check.check(db, "record").unset] == ["局名"]


def test_the_bureau_is_told_to_fill_them_in_and_the_cli_how(db):
    with db.session() as s:
        s.add(Setting(key=SETTING_DEVICE_ROLE, value=BUREAU))
    result = print_check.check(db, "summary")
    assert "同步数据包" not in result.message() and "请在“文件 → 设置… → 本局”中填写" in result.message()
    cli = result.message(cli=True)
    assert "inspector-app settings set bureau.name" in cli and "--allow-placeholders" in cli


def test_set_settings_pass_and_a_leftover_mark_does_not(db):
    factory.configure_bureau(db)
    assert print_check.check(db, "notice").ok and print_check.check(db, "notice").message() == ""
    settings.set_value(db, "bureau.seal_text", "××区市场监督管理局（奉贤）")
    assert [u.label for u in print_check.check(db, "notice").unset] == ["印章文字"]
    assert print_check.check(db, "summary").ok  # the summary prints no seal


# ---------------------------------------------------------------------------------------------- number prefix
@pytest.mark.parametrize(
    "typed, stored", [("fx03", "FX03-"), (" FX03- ", "FX03-"), ("03", "03-"), ("JD2", "JD2-"), ("", "")]
)
def test_a_prefix_is_short_letters_and_digits_and_ends_with_a_hyphen(typed, stored):
    assert number_prefix.normalise(typed) == stored


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("F", "2–5 个英文字母或数字"),
        ("FX0301", "2–5 个英文字母或数字"),  # six: too long (and a random prefix of old had six)
        ("FX-03", "2–5 个英文字母或数字"),
        ("一组", "2–5 个英文字母或数字"),
        ("F X", "2–5 个英文字母或数字"),
        ("000", "太容易与别的电脑重复"),
    ],
)
def test_a_bad_prefix_is_refused_with_the_rule(db, typed, reason):
    with pytest.raises(ValidationError, match=reason):
        number_prefix.normalise(typed)
    with pytest.raises(ValidationError, match="本机编号前缀"):
        settings.set_value(db, "device.docnumber_prefix", typed)
    assert settings.get(db, "device.docnumber_prefix") == ""


def test_an_earlier_random_prefix_keeps_its_numbers_and_asks_for_a_chosen_one(db, sample, templates, fixed_today):
    settings.set_value(db, "bureau.short_name", "奉市监")
    old = factory.signed(db, sample, templates)
    first = "奉市监责改〔2026〕3F9A2C-0001号"
    with db.session() as s:  # as an earlier version left it: a random prefix and a number issued with it
        s.get(Setting, "device.docnumber_prefix").value = "3F9A2C-"
        s.add(_number(first, "3F9A2C-", inspection_id=old, device=""))
    assert number_prefix.current(db) == ("3F9A2C-", True)

    assert generate(db, old, "notice").number == first  # a reprint keeps its number, still valid
    new = factory.signed(db, sample, templates)
    with pytest.raises(PrefixNeeded, match="“3F9A2C-”是旧版本随机生成的") as asked:
        generate(db, new, "notice")
    assert asked.value.legacy == "3F9A2C-" and "已出具的文书编号仍然有效" in asked.value.reason

    assert number_prefix.choose(db, "fx03") == "FX03-"
    doc = generate(db, new, "notice")
    assert doc.number == "奉市监责改〔2026〕FX03-0001号" and doc.number in pdf_text(doc.pdf)
    assert generate(db, old, "notice").number == first
    assert [n.number for n in docnumbers.list_numbers(db)] == [first, doc.number]


def _number(number: str, prefix: str, *, inspection_id=None, device=""):
    from datetime import datetime

    from inspector_app.core.storage.docs_models import DocNumber

    return DocNumber(
        number=number,
        doc_type="notice",
        year=2026,
        prefix=prefix,
        serial=1,
        inspection_id=inspection_id,
        status="issued",
        issued_at=datetime(2026, 6, 1, 9),
        void_reason="",
        device=device,
    )


def test_a_prefix_another_laptop_numbered_with_is_refused(db, sample, templates, fixed_today):
    with db.session() as s:  # a number of laptop 07, come with the bureau's bundle
        s.add(_number("奉市监责改〔2026〕07-0001号", "07-", device="王芳的笔记本"))
    with pytest.raises(settings.SettingsRefused, match="“07-”已用于“王芳的笔记本”出具的文书编号"):
        number_prefix.choose(db, "07")
    assert settings.get(db, "device.docnumber_prefix") == "T1-"  # the sample laptop's, unchanged
    assert number_prefix.choose(db, "08") == "08-"


def test_a_laptop_numbering_by_block_needs_no_prefix(db, fixed_today):
    settings.update(
        db,
        {
            "docnumber.pattern": "{short}责改〔{year}〕{serial}号",
            "device.docnumber_block_start": "3001",
            "device.docnumber_block_end": "3999",
        },
    )
    assert number_prefix.current(db) == ("", False)
    assert docnumbers.preview_number(db).number == "××市监责改〔2026〕3001号"
