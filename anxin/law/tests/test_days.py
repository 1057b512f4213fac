import datetime as dt

import pytest

from anxin.law import days
from anxin.law.params import NotInForce, get, table

D = dt.date


@pytest.mark.parametrize(
    ("event", "n", "last"),
    [
        (D(2026, 5, 3), 7, D(2026, 5, 10)),  # a Sunday, not a holiday: not moved
        (D(2026, 9, 24), 7, D(2026, 10, 8)),  # National Day: the next working day
        (D(2026, 2, 10), 7, D(2026, 2, 24)),  # Spring Festival, 15 to 23 February
        (D(2026, 4, 28), 7, D(2026, 5, 6)),  # Labour Day, 1 to 5 May
        (D(2026, 2, 6), 8, D(2026, 2, 14)),  # a Saturday made a working day stays
    ],
)
def test_days_after_counts_from_the_next_day_and_skips_holidays(
    event: dt.date, n: int, last: dt.date
) -> None:
    # Then the period counts from the day after the event and a last day on a holiday moves on
    assert days.days_after(event, n) == last


def test_months_end_on_the_corresponding_day_or_the_months_last() -> None:
    # Then a period of months ends on the same day number, or the month's last day if it has none
    assert days.months_after(D(2026, 1, 31), 6) == D(2026, 7, 31)
    assert days.months_after(D(2025, 8, 31), 6) == D(2026, 2, 28)  # a working Saturday
    assert days.months_after(D(2024, 11, 30), 3) == D(2025, 2, 28)  # there is no 30 February


def test_inclusive_and_exclusive_boundary_words() -> None:
    # Given a deadline of 10 May
    end = D(2026, 5, 10)
    # Then "within" includes the last day and "exceeds" starts the day after
    assert days.within(end, end)
    assert not days.within(D(2026, 5, 11), end)
    assert not days.exceeds(end, end)
    assert days.exceeds(D(2026, 5, 11), end)


def test_a_year_without_a_published_schedule_still_keeps_the_laws_own_holidays() -> None:
    # Given a year with no published holiday schedule (2099), and 2026, which has one
    assert not days.calendar_covers(D(2099, 1, 1))
    assert days.calendar_covers(D(2026, 1, 1))
    # When a period ends on New Year's Day 2099, a Thursday
    # Then it moves to the next day, as the Measures on National Holidays make 1 January a day
    # off whatever the schedule will say
    assert days.days_after(D(2098, 12, 25), 7) == D(2099, 1, 2)
    # And an ordinary weekday of that year is not moved
    assert days.days_after(D(2099, 3, 1), 9) == D(2099, 3, 10)
    # And working days skip the Spring Festival's eve and first three days (2027: 5 to 8 Feb)
    assert days.working_days_after(D(2027, 2, 4), 1) == D(2027, 2, 9)
    # And National Day's three days (2099: 1 October is a Thursday)
    assert days.working_days_after(D(2099, 9, 30), 1) == D(2099, 10, 5)


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_laws_own_holidays_are_days_off_in_every_announced_schedule_since_2025(
    year: int,
) -> None:
    import chinese_calendar

    # Given the 13 days the 2024 Measures on National Holidays fix, computed for a year whose
    # schedule the State Council has announced
    fixed = days.statutory_holidays(year)
    assert len(fixed) == 13
    # Then each of them is a day off of that holiday in the announced schedule
    for day, name in fixed.items():
        rest, announced = chinese_calendar.get_holiday_detail(day)
        assert rest, day
        assert announced == name, (day, announced, name)


def test_parameters_are_dated_and_cited() -> None:
    # When parameters are looked up on given dates
    # Then each has the value then in force and cites its article
    assert get("fraud.minimum_fen", D(2026, 1, 1)).value == 50000
    assert str(get("registration.small_trader_cap_fen", D(2026, 1, 1)).cite) == "OTSM 8(3)"
    # And the return conditions allowed widened when the 2017 measures took effect on 15 March
    allowed = get("no_reason_return.conditions_allowed", D(2017, 3, 14)).value
    assert allowed == ["intact"]
    assert (
        "opened_for_inspection" in get("no_reason_return.conditions_allowed", D(2017, 3, 15)).value
    )
    # And a parameter asked for before its law took effect is refused
    with pytest.raises(NotInForce):
        get("unsafe_food.minimum_fen", D(2015, 9, 30))
    # And every parameter in the table cites a statute and an article
    for values in table().values():
        assert all(v.cite.statute and v.cite.article for v in values)


