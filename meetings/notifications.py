"""Planning and sending notifications about meetings (owned by the calendar side).

The record side (``meetings/services.py``) calls the ``on_*`` hooks after a change commits; each hook plans
the ``Notification`` rows the change calls for and hands the ones already due to a worker. Nothing waits
in the broker: what is due later sits in the database with its ``due_at``, and a beat job (``sweep``) hands
it out when the moment comes (a long ETA on Redis runs twice or never: kombu #337, celery #3541).

Rules:
- **Once.** Every row has a unique key ``kind:object:recipient:version``; planning is ``bulk_create`` with
  ``ignore_conflicts``, so a hook run twice plans nothing new. Invitations and updates share the key kind
  ``request``: one REQUEST per person per meeting version, whichever hook asked for it.
- **One sender.** A send claims its row with a conditional update (planned → sending, as healthchecks'
  ``sendalerts`` does); only the worker whose update changed the row sends. A failure goes back to planned
  with an exponential backoff (``next_attempt_at``) and ends as *failed* after ``NOTIFY_MAX_ATTEMPTS``;
  a row left in *sending* by a dead worker is reclaimed after ``NOTIFY_CLAIM_TIMEOUT_SECONDS``. Each
  message carries a Message-ID derived from the key, so even that rare resend is one message to a mail
  client (and one file in the outbox).
- **Never stale** (issue 9). Reminders belong to a meeting version (``meeting_sequence``). When a meeting
  moves, the planned rows of the old version are cancelled with a note, and the send step checks again
  that the row still describes the meeting as it is (version, status, not started, invitee still on the
  list, not yet answered). A reminder whose moment has passed when it is planned follows
  ``settings.NOTIFICATION_LATE_POLICY``: ``skip`` (recorded as skipped, with why), ``send`` (the latest
  missed one goes now) or ``coming_up`` (one "coming up" notice instead of the missed reminders).
- **Durable.** A hook plans in the caller for lists of ordinary size and hands long lists to a worker;
  should a hook never run (a process died after the commit, a task was lost), the sweep's ``reconcile``
  finds the meeting version that has no plan and plans it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.mime.text import MIMEText
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from meetings.models import ActionItem, AgendaVersion, Invitation, Meeting, Notification

log = logging.getLogger(__name__)

Kind = Notification.Kind
Status = Notification.Status

# Kinds that describe one version of a meeting and are planned per version.
VERSIONED_KINDS = (
    Kind.INVITE,
    Kind.UPDATE,
    Kind.CANCEL,
    Kind.REMINDER,
    Kind.COMING_UP,
    Kind.CHASER,
    Kind.AGENDA,
)
REQUEST_KINDS = (Kind.INVITE, Kind.UPDATE)
# Rows planned by other apps (the chairmanship's handover reminders) carry their own subject and text.
PLAIN_KINDS = (Kind.ACTION_DUE, Kind.HANDOVER_REMINDER, Kind.ACCOUNT)

DEFAULT_LATE_POLICY = {
    Kind.REMINDER: "coming_up",
    Kind.CHASER: "skip",
    Kind.AGENDA: "send",
    Kind.ACTION_DUE: "send",
    Kind.HANDOVER_REMINDER: "send",
    Kind.ACCOUNT: "send",
}
LATE_POLICIES = ("skip", "send", "coming_up")


def _setting(name: str, default):
    return getattr(settings, name, default)


def late_policy(kind: str) -> str:
    policy = {**DEFAULT_LATE_POLICY, **_setting("NOTIFICATION_LATE_POLICY", {})}.get(kind, "skip")
    if policy not in LATE_POLICIES:
        raise ValueError(f"NOTIFICATION_LATE_POLICY[{kind!r}] must be one of {LATE_POLICIES}, not {policy!r}")
    return policy


def notification_key(kind: str, obj: str, person_id: int | None, version: str) -> str:
    return f"{kind}:{obj}:person-{person_id}:{version}"


def _meeting_obj(meeting_id: int) -> str:
    return f"meeting-{meeting_id}"


def _request_key(inv: Invitation, seq: int) -> str:
    return notification_key(
        "request", _meeting_obj(inv.meeting_id), inv.person_id, f"s{seq}.l{inv.link_version}"
    )


def _cancel_key(inv: Invitation, seq: int) -> str:
    return notification_key(
        "cancel", _meeting_obj(inv.meeting_id), inv.person_id, f"s{seq}.l{inv.link_version}"
    )


def _offset_key(kind: str, meeting_id: int, person_id: int, seq: int, days: int) -> str:
    return notification_key(kind, _meeting_obj(meeting_id), person_id, f"s{seq}.d{days}")


def _key_days(key: str) -> int | None:
    version = key.rsplit(":", 1)[-1]
    for part in version.split("."):
        if part.startswith("d") and part[1:].isdigit():
            return int(part[1:])
    return None


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- Planning ----------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """Rows to write for one change, then the due ones to hand to a worker."""

    now: dt.datetime
    rows: list[Notification] = field(default_factory=list)

    def add(self, **fields) -> None:
        fields.setdefault("status", Status.PLANNED)
        fields.setdefault("due_at", self.now)
        self.rows.append(Notification(**fields))

    def add_for(self, meeting: Meeting, inv: Invitation, **fields) -> None:
        """A row about the current version of ``meeting`` to one invitee."""
        fields.setdefault("object_ref", f"meeting:{meeting.pk}")
        self.add(
            meeting=meeting,
            meeting_sequence=meeting.sequence,
            person=inv.person,
            recipient=inv.person.email,
            **fields,
        )

    def save(self) -> list[str]:
        Notification.objects.bulk_create(self.rows, batch_size=1000, ignore_conflicts=True)
        return [r.key for r in self.rows]


def _recipients(meeting: Meeting) -> list[Invitation]:
    return list(
        meeting.invitations.filter(is_withdrawn=False)
        .exclude(person__email="")
        .select_related("person")
        .order_by("pk")
    )


def _holders(meeting_id: int, *, person_id: int | None = None, exclude_pk: int | None = None) -> set[int]:
    """People who hold this meeting in their calendar: their latest REQUEST/CANCEL that went out (or is
    going out) is a REQUEST. Someone whose entry was cancelled (postponed, taken off the list) is not."""
    qs = Notification.objects.filter(
        meeting_id=meeting_id,
        kind__in=[*REQUEST_KINDS, Kind.CANCEL],
        status__in=[Status.SENT, Status.SENDING],
    )
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    latest: dict[int, tuple[tuple[int, int], str]] = {}
    for pid, kind, seq, pk in qs.values_list("person_id", "kind", "meeting_sequence", "pk"):
        order = (seq or 0, pk)
        if pid not in latest or order > latest[pid][0]:
            latest[pid] = (order, kind)
    return {pid for pid, (_, kind) in latest.items() if kind != Kind.CANCEL}


def _cancel_stale(
    meeting: Meeting,
    note: str,
    *,
    keep_sequence: bool,
    person_id: int | None = None,
    kinds: Iterable[str] = VERSIONED_KINDS,
) -> int:
    """Planned rows about this meeting that no longer hold: cancelled, with why (never deleted)."""
    qs = Notification.objects.filter(
        meeting=meeting, status=Status.PLANNED, kind__in=list(kinds), object_ref=f"meeting:{meeting.pk}"
    )
    if keep_sequence:
        qs = qs.exclude(meeting_sequence=meeting.sequence)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs.update(status=Status.CANCELLED, note=note[:300])


def _is_live(meeting: Meeting, now: dt.datetime) -> bool:
    return meeting.status == Meeting.Status.CONFIRMED and meeting.end > now


def _plan_requests(plan: Plan, meeting: Meeting, invitations: Iterable[Invitation]) -> set[int]:
    """One REQUEST per invitee for this version: "invite" to someone new, "update" to someone who holds an
    earlier version. Returns the people invited for the first time."""
    had = _holders(meeting.pk)
    fresh = set()
    in_past = meeting.end <= plan.now
    for inv in invitations:
        kind = Kind.UPDATE if inv.person_id in had else Kind.INVITE
        if kind == Kind.INVITE:
            fresh.add(inv.person_id)
        plan.add_for(
            meeting,
            inv,
            key=_request_key(inv, meeting.sequence),
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


def _offsets(values) -> list[int]:
    try:
        return sorted({int(v) for v in (values or []) if int(v) > 0}, reverse=True)
    except (TypeError, ValueError):
        return []


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
    """Rows for one kind of timed notice to one invitee. Returns True when a missed moment calls for a
    "coming up" notice."""
    missed = []
    for days in days_list:
        due = _at_days_before(meeting, days)
        key = _offset_key(kind, meeting.pk, inv.person_id, meeting.sequence, days)
        common = dict(key=key, kind=kind, due_at=due)
        if due > plan.now:
            plan.add_for(meeting, inv, **common)
        else:
            missed.append((days, common))
    if not missed:
        return False
    policy = late_policy(kind)
    if policy == "coming_up" and kind != Kind.REMINDER:
        policy = "skip"  # only reminders have a coming-up notice
    want_coming_up = False
    latest_days = min(d for d, _ in missed)
    for days, common in missed:
        due_txt = f"{common['due_at']:%Y-%m-%d %H:%M} UTC"
        if (kind, inv.person_id, days) in sent_before:
            note = f"the {days}-day notice was already sent for an earlier version"
        elif fresh and kind == Kind.REMINDER:
            note = f"due {due_txt}, before the invitation: the invitation itself says when"
        elif policy == "send" and days == latest_days:
            note = f"late: was due {due_txt}; sent once, by policy"
            plan.add_for(meeting, inv, **{**common, "due_at": plan.now, "note": note})
            continue
        elif policy == "coming_up":
            want_coming_up = True
            note = f"due {due_txt}, passed when planned: one coming-up notice instead (policy)"
        else:
            note = f"due {due_txt}, passed when planned: skipped (policy {policy})"
        plan.add_for(meeting, inv, **{**common, "status": Status.SKIPPED, "note": note[:300]})
    return want_coming_up


def _plan_timed(plan: Plan, meeting: Meeting, invitations: Iterable[Invitation], *, fresh: set[int]) -> None:
    """Reminders, chasers and the agenda's lead-time circulation for this version of the meeting."""
    if not _is_live(meeting, plan.now) or meeting.start <= plan.now:
        return  # moved into the past, or not confirmed: nothing to remind of
    body = meeting.body
    sent_before = set()
    for kind, person_id, key in Notification.objects.filter(
        meeting=meeting, status=Status.SENT, kind__in=[Kind.REMINDER, Kind.CHASER, Kind.AGENDA]
    ).values_list("kind", "person_id", "key"):
        days = _key_days(key)
        if days is not None:
            sent_before.add((kind, person_id, days))
    reminders, chasers = _offsets(body.reminder_days), _offsets(body.chaser_days)
    agenda_lead = _offsets([body.agenda_lead_days])
    for inv in invitations:
        is_fresh = inv.person_id in fresh
        coming_up = _plan_offset_kind(
            plan, meeting, inv, Kind.REMINDER, reminders, sent_before=sent_before, fresh=is_fresh
        )
        if inv.partstat == Invitation.PartStat.NEEDS_ACTION:
            _plan_offset_kind(
                plan, meeting, inv, Kind.CHASER, chasers, sent_before=sent_before, fresh=is_fresh
            )
        _plan_offset_kind(
            plan, meeting, inv, Kind.AGENDA, agenda_lead, sent_before=sent_before, fresh=is_fresh
        )
        if coming_up:
            plan.add_for(
                meeting,
                inv,
                key=notification_key(
                    "coming_up", _meeting_obj(meeting.pk), inv.person_id, f"s{meeting.sequence}"
                ),
                kind=Kind.COMING_UP,
                note="instead of reminders whose moment had passed",
            )


