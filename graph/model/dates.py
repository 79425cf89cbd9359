"""When a target falls due: the model's reading of a target date written as a day, a month or a year."""

from __future__ import annotations

import calendar
import datetime


def due_date(value: str) -> datetime.date:
    """Return the day a target falls due: the date itself, the end of its month, or the end of its year.

    >>> due_date("2020-02"), due_date("2021"), due_date("2020-03-15")
    (datetime.date(2020, 2, 29), datetime.date(2021, 12, 31), datetime.date(2020, 3, 15))
    """
    if len(value) == 4:
        return datetime.date(int(value), 12, 31)
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:7])
        return datetime.date(year, month, calendar.monthrange(year, month)[1])
    return datetime.date.fromisoformat(value[:10])
