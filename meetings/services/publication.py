"""The Secretariat's publish step (docs/decisions/0049): a meeting made public or withdrawn, and which of its
decisions the public may read. Each change is one audit event naming who did it; the field changes are
also in the meeting's and decisions' history."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from governance.audit import audit
from meetings.models import Decision, Meeting
from meetings.services.meetings import locked_meeting


def _meeting_public_set(*, meeting: Meeting, public: bool, actor=None) -> Meeting:
    with transaction.atomic():
        m = locked_meeting(meeting)
        if m.is_public == public:
            return m  # published twice: nothing changes, nothing is audited twice
        m.is_public = public
        # updated_at moves too: the public feed's and pages' validators change with it.
        m.save(update_fields=["is_public", "updated_at"])
        audit(
            action="meeting_published" if public else "meeting_withdrawn",
            obj=m,
            actor=actor,
            summary=f"{m.title} {'published on' if public else 'withdrawn from'} the public pages",
        )
    return m


def meeting_publish(*, meeting: Meeting, actor=None) -> Meeting:
    """The meeting, its circulated agenda, its public papers and the decisions marked public become readable
    without login, and the meeting joins its body's public calendar feed."""
    return _meeting_public_set(meeting=meeting, public=True, actor=actor)


def meeting_withdraw(*, meeting: Meeting, actor=None) -> Meeting:
    """Everything of the meeting leaves the public pages and the public feed (404 from then on)."""
    return _meeting_public_set(meeting=meeting, public=False, actor=actor)


def decisions_mark_public(*, meeting: Meeting, public_ids: Iterable[int], actor=None) -> list[int]:
    """Exactly the given decisions of the meeting are public, the others not; ids of other meetings are
    ignored. Returns the ids whose mark changed (audited as one event)."""
    wanted = {int(i) for i in public_ids}
    with transaction.atomic():
        locked_meeting(meeting)
        rows = list(Decision.objects.select_for_update().filter(meeting=meeting).order_by("pk"))
        changed = [d for d in rows if d.is_public != (d.pk in wanted)]
        for d in changed:
            d.is_public = d.pk in wanted
            d.save(update_fields=["is_public"])  # one by one, so each keeps its history row
        if changed:
            shown = [d.pk for d in changed if d.is_public]
            hidden = [d.pk for d in changed if not d.is_public]
            parts = [f"made public: {shown}"] if shown else []
            parts += [f"withheld: {hidden}"] if hidden else []
            audit(
                action="decisions_published",
                obj=meeting,
                actor=actor,
                summary=f"Decisions of {meeting.title} " + "; ".join(parts),
                data={"public": shown, "withheld": hidden},
            )
    return [d.pk for d in changed]
