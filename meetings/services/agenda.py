"""The draft agenda: items added, changed, moved and removed as a tree, minutes per item, and the usual
skeleton with its standing items (matters arising)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from governance import concurrency
from governance.services import reporting_chain
from meetings.models import AgendaItem, AgendaVersion, Decision, Document, Meeting, Submission
from meetings.selectors.agenda import MAX_AGENDA_DEPTH
from meetings.selectors.meetings import meeting_date
from meetings.selectors.procedures import procedures_decided_between
from meetings.selectors.record import action_item_owner, open_action_items_before
from meetings.services.meetings import fmt_day, localize, locked_meeting, previous_meeting

Status = Meeting.Status


def agenda_check_editable(meeting: Meeting) -> None:
    if meeting.status == Status.CANCELLED:
        raise ValidationError({"meeting": "The meeting was cancelled; its agenda can no longer change."})
    if AgendaVersion.objects.filter(meeting=meeting, status=AgendaVersion.Status.ADOPTED).exists():
        raise ValidationError(
            {"meeting": "The agenda was adopted; record minutes and decisions against its items instead."}
        )


def _siblings(meeting_id: int, parent_id: int | None) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(meeting_id=meeting_id, parent_id=parent_id).order_by("position", "id")
    )


def _renumber(items: list[AgendaItem]) -> None:
    for i, it in enumerate(items):
        if it.position != i:
            it.position = i
            AgendaItem.objects.filter(pk=it.pk).update(position=i)


def _depth(item: AgendaItem, parents: dict[int, int | None]) -> int:
    """Depth of ``item`` (0 for top level) from a map id -> parent id."""
    d, node = 0, item.parent_id
    while node is not None:
        d += 1
        node = parents.get(node)
    return d


def _subtree_height(item_id: int, children: dict[int | None, list[int]]) -> int:
    kids = children.get(item_id, [])
    return 1 + max((_subtree_height(k, children) for k in kids), default=0)


def _check_parent(*, meeting: Meeting, item: AgendaItem | None, parent: AgendaItem | None) -> None:
    """Refuse a parent from another meeting, the item itself or one of its sub-items, or too deep a nest."""
    if parent is None:
        return
    if parent.meeting_id != meeting.pk:
        raise ValidationError({"parent": "The parent item belongs to another meeting."})
    rows = list(AgendaItem.objects.filter(meeting=meeting).values_list("pk", "parent_id"))
    parents = dict(rows)
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    if item is not None and item.pk:
        node: int | None = parent.pk
        while node is not None:
            if node == item.pk:
                raise ValidationError(
                    {"parent": f"“{item.title}” cannot be moved under itself or one of its own sub-items."}
                )
            node = parents.get(node)
    height = _subtree_height(item.pk, children) if item is not None and item.pk else 1
    if _depth(parent, parents) + 1 + height > MAX_AGENDA_DEPTH:
        raise ValidationError({"parent": f"Agenda items nest at most {MAX_AGENDA_DEPTH} levels (1.2.3)."})


AGENDA_ITEM_FIELDS = frozenset(
    {
        "title",
        "description",
        "purpose",
        "presenter_state",
        "presenter_person",
        "presenter_body",
        "minutes_allotted",
        "starts_at",
        "goal",
    }
)


def _agenda_item_check(item: AgendaItem, documents: Iterable[Document] | None) -> None:
    errors = {}
    if not (item.title or "").strip():
        errors["title"] = "Give the item a title."
    if item.purpose not in AgendaItem.Purpose.values:
        errors["purpose"] = f"Purpose must be one of: {', '.join(AgendaItem.Purpose.values)}."
    if item.minutes_allotted is not None and not 0 < item.minutes_allotted <= 24 * 60:
        errors["minutes_allotted"] = "Time allotted is in minutes, between 1 and 1440."
    if item.starts_at is not None:
        m = item.meeting
        item.starts_at = localize(item.starts_at, zoneinfo.ZoneInfo(m.timezone))  # wall clock at the venue
        if not m.start <= item.starts_at <= m.end:
            errors["starts_at"] = "The item's start is outside the meeting's days and hours."
    if documents is not None:
        # Named by id, never by title: the caller may have given a document they are not cleared for.
        wrong = [f"#{d.pk}" for d in documents if d.meeting_id != item.meeting_id]
        if wrong:
            errors["documents"] = f"Not documents of this meeting: {', '.join(wrong)}."
    if errors:
        raise ValidationError(errors)


def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    parent: AgendaItem | None = None,
    position: int | None = None,
    documents: Iterable[Document] | None = None,
    **fields: Any,
) -> AgendaItem:
    """Add an item to the draft agenda, last among its siblings unless a position is given."""
    unknown = set(fields) - AGENDA_ITEM_FIELDS
    if unknown:
        raise ValidationError({k: "Unknown agenda item field." for k in sorted(unknown)})
    documents = list(documents) if documents is not None else None
    with transaction.atomic():
        m = locked_meeting(meeting)
        agenda_check_editable(m)
        _check_parent(meeting=m, item=None, parent=parent)
        item = AgendaItem(meeting=m, parent=parent, title=title, **fields)
        _agenda_item_check(item, documents)
        siblings = _siblings(m.pk, parent.pk if parent else None)
        index = len(siblings) if position is None else max(0, min(position, len(siblings)))
        item.position = index
        item.save()
        siblings.insert(index, item)
        _renumber(siblings)
        if documents:
            item.documents.set(documents)
    return item


def agenda_item_update(
    *,
    item: AgendaItem,
    data: dict[str, Any],
    documents: Iterable[Document] | None = None,
    expected_version: str | None = None,
) -> AgendaItem:
    unknown = set(data) - AGENDA_ITEM_FIELDS
    if unknown:
        raise ValidationError({k: "This field cannot be changed here." for k in sorted(unknown)})
    documents = list(documents) if documents is not None else None
    with transaction.atomic():
        agenda_check_editable(locked_meeting(item.meeting_id))
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        concurrency.check_current(item, expected_version, fields=sorted(data))
        for k, v in data.items():
            setattr(item, k, v)
        _agenda_item_check(item, documents)
        item.save()
        if documents is not None:
            item.documents.set(documents)
    return item


def agenda_item_move(
    *, item: AgendaItem, parent: AgendaItem | None, position: int | None = None
) -> AgendaItem:
    """Move an item (with its sub-items) under ``parent`` (None: top level) at ``position`` among its new
    siblings (None: last). Moving an item under itself or one of its sub-items is refused."""
    with transaction.atomic():
        m = locked_meeting(item.meeting_id)
        agenda_check_editable(m)
        item = AgendaItem.objects.get(pk=item.pk)
        if parent is not None:
            parent = AgendaItem.objects.get(pk=parent.pk)
        _check_parent(meeting=m, item=item, parent=parent)
        old = [s for s in _siblings(m.pk, item.parent_id) if s.pk != item.pk]
        _renumber(old)
        new_parent_id = parent.pk if parent else None
        new = [s for s in _siblings(m.pk, new_parent_id) if s.pk != item.pk]
        index = len(new) if position is None else max(0, min(position, len(new)))
        item.parent_id = new_parent_id
        item.position = index
        item.save(update_fields=["parent", "position"])
        new.insert(index, item)
        _renumber(new)
    return item


def agenda_item_shift(*, item: AgendaItem, direction: str) -> AgendaItem:
    """The agenda page's buttons: up, down, indent (under the item above), outdent (after its parent)."""
    siblings = _siblings(item.meeting_id, item.parent_id)
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    if direction == "up":
        return agenda_item_move(item=item, parent=item.parent, position=max(0, index - 1))
    if direction == "down":
        return agenda_item_move(item=item, parent=item.parent, position=index + 1)
    if direction == "indent":
        if index == 0:
            raise ValidationError({"parent": "The first item at its level has no item above to go under."})
        return agenda_item_move(item=item, parent=siblings[index - 1], position=None)
    if direction == "outdent":
        if item.parent_id is None:
            raise ValidationError({"parent": "A top-level item cannot move further out."})
        parent = AgendaItem.objects.get(pk=item.parent_id)
        return agenda_item_move(item=item, parent=parent.parent, position=parent.position + 1)
    raise ValidationError({"direction": "Direction must be up, down, indent or outdent."})


