"""Weeks and dates: week w of a run covers the seven days from start + 7w."""

import datetime as dt


def week_of(start: dt.date, date: dt.date) -> int:
    """The week holding `date`; dates before the start fall in week 0."""
    return max(0, (date - start).days // 7)


def date_of(start: dt.date, week: int) -> dt.date:
    return start + dt.timedelta(weeks=week)
