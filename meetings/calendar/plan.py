"""Which messages a meeting version needs, written to the outbox (the calendar side's planning).

Nothing waits in the broker: what is due later sits in the outbox with its ``due_at``, and the beat sweep
hands it out when the moment comes.

- **Once.** Every message has a unique key ``kind:object:recipient:version``; planning writes in bulk and
  skips keys already written, so a plan run twice plans nothing new. Invitations and updates share the key
  kind ``request``: one REQUEST per person per meeting version, whichever change asked for it.
- **Never stale.** A message belongs to a meeting version (``MeetingNotice.sequence``). When a meeting moves,
  the planned messages of the old version are cancelled with a note; the builder checks again at send time
  (``meetings.calendar.messages``). A reminder whose moment has passed when it is planned follows
  ``settings.NOTIFICATION_LATE_POLICY``: ``skip``, ``send`` (the latest missed one goes now) or
  ``coming_up`` (one "coming up" notice instead of the missed reminders).
- **Durable.** Should a hook never run (a process died after the commit, a task was lost), the sweep's
  ``reconcile`` finds the meeting version that has no plan and plans it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q

from meetings.calendar.currency import latest_not_cancelled, told_about
from meetings.calendar.kinds import REQUEST_KINDS, VERSIONED_KINDS, Kind
from meetings.models import AgendaVersion, Invitation, Meeting, MeetingNotice
from outbox.keys import message_key, object_ref, recipient_ref
from outbox.models import Message
from outbox.planning import messages_save
from outbox.sending import late_policy
from outbox.tasks import dispatch_on_commit

Status = Message.Status


def meeting_key(kind: str, meeting_id: int, person_id: int | None, version: str) -> str:
    return message_key(kind, object_ref("meeting", meeting_id), recipient_ref(person_id=person_id), version)


def request_key(inv: Invitation, seq: int) -> str:
    return meeting_key("request", inv.meeting_id, inv.person_id, f"s{seq}.l{inv.link_version}")


def cancel_key(inv: Invitation, seq: int) -> str:
    return meeting_key("cancel", inv.meeting_id, inv.person_id, f"s{seq}.l{inv.link_version}")


def agenda_key(version: AgendaVersion, person_id: int | None) -> str:
    obj = object_ref("agendaversion", version.pk)
    return message_key("agenda", obj, recipient_ref(person_id=person_id), f"v{version.number}")


def _offset_key(kind: str, inv: Invitation, seq: int, days: int) -> str:
    # Invited back after a CANCEL (their own offset raised): the notices of this version are theirs again.
    again = f".o{inv.sequence_offset}" if inv.sequence_offset else ""
    return meeting_key(kind, inv.meeting_id, inv.person_id, f"s{seq}.d{days}{again}")


@dataclass
class Plan:
    """Messages to write for one change, each with what it describes."""

    now: dt.datetime
    rows: list[tuple[Message, MeetingNotice]] = field(default_factory=list)

    def add_for(
        self,
        meeting: Meeting,
        inv: Invitation,
        *,
        key: str,
        kind: str,
        due_at: dt.datetime | None = None,
        status: str = Status.PLANNED,
        note: str = "",
        days: int | None = None,
        agenda_version: AgendaVersion | None = None,
        withdrawn: bool = False,
    ) -> None:
        """A message about the current version of ``meeting`` to one invitee."""
        message = Message(
            key=key,
            kind=kind,
            recipient=inv.person.email,
            due_at=due_at or self.now,
            status=status,
            note=note[:300],
        )
        notice = MeetingNotice(
            meeting=meeting,
            person_id=inv.person_id,
            sequence=meeting.sequence,
            days=days,
            agenda_version=agenda_version,
            withdrawn_invitation=inv if withdrawn else None,
        )
        self.rows.append((message, notice))

    def save(self) -> list[str]:
        return messages_save(self.rows)


def notices_of(meeting_id: int):
    """The messages about a meeting itself (not a circulated agenda, not a CANCEL to someone taken off)."""
    return MeetingNotice.objects.filter(
        meeting_id=meeting_id, agenda_version__isnull=True, withdrawn_invitation__isnull=True
    )


def recipients(meeting: Meeting) -> list[Invitation]:
    return list(
        meeting.invitations.filter(is_withdrawn=False)
        .exclude(person__email="")
        .select_related("person")
        .order_by("pk")
    )


def holders(meeting_id: int, *, person_id: int | None = None, exclude_pk: int | None = None) -> set[int]:
    """People who hold this meeting in their calendar: their latest REQUEST/CANCEL that went out (or is
    going out) is a REQUEST. Someone whose entry was cancelled (postponed, taken off the list) is not."""
    qs = MeetingNotice.objects.filter(
        meeting_id=meeting_id,
        message__kind__in=[*REQUEST_KINDS, Kind.CANCEL],
        message__status__in=[Status.SENT, Status.SENDING],
    )
    return latest_not_cancelled(qs, person_id=person_id, exclude_pk=exclude_pk)


def cancel_stale(
    meeting: Meeting,
    note: str,
    *,
    keep_sequence: bool,
    person_id: int | None = None,
    kinds: Iterable[str] = VERSIONED_KINDS,
) -> int:
    """Planned messages about this meeting that no longer hold: cancelled, with why (never deleted)."""
    notices = notices_of(meeting.pk)
    if keep_sequence:
        notices = notices.exclude(sequence=meeting.sequence)
    if person_id is not None:
        notices = notices.filter(person_id=person_id)
    return Message.objects.filter(
        pk__in=notices.values("message_id"), status=Status.PLANNED, kind__in=list(kinds)
    ).update(status=Status.CANCELLED, note=note[:300])


def is_live(meeting: Meeting, now: dt.datetime) -> bool:
    return meeting.status == Meeting.Status.CONFIRMED and meeting.end > now


def plan_requests(plan: Plan, meeting: Meeting, invitations: Iterable[Invitation]) -> set[int]:
    """One REQUEST per invitee for this version: "invite" to someone new, "update" to someone who holds an
    earlier version. Returns the people invited for the first time."""
    had = holders(meeting.pk)
    fresh = set()
    in_past = meeting.end <= plan.now
    for inv in invitations:
        kind = Kind.UPDATE if inv.person_id in had else Kind.INVITE
        if kind == Kind.INVITE:
            fresh.add(inv.person_id)
        plan.add_for(
            meeting,
            inv,
            key=request_key(inv, meeting.sequence),
            kind=kind,
            # A meeting moved into the past is a correction of the record: nobody needs it in a calendar.
            status=Status.SKIPPED if in_past else Status.PLANNED,
            note="meeting is in the past" if in_past else "",
        )
    return fresh


def _at_days_before(meeting: Meeting, days: int) -> dt.datetime:
    # Wall-clock arithmetic in the host's zone: "7 days before" is the same local time a week earlier.
    local = meeting.start.astimezone(ZoneInfo(meeting.timezone))
    return (local - dt.timedelta(days=days)).astimezone(dt.UTC)


def offsets(values) -> list[int]:
    try:
        return sorted({int(v) for v in (values or []) if int(v) > 0}, reverse=True)
    except (TypeError, ValueError):
        return []


def _missed_note(kind, days, due, *, sent_before: bool, fresh: bool, policy: str, latest: bool) -> str | None:
    """Why a missed timed notice is not sent (None: it is sent now, once, by policy)."""
    due_txt = f"{due:%Y-%m-%d %H:%M} UTC"
    if sent_before:
        return f"the {days}-day notice was already sent for an earlier version"
    if fresh and kind == Kind.REMINDER:
        return f"due {due_txt}, before the invitation: the invitation itself says when"
    if policy == "send" and latest:
        return None
    if policy == "coming_up":
        return f"due {due_txt}, passed when planned: one coming-up notice instead (policy)"
    return f"due {due_txt}, passed when planned: skipped (policy {policy})"


def _plan_offset_kind(
    plan: Plan,
    meeting: Meeting,
    inv: Invitation,
    kind: str,
    days_list: list[int],
    *,
    sent_before: set[tuple[str, int, int]],
    fresh: bool,
) -> bool:
    """Messages for one kind of timed notice to one invitee. Returns True when a missed moment calls for a
    "coming up" notice."""
    missed = []
    for days in days_list:
        due = _at_days_before(meeting, days)
        key = _offset_key(kind, inv, meeting.sequence, days)
        common = dict(key=key, kind=kind, days=days)
        if due > plan.now:
            plan.add_for(meeting, inv, due_at=due, **common)
        else:
            missed.append((days, due, common))
    if not missed:
        return False
    policy = late_policy(kind)
    if policy == "coming_up" and kind != Kind.REMINDER:
        policy = "skip"  # only reminders have a coming-up notice
    latest_days = min(d for d, _, _ in missed)
    want_coming_up = False
    for days, due, common in missed:
        sent = (kind, inv.person_id, days) in sent_before
        note = _missed_note(
            kind, days, due, sent_before=sent, fresh=fresh, policy=policy, latest=days == latest_days
        )
        if note is None:
            late = f"late: was due {due:%Y-%m-%d %H:%M} UTC; sent once, by policy"
            plan.add_for(meeting, inv, note=late, **common)
            continue
        if policy == "coming_up" and not sent and not (fresh and kind == Kind.REMINDER):
            want_coming_up = True
        plan.add_for(meeting, inv, due_at=due, status=Status.SKIPPED, note=note, **common)
    return want_coming_up


def plan_timed(plan: Plan, meeting: Meeting, invitations: Iterable[Invitation], *, fresh: set[int]) -> None:
    """Reminders, chasers and the agenda's lead-time circulation for this version of the meeting."""
    if not is_live(meeting, plan.now) or meeting.start <= plan.now:
        return  # moved into the past, or not confirmed: nothing to remind of
    body = meeting.body
    sent_before = set(
        MeetingNotice.objects.filter(
            meeting=meeting,
            days__isnull=False,
            message__status=Status.SENT,
            message__kind__in=[Kind.REMINDER, Kind.CHASER, Kind.AGENDA],
        ).values_list("message__kind", "person_id", "days")
    )
    # One "coming up" notice per person per meeting: a later change (a new title) sends its own update.
    had_coming_up = set(
        MeetingNotice.objects.filter(
            meeting=meeting,
            message__kind=Kind.COMING_UP,
            message__status__in=[Status.SENT, Status.SENDING, Status.PLANNED],
        )
        .exclude(sequence=meeting.sequence)
        .values_list("person_id", flat=True)
    )
    reminders, chasers = offsets(body.reminder_days), offsets(body.chaser_days)
    agenda_lead = offsets([body.agenda_lead_days])
    for inv in invitations:
        is_fresh = inv.person_id in fresh
        timed = dict(sent_before=sent_before, fresh=is_fresh)
        coming_up = _plan_offset_kind(plan, meeting, inv, Kind.REMINDER, reminders, **timed)
        if inv.partstat == Invitation.PartStat.NEEDS_ACTION:
            _plan_offset_kind(plan, meeting, inv, Kind.CHASER, chasers, **timed)
        _plan_offset_kind(plan, meeting, inv, Kind.AGENDA, agenda_lead, **timed)
        if coming_up and inv.person_id not in had_coming_up:
            plan.add_for(
                meeting,
                inv,
                key=meeting_key("coming_up", meeting.pk, inv.person_id, f"s{meeting.sequence}"),
                kind=Kind.COMING_UP,
                note="instead of reminders whose moment had passed",
            )


