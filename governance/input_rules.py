"""What any input must be before it is stored: dates inside the range the record can hold, single-line text
without control characters. One set of validators, used by the models (field validators and CHECK
constraints), the forms and the API serializers, so the three refuse the same thing with the same words.

Why a range: a meeting in year 9999 turned every member's private feed into a 500 (the feed adds a year
to it), and a date before ASEAN existed is a typing error, never a fact of this record.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.deconstruct import deconstructible

# ASEAN was founded on 8 August 1967; 2100 is a horizon no plan of this record reaches.
FIRST_YEAR = 1967
LAST_YEAR = 2100
FIRST_DAY = dt.date(FIRST_YEAR, 1, 1)
LAST_DAY = dt.date(LAST_YEAR, 12, 31)
# For moments the bounds are a day wider, so a time given in any zone on 1 Jan 1967 or 31 Dec 2100 fits.
FIRST_MOMENT = dt.datetime(FIRST_YEAR - 1, 12, 31, tzinfo=dt.UTC)
AFTER_LAST_MOMENT = dt.datetime(LAST_YEAR + 1, 1, 2, tzinfo=dt.UTC)
DATE_RANGE_MESSAGE = f"Give a date between {FIRST_YEAR} and {LAST_YEAR}."

# C0 controls (newline, tab and carriage return included), DEL and C1 controls; also the Unicode line and
# paragraph separators, which mail headers and iCalendar lines treat as line breaks.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SINGLE_LINE_MESSAGE = "Use one line of text: no line breaks, tabs or control characters."
# The same class as a database regex (PostgreSQL and SQLite's REGEXP both read these escapes).
CONTROL_CHARACTERS_SQL = "[\\x01-\\x1f\\x7f]"


def year_in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


@deconstructible
class DateInRange:
    """A date (or datetime) between 1967 and 2100."""

    message = DATE_RANGE_MESSAGE
    code = "date_out_of_range"

    def __call__(self, value) -> None:
        if value is None:
            return
        if not year_in_range(value.year):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, DateInRange)

    def __hash__(self) -> int:
        return hash(self.code)


@deconstructible
class SingleLine:
    """Text that stays on one line: refused if it holds a control character."""

    message = SINGLE_LINE_MESSAGE
    code = "control_characters"

    def __call__(self, value) -> None:
        if value and CONTROL_CHARACTERS.search(str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, SingleLine)

    def __hash__(self) -> int:
        return hash(self.code)


date_in_range = DateInRange()
single_line = SingleLine()


def date_range_q(field: str, *, with_time: bool = False) -> Q:
    """A CHECK condition: ``field`` is null or lies in the range (constant bounds: no zone in the SQL)."""
    if with_time:
        low, high = FIRST_MOMENT, AFTER_LAST_MOMENT
    else:
        low, high = FIRST_DAY, LAST_DAY + dt.timedelta(days=1)
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lt": high})


def single_line_q(field: str) -> Q:
    """A CHECK condition: ``field`` holds no control character."""
    return ~Q(**{f"{field}__regex": CONTROL_CHARACTERS_SQL})


def strip_to_single_line(value: str) -> str:
    """For output of text stored before the rule: control characters become spaces, so one bad title
    cannot break a calendar file or a mail header."""
    return CONTROL_CHARACTERS.sub(" ", value or "")


def apply_to_form(form, *, unbounded_dates: tuple[str, ...] = ()) -> None:
    """Give a form's fields the rules: one-line text fields refuse control characters, date fields
    refuse years outside the range (but those named in ``unbounded_dates``). A Textarea is multi-line
    text and keeps its line breaks."""
    from django import forms

    for name, field in form.fields.items():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            if name in unbounded_dates:
                continue
            if date_in_range not in field.validators:
                field.validators.append(date_in_range)
        elif (
            isinstance(field, forms.CharField)
            and not isinstance(field.widget, forms.Textarea)
            and single_line not in field.validators
        ):
            field.validators.append(single_line)


class InputRulesMixin:
    """For a Form or ModelForm: the input rules on every field (see ``apply_to_form``)."""

    unbounded_dates: tuple[str, ...] = ()  # date fields planned beyond the range on purpose (chair terms)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_to_form(self, unbounded_dates=self.unbounded_dates)