def agenda_item_reorder(*, meeting: Meeting, parent: AgendaItem | None, ordered_ids: Sequence[int]) -> None:
    """Put the items under ``parent`` in the given order (the ids must be exactly those items)."""
    with transaction.atomic():
        m = locked_meeting(meeting)
        agenda_check_editable(m)
        siblings = _siblings(m.pk, parent.pk if parent else None)
        if sorted(ordered_ids) != sorted(s.pk for s in siblings) or len(set(ordered_ids)) != len(ordered_ids):
            raise ValidationError({"order": "Give each item at this level exactly once."})
        by_id = {s.pk: s for s in siblings}
        _renumber([by_id[i] for i in ordered_ids])


def agenda_item_remove(*, item: AgendaItem) -> None:
    with transaction.atomic():
        m = locked_meeting(item.meeting_id)
        agenda_check_editable(m)
        if AgendaItem.objects.filter(parent_id=item.pk).exists():
            raise ValidationError({"item": "Move or remove its sub-items first."})
        if Decision.objects.filter(agenda_item_id=item.pk).exists():
            raise ValidationError({"item": "Decisions are recorded against this item; it cannot be removed."})
        parent_id = item.parent_id
        AgendaItem.objects.filter(pk=item.pk).delete()
        _renumber(_siblings(m.pk, parent_id))