def plan_current_agenda(plan: Plan, meeting: Meeting, invitations: Iterable[Invitation]) -> None:
    """The agenda as last circulated, to people added to the list after it went out (once: its key)."""
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED) or meeting.end <= plan.now:
        return
    version = meeting.agenda_versions.order_by("-number").first()
    if version is None:
        return
    for inv in invitations:
        plan.add_for(
            meeting, inv, key=agenda_key(version, inv.person_id), kind=Kind.AGENDA, agenda_version=version
        )


def plan_cancels(plan: Plan, meeting: Meeting, invitations: Iterable[Invitation], reason: str) -> None:
    # A CANCEL to everyone told anything about the meeting (a reminder sent alone counts), not only holders.
    had = holders(meeting.pk) | told_about(meeting.pk)
    for inv in invitations:
        if inv.person_id not in had:
            continue  # their invitation never left: nothing to take out of a calendar
        plan.add_for(meeting, inv, key=cancel_key(inv, meeting.sequence), kind=Kind.CANCEL, note=reason)


def load_meeting(meeting_id: int) -> Meeting | None:
    return Meeting.objects.select_related("body", "host").filter(pk=meeting_id).first()


def hand_out_on_commit(meeting_id: int, now: dt.datetime) -> None:
    dispatch_on_commit(now=now, within=Q(meeting_notice__meeting_id=meeting_id))