UTC = dt.UTC
BEIJING = days.BEIJING


def test_a_calendar_deadline_ends_at_24_00_beijing_time_of_the_last_day() -> None:
    # Given a delivery at 10:00 Beijing time on 3 May 2026
    start = dt.datetime(2026, 5, 3, 10, 0, tzinfo=BEIJING)
    # When a 7-day period runs from it
    due = days.due_at(start, 7, days.DayKind.CALENDAR)
    # Then it ends at 24:00 of Sunday 10 May (no holiday), Beijing time: 16:00 UTC that day
    assert due == dt.datetime(2026, 5, 10, 16, 0, tzinfo=UTC)
    assert due.utcoffset() == dt.timedelta(0)


def test_a_calendar_deadline_on_a_holiday_moves_to_the_next_working_day() -> None:
    # Given a start at 09:00 on 24 September 2026, a week before the National Day holiday
    start = dt.datetime(2026, 9, 24, 9, 0, tzinfo=BEIJING)
    # When a 7-day period runs from it
    # Then it ends at 24:00 on 8 October, the first working day after the holiday
    assert days.due_at(start, 7) == days.end_of_day(D(2026, 10, 8))


def test_the_start_is_read_as_a_beijing_date() -> None:
    # Given 23:30 UTC on 2 May, which is 07:30 on 3 May in Beijing
    start = dt.datetime(2026, 5, 2, 23, 30, tzinfo=UTC)
    # When a 7-day period runs from it
    # Then counting starts on the 4th and it ends at 24:00 on 10 May
    assert days.due_at(start, 7) == days.end_of_day(D(2026, 5, 10))


def test_working_days_skip_weekends_and_holidays_and_count_made_up_saturdays() -> None:
    # Given Thursday 30 April 2026, before the Labour Day holiday (1 to 5 May; Saturday 9 May works)
    start = dt.datetime(2026, 4, 30, 12, 0, tzinfo=BEIJING)
    # When 1, 4 and 7 working days run from it
    # Then the count skips the holiday and Sunday 10 May but counts Saturday 9 May
    assert days.due_at(start, 1, days.DayKind.WORKING) == days.end_of_day(D(2026, 5, 6))
    assert days.due_at(start, 4, days.DayKind.WORKING) == days.end_of_day(D(2026, 5, 9))
    assert days.due_at(start, 7, days.DayKind.WORKING) == days.end_of_day(D(2026, 5, 13))


def test_a_naive_start_is_refused() -> None:
    # When a deadline is computed from a time without a time zone
    # Then it is refused
    with pytest.raises(ValueError, match="aware"):
        days.due_at(dt.datetime(2026, 5, 3, 10, 0), 7)  # noqa: DTZ001 - naive on purpose


def test_a_negative_period_is_refused() -> None:
    # When working days are counted with a negative period
    # Then it is refused
    with pytest.raises(ValueError, match="negative"):
        days.working_days_after(D(2026, 5, 3), -1)


def test_the_longest_holiday_shift_is_the_longest_over_every_day_the_calendar_covers() -> None:
    # Given every day of every year the installed calendar covers
    first = D(min(d.year for d in days.chinese_calendar.holidays), 1, 1)
    end = D(max(d.year for d in days.chinese_calendar.holidays), 12, 31)
    every = [first + dt.timedelta(days=i) for i in range((end - first).days + 1)]
    # When each is taken as a period's last day and moved off its holiday (Art. 203)
    moves = [days.last_day(day) - day for day in every]
    # Then no day moves back, and the longest move is the one longest_shift() reports
    assert min(moves) == dt.timedelta(0)
    assert days.longest_shift() == max(moves)
    # And it is the 2020 Spring Festival's, extended to 2 February: 24 January moves ten days
    assert days.longest_shift() == dt.timedelta(days=10)
    assert days.last_day(D(2020, 1, 24)) == D(2020, 2, 3)
