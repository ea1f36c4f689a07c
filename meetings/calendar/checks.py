"""The last check before a message about a meeting goes out: does it still describe the meeting as it is?
(version, status, not started, invitee still on the list, not yet answered). Returns why not, or None."""

from __future__ import annotations

from meetings.calendar.currency import HELD, WAIT, invitation_held, lock_current, told_about
from meetings.calendar.kinds import REQUEST_KINDS, Kind
from meetings.calendar.plan import agenda_key, holders
from meetings.calendar.preferences import preference_of, withheld_by_preference
from meetings.models import Invitation, Meeting, MeetingNotice
from outbox.models import Message
from outbox.registry import Withheld
from outbox.sending import SendContext

Status = Message.Status
NOT_HELD = "no invitation was sent before: nothing to take out of a calendar"


def invitation_for(notice: MeetingNotice, ctx: SendContext | None = None) -> Invitation | None:
    if notice.person_id is None:
        return None
    preloaded = ctx.cache.get("invitations") if ctx is not None else None
    if preloaded is not None:
        return preloaded.get((notice.meeting_id, notice.person_id))
    return Invitation.objects.filter(meeting_id=notice.meeting_id, person_id=notice.person_id).first()


def _holds_request(notice: MeetingNotice) -> bool:
    return notice.person_id in holders(notice.meeting_id, person_id=notice.person_id, exclude_pk=notice.pk)


def _told(notice: MeetingNotice) -> bool:
    return notice.person_id in told_about(notice.meeting_id, person_id=notice.person_id, exclude_pk=notice.pk)


def _held(meeting: Meeting, notice: MeetingNotice) -> Withheld | None:
    """Reminders, chasers and agenda mails only to someone holding this version's invitation: they wait
    while it is on its way (it must arrive first), and are skipped when it will not go."""
    if notice.person_id is None:
        return None
    held = invitation_held(meeting, notice.person_id)
    if held == HELD:
        return None
    if held == WAIT:
        return Withheld(Status.PLANNED, "waiting: the invitation of this version goes first")
    return Withheld(Status.SKIPPED, "no current invitation was sent to them")


def _state(meeting: Meeting) -> str:
    return meeting.get_status_display().lower()


def _agenda_circulation(notice: MeetingNotice, meeting: Meeting, ctx: SendContext) -> Withheld | None:
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED):
        return Withheld(Status.CANCELLED, f"meeting {_state(meeting)}")
    if meeting.end <= ctx.now:
        return Withheld(Status.SKIPPED, "meeting is over")
    inv = invitation_for(notice, ctx)
    if inv is None or inv.is_withdrawn:
        return Withheld(Status.CANCELLED, "taken off the list")
    if meeting.status == Meeting.Status.CONFIRMED:
        return _held(meeting, notice)
    return None


def _withdrawal(notice: MeetingNotice, ctx: SendContext) -> Withheld | None:
    """A CANCEL to someone taken off the list, unless they are back on it."""
    inv = invitation_for(notice, ctx)
    if inv is not None and not inv.is_withdrawn:
        return Withheld(Status.CANCELLED, "back on the list")
    if not _holds_request(notice):
        return Withheld(Status.SKIPPED, NOT_HELD)
    return None


def _cancel(notice: MeetingNotice, meeting: Meeting) -> Withheld | None:
    if meeting.status not in (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED):
        return Withheld(Status.CANCELLED, f"meeting is {_state(meeting)} again")
    if not _told(notice):
        return Withheld(Status.SKIPPED, NOT_HELD)
    return None


def _timed(kind: str, notice: MeetingNotice, meeting: Meeting, inv: Invitation, ctx: SendContext):
    """Reminders, coming-up notices, chasers and the agenda's lead-time notice."""
    if meeting.start <= ctx.now:
        return Withheld(Status.SKIPPED, "meeting already started")
    pref = preference_of(notice.person_id, ctx.cache if ctx else None)
    held = withheld_by_preference(kind, pref, days=notice.days)
    if held is not None:
        return held
    if kind == Kind.CHASER and inv.partstat != Invitation.PartStat.NEEDS_ACTION:
        return Withheld(Status.SKIPPED, f"already answered ({inv.get_partstat_display().lower()})")
    if kind in (Kind.REMINDER, Kind.COMING_UP) and inv.partstat == Invitation.PartStat.DECLINED:
        return Withheld(Status.SKIPPED, "declined: no reminder")
    if kind == Kind.AGENDA:
        latest = meeting.agenda_versions.order_by("-number").first()
        if latest is None:
            return Withheld(Status.SKIPPED, "no agenda circulated yet")
        if Message.objects.filter(
            key=agenda_key(latest, notice.person_id),
            status__in=[Status.SENT, Status.SENDING, Status.PLANNED],
        ).exists():
            return Withheld(Status.SKIPPED, f"agenda version {latest.number} already circulated")
    return _held(meeting, notice)


def why_not_send(message: Message, notice: MeetingNotice | None, ctx: SendContext) -> Withheld | None:
    """(status, note) when the message must not go out, None when it may. Runs in the send's transaction:
    the meeting and the invitation are read again and locked for share (``currency.lock_current``)."""
    meeting = lock_current(notice, ctx.cache, ctx.locked) if notice is not None else None
    if meeting is None:
        return Withheld(Status.CANCELLED, "meeting deleted")
    if notice.agenda_version_id is not None:
        return _agenda_circulation(notice, meeting, ctx)
    if notice.withdrawn_invitation_id is not None:
        return _withdrawal(notice, ctx)
    if notice.sequence != meeting.sequence:
        return Withheld(Status.CANCELLED, f"superseded: meeting is now version {meeting.sequence}")
    if message.kind == Kind.CANCEL:
        return _cancel(notice, meeting)
    if meeting.status != Meeting.Status.CONFIRMED:
        return Withheld(Status.CANCELLED, f"meeting is {_state(meeting)}")
    inv = invitation_for(notice, ctx)
    if inv is None or inv.is_withdrawn:
        return Withheld(Status.CANCELLED, "taken off the list")
    if message.kind in REQUEST_KINDS:
        return Withheld(Status.SKIPPED, "meeting is over") if meeting.end <= ctx.now else None
    return _timed(message.kind, notice, meeting, inv, ctx)
