"""The lists people filter and take away: action items (with the follow-up form for those the reader
follows), a meeting's participants and its attendance. Each list is cut to what the reader may see before
any filter, and the CSV/XLSX export is the same rows as the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from governance.concurrency import VERSION_FIELD, version_column
from governance.input_rules import InputRulesMixin
from governance.models import Body
from governance.permissions import VIEW, body_ids_with, person_ids_with_visible_email, today_in_asean
from meetings.models import ActionItem, Attendance, Meeting
from meetings.permissions import meeting_visible, on_visible_meetings, visible_invitations_of
from meetings.selectors.action_items import followable_action_items, with_overdue
from meetings.selectors.parties import party_label, party_names
from meetings.services.action_items import action_item_follow
from portal.exports import FORMATS, export_response
from portal.filters import ActionItemFilter, AttendanceFilter, ParticipantFilter

ROW_LIMIT = 500  # a page shows this many; the export takes every row that matches


class FollowForm(InputRulesMixin, forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)
    progress_note = forms.CharField(required=False, max_length=2000, widget=forms.TextInput)
    # The version the row was drawn from: a save over someone else's newer change is refused.
    edit_version = forms.CharField(required=False)


@dataclass
class ActionItemList:
    filter: ActionItemFilter
    rows: list[ActionItem]
    followable: set[int]
    total: int


def action_item_list(*, user, params, on: dt.date, limit: int | None = ROW_LIMIT) -> ActionItemList:
    """Action items of the meetings the reader may see, filtered by ``params``, overdue marked, owners and
    meetings named, and which of them the reader may update. Four queries whatever the number of rows."""
    visible = on_visible_meetings(user, ActionItem.objects.all())
    qs = with_overdue(visible, on=on).annotate(
        **party_names("owner"),
        meeting_title=F("meeting__title"),
        body_acronym=F("body__acronym"),
        edit_version=version_column(ActionItem),
    )
    ids = body_ids_with(user, VIEW)
    bodies = (
        Body.objects.order_by("acronym")
        if ids is None
        else Body.objects.filter(pk__in=ids).order_by("acronym")
    )
    f = ActionItemFilter(params or None, queryset=qs.order_by("due_date", "pk"), bodies=bodies)
    matched: QuerySet = f.qs
    rows = list(matched[:limit] if limit else matched)
    for a in rows:
        a.owner_label = party_label(a, "owner", " ")
    followable = set(
        followable_action_items(user, ActionItem.objects.filter(pk__in=[a.pk for a in rows])).values_list(
            "pk", flat=True
        )
    )
    return ActionItemList(filter=f, rows=rows, followable=followable, total=len(rows))


def _wants_export(request) -> str | None:
    fmt = request.GET.get("export")
    if fmt is None:
        return None
    if fmt not in FORMATS:
        raise Http404("Export as csv or xlsx")
    return fmt


@login_required
@require_safe
def action_items(request):
    fmt = _wants_export(request)
    page = action_item_list(
        user=request.user, params=request.GET, on=today_in_asean(), limit=None if fmt else ROW_LIMIT
    )
    if fmt:
        return export_response(
            fmt=fmt,
            filename="action-items",
            title="Action items",
            headers=["Action", "Owner", "Body", "Agreed at", "Due", "Status", "Overdue", "Progress"],
            rows=(
                [
                    a.title,
                    a.owner_label,
                    a.body_acronym,
                    a.meeting_title,
                    a.due_date,
                    a.get_status_display(),
                    a.is_overdue,
                    a.progress_note,
                ]
                for a in page.rows
            ),
        )
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "portal/action_items.html",
        {"page": page, "statuses": ActionItem.Status.choices, "query": query.urlencode(), "limit": ROW_LIMIT},
    )


@login_required
@require_POST
def action_item_update(request, pk: int):
    """A delegate (or the Secretariat, or the chair) reports progress or closes an action item."""
    item = (
        on_visible_meetings(request.user, ActionItem.objects.filter(pk=pk))
        .select_related("owner_state", "owner_body", "owner_person")
        .first()
    )
    if item is None:
        raise Http404("No such action item")
    form = FollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
    else:
        try:
            action_item_follow(
                action_item=item,
                actor=request.user,
                status=form.cleaned_data["status"],
                progress_note=form.cleaned_data["progress_note"],
                expected_version=form.cleaned_data[VERSION_FIELD] if VERSION_FIELD in request.POST else None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"“{item.title}” updated.")
    back = request.POST.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("portal:action_items")
    return redirect(f"{back}#action-{item.pk}" if "#" not in back else back)


# --- A meeting's participants and attendance -------------------------------------------------------


def _meeting(request, pk: int) -> Meeting:
    meeting = Meeting.objects.select_related("body").filter(pk=pk).first()
    if meeting is None or not meeting_visible(request.user, meeting):
        raise Http404("No such meeting")
    return meeting


def participant_rows(*, user, meeting: Meeting, params) -> tuple[ParticipantFilter, list]:
    """The meeting's list as the reader may see it (a guest sees only their own row), filtered; e-mail
    addresses only of the people whose address the reader may read."""
    qs = (
        visible_invitations_of(user, meeting)
        .annotate(
            person_name=F("person__full_name"),
            person_email=F("person__email"),
            person_position=F("person__position"),
            state_name=F("member_state__short_name"),
        )
        .order_by("member_state__short_name", "person__full_name")
    )
    f = ParticipantFilter(params or None, queryset=qs)
    emails = person_ids_with_visible_email(user)
    rows = list(f.qs)
    for inv in rows:
        inv.email_shown = inv.person_email if emails is None or inv.person_id in emails else ""
    return f, rows


def attendance_rows(*, user, meeting: Meeting, params) -> tuple[AttendanceFilter, list]:
    qs = (
        Attendance.objects.filter(meeting=meeting)
        .annotate(person_name=F("person__full_name"), state_name=F("member_state__short_name"))
        .order_by("member_state__short_name", "person__full_name")
    )
    f = AttendanceFilter(params or None, queryset=qs)
    return f, list(f.qs)


@login_required
@require_safe
def participants(request, pk: int):
    meeting = _meeting(request, pk)
    f, rows = participant_rows(user=request.user, meeting=meeting, params=request.GET)
    fmt = _wants_export(request)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"participants-{meeting.pk}",
            title="Participants",
            headers=["Name", "Title", "Delegation", "Role", "Answer", "Taken off the list", "E-mail"],
            rows=(
                [
                    i.person_name,
                    i.person_position,
                    i.state_name or "",
                    i.get_role_display(),
                    i.get_partstat_display(),
                    i.is_withdrawn,
                    i.email_shown,
                ]
                for i in rows
            ),
        )
    return _list_page(
        request, meeting, f, "Participants", "portal:participants", rows=rows, kind="participants"
    )


@login_required
@require_safe
def attendance(request, pk: int):
    meeting = _meeting(request, pk)
    f, rows = attendance_rows(user=request.user, meeting=meeting, params=request.GET)
    fmt = _wants_export(request)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"attendance-{meeting.pk}",
            title="Attendance",
            headers=["Name", "Delegation", "Present", "Remote"],
            rows=([a.person_name, a.state_name or "", a.present, a.remote] for a in rows),
        )
    return _list_page(request, meeting, f, "Attendance", "portal:attendance", rows=rows, kind="attendance")


def _list_page(request, meeting, f, title: str, url_name: str, *, rows, kind: str) -> HttpResponse:
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "portal/meeting_list.html",
        {
            "meeting": meeting,
            "filter": f,
            "rows": rows,
            "title": title,
            "kind": kind,
            "here": reverse(url_name, args=[meeting.pk]),
            "query": query.urlencode(),
        },
    )
