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
November or December) the law itself still names the public holidays: the State Council's
Measures on National Holidays (全国年节及纪念日放假办法, as amended in 2024, in force from
2025-01-01), Art. 2: New Year's Day (1 January), the Spring Festival (New Year's Eve and the
first three days of the lunar year), Qingming (the day of the solar term), Labour Day (1 and 2
May), the Dragon Boat Festival (5th of the 5th lunar month), the Mid-Autumn Festival (15th of
the 8th lunar month) and National Day (1 to 3 October). Those 13 days are days off in such a
year (lunar dates and the solar term from the `lunar-python` package); what only the yearly
schedule adds (the bridging days off and the weekends made working days) is not known, so a
period counted into such a year may still move once it is announced, and
`calendar_covers()` says whether a date was checked against an announced schedule.

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
from lunar_python import Lunar, Solar

ONE_DAY = dt.timedelta(days=1)
BEIJING = ZoneInfo("Asia/Shanghai")


class DayKind(StrEnum):
    """How a period's days are counted."""

    CALENDAR = "calendar"  # Civil Code Arts. 201, 203: every day, the last moved off a holiday
    WORKING = "working"  # 工作日: only the working days of the State Council's schedule


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The public holidays the Measures on National Holidays (2024, Art. 2) fix for `year`,
    before any yearly schedule: 13 days, by the names chinese-calendar gives them."""

    def lunar(month: int, day: int) -> dt.date:
        return dt.date.fromisoformat(Lunar.fromYmd(year, month, day).getSolar().toYmd())

    spring = lunar(1, 1)
    qingming = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"].toYmd()
    days = {
        dt.date(year, 1, 1): "New Year's Day",
        spring - ONE_DAY: "Spring Festival",
        dt.date.fromisoformat(qingming): "Tomb-sweeping Day",
        dt.date(year, 5, 1): "Labour Day",
        dt.date(year, 5, 2): "Labour Day",
        lunar(5, 5): "Dragon Boat Festival",
        lunar(8, 15): "Mid-autumn Festival",
        **{dt.date(year, 10, d): "National Day" for d in (1, 2, 3)},
    }
    # (The first lunar day falls between 21 January and 20 February: its eve is in `year` too.)
    days.update({spring + dt.timedelta(days=n): "Spring Festival" for n in range(3)})
    return days


@lru_cache(maxsize=4096)
def official_holiday(day: dt.date) -> str | None:
    """The name of the public holiday `day` belongs to, if any: from the announced schedule,
    or, in a year not yet announced, the holidays the law itself fixes."""
    try:
        rest, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return statutory_holidays(day.year).get(day)
    # A weekend made a working day carries the holiday's name too, but is not a day off.
    return str(name) if rest and name else None


@lru_cache(maxsize=4096)
def _workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5 and day not in statutory_holidays(day.year)


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
    after it (ten days from 2020-01-24, the Spring Festival holiday extended that year). In a
    year the calendar does not cover, only the law's own 13 days move a last day, and never
    further than that (the Spring Festival's four days and a weekend)."""
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
