"""What a body's outgoing chair passes on from the meeting record: registered as a source of the handover
checklist (``chairmanship.handover_checklist``) in ``MeetingsConfig.ready()``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from chairmanship.handover_checklist import ChecklistEntry
from chairmanship.models import Handover, HandoverItem
from governance.services import reporting_chain
from meetings.models import ActionItem, Document, Meeting, Report


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def handover_checklist_entries(handover: Handover) -> list[ChecklistEntry]:
    """Open action items of the body, reports of its meetings not yet submitted, meetings already scheduled
    in the incoming term, and the latest version of each document of the outgoing term."""
    body = handover.body
    incoming, outgoing = handover.incoming_term, handover.outgoing_term
    chain = reporting_chain(body)
    higher = chain[1] if len(chain) > 1 else None
    wanted: list[ChecklistEntry] = []
    for a in (
        ActionItem.objects.filter(
            body=body, status__in=[ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS]
        )
        .select_related("owner_state", "owner_body", "owner_person")
        .order_by("due_date", "pk")
    ):
        owner = a.owner_state or a.owner_body or a.owner_person
        due = f", due {_d(a.due_date)}" if a.due_date else ""
        wanted.append(ChecklistEntry(HandoverItem.Kind.ACTION_ITEM, a.pk, f"{a.title} ({owner}{due})"))
    for r in (
        Report.objects.filter(meeting__body=body, submissions__isnull=True)
        .select_related("meeting")
        .order_by("meeting__start")
    ):
        to = f" to {higher}" if higher else ""
        wanted.append(ChecklistEntry(HandoverItem.Kind.REPORT, r.pk, f"{r.title}: not yet submitted{to}"))
    for m in (
        Meeting.objects.filter(
            body=body, start__date__gte=incoming.start_date, start__date__lte=incoming.end_date
        )
        .exclude(status__in=[Meeting.Status.CANCELLED, Meeting.Status.HELD])
        .order_by("start")
    ):
        where = f", {m.city}" if m.city else ""
        wanted.append(
            ChecklistEntry(HandoverItem.Kind.MEETING, m.pk, f"{m.title}, {_d(m.start.date())}{where}")
        )
    latest: dict[tuple, Document] = {}
    for doc in (
        Document.objects.filter(body=body)
        .filter(
            Q(meeting__isnull=True)
            | Q(meeting__start__date__gte=outgoing.start_date, meeting__start__date__lte=outgoing.end_date)
        )
        .order_by("meeting_id", "title", "-version")
    ):
        latest.setdefault((doc.meeting_id, doc.title), doc)
    for doc in latest.values():
        wanted.append(ChecklistEntry(HandoverItem.Kind.DOCUMENT, doc.pk, f"{doc.title} (v{doc.version})"))
    return wanted
