"""The Report of the Meeting's content, and what a body sent up and got back."""

from __future__ import annotations

from django.db.models import Q

from governance.models import Body, MemberState
from governance.prepared import Prepared
from governance.services import reporting_chain
from meetings.models import ActionItem, AgendaVersion, Attendance, Decision, Document, Meeting, Submission
from meetings.selectors.agenda import agenda_items_for, agenda_versions_for, number_agenda
from meetings.selectors.meetings import meeting_date, meeting_local

REPORT_CLASSIFICATION = Document.Classification.RESTRICTED


def body_submissions(*, body: Body) -> list[Submission]:
    """What the body sent up and what came back, newest first."""
    return _BODY_SUBMISSIONS(body_id=body.pk)


# Compiled once per process (governance.prepared): the body page reads it every time.
_BODY_SUBMISSIONS = Prepared(
    lambda body_id: (
        Submission.objects.filter(Q(from_body_id=body_id) | Q(to_body_id=body_id))
        .select_related("report", "from_body", "to_body")
        # What the body page shows: the report's title, each body as ``str(body)`` says it, and the status.
        .only(
            "status",
            "submitted_on",
            "outcome",
            "report__title",
            *(f"{end}__{name}" for end in ("from_body", "to_body") for name in ("acronym", "name")),
        )
        .order_by("-submitted_on")[:50]
    )
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
    chain = reporting_chain(meeting.body, on=meeting_date(meeting))
    # Names a decision may open with, kept capitalised in the middle of a sentence.
    proper = [n for pair in MemberState.objects.values_list("official_name", "short_name") for n in pair if n]
    proper += [n for pair in Body.objects.values_list("acronym", "name") for n in pair if n]
    return {
        "meeting": meeting,
        "higher_body": chain[1].acronym or chain[1].name if len(chain) > 1 else "the higher body",
        "proper_names": proper,
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
        # The report is filed as ASEAN Restricted and shown as one page to all who may read it: it lists
        # only the papers its least-cleared reader may see (no Confidential title).
        "documents": list(
            Document.objects.filter(meeting=meeting, classification__lte=REPORT_CLASSIFICATION)
            .exclude(kind=Document.Kind.REPORT)
            .order_by("kind", "title", "-version")
        ),
    }
