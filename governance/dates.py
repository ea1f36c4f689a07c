"""The ``?on=YYYY-MM-DD`` query parameter that dated pages and API views share (reporting lines, the chart,
a body's page): parsed once, and a bad value is an error naming the parameter, never a silent today."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from governance.input_rules import FIRST_DAY, LAST_DAY  # the one range the record holds


def on_date_param(raw: str | None, *, default: dt.date) -> dt.date:
    """The day asked for in ``?on=``, or ``default`` when absent (raises ``ValidationError`` on ``on``)."""
    if raw is None or raw.strip() == "":
        return default
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError({"on": f"“{raw[:40]}” is not a date: write it as YYYY-MM-DD."}) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError({"on": f"Give a day between {FIRST_DAY:%d %b %Y} and {LAST_DAY:%d %b %Y}."})
    return day
