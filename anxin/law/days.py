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

Every deadline in Anxin is counted by `due_at(start, days, kind)`: calendar days by the rules
above, or working days by the State Council's schedule (the 12315 authorities' 7 working
days). The Civil Code's day ends at 24:00 Beijing time (China keeps one time zone and no
daylight saving), so a deadline is the instant 00:00 of the next day in Asia/Shanghai,
returned as an aware UTC datetime (16:00 UTC of the last day): the database stores UTC and a
deadline compares equal however it is displayed. The start is read as a Beijing date, so an
event at 23:30 Beijing time on the 3rd counts from the 4th, whatever its UTC date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)
BEIJING = ZoneInfo("Asia/Shanghai")


class DayKind(StrEnum):
    """How a period's days are counted."""

    CALENDAR = "calendar"  # Civil Code Arts. 201, 203: every day, the last moved off a holiday
    WORKING = "working"  # 工作日: only the working days of the State Council's schedule


@lru_cache(maxsize=4096)
def official_holiday(day: dt.date) -> str | None:
    """The name of the announced public holiday `day` belongs to, if any."""
    try:
        rest, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    # A weekend made a working day carries the holiday's name too, but is not a day off.
    return str(name) if rest and name else None


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


@lru_cache(maxsize=1)
def longest_shift() -> dt.timedelta:
    """The most Art. 203 can move a period's last day, over the installed calendar: only a day
    of an announced holiday is moved (to the first working day after it), so the longest move
    is the longest, over the calendar's holiday days, from one of them to the working day
    after it (ten days from 2020-01-24, the Spring Festival holiday extended that year). A
    day outside every announced holiday, or in a year the calendar does not cover, is not
    moved at all."""
    return max((last_day(day) - day for day in chinese_calendar.holidays), default=dt.timedelta(0))


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


def working_days_after(event: dt.date, days: int) -> dt.date:
    """The last day of a period of `days` working days after `event`: counting starts the
    next day and only working days count, so the last day is always a working day."""
    if days < 0:
        raise ValueError("a period cannot be negative")
    day = event
    while days:
        day += ONE_DAY
        if _workday(day):
            days -= 1
    return day


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 Beijing time of `day` (Art. 203(2)), as an aware UTC datetime."""
    return dt.datetime.combine(day + ONE_DAY, dt.time(), tzinfo=BEIJING).astimezone(dt.UTC)


def due_at(start: dt.datetime, days: int, kind: DayKind = DayKind.CALENDAR) -> dt.datetime:
    """The deadline of a period of `days` days of `kind` that starts with the event at
    `start` (an aware datetime): the end (24:00 Beijing time) of the period's last day,
    counted from the next day (Art. 201), moved off an announced holiday (Art. 203)."""
    if start.tzinfo is None:
        raise ValueError("a deadline's start must be an aware datetime")
    event = start.astimezone(BEIJING).date()
    if kind is DayKind.WORKING:
        return end_of_day(working_days_after(event, days))
    return end_of_day(days_after(event, days))
