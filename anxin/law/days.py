"""Counting periods as the Civil Code does.

- Art. 201: a period in days, months or years starts the day after the event.
- Art. 202: a period in months ends on the corresponding day of the last month, or that
  month's last day when it has no such day.
- Art. 203: a last day that is a statutory holiday (法定休假日) moves to the day after the
  holiday; the period ends at 24:00 of its last day.
- Art. 1259: 以上 / 以下 / 以内 / 届满 include the number; 不满 / 超过 / 以外 exclude it.

Holidays come from the `chinese-calendar` package, which carries the State Council's
announced schedule for each year (including the weekend days inside a holiday and the
weekends that are made working days). A period whose last day falls inside an announced
holiday ends on the first working day after it. An ordinary weekend is not moved: the rule
is written for official holidays, and the case-facts examples count that way.

For a year the installed calendar does not yet cover (the schedule is announced each
November) no holiday is known, so no day is moved; `calendar_covers()` says whether a date
was checked against an announced schedule.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=4096)
def official_holiday(day: dt.date) -> str | None:
    """The name of the announced public holiday `day` belongs to, if any."""
    try:
        rest, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    # A weekend made a working day carries the holiday's name too, but is not a day off.
    return name if rest else None


@lru_cache(maxsize=4096)
def _workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def calendar_covers(day: dt.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def last_day(day: dt.date) -> dt.date:
    """Art. 203: a last day inside an announced holiday moves to the next working day."""
    if official_holiday(day) is None:
        return day
    day += ONE_DAY
    while not _workday(day):
        day += ONE_DAY
    return day


def days_after(event: dt.date, days: int) -> dt.date:
    """The last day of a period of `days` days after `event` (Arts. 201, 203): counting starts
    the next day, so a 7-day period after a delivery on the 3rd ends on the 10th."""
    if days < 0:
        raise ValueError("a period cannot be negative")
    return last_day(event + dt.timedelta(days=days))


def months_after(event: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` months after `event` (Arts. 201, 202, 203)."""
    index = event.month - 1 + months
    year, month = event.year + index // 12, index % 12 + 1
    day = min(event.day, calendar.monthrange(year, month)[1])
    return last_day(dt.date(year, month, day))


def within(day: dt.date, end: dt.date) -> bool:
    """`day` is within a period ending on `end` (以内: the last day itself counts)."""
    return day <= end


def exceeds(day: dt.date, end: dt.date) -> bool:
    """`day` is past a period ending on `end` (超过: the last day itself does not)."""
    return day > end
