"""Working days of the publication deadline (002 三(五): 检查完成之日起20个工作日内公示).

A working day follows the State Council's yearly holiday schedule (国务院办公厅关于部分节假日安排的通知) with its
make-up working days (调休): the `chinesecalendar` package carries it (2004 to its latest release's year). A
rules file's own `holidays` / `workdays` table overrides it: a date listed there is what the table says, and a
year the table mentions is taken from the table alone (weekdays work, weekends rest, except the listed dates),
so that a bureau can enter a new year's schedule before the package knows it. A year that neither knows is
refused (`CalendarUnknown`), never guessed as "weekends only".
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar

from inspector_app.core.errors import DomainError
from inspector_app.i18n import _


class CalendarUnknown(DomainError):
    """The working days of this year are not known: no deadline may be counted through it."""

    def __init__(self, year: int):
        super().__init__(
            _(
                "{y}年的法定节假日和调休安排未知，无法计算工作日：请在抽取规则文件的 [publication] holidays / "
                "workdays 中填写国务院办公厅公布的{y}年节假日安排，或更新程序"
            ).format(y=year)
        )
        self.year = year


@lru_cache(maxsize=64)
def _table_years(holidays: frozenset[date], workdays: frozenset[date]) -> frozenset[int]:
    return frozenset(d.year for d in holidays | workdays)


def is_working_day(d: date, holidays: frozenset[date] = frozenset(), workdays: frozenset[date] = frozenset()) -> bool:
    """Whether `d` is a working day; raise CalendarUnknown for a year neither the table nor the package knows."""
    if d in workdays:
        return True
    if d in holidays:
        return False
    if d.year in _table_years(holidays, workdays):
        return d.weekday() < 5
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:  # the package's data end with its release year
        raise CalendarUnknown(d.year) from None
