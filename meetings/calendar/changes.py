"""What each change of a meeting plans in the outbox: a new version (confirmed, moved, postponed,
cancelled), someone added to or taken off the list, an agenda circulated; and the sweep's ``reconcile``,
which plans the versions whose hook never ran. Each plan commits, then hands out what is already due."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from meetings.calendar.kinds import REQUEST_KINDS, TIMED_KINDS, Kind
from meetings.calendar.plan import (
    Plan,
    agenda_key,
    cancel_key,
    cancel_stale,
    hand_out_on_commit,
    holders,
    is_live,
    load_meeting,
    notices_of,
    plan_cancels,
    plan_current_agenda,
    plan_requests,
    plan_timed,
    recipients,
)
from meetings.models import AgendaVersion, Invitation, Meeting, MeetingNotice
from outbox.models import Message

Status = Message.Status


def meeting_plan_version(*, meeting: Meeting, now: dt.datetime | None = None) -> list[str]:
    """Plan everything this version of the meeting calls for; cancel what belonged to earlier versions.
    Two steps that each commit: first the calendar entries (REQUESTs or CANCELs), handed to workers as soon
    as they are written; then the reminders, chasers and agenda notices, which are weeks ahead and no
    reason to hold back the invitations of a list of thousands. Idempotent; a plan cut off between the
    steps is finished by the sweep (``notices_planned_for`` still names an older version). Planned as at
    the clock, or at the moment of the sweep that repairs it. Returns the keys planned."""
    now = now or timezone.now()
    keys, live_sequence = plan_entries(meeting.pk, now)
    if live_sequence is not None:
        keys += plan_notices(meeting.pk, live_sequence, now)
    return keys


def _lock_meeting(meeting_id: int) -> Meeting:
    # The meeting as it is now, locked: two plans of one meeting (two quick changes, a hook and the sweep)
    # run one after the other, and an older one can never cancel a newer version's rows.
    return Meeting.objects.select_for_update(of=("self",)).select_related("body", "host").get(pk=meeting_id)


# The class of the advisory lock that queues two step-twos of one meeting (``_lock_meeting_for_notices``).
_NOTICES_LOCK = 0x4E4F54


def _lock_meeting_for_notices(meeting_id: int) -> Meeting:
    """Step two's lock: the meeting locked for share, not for update. The invitations of the version are
    going out meanwhile, each send locking the meeting for share: a lock for update would hold them all for
    the seconds that planning six notices per invitee takes at ten thousand invitees. A new version, which
    updates the row, still waits for step two, and step two for it. Two step-twos of one meeting (a task
    delivered twice, the sweep's reconcile) queue on an advisory lock instead: both update the row at the
    end, and two share locks raised to update would deadlock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_NOTICES_LOCK, meeting_id])
            table = Meeting._meta.db_table
            cursor.execute(f'SELECT 1 FROM "{table}" WHERE "id" = %s FOR SHARE', [meeting_id])  # noqa: S608
    return Meeting.objects.select_related("body", "host").get(pk=meeting_id)


def plan_entries(meeting_id: int, now: dt.datetime) -> tuple[list[str], int | None]:
    """Step one: the calendar entries of this version. Returns the keys, and the version when it still
    calls for timed notices (confirmed and ahead)."""
    plan = Plan(now)
    live_sequence = None
    with transaction.atomic():
        meeting = _lock_meeting(meeting_id)
        cancel_stale(meeting, f"superseded: meeting is now version {meeting.sequence}", keep_sequence=True)
        state = meeting.get_status_display().lower()
        if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED):
            cancel_stale(meeting, f"meeting {state}", keep_sequence=False)
            reason = (
                "postponed, new date to follow" if meeting.status == Meeting.Status.POSTPONED else "cancelled"
            )
            plan_cancels(plan, meeting, recipients(meeting), reason)
        elif meeting.status == Meeting.Status.CONFIRMED:
            if meeting.start <= now:
                cancel_stale(meeting, "meeting moved into the past", keep_sequence=False, kinds=TIMED_KINDS)
            else:
                live_sequence = meeting.sequence
            plan_requests(plan, meeting, recipients(meeting))
        else:
            # Planned (not yet confirmed) or held: nothing goes to calendars; nothing left to remind of.
            cancel_stale(meeting, f"meeting is {state}", keep_sequence=False)
        keys = plan.save()
        hand_out_on_commit(meeting.pk, now)
    return keys, live_sequence


