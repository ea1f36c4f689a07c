"""What anyone may read without logging in (docs/decisions/0049): the one rule of the public pages, in SQL.

- A meeting is public when the Secretariat published it (``Meeting.is_public``, the flag the public
  calendar feed already reads).
- Its agenda is public once circulated: the latest circulated (or adopted) version, never the draft.
- A paper is public when it belongs to a public meeting, is classified Public and is the latest version of
  its title (a paper reclassified upwards in a later version withdraws the earlier copy too).
- A decision is public when it is marked public, its meeting is public and the meeting's report is adopted
  (until then the decisions are a draft record).

Nothing else: no delegate, invitation, attendance, action item or presenter appears, so no personal data.
Each function returns a queryset or a fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from governance.models import Body
from governance.selectors import reporting_chain_on
from meetings.models import AgendaVersion, Decision, Document, Meeting, Report

PUBLIC = Document.Classification.PUBLIC
PAST_ON_INDEX = 3  # past meetings per body on the index; the body's page lists them all


def public_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.filter(is_public=True)


def public_documents() -> QuerySet[Document]:
    newer = Document.objects.filter(
        meeting_id=OuterRef("meeting_id"), title=OuterRef("title"), version__gt=OuterRef("version")
    )
    return Document.objects.filter(meeting__is_public=True, classification=PUBLIC).exclude(Exists(newer))


def public_decisions() -> QuerySet[Decision]:
    return Decision.objects.filter(
        is_public=True, meeting__is_public=True, meeting__report__status=Report.Status.ADOPTED
    )


def public_agenda(meeting_id: int) -> AgendaVersion | None:
    """The latest circulated version of a meeting's agenda (adopted or not); None before one is."""
    return AgendaVersion.objects.filter(meeting_id=meeting_id).order_by("-number").first()


def public_bodies() -> QuerySet[Body]:
    """Bodies with at least one public meeting: a body with none has no public page."""
    return Body.objects.filter(Exists(public_meetings().filter(body_id=OuterRef("pk"))))


# --- The pages ------------------------------------------------------------------------------------------


@dataclass
class BodyMeetings:
    body: Body
    upcoming: list[Meeting] = field(default_factory=list)
    past: list[Meeting] = field(default_factory=list)