def _plan_cancels(plan: Plan, meeting: Meeting, invitations: Iterable[Invitation], reason: str) -> None:
    had = _holders(meeting.pk)
    for inv in invitations:
        if inv.person_id not in had:
            continue  # their invitation never left: nothing to take out of a calendar
        plan.add_for(meeting, inv, key=_cancel_key(inv, meeting.sequence), kind=Kind.CANCEL, note=reason)


def _load_meeting(meeting_id: int) -> Meeting | None:
    return Meeting.objects.select_related("body", "host").filter(pk=meeting_id).first()


def _after_commit_dispatch(meeting_id: int | None, now: dt.datetime, *, pass_now: bool) -> None:
    def go() -> None:
        qs = Notification.objects.filter(status=Status.PLANNED, due_at__lte=now, next_attempt_at__isnull=True)
        if meeting_id is not None:
            qs = qs.filter(meeting_id=meeting_id)
        dispatch(
            list(qs.order_by("due_at", "pk").values_list("pk", flat=True)), now=now if pass_now else None
        )

    transaction.on_commit(go)


def meeting_plan_version(*, meeting: Meeting, now: dt.datetime | None = None) -> list[str]:
    """Plan everything this version of the meeting calls for; cancel what belonged to earlier versions.
    Two steps that each commit: first the calendar entries (REQUESTs or CANCELs), handed to workers as soon
    as they are written; then the reminders, chasers and agenda notices, which are weeks ahead and no
    reason to hold back the invitations of a list of thousands. Idempotent; a plan cut off between the
    steps is finished by the sweep (``notices_planned_for`` still names an older version). Returns the
    keys planned."""
    now_ = _now(now)
    keys, live_sequence = _plan_entries(meeting.pk, now_, pass_now=now is not None)
    if live_sequence is not None:
        keys += _plan_notices(meeting.pk, live_sequence, now_, pass_now=now is not None)
    return keys


