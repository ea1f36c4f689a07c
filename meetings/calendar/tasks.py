"""The calendar side's entry points, on top of the rest (nothing in ``meetings.calendar`` imports this).

The record side calls one hook per kind of change *inside* its transaction; each acts once the transaction
commits, so a worker never sees a row that is not there yet:

- ``meeting_version_changed``: the meeting was confirmed, moved, postponed or cancelled (its SEQUENCE grew).
  Confirm, change and cancel were three hooks with one body; they are one now. What the version needs
  (REQUESTs, CANCELs, reminders) is decided by ``changes.meeting_plan_version`` from the meeting as it is.
- ``invitation_added``, ``invitation_withdrawn``, ``agenda_circulated``: kept apart, each plans for one
  invitation or one agenda version, not for the whole list.

Tasks are ``acks_late`` with ``reject_on_worker_lost``, take primary keys, and never wait with an ETA.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from meetings.calendar import action_chase, action_items, messages
from meetings.calendar.changes import (
    agenda_circulation_plan,
    invitation_plan,
    invitation_withdrawal_plan,
    meeting_plan_version,
    plan_entries,
    plan_notices,
    reconcile,
)
from meetings.calendar.feeds import revoke_inactive_feeds
from meetings.calendar.intake import inbox_panel
from meetings.calendar.plan import load_meeting
from meetings.calendar.preferences import digests_plan
from meetings.models import Invitation
from outbox.registry import register_page_panel, register_sweep_step
from outbox.sending import setting
from outbox.tasks import TASK_OPTIONS

log = logging.getLogger(__name__)


@shared_task(name="meetings.calendar.tasks.plan_meeting_version", **TASK_OPTIONS)
def plan_meeting_version(meeting_id: int) -> int:
    """Plan a meeting version with a long list of invitees (the hook hands it over); idempotent. Its
    calendar entries are planned and handed out first; its reminders, chasers and agenda notices (weeks
    ahead, six rows per invitee) by a task queued behind those sends, so every worker sends invitations
    before any plans reminders. Should that task be lost, the sweep's ``reconcile`` plans them."""
    meeting = load_meeting(meeting_id)
    if meeting is None:
        return 0
    keys, live_sequence = plan_entries(meeting.pk, timezone.now())
    if live_sequence is not None:
        try:
            plan_meeting_notices.apply_async(args=[meeting_id, live_sequence], retry=False)
        except Exception as exc:  # noqa: BLE001 - no broker: plan here rather than wait for the sweep
            log.warning("could not queue the notices of meeting %s: %s", meeting_id, exc)
            keys += plan_notices(meeting.pk, live_sequence, timezone.now())
    return len(keys)


@shared_task(name="meetings.calendar.tasks.plan_meeting_notices", **TASK_OPTIONS)
def plan_meeting_notices(meeting_id: int, sequence: int) -> int:
    """Step two of a long list's plan (``changes.plan_notices``): nothing when a newer version took over."""
    return len(plan_notices(meeting_id, sequence, timezone.now()))


@shared_task(name="meetings.calendar.tasks.read_itip_inbox", **TASK_OPTIONS)
def read_itip_inbox() -> dict[str, int]:
    """Beat: file the replies calendar clients sent to the organizer mailbox (off without a mailbox)."""
    from meetings.calendar.inbound import inbox_read

    return inbox_read()


@shared_task(name="meetings.calendar.tasks.action_items_chase", **TASK_OPTIONS)
def action_items_chase() -> int:
    """Beat: plan this interval's chaser of every overdue action item (idempotent: a key per item,
    recipient and interval); the outbox's sweep sends them."""
    return action_chase.plan_action_item_chasers()


def meeting_version_plan(*, meeting_id: int) -> None:
    """Plan in the caller for a list of ordinary size (the rows exist when the request returns); hand a
    long list (thousands of invitees: seconds of inserts) to a worker. If that task is lost, the sweep's
    ``reconcile`` plans the version anyway."""
    meeting = load_meeting(meeting_id)
    if meeting is None:
        return
    invited = Invitation.objects.filter(meeting_id=meeting_id, is_withdrawn=False).count()
    if invited > setting("NOTIFY_PLAN_INLINE_MAX", 500):
        try:
            plan_meeting_version.apply_async(args=[meeting_id], retry=False)
            return
        except Exception as exc:  # noqa: BLE001 - no broker: plan here rather than not at all
            log.warning("could not queue the planning of meeting %s: %s", meeting_id, exc)
    meeting_plan_version(meeting=meeting)


def meeting_version_changed(*, meeting_id: int) -> None:
    """The meeting has a new version (confirmed, moved, postponed, cancelled): planned once this commits."""
    transaction.on_commit(lambda: meeting_version_plan(meeting_id=meeting_id))


def invitation_added(*, invitation_id: int) -> None:
    """Someone was added to the list: invited with their reminders (confirmed meeting), and sent the agenda
    already circulated (confirmed or planned), once this commits."""
    transaction.on_commit(lambda: invitation_plan(invitation_id=invitation_id))


def invitation_withdrawn(*, invitation_id: int) -> None:
    """Someone was taken off the list: a CANCEL once this commits, and nothing else planned for them."""
    transaction.on_commit(lambda: invitation_withdrawal_plan(invitation_id=invitation_id))


def agenda_circulated(*, version_id: int) -> None:
    """An agenda version was circulated: sent to the invitees once this commits."""
    transaction.on_commit(lambda: agenda_circulation_plan(version_id=version_id))


def register_with_outbox() -> None:
    """Called by ``MeetingsConfig.ready``: the meeting kinds and the sweep's steps for meetings."""
    messages.register()
    action_items.register()
    action_chase.register()
    register_page_panel("meetings/calendar/inbox_panel.html", inbox_panel)
    register_sweep_step("revoked_feeds", lambda **_: revoke_inactive_feeds())
    register_sweep_step("reconciled", reconcile)
    register_sweep_step("planned", action_items.plan_action_item_reminders)
    register_sweep_step("digests", digests_plan)
