"""Who is invited (the delegations, one person, a delegation registered by its head), who is taken off the
list, and who attended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from governance.models import Membership, MemberState, Person
from governance.permissions import is_secretariat
from meetings.calendar import tasks as calendar
from meetings.models import Attendance, Invitation, Meeting
from meetings.rights import sync_meeting_rights
from meetings.selectors.meetings import can_manage, meeting_date
from meetings.selectors.participation import delegation_states_for
from meetings.services.meetings import ANNOUNCED, chair_term_on, fmt_day, locked_meeting

Status = Meeting.Status


def _invite(
    *, meeting: Meeting, person: Person, member_state: MemberState | None, role: str, actor
) -> Invitation | None:
    """Create or revive one invitation; None if the person is already on the list."""
    inv = Invitation.objects.filter(meeting=meeting, person=person).first()
    if inv is not None and not inv.is_withdrawn:
        return None
    if inv is None:
        inv = Invitation(meeting=meeting, person=person)
    else:  # back on the list: a fresh answer is needed, and old links stay revoked
        inv.is_withdrawn = False
        inv.partstat = Invitation.PartStat.NEEDS_ACTION
        inv.responded_at = None
        inv.link_version += 1
    inv.member_state = member_state
    inv.role = role
    inv.registered_by = actor if getattr(actor, "pk", None) else None
    inv.save()
    sync_meeting_rights(meeting, person_ids=[person.pk])  # a live invitation lets them see the meeting
    if meeting.status == Status.CONFIRMED:
        calendar.invitation_added(invitation_id=inv.pk)
    return inv


def _check_list_open(meeting: Meeting) -> None:
    if meeting.status in (Status.CANCELLED, Status.HELD):
        raise ValidationError(
            {"meeting": f"The meeting is {meeting.get_status_display().lower()}; its list is closed."}
        )


def invitations_for_delegations(*, meeting: Meeting, actor=None) -> list[Invitation]:
    """Invite every current member of the body for the states that are ASEAN members on the meeting's date
    (membership is dated: Timor-Leste only from 26 Oct 2025). People already on the list are left alone,
    and someone taken off it is not put back by this."""
    with transaction.atomic():
        m = locked_meeting(meeting)
        _check_list_open(m)
        day = meeting_date(m)
        states = MemberState.objects.members_on(day)
        seats = (
            Membership.objects.filter(body_id=m.body_id, member_state__in=states, start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
            .exclude(role=Membership.Role.OBSERVER)
            .select_related("person", "member_state")
            .order_by("member_state__short_name", "person__full_name")
        )
        term = chair_term_on(body_id=m.body_id, day=day)
        listed = set(Invitation.objects.filter(meeting=m).values_list("person_id", flat=True))
        created = []
        for seat in seats:
            if seat.person_id in listed:
                continue
            listed.add(seat.person_id)
            chairs = term is not None and (
                term.chair_person_id == seat.person_id
                or (
                    term.member_state_id == seat.member_state_id
                    and seat.role == Membership.Role.HEAD_OF_DELEGATION
                )
            )
            inv = _invite(
                meeting=m,
                person=seat.person,
                member_state=seat.member_state,
                role=Invitation.Role.CHAIR if chairs else Invitation.Role.REQUIRED,
                actor=actor,
            )
            if inv:
                created.append(inv)
    return created


def invitation_add(
    *,
    meeting: Meeting,
    person: Person,
    member_state: MemberState | None = None,
    role: str = Invitation.Role.REQUIRED,
    actor=None,
) -> Invitation:
    """Put one person on the list (or back on it)."""
    if role not in Invitation.Role.values:
        raise ValidationError({"role": f"Role must be one of: {', '.join(Invitation.Role.values)}."})
    with transaction.atomic():
        m = locked_meeting(meeting)
        _check_list_open(m)
        member_state = member_state or person.member_state
        if member_state is not None and not member_state.is_member_on(meeting_date(m)):
            raise ValidationError(
                {"member_state": f"{member_state} is not an ASEAN member on {fmt_day(meeting_date(m))}."}
            )
        inv = _invite(meeting=m, person=person, member_state=member_state, role=role, actor=actor)
        if inv is None:
            raise ValidationError({"person": f"{person} is already invited."})
    return inv


def delegation_register(
    *, meeting: Meeting, member_state: MemberState, persons: Sequence[Person], actor, on: dt.date
) -> list[Invitation]:
    """A head of delegation puts the members of their state's delegation on the list (only their own state;
    the Secretariat may do it for any)."""
    if not is_secretariat(actor) and member_state.pk not in delegation_states_for(
        actor, body=meeting.body_id, on=on
    ):
        raise PermissionDenied(f"Only the head of delegation of {member_state} registers its delegation.")
    if not persons:
        raise ValidationError({"persons": "Choose at least one person."})
    wrong = [p.full_name for p in persons if p.member_state_id != member_state.pk]
    if wrong:
        raise ValidationError({"persons": f"Not of the delegation of {member_state}: {', '.join(wrong)}."})
    created = []
    with transaction.atomic():
        m = locked_meeting(meeting)
        _check_list_open(m)
        day = meeting_date(m)
        if not member_state.is_member_on(day):
            raise ValidationError(
                {"member_state": f"{member_state} is not an ASEAN member on {fmt_day(day)}."}
            )
        for person in persons:
            inv = _invite(
                meeting=m,
                person=person,
                member_state=member_state,
                role=Invitation.Role.REQUIRED,
                actor=actor,
            )
            if inv:
                created.append(inv)
    return created


def invitation_withdraw(*, invitation: Invitation, actor, on: dt.date) -> Invitation:
    """Take someone off the list (kept, marked withdrawn, so they get a CANCEL). The head of a delegation
    may withdraw members of their own delegation."""
    if not is_secretariat(actor):
        own = invitation.member_state_id in delegation_states_for(
            actor, body=invitation.meeting.body_id, on=on
        )
        if not (can_manage(actor, invitation.meeting.body_id) or own):
            raise PermissionDenied(
                "Only the Secretariat, the chair or the head of the delegation may do this."
            )
    with transaction.atomic():
        m = locked_meeting(invitation.meeting_id)
        _check_list_open(m)
        inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if inv.is_withdrawn:
            raise ValidationError({"invitation": f"{inv.person} is already off the list."})
        inv.is_withdrawn = True
        inv.link_version += 1  # revokes the RSVP links already sent
        inv.save(update_fields=["is_withdrawn", "link_version"])
        sync_meeting_rights(m, person_ids=[inv.person_id])
        if m.status in ANNOUNCED:
            calendar.invitation_withdrawn(invitation_id=inv.pk)
    return inv


@dataclass(frozen=True)
class AttendanceEntry:
    person: Person
    present: bool = True
    remote: bool = False
    member_state: MemberState | None = None


def attendance_record(*, meeting: Meeting, entries: Sequence[AttendanceEntry]) -> list[Attendance]:
    """Who was there (and who joined remotely); replaces what was recorded for these people."""
    with transaction.atomic():
        m = locked_meeting(meeting)
        if m.status not in (Status.CONFIRMED, Status.HELD):
            raise ValidationError({"meeting": "Attendance is recorded for a confirmed or held meeting."})
        if any(e.remote for e in entries if e.present) and m.modality == Meeting.Modality.IN_PERSON:
            raise ValidationError({"remote": "The meeting is in person only; nobody can attend remotely."})
        out = []
        for e in entries:
            row, _ = Attendance.objects.update_or_create(
                meeting=m,
                person=e.person,
                defaults={
                    "present": e.present,
                    "remote": e.remote and e.present,
                    "member_state": e.member_state or e.person.member_state,
                },
            )
            out.append(row)
    return out