def _lock_meeting(meeting_id: int) -> Meeting:
    # The meeting as it is now, locked: two plans of one meeting (two quick changes, a hook and the sweep)
    # run one after the other, and an older one can never cancel a newer version's rows.
    return Meeting.objects.select_for_update(of=("self",)).select_related("body", "host").get(pk=meeting_id)


def _plan_entries(meeting_id: int, now: dt.datetime, *, pass_now: bool) -> tuple[list[str], int | None]:
    """Step one: the calendar entries of this version. Returns the keys, and the version when it still
    calls for timed notices (confirmed and ahead)."""
    plan = Plan(now)
    live_sequence = None
    with transaction.atomic():
        meeting = _lock_meeting(meeting_id)
        _cancel_stale(meeting, f"superseded: meeting is now version {meeting.sequence}", keep_sequence=True)
        if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED):
            _cancel_stale(meeting, f"meeting {meeting.get_status_display().lower()}", keep_sequence=False)
            reason = (
                "postponed, new date to follow" if meeting.status == Meeting.Status.POSTPONED else "cancelled"
            )
            _plan_cancels(plan, meeting, _recipients(meeting), reason)
        elif meeting.status == Meeting.Status.CONFIRMED:
            if meeting.start <= now:
                timed = (Kind.REMINDER, Kind.COMING_UP, Kind.CHASER, Kind.AGENDA)
                _cancel_stale(meeting, "meeting moved into the past", keep_sequence=False, kinds=timed)
            else:
                live_sequence = meeting.sequence
            _plan_requests(plan, meeting, _recipients(meeting))
        else:
            # Planned (not yet confirmed) or held: nothing goes to calendars; nothing left to remind of.
            _cancel_stale(meeting, f"meeting is {meeting.get_status_display().lower()}", keep_sequence=False)
        keys = plan.save()
        _after_commit_dispatch(meeting.pk, now, pass_now=pass_now)
    return keys, live_sequence


def _plan_notices(meeting_id: int, sequence: int, now: dt.datetime, *, pass_now: bool) -> list[str]:
    """Step two: reminders, chasers and the agenda's lead-time notice of version ``sequence``, unless a
    newer plan has taken over the meeting in between."""
    plan = Plan(now)
    with transaction.atomic():
        meeting = _lock_meeting(meeting_id)
        if meeting.sequence != sequence or not _is_live(meeting, now):
            return []
        # Invited for the first time by this version: their invitation itself says when the meeting is.
        fresh = set(
            Notification.objects.filter(
                meeting=meeting, kind=Kind.INVITE, meeting_sequence=sequence
            ).values_list("person_id", flat=True)
        )
        _plan_timed(plan, meeting, _recipients(meeting), fresh=fresh)
        keys = plan.save()
        Meeting.objects.filter(pk=meeting.pk).update(notices_planned_for=sequence)
        _after_commit_dispatch(meeting.pk, now, pass_now=pass_now)
    return keys


# --- Hooks called by the record side after a change commits ------------------------------------------------


def _plan_now_or_in_a_worker(meeting_id: int, now: dt.datetime | None) -> None:
    """Plan in the caller for a list of ordinary size (the rows exist when the request returns); hand a
    long list (thousands of invitees: seconds of inserts) to a worker. If that task is lost, the sweep's
    ``reconcile`` plans the version anyway."""
    meeting = _load_meeting(meeting_id)
    if meeting is None:
        return
    if meeting.invitations.filter(is_withdrawn=False).count() > _setting("NOTIFY_PLAN_INLINE_MAX", 500):
        from meetings.tasks import plan_meeting_version

        try:
            plan_meeting_version.apply_async(
                args=[meeting_id], kwargs={"now": now.isoformat() if now else None}, retry=False
            )
            return
        except Exception as exc:  # noqa: BLE001 - no broker: plan here rather than not at all
            log.warning("could not queue the planning of meeting %s: %s", meeting_id, exc)
    meeting_plan_version(meeting=meeting, now=now)


