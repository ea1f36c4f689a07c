"""Read queries for meeting pages, each in a fixed number of queries whatever the data size; one module per
part of the record.

The names below are re-exported for callers outside ``meetings``; modules inside it import from the
submodule that defines a name."""

from __future__ import annotations

from meetings.selectors.agenda import (
    MAX_AGENDA_DEPTH,
    NumberedItem,
    agenda_items_for,
    agenda_items_named,
    agenda_versions_for,
    number_agenda,
    presenter_label,
)
from meetings.selectors.documents import (
    DocumentGroup,
    document_level,
    group_documents,
    meeting_documents,
    readable_documents,
)
from meetings.selectors.meeting_page import (
    AgendaRow,
    MeetingPage,
    meeting_page,
)
from meetings.selectors.meetings import (
    body_meetings_for_user,
    can_manage,
    linked_meetings,
    meeting_date,
    meeting_local,
    meetings_for_list,
    visible_meetings,
)
from meetings.selectors.participation import (
    delegation_states_for,
)
from meetings.selectors.record import (
    action_item_owner,
    action_items_with_matters_arising,
    open_action_items_before,
)
from meetings.selectors.reports import (
    body_submissions,
    report_context,
)

__all__ = [
    "AgendaRow",
    "DocumentGroup",
    "MAX_AGENDA_DEPTH",
    "MeetingPage",
    "NumberedItem",
    "action_item_owner",
    "action_items_with_matters_arising",
    "agenda_items_for",
    "agenda_items_named",
    "agenda_versions_for",
    "body_meetings_for_user",
    "body_submissions",
    "can_manage",
    "delegation_states_for",
    "document_level",
    "group_documents",
    "linked_meetings",
    "meeting_date",
    "meeting_documents",
    "meeting_local",
    "meeting_page",
    "meetings_for_list",
    "number_agenda",
    "open_action_items_before",
    "presenter_label",
    "readable_documents",
    "report_context",
    "visible_meetings",
]
