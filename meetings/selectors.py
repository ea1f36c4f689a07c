"""Read queries for meeting pages, each in a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, QuerySet

from governance.accounts import person_of
from governance.models import Body
from governance.permissions import (
    delegation_seats,
    document_visible,
    has_body_right,
    meeting_visible,
    meetings_visible,
    visible_documents,
    visible_invitations_of,
)
from meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaVersion,
    Attendance,
    Decision,
    Document,
    Invitation,
    Meeting,
    Report,
    Submission,
)

MAX_AGENDA_DEPTH = 3  # 1, 1.1, 1.1.1


def visible_meetings(user) -> QuerySet[Meeting]:
    """Meetings the user may see: all for the Secretariat; their bodies' meetings for members; the public
    meetings of bodies they observe; single meetings they were given a right on (an invitation). The rule
    itself lives with the other rights in ``governance.permissions``."""
    return meetings_visible(user, Meeting.objects.all())


def body_meetings_for_user(*, body: Body, user) -> list[Meeting]:
    return list(
        visible_meetings(user).filter(body=body).select_related("host", "series").order_by("-start")[:50]
    )


def body_submissions(*, body: Body) -> list[Submission]:
    """What the body sent up and what came back, newest first."""
    return list(
        Submission.objects.filter(Q(from_body=body) | Q(to_body=body))
        .select_related("report__meeting", "from_body", "to_body")
        .order_by("-submitted_on")[:50]
    )


# --- Rights on the record ---------------------------------------------------------------------------------


def can_manage(user, body: Body | int) -> bool:
    """The Secretariat and the body's chair manage its meetings."""
    return has_body_right(user, "manage_body", body)


def document_level(user, body: Body | int) -> int:
    """The highest classification the user may read on the body's documents (Document.Classification)."""
    if has_body_right(user, "read_confidential", body):
        return Document.Classification.CONFIDENTIAL
    if has_body_right(user, "read_restricted", body):
        return Document.Classification.RESTRICTED
    return Document.Classification.PUBLIC


def readable_documents(user) -> QuerySet[Document]:
    """Documents the user may see and download, filtered in SQL (``governance.permissions`` decides)."""
    return visible_documents(user, Document.objects.all())


def delegation_states_for(user, *, body: Body | int, on: dt.date) -> list[int]:
    """Ids of the member states whose delegation the user sits on (head, alternate or delegate) on ``on``:
    issue 6 lets any member of a delegation edit that delegation's registration, never another state's."""
    person = person_of(user)
    if person is None:
        return []
    body_id = body if isinstance(body, int) else body.pk
    # Ordered by id: the Meta ordering would join the body and the state for names nobody reads here.
    seats = delegation_seats(on=on, person=person, body_id=body_id).order_by("member_state_id")
    return list(seats.values_list("member_state_id", flat=True))


# --- The agenda as a numbered tree -----------------------------------------------------------------------


@dataclass
class NumberedItem:
    item: AgendaItem
    number: str
    depth: int  # 0 for a top-level item


def number_agenda(items: Iterable[AgendaItem]) -> list[NumberedItem]:
    """Items in reading order with their numbers (1, 1.1, 1.2, 2); a pure function over loaded items."""
    children: dict[int | None, list[AgendaItem]] = {}
    for it in items:
        children.setdefault(it.parent_id, []).append(it)
    for siblings in children.values():
        siblings.sort(key=lambda i: (i.position, i.pk or 0))
    out: list[NumberedItem] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        for i, it in enumerate(children.get(parent_id, []), start=1):
            number = f"{prefix}{i}"
            out.append(NumberedItem(it, number, depth))
            walk(it.pk, f"{number}.", depth + 1)

    walk(None, "", 0)
    return out


def agenda_items_for(meeting_id: int) -> list[AgendaItem]:
    """The live agenda of a meeting with everything a page shows about each item, its documents included
    (two queries)."""
    # One meeting's items: the Meta ordering's meeting start is the same for all and costs a join.
    return list(
        AgendaItem.objects.filter(meeting_id=meeting_id)
        .select_related("presenter_state", "presenter_person", "presenter_body", "goal__plan")
        .prefetch_related(Prefetch("documents", queryset=Document.objects.order_by("title", "-version")))
        .order_by("parent_id", "position", "id")
    )


