"""The public scene: published and unpublished meetings with every kind of thing the public pages may or may
not show, each carrying a unique marker in its title, so a test can say which markers a page shows.

Fixed dates around ``tests/world/clock.NOW`` (2 March 2026): a past public meeting (held, agenda
circulated, report adopted), an upcoming public one (draft agenda only), a private one (with everything
that would be public were it published) and a task force's private meeting.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from governance.models import ReportingLine
from meetings.models import AgendaItem, AgendaVersion, Decision, Meeting, Report
from meetings.services import agenda_snapshot
from tests.world.clock import at
from tests.world.documents import document_row
from tests.world.meetings import invite, meeting_row
from tests.world.people import body_make, seat, state, user_make

PUBLIC, RESTRICTED, CONFIDENTIAL = 0, 1, 2

# What anonymous readers may see somewhere, and what they must never see anywhere.
SHOWN = {
    "Mtg-Past-Public",
    "Mtg-Upcoming-Public",
    "Item-Circulated",
    "Paper-Public",
    "Decision-Public",
}
NEVER = {
    "Mtg-Private",
    "Mtg-TFX",
    "Item-Draft-Only",
    "Item-Draft-Upcoming",
    "Item-Of-Private",
    "Paper-Restricted",
    "Paper-Confidential",
    "Paper-Reclassified",
    "Paper-Of-Private",
    "Decision-Unmarked",
    "Decision-Before-Adoption",
    "Decision-Of-Private",
    "Delegate Secretname",
    "delegate_secretname@example.org",
    "Presenter Personname",
}


def _agenda(meeting: Meeting, *titles: str, presenter=None) -> list[AgendaItem]:
    return [
        AgendaItem.objects.create(meeting=meeting, title=t, position=i, presenter_person=presenter)
        for i, t in enumerate(titles, start=1)
    ]


def _circulate(meeting: Meeting) -> AgendaVersion:
    number = AgendaVersion.objects.filter(meeting=meeting).count() + 1
    return AgendaVersion.objects.create(
        meeting=meeting, number=number, items=agenda_snapshot(meeting=meeting)
    )


def _adopted_report(meeting: Meeting, day: dt.date) -> Report:
    return Report.objects.create(
        meeting=meeting, title=f"Report of {meeting.title}", status="adopted", adoption_mode="at_meeting",
        adopted_on=day, html="<p>Report</p>",
    )  # fmt: skip


def public_scene() -> SimpleNamespace:
    w = SimpleNamespace()
    w.vn, w.id = state("VN"), state("ID")
    w.accmsme = body_make("ACCMSME", name="ASEAN Coordinating Committee on MSMEs")
    w.seom = body_make("SEOM", name="Senior Economic Officials Meeting", kind="senior_officials")
    w.tfx = body_make("TFX", name="Task Force X", kind="task_force", chair_policy="designated")
    ReportingLine(from_body=w.accmsme, to_body=w.seom).save()

    w.delegate = user_make("delegate_secretname", state=w.id)
    seat(w.delegate.person, w.accmsme, w.id, "delegate")
    w.presenter = user_make("presenter_personname", state=w.vn).person

    def meeting(body, title: str, start: dt.datetime, *, public: bool, status: str) -> Meeting:
        return meeting_row(
            body, start=start, end=start + dt.timedelta(days=1, hours=8), host=w.vn, title=title,
            is_public=public, status=status,
        )  # fmt: skip

    # Past, public, held: the agenda circulated, then an item added to the draft that was never circulated.
    w.past = meeting(w.accmsme, "Mtg-Past-Public", at(2025, 11, 12), public=True, status="held")
    (w.item,) = _agenda(w.past, "Item-Circulated", presenter=w.presenter)
    w.paper_public = document_row(w.past, w.accmsme, "Paper-Public", PUBLIC)
    w.paper_restricted = document_row(w.past, w.accmsme, "Paper-Restricted", RESTRICTED)
    w.paper_confidential = document_row(w.past, w.accmsme, "Paper-Confidential", CONFIDENTIAL)
    w.reclassified_v1 = document_row(w.past, w.accmsme, "Paper-Reclassified", PUBLIC)
    w.item.documents.set([w.paper_public, w.paper_restricted, w.reclassified_v1])
    w.agenda = _circulate(w.past)
    # Version 2 of that paper is Restricted: the public copy of version 1 is withdrawn with it.
    w.reclassified_v2 = document_row(w.past, w.accmsme, "Paper-Reclassified v2", RESTRICTED)
    w.reclassified_v2.title, w.reclassified_v2.version = "Paper-Reclassified", 2
    w.reclassified_v2.save(update_fields=["title", "version"])
    _agenda(w.past, "Item-Draft-Only")
    w.decision_public = Decision.objects.create(
        meeting=w.past, agenda_item=w.item, kind="agreed", text="Decision-Public", is_public=True
    )
    w.decision_unmarked = Decision.objects.create(
        meeting=w.past, agenda_item=w.item, kind="noted", text="Decision-Unmarked", position=2
    )
    w.report = _adopted_report(w.past, dt.date(2025, 11, 13))
    invite(w.past, [w.delegate.person])

    # Upcoming, public: a draft agenda only; a decision marked public before any report is adopted.
    w.upcoming = meeting(w.accmsme, "Mtg-Upcoming-Public", at(2026, 5, 13), public=True, status="confirmed")
    (w.upcoming_item,) = _agenda(w.upcoming, "Item-Draft-Upcoming")
    w.decision_early = Decision.objects.create(
        meeting=w.upcoming, agenda_item=w.upcoming_item, kind="agreed", text="Decision-Before-Adoption",
        is_public=True,
    )  # fmt: skip

    # Private: everything that would be public were the meeting published.
    w.private = meeting(w.accmsme, "Mtg-Private", at(2025, 6, 10), public=False, status="held")
    (w.private_item,) = _agenda(w.private, "Item-Of-Private")
    w.private_agenda = _circulate(w.private)
    w.paper_of_private = document_row(w.private, w.accmsme, "Paper-Of-Private", PUBLIC)
    w.decision_of_private = Decision.objects.create(
        meeting=w.private,
        agenda_item=w.private_item,
        kind="agreed",
        text="Decision-Of-Private",
        is_public=True,
    )
    _adopted_report(w.private, dt.date(2025, 6, 11))

    w.tfx_meeting = meeting(w.tfx, "Mtg-TFX", at(2026, 4, 1), public=False, status="planned")
    w.made_at = timezone.now()
    return w
