"""Query parameters as declared filters (django-filter): each one parsed by a form field with a range, so
``?meeting=99999999999999999999`` or ``?year=²`` is a 400 naming the parameter, never a 500 from the
database or from ``int()``. The schema documents them from the same declarations."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.input_rules import FIRST_YEAR, LAST_YEAR

MAX_ID = 2**63 - 1  # a bigint primary key


class AsciiIntegerField(forms.IntegerField):
    """Digits 0-9 only: ``int()`` also reads "²"-like and other scripts' digits, which no id is written in."""

    def to_python(self, value):
        if value not in self.empty_values and not str(value).strip().lstrip("-").isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An object's id."""

    field_class = AsciiIntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(filters.NumberFilter):
    """A calendar year within the record's range."""

    field_class = AsciiIntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(*args, **kwargs)


def int_param(
    request, name: str, *, min_value: int = 1, max_value: int = MAX_ID, required: bool = False
) -> int | None:
    """One integer query parameter outside a FilterSet, parsed by the same rules (400 naming it)."""
    field = AsciiIntegerField(min_value=min_value, max_value=max_value, required=required)
    try:
        return field.clean(request.query_params.get(name))
    except forms.ValidationError as exc:
        raise serializers.ValidationError({name: exc.messages}) from None


def year_param(request, name: str, *, required: bool = False) -> int | None:
    return int_param(request, name, min_value=FIRST_YEAR, max_value=LAST_YEAR, required=required)


def is_id(value: str) -> bool:
    """A string that reads as a stored id: ASCII digits, within a bigint."""
    return value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID
