"""The regulations by their own titles, for what users read (architecture rule 15).

Code and stored data cite a rule by our seed number and section ("001 §30(四)", the `rule` of a class change,
the `citation` of an enforcement flag: /work/shared/seeds/README.md); a screen, a printout or a message shows
`cite(code)`: 《上海市工业产品生产许可证证后监督检查管理办法》第三十条（四）.
"""

import re

TITLES = {
    "000": "《上海市市场监督管理局关于2021年度工业产品生产许可证证后监管工作情况的通报》",
    "001": "《上海市工业产品生产许可证证后监督检查管理办法》",
    "002": "《山西省市场监督管理局关于开展2022年度工业产品生产许可证获证企业“双随机、一公开”监督检查的通知》",
    "003": "《上海市市场监督管理局关于开展产品质量安全“排险除患、助企纾困”专项行动的通知》",
    "004": "《关于进一步加强获证企业后续监管工作的实施意见》",
}
DIGITS = "零一二三四五六七八九"
_CODE = re.compile(r"\b(00[0-4])\s*§\s*(\d+)(?:\s*[–-]\s*§?\s*(\d+))?(?:\s*\(([一二三四五六七八九十]+)\))?")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 24 → 二十四, 33 → 三十三 (article numbers go to 99)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def _article(match: re.Match) -> str:
    seed, first, last, clause = match.groups()
    text = TITLES[seed] + "第" + chinese_number(int(first))
    if last:
        text += "至" + chinese_number(int(last))
    text += "条"
    if clause:
        text += f"（{clause}）"
    return text


def cite(code: str) -> str:
    """Every "001 §30(四)" in `code` as 《…办法》第三十条（四）; text without one comes back unchanged."""
    return _CODE.sub(_article, code or "")