def _listed(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.select_related("body", "host").only(
        "pk", "title", "start", "end", "timezone", "city", "status", "date_precision", "modality",
        "body__id", "body__acronym", "body__name",
        "host__id", "host__short_name", "host__timezone", "host__zone_label", "host__capital",
    )  # fmt: skip


def public_index() -> list[BodyMeetings]:
    """Every body with public meetings: all its upcoming ones and its latest past ones. Two queries."""
    now = timezone.now()
    upcoming = _listed(public_meetings().filter(end__gte=now)).order_by("body__acronym", "start")
    past = (
        _listed(public_meetings().filter(end__lt=now))
        .annotate(n=Window(RowNumber(), partition_by=[F("body_id")], order_by=F("start").desc()))
        .filter(n__lte=PAST_ON_INDEX)
        .order_by("body__acronym", "-start")
    )
    out: dict[int, BodyMeetings] = {}
    for m in upcoming:
        out.setdefault(m.body_id, BodyMeetings(m.body)).upcoming.append(m)
    for m in past:
        out.setdefault(m.body_id, BodyMeetings(m.body)).past.append(m)
    return sorted(out.values(), key=lambda b: b.body.acronym)


@dataclass
class PublicBodyPage:
    body: Body
    reports_to: list[Body]
    meetings: BodyMeetings


def public_body_page(*, acronym: str) -> PublicBodyPage | None:
    """A body with public meetings, the bodies it reports to today, and all its public meetings."""
    now = timezone.now()
    body = public_bodies().filter(acronym=acronym).only("pk", "acronym", "name", "mandate", "kind").first()
    if body is None:
        return None
    listed = BodyMeetings(body)
    for m in _listed(public_meetings().filter(body=body)).order_by("-start"):
        (listed.upcoming if m.end >= now else listed.past).append(m)
    listed.upcoming.reverse()  # soonest first
    chain = reporting_chain_on(body=body, on=now.date())[1:]
    return PublicBodyPage(body=body, reports_to=chain, meetings=listed)


@dataclass
class PublicAgendaItem:
    number: str
    depth: int
    title: str
    description: str
    purpose: str
    papers: list[Document]


@dataclass
class PublicMeetingPage:
    meeting: Meeting
    agenda: AgendaVersion | None
    agenda_items: list[PublicAgendaItem]
    decisions: list[Decision]
    papers: list[Document]


def _agenda_items(version: AgendaVersion | None, papers: list[Document]) -> list[PublicAgendaItem]:
    """The frozen agenda as the public reads it: no presenter (it may name a person), and of the papers it
    lists only the public ones, by title (a later public version stands for the one circulated)."""
    if version is None:
        return []
    by_title = {d.title: d for d in papers}
    items = []
    for row in version.items:
        listed: dict[str, Any] = {d["title"]: d for d in row.get("documents", [])}
        items.append(
            PublicAgendaItem(
                number=str(row.get("number", "")),
                depth=int(row.get("depth", 0)),
                title=row.get("title", ""),
                description=row.get("description", ""),
                purpose=row.get("purpose_label", ""),
                papers=[by_title[t] for t in listed if t in by_title],
            )
        )
    return items


def public_meeting_page(*, pk: int) -> PublicMeetingPage | None:
    """A public meeting with its circulated agenda, public decisions and public papers: four queries."""
    meeting = (
        public_meetings()
        .select_related("body", "host", "series")
        .filter(pk=pk)
        .only(
            "pk",
            "title",
            "number",
            "label",
            "start",
            "end",
            "timezone",
            "venue",
            "city",
            "modality",
            "status",
            "date_precision",
            "updated_at",
            "body__id",
            "body__acronym",
            "body__name",
            "host__id",
            "host__short_name",
            "host__timezone",
            "host__zone_label",
            "host__capital",
            "series__id",
            "series__name",
        )
        .first()
    )
    if meeting is None:
        return None
    papers = list(
        public_documents()
        .filter(meeting_id=pk)
        .only("pk", "title", "kind", "version", "original_name", "size", "uploaded_at", "sha256")
        .order_by("kind", "title")
    )
    decisions = list(
        public_decisions()
        .filter(meeting_id=pk)
        .select_related("agenda_item")
        .only("pk", "kind", "text", "position", "agenda_item__id", "agenda_item__title")
        .order_by("position", "pk")
    )
    agenda = public_agenda(pk)
    return PublicMeetingPage(
        meeting=meeting,
        agenda=agenda,
        agenda_items=_agenda_items(agenda, papers),
        decisions=decisions,
        papers=papers,
    )


def public_decision(*, pk: int) -> Decision | None:
    return (
        public_decisions()
        .select_related("meeting", "meeting__body", "agenda_item")
        .filter(pk=pk)
        .only(
            "pk",
            "kind",
            "text",
            "meeting__id",
            "meeting__title",
            "meeting__start",
            "meeting__body__acronym",
            "meeting__body__name",
            "agenda_item__title",
        )
        .first()
    )


def public_document(*, pk: int) -> Document | None:
    return public_documents().filter(pk=pk).first()


def public_sitemap() -> tuple[list[str], list[tuple[int, dt.datetime]]]:
    """Acronyms of the public bodies and (pk, last change) of the public meetings: what a search engine may
    list (two queries)."""
    bodies = list(public_bodies().order_by("acronym").values_list("acronym", flat=True))
    meetings = list(public_meetings().order_by("pk").values_list("pk", "updated_at"))
    return bodies, meetings


def publication_preview(*, meeting: Meeting) -> dict[str, Any]:
    """For the Secretariat's publish screen: what the public page would show once the meeting is public
    (as ``public_meeting_page`` with the meeting's own flag set aside), and what stays withheld."""
    docs = Document.objects.filter(meeting=meeting)
    newer = docs.filter(title=OuterRef("title"), version__gt=OuterRef("version"))
    latest = docs.exclude(Exists(newer))
    public_papers = list(latest.filter(classification=PUBLIC).order_by("kind", "title"))
    withheld = latest.filter(~Q(classification=PUBLIC)).count()
    decisions = list(meeting.decisions.select_related("agenda_item").order_by("position", "pk"))
    agenda = public_agenda(meeting.pk)
    report = Report.objects.filter(meeting=meeting).only("status").first()
    adopted = report is not None and report.status == Report.Status.ADOPTED
    return {
        "agenda": agenda,
        "agenda_items": _agenda_items(agenda, public_papers),
        "papers": public_papers,
        "withheld_papers": withheld,
        "decisions": decisions,
        "public_decisions": [d for d in decisions if d.is_public] if adopted else [],
        "report_adopted": adopted,
    }
