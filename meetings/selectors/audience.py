"""Who an action reaches: the counts a confirmation step states before anyone is e-mailed ("This e-mails a
cancellation to 24 people in 11 delegations"). One query each, whatever the list's size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from meetings.models import Invitation, Meeting


@dataclass(frozen=True)
class Audience:
    """People on a meeting's live list: those with an e-mail address are the ones a message reaches."""

    people: int  # with an e-mail address
    delegations: int  # member states those people represent
    others: int  # of ``people``, those on no delegation (Secretariat, guests)
    without_email: int  # on the list but unreachable by e-mail

    def __str__(self) -> str:
        if not self.people:
            return "nobody"
        text = f"{self.people} {'person' if self.people == 1 else 'people'}"
        if self.delegations:
            text += f" in {self.delegations} delegation{'s' if self.delegations != 1 else ''}"
            if self.others:
                text += f" (and {self.others} on no delegation)"
        return text


def live_audience(meeting: Meeting | int) -> Audience:
    """Everyone still on the list (not taken off): who the meeting's own messages and agendas go to."""
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    rows = Invitation.objects.filter(meeting_id=meeting_id, is_withdrawn=False).values_list(
        "member_state_id", "person__email"
    )
    return audience_of(rows)


def audience_of(rows: Iterable[tuple[int | None, str]]) -> Audience:
    """The counts for people given as ``(member state id or None, e-mail)``: people about to be put on a
    list are counted the same way as those on it."""
    rows = list(rows)
    reachable = [state for state, email in rows if email]
    return Audience(
        people=len(reachable),
        delegations=len({s for s in reachable if s is not None}),
        others=sum(1 for s in reachable if s is None),
        without_email=len(rows) - len(reachable),
    )
