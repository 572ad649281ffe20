"""Identifiers: unified social credit codes (GB 32100-2015) and production license numbers."""

import pytest

from inspector_app.core.errors import ValidationError
from inspector_app.core.identifiers import USCC_CHARSET, normalize_uscc, parse_license_number, uscc_check_char

# Codes printed on real business licences (public registrations); their check characters are known.
KNOWN_VALID = [
    "91350100M000100Y43",  # GB 32100-2015's own example
    "91330100799655058B",
    "9144030071526726XG",
    "914403001922038216",
    "91110000802100433B",
]


def reason(raw: str) -> str:
    with pytest.raises(ValidationError) as caught:
        normalize_uscc(raw)
    assert caught.value.field == "统一社会信用代码"
    return caught.value.reason


# ------------------------------------------------------------------------------------------------ USCC


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_valid_codes_pass_unchanged(code):
    assert normalize_uscc(code) == code
    assert uscc_check_char(code[:17]) == code[17]


def test_check_char_of_the_standards_example():
    # GB 32100-2015: weights 3^i mod 31; 31 − (Σ mod 31); a result of 31 is written 0.
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_lower_case_full_width_and_spaces_are_normalised():
    assert normalize_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert normalize_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    assert normalize_uscc("9135 0100 M000 100Y 43") == "91350100M000100Y43"


def test_empty_is_refused():
    assert reason("") == "不能为空"
    assert reason("   ") == "不能为空"


@pytest.mark.parametrize("raw,n", [("91350100M000100Y4", 17), ("91350100M000100Y433", 19), ("9135", 4)])
def test_wrong_length_names_the_length(raw, n):
    assert reason(raw) == f"应为18位，实为{n}位"


@pytest.mark.parametrize("pos", range(1, 19))
@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "*"])
def test_a_forbidden_character_is_named_with_its_position(pos, bad):
    code = list(KNOWN_VALID[0])
    code[pos - 1] = bad
    message = reason("".join(code))
    assert message.startswith(f"第{pos}位字符“{bad}”不允许")


@pytest.mark.parametrize("pos", range(3, 9))
def test_a_letter_in_the_division_code_is_named_with_its_position(pos):
    code = list(KNOWN_VALID[0])
    code[pos - 1] = "A"
    assert reason("".join(code)) == f"第{pos}位应为数字（第3–8位是行政区划码）"


def test_wrong_check_char_names_the_expected_one():
    assert reason("91350100M000100Y44") == "第18位校验码应为“3”，实为“4”，请核对前17位是否抄错"


@pytest.mark.parametrize("pos", range(1, 18))
def test_every_single_character_slip_in_the_first_17_is_caught_by_the_check_char(pos):
    # Weights 3^i mod 31 are never 0 mod the prime 31: any one substituted character changes the sum.
    for code in KNOWN_VALID:
        original = code[pos - 1]
        pool = "0123456789" if 3 <= pos <= 8 else USCC_CHARSET
        for substitute in pool:
            if substitute == original:
                continue
            slipped = code[: pos - 1] + substitute + code[pos:]
            assert reason(slipped).startswith("第18位校验码应为")


# ------------------------------------------------------------------------------------------------ license numbers


@pytest.mark.parametrize(
    "raw,text,province",
    [
        ("(沪)XK16-204-00006", "(沪)XK16-204-00006", "沪"),
        ("（沪）XK16-204-00006", "(沪)XK16-204-00006", "沪"),  # full-width parentheses
        ("（沪）ＸＫ１６－２０４－００００６", "(沪)XK16-204-00006", "沪"),  # full-width throughout
        (" (沪)xk13-006-00021 ", "(沪)XK13-006-00021", "沪"),
        ("XK06-001-00123", "XK06-001-00123", None),  # nationally issued: no province
        ("(苏)XK16-204-01234", "(苏)XK16-204-01234", "苏"),
    ],
)
def test_current_form_is_accepted_and_canonical(raw, text, province):
    lic = parse_license_number(raw)
    assert lic.current_form is True
    assert lic.warning is None
    assert lic.text == text
    assert lic.province == province
    assert lic.category_code == text.split("XK")[1][:2]


@pytest.mark.parametrize(
    "raw",
    [
        "XK16-204-0006",  # four-digit serial
        "(沪)XK16-204-0006",
        "（沪）XK16 204 00006",  # spaces instead of dashes, full-width parentheses kept verbatim
        "XK1620400006",
        "QS3101 1401 0001",  # food-related products before 2018
    ],
)
def test_older_forms_are_accepted_with_a_warning_and_stored_verbatim(raw):
    lic = parse_license_number(raw)
    assert lic.current_form is False
    assert lic.text == raw.strip()  # never silently rewritten
    assert "旧版编号格式" in lic.warning and raw.strip() in lic.warning


@pytest.mark.parametrize(
    "raw",
    [
        "ABC",
        "XK1-204-00006",
        "(沪)XK16-204-000061",
        "(沪)XK16-20-00006",
        "(上海)XK16-204-00006",
        "XY16-204-00006",
        "16-204-00006",
        "(沪)XK16-204-0000A",
    ],
)
def test_garbage_is_refused_with_the_expected_shape(raw):
    with pytest.raises(ValidationError) as caught:
        parse_license_number(raw)
    assert caught.value.field == "生产许可证编号"
    assert f"“{raw}”格式不正确" in caught.value.reason
    assert "(沪)XK16-204-00006" in caught.value.reason


def test_empty_license_number_is_refused():
    with pytest.raises(ValidationError) as caught:
        parse_license_number("  ")
    assert caught.value.reason == "不能为空"
