"""The list filters of the record's API, declared (django-filter): each parameter has a type and a range,
and the schema shows them. Bad values are a 400 naming the parameter."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters

from governance.api_filters import IdFilter, YearFilter
from governance.input_rules import single_line
from meetings.models import ActionItem, Document, Meeting


class MeetingParamFilter(filters.FilterSet):
    """``?meeting=<id>`` on the parts of a meeting's record."""

    meeting = IdFilter(field_name="meeting_id", help_text="Only those of this meeting")


class BodyKeyFilter(filters.CharFilter):
    """A body by id or acronym."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("validators", [single_line])
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        if value.isascii() and value.isdigit():
            return qs.filter(**{f"{self.field_name}_id": int(value)}) if len(value) < 19 else qs.none()
        return qs.filter(**{f"{self.field_name}__acronym": value})


class MeetingFilter(filters.FilterSet):
    body = BodyKeyFilter(field_name="body", help_text="Body id or acronym")
    year = YearFilter(field_name="start", lookup_expr="year")
    status = filters.ChoiceFilter(choices=Meeting.Status.choices)

    class Meta:
        model = Meeting
        fields = ["body", "year", "status"]


class DocumentFilter(MeetingParamFilter):
    kind = filters.ChoiceFilter(choices=Document.Kind.choices)


class ActionItemFilter(MeetingParamFilter):
    body = IdFilter(field_name="body_id")
    status = filters.ChoiceFilter(choices=ActionItem.Status.choices)
    open = filters.BooleanFilter(method="only_open", help_text="Only open and in-progress items")

    def only_open(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value:
            return qs.filter(status__in=[ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS])
        return qs


class SubmissionFilter(filters.FilterSet):
    body = IdFilter(method="sent_or_received", help_text="Sent or received")

    def sent_or_received(self, qs: QuerySet, name: str, value: int | None) -> QuerySet:
        return qs.filter(Q(from_body_id=value) | Q(to_body_id=value)) if value else qs