def on_meeting_confirmed(*, meeting_id: int, now: dt.datetime | None = None) -> None:
    """A meeting became confirmed: invite everyone on its list, plan its reminders."""
    _plan_now_or_in_a_worker(meeting_id, now)


def on_meeting_changed(*, meeting_id: int, previous_sequence: int, now: dt.datetime | None = None) -> None:
    """Time, place or status changed (the sequence grew): updates to the invitees, reminders re-planned for
    the new version (the old version's are cancelled and never sent)."""
    _plan_now_or_in_a_worker(meeting_id, now)


def on_meeting_cancelled(*, meeting_id: int, now: dt.datetime | None = None) -> None:
    """Cancelled, or postponed without a new date: CANCEL to invitees, drop reminders."""
    _plan_now_or_in_a_worker(meeting_id, now)


def on_invitation_added(*, invitation_id: int, now: dt.datetime | None = None) -> None:
    """Someone was added to a confirmed meeting's list: invite them and plan their reminders."""
    now_ = _now(now)
    inv = (
        Invitation.objects.select_related("person", "meeting__body", "meeting__host")
        .filter(pk=invitation_id)
        .first()
    )
    if inv is None or inv.is_withdrawn or not inv.person.email:
        return
    meeting = inv.meeting
    with transaction.atomic():
        if Notification.objects.filter(key=_cancel_key(inv, meeting.sequence)).exists():
            # Back on the list after being taken off at this version: a new link version revokes the old
            # RSVP links and makes the new REQUEST a new message rather than the one already sent.
            Invitation.objects.filter(pk=inv.pk, link_version=inv.link_version).update(
                link_version=F("link_version") + 1
            )
            inv.refresh_from_db(fields=["link_version"])
        if meeting.status != Meeting.Status.CONFIRMED:
            return
        plan = Plan(now_)
        fresh = _plan_requests(plan, meeting, [inv])
        _plan_timed(plan, meeting, [inv], fresh=fresh)
        plan.save()
        _after_commit_dispatch(meeting.pk, now_, pass_now=now is not None)


def on_invitation_withdrawn(*, invitation_id: int, now: dt.datetime | None = None) -> None:
    """Someone was taken off the list: a CANCEL (if they had the meeting in their calendar), and nothing
    else planned for them is sent."""
    now_ = _now(now)
    inv = (
        Invitation.objects.select_related("person", "meeting__body", "meeting__host")
        .filter(pk=invitation_id)
        .first()
    )
    if inv is None or not inv.is_withdrawn:
        return
    meeting = inv.meeting
    with transaction.atomic():
        _cancel_stale(meeting, "taken off the list", keep_sequence=False, person_id=inv.person_id)
        plan = Plan(now_)
        if inv.person.email and inv.person_id in _holders(meeting.pk, person_id=inv.person_id):
            plan.add_for(
                meeting,
                inv,
                key=_cancel_key(inv, meeting.sequence),
                kind=Kind.CANCEL,
                object_ref=f"invitation:{inv.pk}",
                note="taken off the list",
            )
        plan.save()
        _after_commit_dispatch(meeting.pk, now_, pass_now=now is not None)


def on_agenda_circulated(*, version_id: int, now: dt.datetime | None = None) -> None:
    """An agenda version was circulated: send it to the invitees now."""
    now_ = _now(now)
    version = (
        AgendaVersion.objects.select_related("meeting__body", "meeting__host").filter(pk=version_id).first()
    )
    if version is None:
        return
    meeting = version.meeting
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED) or meeting.end <= now_:
        return
    plan = Plan(now_)
    for inv in _recipients(meeting):
        plan.add_for(
            meeting,
            inv,
            key=notification_key(
                "agenda", f"agendaversion-{version.pk}", inv.person_id, f"v{version.number}"
            ),
            kind=Kind.AGENDA,
            object_ref=f"agendaversion:{version.pk}",
        )
    with transaction.atomic():
        plan.save()
        _after_commit_dispatch(meeting.pk, now_, pass_now=now is not None)


# --- Action items --------------------------------------------------------------------------------------


def _action_recipients(item: ActionItem, on: dt.date) -> list:
    """Who is reminded of an action item: its owner; for a state, the state's heads of delegation on the
    item's body; for a body, that body's Secretariat officers (the desk that follows its work)."""
    from governance.models import Membership

    if item.owner_person_id:
        return [item.owner_person] if item.owner_person and item.owner_person.email else []
    if item.owner_state_id:
        members = Membership.objects.filter(
            body_id=item.body_id, member_state_id=item.owner_state_id, role=Membership.Role.HEAD_OF_DELEGATION
        )
    elif item.owner_body_id:
        members = Membership.objects.filter(body_id=item.owner_body_id, role=Membership.Role.SECRETARIAT)
    else:
        return []
    members = (
        members.filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("person__member_state")
        .order_by("person_id")
    )
    return list({m.person_id: m.person for m in members if m.person.email}.values())