def plan_notices(meeting_id: int, sequence: int, now: dt.datetime) -> list[str]:
    """Step two: reminders, chasers and the agenda's lead-time notice of version ``sequence``, unless a
    newer plan has taken over the meeting in between."""
    plan = Plan(now)
    with transaction.atomic():
        meeting = _lock_meeting_for_notices(meeting_id)
        if meeting.sequence != sequence or not is_live(meeting, now):
            return []
        # Invited for the first time by this version: their invitation itself says when the meeting is.
        fresh = set(
            MeetingNotice.objects.filter(
                meeting=meeting, message__kind=Kind.INVITE, sequence=sequence
            ).values_list("person_id", flat=True)
        )
        everyone = recipients(meeting)
        plan_timed(plan, meeting, everyone, fresh=fresh)
        # The agenda already circulated, to anyone on the list who lacks it (its key: once).
        plan_current_agenda(plan, meeting, everyone)
        keys = plan.save()
        Meeting.objects.filter(pk=meeting.pk).update(notices_planned_for=sequence)
        hand_out_on_commit(meeting.pk, now)
    return keys


def _invitation(invitation_id: int) -> Invitation | None:
    return (
        Invitation.objects.select_related("person", "meeting__body", "meeting__host")
        .filter(pk=invitation_id)
        .first()
    )


def _had_calendar_entry(meeting_id: int, person_id: int) -> bool:
    return MeetingNotice.objects.filter(
        meeting_id=meeting_id, person_id=person_id, message__kind__in=[*REQUEST_KINDS, Kind.CANCEL]
    ).exists()


def _raise_offset(inv: Invitation) -> None:
    Invitation.objects.filter(pk=inv.pk).update(sequence_offset=F("sequence_offset") + 1)
    inv.refresh_from_db(fields=["sequence_offset"])


def invitation_plan(*, invitation_id: int) -> None:
    """Someone was added to the list: invite them and plan their reminders (confirmed meeting), and send
    them the agenda already circulated."""
    now = timezone.now()
    inv = _invitation(invitation_id)
    if inv is None or inv.is_withdrawn or not inv.person.email:
        return
    meeting = inv.meeting
    with transaction.atomic():
        if Message.objects.filter(key=cancel_key(inv, meeting.sequence)).exists():
            # Back on the list after being taken off at this version: a new link version revokes the old
            # RSVP links and makes the new REQUEST a new message rather than the one already sent.
            Invitation.objects.filter(pk=inv.pk, link_version=inv.link_version).update(
                link_version=F("link_version") + 1
            )
            inv.refresh_from_db(fields=["link_version"])
        plan = Plan(now)
        if meeting.status == Meeting.Status.CONFIRMED:
            if _had_calendar_entry(meeting.pk, inv.person_id):
                # Invited back: the new REQUEST orders after the CANCEL they may hold (RFC 5546 §3.2.5).
                _raise_offset(inv)
            fresh = plan_requests(plan, meeting, [inv])
            plan_timed(plan, meeting, [inv], fresh=fresh)
        # Added after the agenda went out: the agenda as circulated, at once (planned or confirmed).
        plan_current_agenda(plan, meeting, [inv])
        plan.save()
        hand_out_on_commit(meeting.pk, now)