def meeting_documents(meeting: Meeting, user) -> tuple[list[Document], dict[int, list[Document]]]:
    """The meeting's documents the user may open, and agenda item id -> those of them linked to it (in the
    order the agenda lists them), in one query: a document comes once per agenda item it is linked to.

    A meeting's own documents are few, so all are read and ``document_visible`` keeps the user's, with the
    rights already read for the request, rather than compile that rule into the query."""
    docs: dict[int, Document] = {}
    links: list[tuple[int, int]] = []
    for d in (
        Document.objects.filter(meeting=meeting)
        .annotate(item_id=F("agenda_items__id"), item_meeting_id=F("agenda_items__meeting_id"))
        .order_by("kind", "title", "-version")  # the Meta ordering less the meeting's start: no join
    ):
        if d.pk not in docs:
            d.meeting = meeting  # already loaded: no join to the wide meeting row per document
            docs[d.pk] = d
        if d.item_meeting_id == meeting.pk:
            links.append((d.item_id, d.pk))
    visible = {pk: d for pk, d in docs.items() if document_visible(user, d)}
    by_item: dict[int, list[Document]] = {}
    for item_id, doc_id in links:
        if doc_id in visible:
            by_item.setdefault(item_id, []).append(visible[doc_id])
    for linked in by_item.values():
        linked.sort(key=lambda d: (d.title, -d.version))
    return list(visible.values()), by_item


def _party_names(role: str) -> dict[str, F]:
    """Annotations naming the state, body and person in a row's ``{role}_state``, ``{role}_body`` and
    ``{role}_person``: what a list prints of them, without the three objects."""
    return {
        f"{role}_state_name": F(f"{role}_state__short_name"),
        f"{role}_body_acronym": F(f"{role}_body__acronym"),
        f"{role}_person_name": F(f"{role}_person__full_name"),
    }


def _party_label(row: AgendaItem | ActionItem, role: str, sep: str) -> str:
    """The names ``_party_names(role)`` annotated, in that order, those that are set."""
    names = (
        getattr(row, f"{role}_state_name"),
        getattr(row, f"{role}_body_acronym"),
        getattr(row, f"{role}_person_name"),
    )
    return sep.join(n for n in names if n)


def agenda_items_named(meeting_id: int) -> list[AgendaItem]:
    """The live agenda for a page that prints the presenters and the goal of each item and nothing more of
    them: their names annotated (``presenter``, ``goal_plan``, ``goal_code``) in one query, rather than
    a state, a body, a person, a goal and a plan built per item."""
    items = list(
        AgendaItem.objects.filter(meeting_id=meeting_id)
        .annotate(
            **_party_names("presenter"), goal_plan=F("goal__plan__short_name"), goal_code=F("goal__code")
        )
        .order_by("parent_id", "position", "id")
    )
    for it in items:
        it.presenter = _party_label(it, "presenter", ", ")  # as presenter_label says it
    return items


def presenter_label(item: AgendaItem) -> str:
    parts = [str(p) for p in (item.presenter_state, item.presenter_body, item.presenter_person) if p]
    return ", ".join(parts)


def agenda_versions_for(meeting_id: int, *, with_items: bool = True) -> list[AgendaVersion]:
    """The circulated versions in order; without ``with_items``, not each one's copy of the agenda (for
    lists of links)."""
    versions = AgendaVersion.objects.filter(meeting_id=meeting_id).order_by("number")
    return list(versions if with_items else versions.defer("items"))


# --- Pages ------------------------------------------------------------------------------------------------