def plan_action_item_reminders(*, now: dt.datetime | None = None) -> int:
    """Plan due reminders for open action items coming due (called by the sweep; idempotent). The key
    carries the due date, so a moved deadline plans afresh and the old rows are cancelled at send time."""
    now_ = _now(now)
    days_list = _offsets(_setting("ACTION_DUE_REMINDER_DAYS", [7, 1]))
    if not days_list:
        return 0
    today = now_.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    horizon = today + dt.timedelta(days=max(days_list) + 2)
    items = ActionItem.objects.filter(
        status__in=[ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS],
        due_date__isnull=False,
        due_date__gte=today,
        due_date__lte=horizon,
    ).select_related("meeting", "owner_person__member_state", "owner_state")
    plan = Plan(now_)
    for item in items:
        for person in _action_recipients(item, today):
            zone = ZoneInfo(person.effective_timezone)
            missed = []
            for days in days_list:
                # 09:00 in the owner's own zone, N days before the due date.
                due = dt.datetime.combine(item.due_date - dt.timedelta(days=days), dt.time(9, 0), tzinfo=zone)
                fields = dict(
                    key=notification_key(
                        "action_due",
                        f"actionitem-{item.pk}",
                        person.pk,
                        f"{item.due_date.isoformat()}.d{days}",
                    ),
                    kind=Kind.ACTION_DUE,
                    meeting=item.meeting,
                    object_ref=f"actionitem:{item.pk}",
                    person=person,
                    recipient=person.email,
                    due_at=due,
                    subject=f"Action item due {item.due_date:%d %b %Y}: {item.title}"[:300],
                    body_text=_action_text(item, person),
                )
                if due > now_:
                    plan.add(**fields)
                else:
                    missed.append((days, fields))
            if missed:
                policy = late_policy(Kind.ACTION_DUE)
                latest = min(d for d, _ in missed)
                for days, fields in missed:
                    if policy == "send" and days == latest:
                        plan.add(**{**fields, "due_at": now_, "note": "late: sent once, by policy"})
                    else:
                        plan.add(
                            **{
                                **fields,
                                "status": Status.SKIPPED,
                                "note": f"moment passed when planned ({policy})",
                            }
                        )
    plan.save()
    return len(plan.rows)


def _action_text(item: ActionItem, person) -> str:
    from meetings.times import fmt_date

    lines = [
        f"Dear {person.full_name},",
        "",
        f"An action item from {item.meeting.title} is due on {fmt_date(item.due_date)}:",
        "",
        f"  {item.title}",
        "",
        f"Status: {item.get_status_display()}.",
        f"Details: {settings.SITE_URL}/",
        "",
        "ASEAN Secretariat",
    ]
    return "\n".join(lines)


# --- Sending -----------------------------------------------------------------------------------------------


class CalendarEmail(EmailMultiAlternatives):
    """An email whose ``text/calendar`` alternative carries ``method=`` equal to the body's METHOD, as
    Outlook and Gmail require before they show Accept/Decline."""

    calendar_method = "REQUEST"

    def _create_mime_attachment(self, content, mimetype):
        if mimetype == "text/calendar":
            part = MIMEText(content, "calendar", self.encoding or settings.DEFAULT_CHARSET)
            part.set_param("method", self.calendar_method)
            return part
        return super()._create_mime_attachment(content, mimetype)


def message_id(key: str) -> str:
    domain = settings.SECRETARIAT_MAILBOX.rsplit("@", 1)[-1] or "accmsme.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


@dataclass
class SendContext:
    """What a batch of sends shares: one mail connection, zone names, the invitations of its rows."""

    now: dt.datetime
    connection: object = None
    namer: object = None
    invitations: dict | None = None  # (meeting_id, person_id) -> Invitation, when preloaded
    calendars: object = None

    def zone_namer(self):
        if self.namer is None:
            from meetings.times import ZoneNamer

            self.namer = ZoneNamer()
        return self.namer

    def personal_calendars(self):
        if self.calendars is None:
            from meetings.calendar import PersonalCalendars

            self.calendars = PersonalCalendars(self.now, self.zone_namer())
        return self.calendars


def _invitation_for(row: Notification, ctx: SendContext | None = None) -> Invitation | None:
    if row.meeting_id is None or row.person_id is None:
        return None
    if ctx is not None and ctx.invitations is not None:
        return ctx.invitations.get((row.meeting_id, row.person_id))
    return Invitation.objects.filter(meeting_id=row.meeting_id, person_id=row.person_id).first()


def _holds_request(row: Notification) -> bool:
    return row.person_id in _holders(row.meeting_id, person_id=row.person_id, exclude_pk=row.pk)


