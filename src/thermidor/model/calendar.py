"""Weeks and dates: row w of the time series is the state at date start + 7w, the end of week w;
week w (w >= 1) is the step covering the seven days from start + 7(w - 1)."""

import datetime as dt


def week_of(start: dt.date, date: dt.date) -> int:
    """The step holding `date`; dates before the start fall in the first step, week 1."""
    return max(1, (date - start).days // 7 + 1)


def date_of(start: dt.date, week: int) -> dt.date:
    return start + dt.timedelta(weeks=week)
