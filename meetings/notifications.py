"""Planning and sending notifications about meetings (owned by the calendar side).

The record side (``meetings/services.py``) calls these hooks after a change commits; each hook plans the
``Notification`` rows that the change calls for. Until the calendar side fills them in they plan nothing.
"""

from __future__ import annotations


def on_meeting_confirmed(*, meeting_id: int) -> None:
    """A meeting became confirmed: invite everyone on its list."""


def on_meeting_changed(*, meeting_id: int, previous_sequence: int) -> None:
    """Time, place or status changed (the sequence grew): send updates, re-plan reminders."""


def on_meeting_cancelled(*, meeting_id: int) -> None:
    """Cancelled, or postponed without a new date: CANCEL to invitees, drop reminders."""


def on_invitation_added(*, invitation_id: int) -> None:
    """Someone was added to a confirmed meeting's list: invite them."""


def on_invitation_withdrawn(*, invitation_id: int) -> None:
    """Someone was taken off the list: send them a CANCEL."""


def on_agenda_circulated(*, version_id: int) -> None:
    """An agenda version was circulated: send it to the invitees."""