def why_not_send(
    row: Notification, now: dt.datetime, ctx: SendContext | None = None
) -> tuple[str, str] | None:
    """The last check before a row goes out: (status, note) when it must not, None when it may."""
    kind = row.kind
    if kind in PLAIN_KINDS:
        if kind == Kind.ACTION_DUE and row.object_ref.startswith("actionitem:"):
            item = ActionItem.objects.filter(pk=int(row.object_ref.split(":")[1])).first()
            if item is None or item.status in (ActionItem.Status.DONE, ActionItem.Status.DROPPED):
                return Status.SKIPPED, "action item closed"
            if item.due_date is None or not row.key.rsplit(":", 1)[-1].startswith(item.due_date.isoformat()):
                return Status.CANCELLED, "due date changed"
        elif (
            kind != Kind.ACTION_DUE
            and late_policy(kind) == "skip"
            and row.due_at < row.created_at - dt.timedelta(minutes=1)
        ):
            # Rows planned by other apps: a moment that had passed when the row was written is not sent by
            # surprise when the kind's policy says skip.
            return Status.SKIPPED, "moment had passed when planned (policy skip)"
        return None
    meeting = row.meeting
    if meeting is None:
        return Status.CANCELLED, "meeting deleted"
    if row.object_ref.startswith("agendaversion:"):
        if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED):
            return Status.CANCELLED, f"meeting {meeting.get_status_display().lower()}"
        if meeting.end <= now:
            return Status.SKIPPED, "meeting is over"
        inv = _invitation_for(row, ctx)
        if inv is None or inv.is_withdrawn:
            return Status.CANCELLED, "taken off the list"
        return None
    if row.object_ref.startswith("invitation:"):
        # A CANCEL to someone taken off the list, unless they are back on it.
        inv = _invitation_for(row, ctx)
        if inv is not None and not inv.is_withdrawn:
            return Status.CANCELLED, "back on the list"
        if not _holds_request(row):
            return Status.SKIPPED, "no invitation was sent before: nothing to take out of a calendar"
        return None
    if row.meeting_sequence != meeting.sequence:
        return Status.CANCELLED, f"superseded: meeting is now version {meeting.sequence}"
    if kind == Kind.CANCEL:
        if meeting.status not in (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED):
            return Status.CANCELLED, f"meeting is {meeting.get_status_display().lower()} again"
        if not _holds_request(row):
            return Status.SKIPPED, "no invitation was sent before: nothing to take out of a calendar"
        return None
    if meeting.status != Meeting.Status.CONFIRMED:
        return Status.CANCELLED, f"meeting is {meeting.get_status_display().lower()}"
    inv = _invitation_for(row, ctx)
    if inv is None or inv.is_withdrawn:
        return Status.CANCELLED, "taken off the list"
    if kind in REQUEST_KINDS:
        if meeting.end <= now:
            return Status.SKIPPED, "meeting is over"
        return None
    if meeting.start <= now:
        return Status.SKIPPED, "meeting already started"
    if kind == Kind.CHASER and inv.partstat != Invitation.PartStat.NEEDS_ACTION:
        return Status.SKIPPED, f"already answered ({inv.get_partstat_display().lower()})"
    if kind in (Kind.REMINDER, Kind.COMING_UP) and inv.partstat == Invitation.PartStat.DECLINED:
        return Status.SKIPPED, "declined: no reminder"
    if kind == Kind.AGENDA:
        latest = meeting.agenda_versions.order_by("-number").first()
        if latest is None:
            return Status.SKIPPED, "no agenda circulated yet"
        if Notification.objects.filter(
            key=notification_key("agenda", f"agendaversion-{latest.pk}", row.person_id, f"v{latest.number}"),
            status__in=[Status.SENT, Status.SENDING, Status.PLANNED],
        ).exists():
            return Status.SKIPPED, f"agenda version {latest.number} already circulated"
    return None


def _relative_day(meeting: Meeting, now: dt.datetime) -> str:
    zone = ZoneInfo(meeting.timezone)
    days = (meeting.start.astimezone(zone).date() - now.astimezone(zone).date()).days
    return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")


def _agenda_lines(version: AgendaVersion | None, meeting: Meeting, reader_tz: str | None, namer) -> list[str]:
    """The frozen items of a circulated agenda, with their times in host time and the reader's."""
    from meetings.times import agenda_item_time

    if version is None:
        return []
    lines = []
    items = version.items if isinstance(version.items, list) else []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            lines.append(f"{i}. {item}")
            continue
        number = item.get("number") or item.get("position") or i
        title = item.get("title", "")
        when = ""
        if item.get("starts_at"):
            try:
                starts = dt.datetime.fromisoformat(str(item["starts_at"]))
                when = agenda_item_time(starts, meeting, reader_tz, show_reader=True, namer=namer)
            except ValueError:
                when = ""
        lines.append(f"{number}. {title}" + (f" — {when}" if when else ""))
    return lines


def meeting_message(row: Notification, ctx: SendContext, *, headers: dict) -> EmailMultiAlternatives:
    """Invitation, update, cancellation, reminder, chaser or agenda: text, HTML and, for the calendar
    kinds, the ``text/calendar`` part and an ``.ics`` file with the same content."""
    from meetings import calendar as ical
    from meetings.rsvp import rsvp_links
    from meetings.times import fmt_date, meeting_times

    meeting, person, kind = row.meeting, row.person, row.kind
    namer = ctx.zone_namer()
    reader_tz = person.effective_timezone if person else None
    times = meeting_times(meeting, reader_tz, namer=namer)
    inv = _invitation_for(row, ctx)
    when = fmt_date(times.host_day)
    title = meeting.title
    method = None
    links = []
    agenda = []
    days = _key_days(row.key)
    if kind == Kind.INVITE:
        method, subject = ical.REQUEST, f"Invitation: {title}, {when}"
        intro = [f"You are invited to {title}."]
    elif kind == Kind.UPDATE:
        method, subject = ical.REQUEST, f"Updated: {title}, {when}"
        intro = [
            f"{title} has changed. Your calendar entry is updated; here is the meeting as it now stands."
        ]
    elif kind == Kind.CANCEL:
        method = ical.CANCEL
        if row.object_ref.startswith("invitation:"):
            subject = f"Removed from the list: {title}"
            intro = [f"You are no longer on the list for {title}; it is taken out of your calendar."]
        elif meeting.status == Meeting.Status.POSTPONED:
            subject = f"Postponed: {title} (new date to follow)"
            intro = [f"{title} is postponed. A new date will follow with a new invitation."]
        else:
            subject = f"Cancelled: {title}"
            intro = [f"{title} is cancelled."]
    elif kind == Kind.REMINDER:
        rel = {1: "tomorrow"}.get(days, f"in {days} days") if days else _relative_day(meeting, ctx.now)
        subject = f"Reminder: {title} {rel}"
        intro = [f"A reminder: {title} is {rel}."]
    elif kind == Kind.COMING_UP:
        rel = _relative_day(meeting, ctx.now)
        subject = f"Coming up: {title} {rel}"
        intro = [f"{title} is coming up {rel}."]
    elif kind == Kind.CHASER:
        subject = f"Please reply: {title}, {when}"
        intro = [f"We have not yet had your answer to the invitation to {title}. Please reply below."]
    elif kind == Kind.AGENDA:
        if row.object_ref.startswith("agendaversion:"):
            version = AgendaVersion.objects.filter(pk=int(row.object_ref.split(":")[1])).first()
        else:
            version = meeting.agenda_versions.order_by("-number").first()
        number = version.number if version else ""
        subject = f"Agenda: {title} (version {number})"
        intro = [f"The agenda of {title} (version {number}) is circulated."]
        agenda = _agenda_lines(version, meeting, reader_tz, namer)
    else:
        subject, intro = row.subject or title, [row.body_text]
    answerable = inv is not None and not inv.is_withdrawn and kind != Kind.CANCEL and meeting.end > ctx.now
    if answerable and (
        kind in (Kind.INVITE, Kind.UPDATE, Kind.CHASER) or inv.partstat == Invitation.PartStat.NEEDS_ACTION
    ):
        links = rsvp_links(inv)
    context = {
        "kind": kind,
        "subject": subject,
        "intro": intro,
        "person": person,
        "meeting": meeting,
        "times": times,
        "where": ical.location_text(meeting),
        "meeting_url": ical.meeting_url(meeting),
        "agenda_url": ical.agenda_url(meeting),
        "rsvp_links": links,
        "partstat": inv.get_partstat_display() if inv else "",
        "agenda": agenda,
        "calendar_attached": method is not None,
    }
    text = render_to_string("meetings/email/message.txt", context)
    html = render_to_string("meetings/email/message.html", context)
    if method is None:
        msg = EmailMultiAlternatives(
            subject,
            text,
            settings.DEFAULT_FROM_EMAIL,
            [row.recipient],
            headers=headers,
            connection=ctx.connection,
        )
        msg.attach_alternative(html, "text/html")
        return msg
    ics = ctx.personal_calendars().calendar(meeting, method=method, invitation=inv, reader_tz=reader_tz)
    msg = CalendarEmail(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [row.recipient],
        headers=headers,
        connection=ctx.connection,
    )
    msg.calendar_method = method
    msg.attach_alternative(html, "text/html")
    msg.attach_alternative(ics.decode(), "text/calendar")
    msg.attach("cancel.ics" if method == ical.CANCEL else "invite.ics", ics, "application/ics")
    return msg


