"""The Secretariat's work queue (answers still awaited and RSVP counts per meeting, reports due, handovers
due, overdue action items) and a chair's overview (their terms, the rights they hold, the handover date).
Selectors in a fixed number of queries; the pages are thin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from chairmanship.models import ChairTerm, Handover
from governance.accounts import person_of
from governance.models import Membership
from governance.permissions import (
    CONFIDENTIAL,
    MANAGE,
    OBSERVE,
    RESTRICTED,
    SUBMISSIONS,
    VIEW,
    body_rights,
    is_secretariat,
    today_in_asean,
)
from meetings.models import ActionItem, Invitation, Meeting, Report, Submission

Status = Meeting.Status
PartStat = Invitation.PartStat
OPEN_ACTIONS = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)
HANDOVERS_AHEAD = dt.timedelta(days=60)
REPORTS_SINCE = dt.timedelta(days=365)
# The answer counts of a meeting coming up, by the name the page reads.
ANSWER_COUNTS = {
    "accepted": PartStat.ACCEPTED,
    "declined": PartStat.DECLINED,
    "tentative": PartStat.TENTATIVE,
    "waiting": PartStat.NEEDS_ACTION,
}


@dataclass
class WorkQueue:
    awaiting: list[Meeting]  # upcoming meetings, each with its RSVP counts
    reports_due: list[Meeting]  # held meetings whose report is not written, adopted or submitted yet
    handovers_due: list[Handover]
    overdue_actions: list[ActionItem]
    today: dt.date


def work_queue() -> WorkQueue:
    """What is waiting on the Secretariat now (today in the Secretariat's zone), in four queries."""
    now, today = timezone.now(), today_in_asean()
    upcoming = (
        Meeting.objects.filter(end__gte=now, status__in=[Status.PLANNED, Status.CONFIRMED])
        .annotate(
            body_acronym=F("body__acronym"),
            invited=Count("invitations", filter=Q(invitations__is_withdrawn=False)),
            **{
                name: Count(
                    "invitations", filter=Q(invitations__is_withdrawn=False, invitations__partstat=answer)
                )
                for name, answer in ANSWER_COUNTS.items()
            },
        )
        .order_by("start")[:50]
    )
    submitted = Submission.objects.filter(report__meeting=OuterRef("pk"))
    reports_due = (
        Meeting.objects.filter(
            end__lt=now, end__gte=now - REPORTS_SINCE, status__in=[Status.CONFIRMED, Status.HELD]
        )
        .annotate(
            body_acronym=F("body__acronym"),
            report_status=F("report__status"),
            report_html=F("report__html"),
            submitted=Exists(submitted),
        )
        .filter(Q(report__isnull=True) | Q(report__status=Report.Status.DRAFT) | Q(submitted=False))
        .order_by("end")[:50]
    )
    due = list(reports_due)
    for m in due:
        if m.report_status is None or not m.report_html:
            m.report_step = "Write the report"
        elif m.report_status == Report.Status.DRAFT:
            m.report_step = "Adopt the report"
        else:
            m.report_step = "Submit the report up the line"
    handovers = list(
        Handover.objects.filter(
            status__in=[Handover.Status.PLANNED, Handover.Status.IN_PROGRESS],
            effective_date__lte=today + HANDOVERS_AHEAD,
        )
        .select_related("body", "outgoing_term__member_state", "incoming_term__member_state")
        .annotate(
            items_open=Count("items", filter=Q(items__is_done=False)),
            items_total=Count("items"),
        )
        .order_by("effective_date")[:50]
    )
    overdue = list(
        ActionItem.objects.filter(status__in=OPEN_ACTIONS, due_date__lt=today)
        .annotate(
            meeting_title=F("meeting__title"),
            body_acronym=F("body__acronym"),
            owner_state_name=F("owner_state__short_name"),
            owner_body_acronym=F("owner_body__acronym"),
            owner_person_name=F("owner_person__full_name"),
        )
        .order_by("due_date", "pk")[:100]
    )
    return WorkQueue(
        awaiting=list(upcoming),
        reports_due=due,
        handovers_due=handovers,
        overdue_actions=overdue,
        today=today,
    )


RIGHT_LABELS = {
    MANAGE: "Manage its meetings, agendas, documents, record and handover",
    VIEW: "See its meetings and who is invited",
    RESTRICTED: "Read its ASEAN Restricted papers",
    CONFIDENTIAL: "Read its Confidential papers",
    SUBMISSIONS: "Read the reports submitted to it",
    OBSERVE: "Observe its public meetings",
}


@dataclass
class ChairRow:
    term: ChairTerm
    running: bool
    rights: list[str]
    handover_out: Handover | None = None  # to the next chair
    handover_in: Handover | None = None  # from the previous chair
    open_items: int = 0


@dataclass
class ChairOverview:
    terms: list[ChairRow] = field(default_factory=list)
    today: dt.date | None = None


def chair_overview(*, user) -> ChairOverview:
    """The chair terms whose rights the user holds (as chair person, or as head of the chairing state's
    delegation), running today (in the Secretariat's zone) or to come, with the rights they give and the
    handover dates. Three queries."""
    today = today_in_asean()
    person = person_of(user)
    overview = ChairOverview(today=today)
    if person is None:
        return overview
    heads = Membership.objects.filter(
        person=person,
        role=Membership.Role.HEAD_OF_DELEGATION,
        body_id=OuterRef("body_id"),
        member_state_id=OuterRef("member_state_id"),
    )
    terms = list(
        ChairTerm.objects.filter(end_date__gte=today)
        .filter(Q(chair_person=person) | Exists(heads))
        .select_related("body", "member_state")
        .order_by("start_date", "body__acronym")
    )
    if not terms:
        return overview
    term_ids = [t.pk for t in terms]
    handovers = list(
        Handover.objects.filter(Q(outgoing_term_id__in=term_ids) | Q(incoming_term_id__in=term_ids))
        .exclude(status=Handover.Status.CANCELLED)
        .select_related("outgoing_term__member_state", "incoming_term__member_state")
        .annotate(items_open=Count("items", filter=Q(items__is_done=False)))
    )
    rights = body_rights(user)
    for t in terms:
        row = ChairRow(
            term=t,
            running=t.start_date <= today,
            rights=[label for code, label in RIGHT_LABELS.items() if code in rights.get(t.body_id, set())],
        )
        row.handover_out = next((h for h in handovers if h.outgoing_term_id == t.pk), None)
        row.handover_in = next((h for h in handovers if h.incoming_term_id == t.pk), None)
        overview.terms.append(row)
    return overview


@login_required
@require_safe
def work_queue_page(request):
    if not is_secretariat(request.user):
        raise PermissionDenied("The work queue is the Secretariat's.")
    queue = work_queue()
    return render(request, "portal/work_queue.html", {"queue": queue})


@login_required
@require_safe
def chair_overview_page(request):
    overview = chair_overview(user=request.user)
    return render(request, "portal/chair_overview.html", {"overview": overview})