def invitation_withdrawal_plan(*, invitation_id: int) -> None:
    """Someone was taken off the list: a CANCEL (if they had the meeting in their calendar), and nothing
    else planned for them is sent."""
    now = timezone.now()
    inv = _invitation(invitation_id)
    if inv is None or not inv.is_withdrawn:
        return
    meeting = inv.meeting
    with transaction.atomic():
        cancel_stale(meeting, "taken off the list", keep_sequence=False, person_id=inv.person_id)
        plan = Plan(now)
        if inv.person.email and inv.person_id in holders(meeting.pk, person_id=inv.person_id):
            # An attendee CANCEL raises the SEQUENCE of their copy only (RFC 5546 §3.2.5).
            _raise_offset(inv)
            plan.add_for(
                meeting,
                inv,
                key=cancel_key(inv, meeting.sequence),
                kind=Kind.CANCEL,
                note="taken off the list",
                withdrawn=True,
            )
        plan.save()
        hand_out_on_commit(meeting.pk, now)


def agenda_circulation_plan(*, version_id: int) -> None:
    """An agenda version was circulated: send it to the invitees now."""
    now = timezone.now()
    version = (
        AgendaVersion.objects.select_related("meeting__body", "meeting__host").filter(pk=version_id).first()
    )
    if version is None:
        return
    meeting = version.meeting
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED) or meeting.end <= now:
        return
    plan = Plan(now)
    for inv in recipients(meeting):
        plan.add_for(
            meeting, inv, key=agenda_key(version, inv.person_id), kind=Kind.AGENDA, agenda_version=version
        )
    with transaction.atomic():
        plan.save()
        hand_out_on_commit(meeting.pk, now)


# --- The sweep's repair --------------------------------------------------------------------------------


def meetings_to_reconcile(*, now: dt.datetime, limit: int = 20) -> list[int]:
    """Meetings whose current version was never planned, or only half (the hook after commit did not run:
    the process died, or the broker lost the planning task): confirmed and ahead with invitees but no
    REQUEST, or no timed notices, for this version; or cancelled/postponed while someone still holds
    a REQUEST newer than any CANCEL."""
    meeting_rows = notices_of(OuterRef("pk"))
    current_request = meeting_rows.filter(message__kind__in=REQUEST_KINDS, sequence=OuterRef("sequence"))
    invited = Invitation.objects.filter(meeting=OuterRef("pk"), is_withdrawn=False)
    confirmed = Meeting.objects.filter(status=Meeting.Status.CONFIRMED, end__gt=now).filter(
        Exists(invited), ~Exists(current_request)
    )
    last = lambda qs: Subquery(qs.order_by("-sequence").values("sequence")[:1])  # noqa: E731
    called_off = (
        Meeting.objects.filter(status__in=[Meeting.Status.CANCELLED, Meeting.Status.POSTPONED])
        .annotate(
            last_request=last(
                meeting_rows.filter(message__kind__in=REQUEST_KINDS, message__status=Status.SENT)
            ),
            last_cancel=last(meeting_rows.filter(message__kind=Kind.CANCEL)),
        )
        .filter(last_request__isnull=False)
        .filter(Q(last_cancel__isnull=True) | Q(last_cancel__lt=F("last_request")))
    )
    # Step two of a plan never ran (cut off after the invitations went out).
    unnoticed = (
        Meeting.objects.filter(status=Meeting.Status.CONFIRMED, start__gt=now)
        .filter(Exists(invited))
        .exclude(notices_planned_for=F("sequence"))
    )
    ids = list(confirmed.values_list("pk", flat=True)[:limit])
    ids += [pk for pk in unnoticed.values_list("pk", flat=True)[:limit] if pk not in ids][: limit - len(ids)]
    ids += list(called_off.values_list("pk", flat=True)[: max(0, limit - len(ids))])
    return ids


def reconcile(*, now: dt.datetime) -> int:
    """A sweep step: plan, as at the sweep's moment, the versions no hook planned."""
    ids = meetings_to_reconcile(now=now)
    for meeting_id in ids:
        meeting = load_meeting(meeting_id)
        if meeting is not None:
            meeting_plan_version(meeting=meeting, now=now)
    return len(ids)