def build_message(row: Notification, ctx: SendContext) -> EmailMultiAlternatives:
    """The email for one row, built now from the meeting as it stands (rows keep no copy of it)."""
    headers = {"Message-ID": message_id(row.key), "X-ACCMSME-Notification": row.key}
    if row.kind in PLAIN_KINDS or row.meeting_id is None:
        return EmailMultiAlternatives(
            subject=row.subject or "ACCMSME",
            body=row.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[row.recipient],
            headers=headers,
            connection=ctx.connection,
        )
    return meeting_message(row, ctx, headers=headers)


def claim_batch(ids: Iterable[int], now: dt.datetime) -> set[int]:
    """planned → sending, each row by exactly one worker; one transaction for the whole batch instead of
    one update per message. Rows another worker holds locked are skipped, not waited for; rows it has
    already claimed are no longer planned."""
    with transaction.atomic():
        claimed = set(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(ids), status=Status.PLANNED, due_at__lte=now)
            .values_list("pk", flat=True)
        )
        if claimed:
            Notification.objects.filter(pk__in=claimed).update(
                status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    return claimed


def claim(row_id: int, now: dt.datetime) -> bool:
    return row_id in claim_batch([row_id], now)


def _record_failure(row_id: int, attempts: int, error: str, now: dt.datetime) -> str:
    max_attempts = _setting("NOTIFY_MAX_ATTEMPTS", 5)
    if attempts >= max_attempts:
        Notification.objects.filter(pk=row_id, status=Status.SENDING).update(
            status=Status.FAILED, last_error=error[:2000], next_attempt_at=None
        )
        return Status.FAILED
    backoff = _setting("NOTIFY_RETRY_BASE_SECONDS", 60) * 2 ** (attempts - 1)
    Notification.objects.filter(pk=row_id, status=Status.SENDING).update(
        status=Status.PLANNED, last_error=error[:2000], next_attempt_at=now + dt.timedelta(seconds=backoff)
    )
    return "retry"


def send_one(row: Notification, ctx: SendContext) -> str:
    """Check, build, send, record one row this worker has claimed. Returns what happened."""
    now = ctx.now
    try:
        stale = why_not_send(row, now, ctx)
        if stale is not None:
            Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(
                status=stale[0], note=stale[1][:300]
            )
            return stale[0]
        message = build_message(row, ctx)
        ctx.connection.send_messages([message])
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row and retried
        log.warning("notification %s failed: %s", row.key, exc)
        return _record_failure(row.pk, row.attempts, f"{type(exc).__name__}: {exc}", now)
    # One update per message after it left: the line between "sent" and "send again after a crash".
    Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=now, last_error="", next_attempt_at=None
    )
    return Status.SENT


def _preload(ids: Iterable[int]) -> tuple[dict[int, Notification], dict]:
    """The batch's claimed rows with their meetings and people, and the matching invitations: two queries
    for the batch instead of several per message. Rows about one meeting share one Meeting object."""
    rows = {
        r.pk: r
        for r in Notification.objects.filter(pk__in=list(ids), status=Status.SENDING).select_related(
            "meeting__body", "meeting__host", "person__member_state"
        )
    }
    meetings: dict[int, Meeting] = {}
    for r in rows.values():
        if r.meeting_id is not None:
            r.meeting = meetings.setdefault(r.meeting_id, r.meeting)
    pairs = {(r.meeting_id, r.person_id) for r in rows.values() if r.meeting_id and r.person_id}
    invitations = {}
    if pairs:
        for inv in Invitation.objects.filter(
            meeting_id__in={m for m, _ in pairs}, person_id__in={p for _, p in pairs}
        ).select_related("person"):
            if (inv.meeting_id, inv.person_id) in pairs:
                invitations[(inv.meeting_id, inv.person_id)] = inv
    return rows, invitations


