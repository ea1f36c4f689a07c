"""Everything the meeting page (and the record page) shows, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, QuerySet

from governance.permissions import VIEW, has_body_right, today_in_asean
from governance.prepared import Prepared
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
from meetings.permissions import visible_invitations_of
from meetings.selectors.agenda import agenda_items_named, agenda_versions_for, number_agenda
from meetings.selectors.documents import DocumentGroup, document_level, group_documents, meeting_documents
from meetings.selectors.meetings import can_manage, linked_meetings
from meetings.selectors.participation import delegation_states_for, registration_open
from meetings.selectors.record import action_items_with_matters_arising


@dataclass
class AgendaRow:
    number: str
    depth: int
    item: AgendaItem
    presenter: str
    documents: list[Document]
    decisions: list[Decision] = field(default_factory=list)


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
    registration_open: bool = False  # may the user's delegation still register its members


def meeting_page(*, meeting: Meeting, user) -> MeetingPage:
    """Everything the meeting page shows today (in the Secretariat's zone), in a fixed number of queries."""
    on = today_in_asean()
    manage = can_manage(user, meeting.body_id)
    level = document_level(user, meeting.body_id)
    items = agenda_items_named(meeting.pk)
    docs, item_documents = meeting_documents(meeting, user)
    decisions = _DECISIONS(meeting_id=meeting.pk)
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
    # Who is on the list follows ``visible_invitations``: a guest or an observer sees their own row only;
    # whoever sees the meeting's body (the rights already read say so) sees it all, from compiled SQL.
    if has_body_right(user, VIEW, meeting.body_id):
        invitations = _INVITATIONS(meeting_id=meeting.pk, withdrawn_too=manage)
    else:
        invitations = list(_invitation_list(visible_invitations_of(user, meeting), withdrawn_too=manage))
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
    report = next(iter(_REPORT(meeting_id=meeting.pk)), None)
    action_items, matters_arising = action_items_with_matters_arising(meeting)
    preparatory = linked_meetings(meeting, user)
    submissions = _SUBMISSIONS(report_id=report.pk) if report else []
    return MeetingPage(
        meeting=meeting,
        can_manage=manage,
        level=level,
        agenda=agenda,
        versions=agenda_versions_for(meeting.pk, with_items=False),
        documents=group_documents(docs),
        invitations=invitations,
        attendance=_ATTENDANCE(meeting_id=meeting.pk),
        decisions=decisions,
        action_items=action_items,
        matters_arising=matters_arising,
        report=report,
        submissions=submissions,
        my_invitation=mine,
        my_delegations=delegation_states_for(user, body=meeting.body_id, on=on),
        registration_open=registration_open(meeting, on=on),
        preparatory=preparatory,
        delegations=[(k, v) for k, v in delegations.items() if v],
    )


# --- The page's reads, compiled once per process (governance.prepared) ----------------------------------


def _invitation_list(invitations: QuerySet[Invitation], withdrawn_too: bool) -> QuerySet[Invitation]:
    if not withdrawn_too:  # only the managers see who was taken off the list
        invitations = invitations.filter(is_withdrawn=False)
    # The list shows names only: annotated, rather than a person, an organisation and a state per row.
    return invitations.annotate(
        person_name=F("person__full_name"),
        person_user_id=F("person__user_id"),
        state_name=F("member_state__short_name"),
        organisation_acronym=F("person__organisation__acronym"),
        organisation_name=F("person__organisation__name"),
    ).order_by("member_state__short_name", "person__full_name")


_INVITATIONS = Prepared(
    lambda meeting_id, withdrawn_too: _invitation_list(
        Invitation.objects.filter(meeting_id=meeting_id), withdrawn_too
    )
)
_DECISIONS = Prepared(
    lambda meeting_id: (
        Decision.objects.filter(meeting_id=meeting_id)
        .prefetch_related("participating_states")
        .order_by("position", "id")  # the Meta ordering less the meeting's start: no join
    )
)
# A one-to-one: no ORDER BY, at most one row.
_REPORT = Prepared(lambda meeting_id: Report.objects.select_related("pdf").filter(meeting_id=meeting_id))
_SUBMISSIONS = Prepared(
    lambda report_id: (
        Submission.objects.filter(report_id=report_id)
        .select_related("from_body", "to_body", "considered_at", "parent")
        .order_by("submitted_on", "id")
    )
)
_ATTENDANCE = Prepared(
    lambda meeting_id: (
        Attendance.objects.filter(meeting_id=meeting_id)
        .select_related("person", "member_state")
        # The pages read who, present and remote: not each person's whole row (e-mail, feed token...).
        .only("meeting", "present", "remote", "person__full_name", "member_state__short_name")
        .order_by("member_state__short_name", "person__full_name")
    )
)
