"""The filters of the portal's lists (django-filter): what a reader may narrow a list by. The querysets they
filter are already cut to what the reader may see; the choices offered are cut the same way."""

from __future__ import annotations

import django_filters as df
from django import forms

from governance.models import Body, MemberState
from meetings.models import ActionItem, Attendance, Invitation


class ActionItemFilter(df.FilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")
    status = df.MultipleChoiceFilter(
        choices=ActionItem.Status.choices, widget=forms.CheckboxSelectMultiple, label="Status"
    )
    body = df.ModelChoiceFilter(queryset=Body.objects.order_by("acronym"), label="Body")
    owner_state = df.ModelChoiceFilter(
        queryset=MemberState.objects.order_by("short_name"), label="Owner state"
    )
    overdue = df.BooleanFilter(field_name="overdue", label="Overdue", widget=forms.NullBooleanSelect)
    due_before = df.DateFilter(
        field_name="due_date",
        lookup_expr="lte",
        label="Due on or before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = ActionItem
        fields = ["q", "status", "body", "owner_state", "overdue", "due_before"]

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bodies is not None:
            self.filters["body"].queryset = bodies


class ParticipantFilter(df.FilterSet):
    member_state = df.ModelChoiceFilter(
        queryset=MemberState.objects.order_by("short_name"), label="Delegation"
    )
    role = df.ChoiceFilter(choices=Invitation.Role.choices, label="Role")
    partstat = df.ChoiceFilter(choices=Invitation.PartStat.choices, label="Answer")
    is_withdrawn = df.BooleanFilter(label="Taken off the list", widget=forms.NullBooleanSelect)

    class Meta:
        model = Invitation
        fields = ["member_state", "role", "partstat", "is_withdrawn"]


class AttendanceFilter(df.FilterSet):
    member_state = df.ModelChoiceFilter(
        queryset=MemberState.objects.order_by("short_name"), label="Delegation"
    )
    present = df.BooleanFilter(widget=forms.NullBooleanSelect)
    remote = df.BooleanFilter(widget=forms.NullBooleanSelect)

    class Meta:
        model = Attendance
        fields = ["member_state", "present", "remote"]