def send_batch(ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the given rows (a worker's task body): claim what is still planned, then send it one by one.
    A row not claimed here is sent, cancelled or held by another worker."""
    ids = list(ids)
    start = _now(now)
    claimed = claim_batch(ids, start)
    counts: dict[str, int] = {}
    if len(claimed) < len(ids):
        counts["not-claimed"] = len(ids) - len(claimed)
    if not claimed:
        return counts
    rows, invitations = _preload(claimed)
    connection = get_connection()
    ctx = SendContext(now=start, connection=connection, invitations=invitations)
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - mail server down: the batch goes back to planned, with backoff
        log.warning("mail connection failed for %d notifications: %s", len(rows), exc)
        for row in rows.values():
            _record_failure(row.pk, row.attempts, f"{type(exc).__name__}: {exc}", start)
        return {**counts, "retry": len(rows)}
    try:
        for row_id in ids:
            if row_id in rows:
                ctx.now = _now(now)
                outcome = send_one(rows[row_id], ctx)
                counts[outcome] = counts.get(outcome, 0) + 1
    finally:
        connection.close()
    return counts


# --- The sweep -------------------------------------------------------------------------------------------


def reclaim_stuck(*, now: dt.datetime) -> int:
    """Rows left in "sending" by a worker that died: back to planned (or failed after the last attempt)."""
    timeout = dt.timedelta(seconds=_setting("NOTIFY_CLAIM_TIMEOUT_SECONDS", 600))
    stuck = Notification.objects.filter(status=Status.SENDING, claimed_at__lt=now - timeout)
    max_attempts = _setting("NOTIFY_MAX_ATTEMPTS", 5)
    failed = stuck.filter(attempts__gte=max_attempts).update(
        status=Status.FAILED, last_error="worker lost while sending; no attempts left"
    )
    back = stuck.filter(attempts__lt=max_attempts).update(
        status=Status.PLANNED, next_attempt_at=None, last_error="worker lost while sending; retried"
    )
    return failed + back


def due_ids(*, now: dt.datetime, limit: int) -> list[int]:
    return list(
        Notification.objects.filter(status=Status.PLANNED, due_at__lte=now)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def dispatch(ids: list[int], *, now: dt.datetime | None = None) -> int:
    """Hand rows to workers in batches. A lease in ``next_attempt_at`` keeps the next sweep from handing
    them out again while they wait in the queue; if the queue loses them, the lease runs out and the
    sweep hands them out again (the claim makes a second copy harmless)."""
    from meetings.tasks import send_notifications

    if not ids:
        return 0
    batch = _setting("NOTIFY_BATCH_SIZE", 50)
    lease_until = _now(now) + dt.timedelta(seconds=_setting("NOTIFY_DISPATCH_LEASE_SECONDS", 600))
    sent = 0
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        try:
            send_notifications.apply_async(
                args=[chunk], kwargs={"now": now.isoformat() if now else None}, retry=False
            )
        except Exception as exc:  # noqa: BLE001 - broker down: the rows stay planned for the next sweep
            log.warning("could not queue %d notifications: %s", len(ids) - i, exc)
            break
        Notification.objects.filter(pk__in=chunk, status=Status.PLANNED).update(next_attempt_at=lease_until)
        sent += len(chunk)
    return sent


def meetings_to_reconcile(*, now: dt.datetime, limit: int = 20) -> list[int]:
    """Meetings whose current version was never planned, or only half (the hook after commit did not run:
    the process died, or the broker lost the planning task): confirmed and ahead with invitees but no
    REQUEST row, or no timed notices, for this version; or cancelled/postponed while someone still holds
    a REQUEST newer than any CANCEL."""
    meeting_rows = Notification.objects.filter(meeting=OuterRef("pk"), object_ref__startswith="meeting:")
    current_request = meeting_rows.filter(kind__in=REQUEST_KINDS, meeting_sequence=OuterRef("sequence"))
    invited = Invitation.objects.filter(meeting=OuterRef("pk"), is_withdrawn=False)
    confirmed = Meeting.objects.filter(status=Meeting.Status.CONFIRMED, end__gt=now).filter(
        Exists(invited), ~Exists(current_request)
    )
    last = lambda qs: Subquery(qs.order_by("-meeting_sequence").values("meeting_sequence")[:1])  # noqa: E731
    called_off = (
        Meeting.objects.filter(status__in=[Meeting.Status.CANCELLED, Meeting.Status.POSTPONED])
        .annotate(
            last_request=last(meeting_rows.filter(kind__in=REQUEST_KINDS, status=Status.SENT)),
            last_cancel=last(meeting_rows.filter(kind=Kind.CANCEL)),
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


def reconcile(*, now: dt.datetime, pass_now: bool = False) -> int:
    ids = meetings_to_reconcile(now=now)
    for meeting_id in ids:
        meeting = _load_meeting(meeting_id)
        if meeting is not None:
            meeting_plan_version(meeting=meeting, now=now if pass_now else None)
    return len(ids)


@dataclass
class SweepResult:
    reconciled: int = 0
    planned: int = 0
    reclaimed: int = 0
    dispatched: int = 0
    revoked_feeds: int = 0


def sweep(*, now: dt.datetime | None = None, pass_now: bool = False) -> SweepResult:
    """The beat job: plan what a lost hook did not, plan action-item reminders, reclaim stuck rows, hand
    out what is due."""
    from meetings.feeds import revoke_inactive_feeds

    now_ = _now(now)
    result = SweepResult()
    result.revoked_feeds = revoke_inactive_feeds()
    result.reconciled = reconcile(now=now_, pass_now=pass_now)
    result.planned = plan_action_item_reminders(now=now_)
    result.reclaimed = reclaim_stuck(now=now_)
    ids = due_ids(now=now_, limit=_setting("NOTIFY_SWEEP_LIMIT", 20000))
    result.dispatched = dispatch(ids, now=now_ if pass_now else None)
    return result