def meeting_local(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    tz = zoneinfo.ZoneInfo(meeting.timezone)
    return meeting.start.astimezone(tz), meeting.end.astimezone(tz)


def meeting_date(meeting: Meeting) -> dt.date:
    """The day the meeting opens, in its own zone (membership and chair terms are read on that day)."""
    return meeting_local(meeting)[0].date()


def meetings_for_list(
    user, *, body_id: int | None = None, year: int | None = None, status: str = ""
) -> QuerySet[Meeting]:
    qs = visible_meetings(user).select_related("body", "host", "series")
    if body_id:
        qs = qs.filter(body_id=body_id)
    if year:
        qs = qs.filter(start__year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-start")


@dataclass
class AgendaRow:
    number: str
    depth: int
    item: AgendaItem
    presenter: str
    documents: list[Document]
    decisions: list[Decision] = field(default_factory=list)


@dataclass
class DocumentGroup:
    """The versions of one document title, newest first."""

    latest: Document
    older: list[Document]


@dataclass
class MeetingPage:
    meeting: Meeting
    can_manage: bool
    level: int
    agenda: list[AgendaRow]
    versions: list[AgendaVersion]
    documents: list[DocumentGroup]
    invitations: list[Invitation]
    attendance: list[Attendance]
    decisions: list[Decision]
    action_items: list[ActionItem]
    matters_arising: list[ActionItem]
    report: Report | None
    submissions: list[Submission]
    my_invitation: Invitation | None
    my_delegations: list[int]
    preparatory: list[Meeting]
    delegations: list[tuple[str, list[Invitation]]] = field(default_factory=list)


def group_documents(docs: Sequence[Document]) -> list[DocumentGroup]:
    groups: dict[tuple, DocumentGroup] = {}
    for d in sorted(docs, key=lambda d: (d.kind, d.title, -d.version)):
        key = (d.kind, d.title)
        if key in groups:
            groups[key].older.append(d)
        else:
            groups[key] = DocumentGroup(latest=d, older=[])
    return list(groups.values())


def _open_before(meeting: Meeting) -> Q:
    return Q(
        body_id=meeting.body_id,
        status__in=[ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS],
        meeting__start__lt=meeting.start,
    )


def open_action_items_before(meeting: Meeting) -> QuerySet[ActionItem]:
    """Open action items of the body agreed at earlier meetings: "matters arising from the previous meeting"."""
    return (
        ActionItem.objects.filter(_open_before(meeting))
        .select_related("owner_state", "owner_person", "owner_body", "meeting")
        .order_by("meeting__start", "due_date", "id")
    )


def action_items_with_matters_arising(meeting: Meeting) -> tuple[list[ActionItem], list[ActionItem]]:
    """The meeting's own action items (due date order) and ``open_action_items_before`` it, in one query, each
    with ``agreed_at`` and ``closed_at_title`` (the titles of the meetings that agreed and closed it) and
    ``owner_label``."""
    own: list[ActionItem] = []
    arising: list[ActionItem] = []
    # The page shows only names: the owners' and the titles of the meetings where an item was agreed and
    # closed, annotated rather than a state, a body, a person and a meeting built per row.
    for a in (
        ActionItem.objects.filter(Q(meeting=meeting) | _open_before(meeting))
        .annotate(
            **_party_names("owner"),
            agreed_at=F("meeting__title"),
            closed_at_title=F("closed_at_meeting__title"),
        )
        .order_by("meeting__start", "due_date", "id")
    ):
        # "Philippines ACCMSME Maria Santos", as the pages always wrote it.
        a.owner_label = _party_label(a, "owner", " ")
        if a.meeting_id == meeting.pk:
            a.meeting = meeting
            own.append(a)
        else:
            arising.append(a)
    return own, arising


def action_item_owner(a: ActionItem) -> str:
    return ", ".join(str(p) for p in (a.owner_state, a.owner_body, a.owner_person) if p)


def linked_meetings(meeting: Meeting, user) -> list[Meeting]:
    """The meetings held back to back before ``meeting`` that the user may see, checked against the rights
    already read as the meeting itself was; and, in the same query, the meeting it prepares for, left on
    ``meeting.prepares_for`` (its title is shown whoever reads)."""
    linked = Q(prepares_for=meeting)
    if meeting.prepares_for_id:
        linked |= Q(pk=meeting.prepares_for_id)
    preparatory = []
    for m in Meeting.objects.filter(linked).select_related("body").order_by("start"):
        if m.pk == meeting.prepares_for_id:
            meeting.prepares_for = m
        elif meeting_visible(user, m):
            preparatory.append(m)
    return preparatory


def meeting_page(*, meeting: Meeting, user, on: dt.date) -> MeetingPage:
    """Everything the meeting page shows, in a fixed number of queries."""
    manage = can_manage(user, meeting.body_id)
    level = document_level(user, meeting.body_id)
    items = agenda_items_named(meeting.pk)
    docs, item_documents = meeting_documents(meeting, user)
    decisions = list(
        Decision.objects.filter(meeting=meeting)
        .prefetch_related("participating_states")
        .order_by("position", "id")  # the Meta ordering less the meeting's start: no join
    )
    items_by_pk = {it.pk: it for it in items}
    by_item: dict[int, list[Decision]] = {}
    for d in decisions:
        if d.agenda_item_id in items_by_pk:
            d.agenda_item = items_by_pk[d.agenda_item_id]  # already loaded
        by_item.setdefault(d.agenda_item_id, []).append(d)
    agenda = [
        AgendaRow(
            number=n.number,
            depth=n.depth,
            item=n.item,
            presenter=n.item.presenter,
            documents=item_documents.get(n.item.pk, []),
            decisions=by_item.get(n.item.pk, []),
        )
        for n in number_agenda(items)
    ]
    numbers = {row.item.pk: row.number for row in agenda}
    for d in decisions:
        d.item_number = numbers.get(d.agenda_item_id, "")
    # Who is on the list follows ``visible_invitations``: a guest or an observer sees their own row only.
    invitations = visible_invitations_of(user, meeting)
    if not manage:
        invitations = invitations.filter(is_withdrawn=False)
    # The list shows names only: annotated, rather than a person, an organisation and a state per row.
    invitations = list(
        invitations.annotate(
            person_name=F("person__full_name"),
            person_user_id=F("person__user_id"),
            state_name=F("member_state__short_name"),
            organisation_acronym=F("person__organisation__acronym"),
            organisation_name=F("person__organisation__name"),
        ).order_by("member_state__short_name", "person__full_name")
    )
    delegations: dict[str, list[Invitation]] = {}
    for inv in invitations:
        inv.meeting = meeting  # already loaded: the RSVP controls read its status
        inv.partstat_label = Invitation.PartStat(inv.partstat).label  # get_..._display walks the choices
        # As str(member state or organisation) would say it.
        key = inv.state_name or inv.organisation_acronym or inv.organisation_name or "Other"
        delegations.setdefault(key, []).append(inv)
    mine = next(
        (i for i in invitations if i.person_user_id is not None and i.person_user_id == user.pk), None
    )
    try:  # get, not first(): a one-to-one needs no ORDER BY
        report = Report.objects.select_related("pdf").get(meeting=meeting)
    except Report.DoesNotExist:
        report = None
    action_items, matters_arising = action_items_with_matters_arising(meeting)
    preparatory = linked_meetings(meeting, user)
    submissions = (
        list(
            Submission.objects.filter(report=report)
            .select_related("from_body", "to_body", "considered_at", "parent")
            .order_by("submitted_on", "id")
        )
        if report
        else []
    )
    return MeetingPage(
        meeting=meeting,
        can_manage=manage,
        level=level,
        agenda=agenda,
        versions=agenda_versions_for(meeting.pk, with_items=False),
        documents=group_documents(docs),
        invitations=invitations,
        attendance=list(
            Attendance.objects.filter(meeting=meeting)
            .select_related("person", "member_state")
            .order_by("member_state__short_name", "person__full_name")
        ),
        decisions=decisions,
        action_items=action_items,
        matters_arising=matters_arising,
        report=report,
        submissions=submissions,
        my_invitation=mine,
        my_delegations=delegation_states_for(user, body=meeting.body_id, on=on),
        preparatory=preparatory,
        delegations=[(k, v) for k, v in delegations.items() if v],
    )


def report_context(*, meeting: Meeting) -> dict:
    """What the Report of the Meeting is made of: the adopted agenda (else the latest circulated, else the
    draft), the minutes and decisions of each item, attendance and action items. Fixed number of queries."""
    items = agenda_items_for(meeting.pk)
    live = {it.pk: it for it in items}
    versions = agenda_versions_for(meeting.pk)
    adopted = next((v for v in versions if v.status == AgendaVersion.Status.ADOPTED), None)
    basis = adopted or (versions[-1] if versions else None)
    decisions = list(
        Decision.objects.filter(meeting=meeting)
        .select_related("agenda_item")
        .prefetch_related("participating_states")
        .order_by("position", "id")
    )
    by_item: dict[int, list[Decision]] = {}
    for d in decisions:
        by_item.setdefault(d.agenda_item_id, []).append(d)
    if basis is not None:
        rows = [
            {
                "number": e["number"],
                "depth": e["depth"],
                "title": e["title"],
                "purpose": e.get("purpose_label", ""),
                "minutes": live[e["id"]].minutes if e["id"] in live else "",
                "decisions": by_item.get(e["id"], []),
            }
            for e in basis.items
        ]
    else:
        rows = [
            {
                "number": n.number,
                "depth": n.depth,
                "title": n.item.title,
                "purpose": n.item.get_purpose_display(),
                "minutes": n.item.minutes,
                "decisions": by_item.get(n.item.pk, []),
            }
            for n in number_agenda(items)
        ]
    attendance = list(
        Attendance.objects.filter(meeting=meeting, present=True)
        .select_related("person", "member_state", "person__organisation")
        .order_by("member_state__short_name", "person__full_name")
    )
    delegations: dict[str, list[Attendance]] = {}
    for a in attendance:
        key = str(a.member_state or a.person.organisation or "Other")
        delegations.setdefault(key, []).append(a)
    local_start, local_end = meeting_local(meeting)
    return {
        "meeting": meeting,
        "local_start": local_start,
        "local_end": local_end,
        "agenda_basis": basis,
        "rows": rows,
        "delegations": sorted(delegations.items()),
        "action_items": list(
            ActionItem.objects.filter(meeting=meeting)
            .select_related("owner_state", "owner_person", "owner_body")
            .order_by("due_date", "id")
        ),
        "documents": list(
            Document.objects.filter(meeting=meeting)
            .exclude(kind=Document.Kind.REPORT)
            .order_by("kind", "title", "-version")
        ),
    }