def agenda_item_record_minutes(*, item: AgendaItem, minutes: str) -> AgendaItem:
    """Minutes of the discussion of one item (allowed after adoption: that is when they are written)."""
    with transaction.atomic():
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        item.minutes = minutes
        item.save(update_fields=["minutes"])
    return item


DEFAULT_AGENDA = [
    ("Opening of the meeting", AgendaItem.Purpose.INFORMATION),
    ("Adoption of the agenda", AgendaItem.Purpose.DECISION),
    ("Other matters", AgendaItem.Purpose.DISCUSSION),
    ("Date and venue of the next meeting", AgendaItem.Purpose.DECISION),
    ("Adoption of the report of the meeting", AgendaItem.Purpose.DECISION),
]


def agenda_default_create(*, meeting: Meeting, on: dt.date | None = None) -> list[AgendaItem]:
    """Start an empty agenda from the usual skeleton, with the standing items in their usual place."""
    with transaction.atomic():
        m = locked_meeting(meeting)
        agenda_check_editable(m)
        if AgendaItem.objects.filter(meeting=m).exists():
            raise ValidationError({"meeting": "The agenda already has items."})
        items = [
            AgendaItem.objects.create(meeting=m, title=t, purpose=p, position=i)
            for i, (t, p) in enumerate(DEFAULT_AGENDA)
        ]
        agenda_standing_items_add(meeting=m, on=on)
    return items


STANDING_HIGHER = "higher_bodies"
STANDING_PREVIOUS = "previous"


def agenda_standing_items_add(*, meeting: Meeting, on: dt.date | None = None) -> list[AgendaItem]:
    """Add (or refresh) the standing items: "Matters arising from the previous meeting", listing the body's
    open action items, and "Matters arising from SEOM and AEM meetings", split into the outcomes of each
    meeting of the bodies above held since this body last met."""
    with transaction.atomic():
        m = locked_meeting(meeting)
        agenda_check_editable(m)
        day = on or meeting_date(m)
        top = _siblings(m.pk, None)
        # After the opening and the adoption of the agenda, where these items usually stand.
        anchor = 0
        for i, it in enumerate(top):
            t = it.title.lower()
            if "opening" in t or "adoption of the agenda" in t:
                anchor = i + 1
        out: list[AgendaItem] = []
        # From the record as it stands now, not as it stood when the meeting was created (meetings entered
        # or cancelled since then would leave "Matters arising from the 17th" on the 20th's agenda).
        previous = previous_meeting(body=m.body, series=m.series, before=m.start)
        if m.previous_id != (previous.pk if previous else None):
            m.previous = previous
            Meeting.objects.filter(pk=m.pk).update(previous=previous)
        open_items = list(open_action_items_before(m))
        since_previous = previous.start if previous else m.start - dt.timedelta(days=366)
        decided = procedures_decided_between(body=m.body, since=since_previous, until=m.start)
        if previous is not None or open_items or decided:
            lines = [
                f"- {a.title} — {action_item_owner(a)}"
                + (f", due {fmt_day(a.due_date)}" if a.due_date else "")
                + f" ({a.get_status_display().lower()}; agreed at the {a.meeting.title})"
                for a in open_items
            ]
            arising = _standing_upsert(
                meeting=m,
                key=STANDING_PREVIOUS,
                parent=None,
                title=f"Matters arising from the {previous.title}" if previous else "Matters arising",
                description="\n".join(lines) or "No open action items.",
                purpose=AgendaItem.Purpose.DISCUSSION,
                position=anchor,
            )
            out.append(arising)
            # Decisions taken by written procedure since the previous meeting, one sub-item each.
            for i, wp in enumerate(decided):
                out.append(
                    _standing_upsert(
                        meeting=m,
                        key=f"wp-{wp.pk}",
                        parent=arising,
                        title=f"{wp.get_status_display()} by written procedure: {wp.title}",
                        description=wp.outcome,
                        purpose=AgendaItem.Purpose.INFORMATION,
                        position=i,
                    )
                )
            anchor += 1
        above = reporting_chain(m.body, on=day)[1:3]
        if above:
            parent = _standing_upsert(
                meeting=m,
                key=STANDING_HIGHER,
                parent=None,
                title=f"Matters arising from {' and '.join(b.acronym for b in above)} meetings",
                description="",
                purpose=AgendaItem.Purpose.INFORMATION,
                position=anchor,
            )
            out.append(parent)
            since = previous.start if previous else m.start - dt.timedelta(days=366)
            held = list(
                Meeting.objects.filter(body__in=above, start__gte=since, start__lt=m.start)
                .exclude(status=Status.CANCELLED)
                .order_by("start")
            )
            outcomes = Submission.objects.filter(considered_at__in=held, from_body=m.body).exclude(
                status=Submission.Status.SUBMITTED
            )
            outcome_text: dict[int, list[str]] = {}
            for s in outcomes.select_related("report"):
                outcome_text.setdefault(s.considered_at_id, []).append(
                    f"- {s.report.title}: {s.get_status_display().lower()}"
                    + (f". {s.outcome}" if s.outcome else "")
                )
            i = 0
            for body in above:
                body_meetings = [h for h in held if h.body_id == body.pk]
                for h in body_meetings or [None]:
                    out.append(
                        _standing_upsert(
                            meeting=m,
                            key=f"hb-{h.pk}" if h else f"hb-body-{body.pk}",
                            parent=parent,
                            title=f"Outcomes of the {h.title}"
                            if h
                            else f"Outcomes of {body.acronym} meetings",
                            description="\n".join(outcome_text.get(h.pk, [])) if h else "",
                            purpose=AgendaItem.Purpose.INFORMATION,
                            position=i,
                        )
                    )
                    i += 1
            anchor += 1
        out += _reports_received_items(meeting=m, position=anchor)
    return out


STANDING_RECEIVED = "received"


def _reports_received_items(*, meeting: Meeting, position: int) -> list[AgendaItem]:
    """The "Reports received" item: one sub-item per report a lower body (a task force) sent up to this
    body and not yet considered at an earlier meeting, or considered at this one, so the meeting takes
    note of it and its outcome (``submission_record_outcome``) goes back down to the sender's next agenda."""
    received = list(
        Submission.objects.filter(to_body=meeting.body, submitted_on__lte=meeting_date(meeting))
        .filter(Q(considered_at=meeting) | Q(considered_at__isnull=True, status=Submission.Status.SUBMITTED))
        .select_related("report", "from_body")
        .order_by("submitted_on", "pk")
    )
    if not received:
        return []
    parent = _standing_upsert(
        meeting=meeting,
        key=STANDING_RECEIVED,
        parent=None,
        title="Reports received",
        description="",
        purpose=AgendaItem.Purpose.DECISION,
        position=position,
    )
    out = [parent]
    for i, s in enumerate(received):
        out.append(
            _standing_upsert(
                meeting=meeting,
                key=f"rcv-{s.pk}",
                parent=parent,
                title=f"{s.report.title} (from {s.from_body.acronym})",
                description=f"Submitted on {fmt_day(s.submitted_on)}."
                + (f" {s.get_status_display()}: {s.outcome}" if s.outcome else ""),
                purpose=AgendaItem.Purpose.ENDORSEMENT,
                position=i,
            )
        )
    return out


def _standing_upsert(
    *,
    meeting: Meeting,
    key: str,
    parent: AgendaItem | None,
    title: str,
    description: str,
    purpose: str,
    position: int,
) -> AgendaItem:
    item = AgendaItem.objects.filter(meeting=meeting, standing_key=key).first()
    if item is not None:
        item.title, item.description = title, description
        item.save(update_fields=["title", "description"])
        return item
    siblings = _siblings(meeting.pk, parent.pk if parent else None)
    item = AgendaItem.objects.create(
        meeting=meeting,
        parent=parent,
        title=title,
        description=description,
        purpose=purpose,
        is_standing=True,
        standing_key=key,
        position=position,
    )
    siblings.insert(min(position, len(siblings)), item)
    _renumber(siblings)
    return item
