"""Who is invited (the delegations, one person, a delegation registered by its head), who is taken off the
list, and who attended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from governance.accounts import person_of
from governance.audit import audit
from governance.models import Membership, MemberState, Person
from governance.permissions import delegation_seats, is_secretariat
from governance.services import person_save
from meetings.calendar import tasks as calendar
from meetings.models import Attendance, Invitation, Meeting
from meetings.rights import sync_meeting_rights
from meetings.selectors.meetings import can_manage, meeting_date
from meetings.selectors.participation import (
    delegation_seats_to_invite,
    delegation_states_for,
    registration_open,
)
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
    circulated = meeting.status == Status.PLANNED and meeting.agenda_versions.exists()
    if meeting.status == Status.CONFIRMED or circulated:
        # Planned: no invitation yet, but an agenda already circulated goes to them at once, as it went to
        # everyone on the list when it was circulated (docs/decisions/0045).
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
        term = chair_term_on(body_id=m.body_id, day=meeting_date(m))
        created = []
        for seat in delegation_seats_to_invite(m):
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


@dataclass(frozen=True)
class NewMember:
    """A member of a delegation who has no account: name, title (their position) and e-mail."""

    full_name: str
    title: str = ""
    email: str = ""


@dataclass
class Registration:
    """What one registration did: who was put on the list, who was there already, who was created."""

    added: list[Invitation] = field(default_factory=list)
    already_listed: list[Person] = field(default_factory=list)
    new_people: list[Person] = field(default_factory=list)

    def summary(self, *, actor=None) -> str:
        """What the page says afterwards, in words (registering yourself is "You", not "0 members")."""
        me = getattr(person_of(actor), "pk", None)

        def name(p: Person) -> str:
            return "you" if p.pk == me else p.full_name

        parts = []
        if self.added:
            names = ", ".join(name(i.person) for i in self.added)
            parts.append(f"Registered: {names[0].upper()}{names[1:]}.")
        if self.already_listed:
            names = ", ".join(name(p) for p in self.already_listed)
            verb = "are" if len(self.already_listed) > 1 or names == "you" else "is"
            parts.append(f"Already on the list: {names[0].upper()}{names[1:]} ({verb} not added again).")
        return " ".join(parts) or "Nobody was registered."


def _check_registration_open(meeting: Meeting, on: dt.date) -> None:
    _check_list_open(meeting)
    if not registration_open(meeting, on=on):
        raise ValidationError({"meeting": "The meeting is over; its delegations' registration is closed."})


def _normalised(member: NewMember) -> NewMember:
    return NewMember(
        (member.full_name or "").strip()[:200],
        (member.title or "").strip()[:200],
        (member.email or "").strip().lower(),
    )


def _member_known(member: NewMember, member_state: MemberState) -> Person | None:
    """The person already behind a name typed in (``member`` normalised): the one with that e-mail if they
    are of this delegation (so registering twice makes no twin); None when a new person is to be made."""
    if not member.full_name:
        raise ValidationError({"full_name": "Give the member's full name."})
    if member.email:
        try:
            validate_email(member.email)
        except ValidationError:
            raise ValidationError({"email": f"{member.email} is not an e-mail address."}) from None
        known = Person.objects.filter(email__iexact=member.email).order_by("pk").first()
    else:  # no e-mail: the same name in the same delegation, without an account, is the same member
        known = (
            Person.objects.filter(
                member_state=member_state, full_name__iexact=member.full_name, user__isnull=True
            )
            .order_by("pk")
            .first()
        )
    if known is not None and known.member_state_id != member_state.pk:
        raise ValidationError(
            {"email": f"{member.email} belongs to someone who is not of the delegation of {member_state}."}
        )
    return known


@dataclass
class RegistrationPlan:
    """What a registration will do, read before anything is written (its confirmation page states it):
    who goes on the list (a ``NewMember`` is a person made without an account) and who is there already."""

    meeting: Meeting
    member_state: MemberState
    to_add: list[Person | NewMember] = field(default_factory=list)
    already_listed: list[Person] = field(default_factory=list)


def delegation_registration_plan(
    *,
    meeting: Meeting,
    member_state: MemberState,
    persons: Sequence[Person] = (),
    new_members: Sequence[NewMember] = (),
    actor,
    on: dt.date,
) -> RegistrationPlan:
    """Every rule of a registration, checked without writing: only a member of the delegation for their own
    state (the Secretariat for any), someone to register, people of that state, until the meeting is held."""
    if not is_secretariat(actor) and member_state.pk not in delegation_states_for(
        actor, body=meeting.body_id, on=on
    ):
        raise PermissionDenied(f"Only a member of the delegation of {member_state} registers its delegation.")
    if not persons and not new_members:
        raise ValidationError({"persons": "Choose at least one person, or give a new member's name."})
    wrong = [p.full_name for p in persons if p.member_state_id != member_state.pk]
    if wrong:
        raise ValidationError({"persons": f"Not of the delegation of {member_state}: {', '.join(wrong)}."})
    _check_registration_open(meeting, on)
    day = meeting_date(meeting)
    if not member_state.is_member_on(day):
        raise ValidationError({"member_state": f"{member_state} is not an ASEAN member on {fmt_day(day)}."})
    people: list[Person | NewMember] = list(persons)
    for member in map(_normalised, new_members):
        people.append(_member_known(member, member_state) or member)
    live = set(
        Invitation.objects.filter(meeting=meeting, is_withdrawn=False).values_list("person_id", flat=True)
    )
    plan = RegistrationPlan(meeting=meeting, member_state=member_state)
    seen: set = set()
    for entry in people:
        key = entry.pk if isinstance(entry, Person) else (entry.full_name.lower(), entry.email)
        if key in seen:
            continue
        seen.add(key)
        if isinstance(entry, Person) and entry.pk in live:
            plan.already_listed.append(entry)
        else:
            plan.to_add.append(entry)
    return plan


def delegation_register_members(
    *,
    meeting: Meeting,
    member_state: MemberState,
    persons: Sequence[Person] = (),
    new_members: Sequence[NewMember] = (),
    actor,
    on: dt.date,
) -> Registration:
    """Any member of a delegation puts its members on the list: people already known, and members who have
    no account (a person without a user, of that state). Only their own state (the Secretariat may do it for
    any), and only until the meeting is held (``delegation_registration_plan``)."""
    result = Registration()
    with transaction.atomic():
        m = locked_meeting(meeting)
        plan = delegation_registration_plan(
            meeting=m, member_state=member_state, persons=persons, new_members=new_members, actor=actor, on=on
        )
        result.already_listed.extend(plan.already_listed)
        for entry in plan.to_add:
            if isinstance(entry, NewMember):
                person = person_save(
                    person=Person(
                        full_name=entry.full_name,
                        position=entry.title,
                        email=entry.email,
                        member_state=member_state,
                    )
                )
                result.new_people.append(person)
            else:
                person = entry
            inv = _invite(
                meeting=m,
                person=person,
                member_state=member_state,
                role=Invitation.Role.REQUIRED,
                actor=actor,
            )
            if inv:
                result.added.append(inv)
            else:
                result.already_listed.append(person)
    return result


def delegation_register(
    *, meeting: Meeting, member_state: MemberState, persons: Sequence[Person], actor, on: dt.date
) -> list[Invitation]:
    """Known people only; the invitations created (see ``delegation_register_members``)."""
    return delegation_register_members(
        meeting=meeting, member_state=member_state, persons=persons, actor=actor, on=on
    ).added


# Seniority within a delegation: head, then alternate, then the other seats; someone on the list for the
# state without a seat on the body (a guest the delegation brought) ranks last.
_SEAT_RANK = {Membership.Role.HEAD_OF_DELEGATION: 0, Membership.Role.ALTERNATE: 1}
_GUEST_RANK = 3


def invitations_withdrawable_by(
    actor, invitations: Sequence[Invitation], *, body_id: int, on: dt.date
) -> set[int]:
    """Which of ``invitations`` (of one body's meeting) ``actor`` may take off the list: the Secretariat and
    the body's managers any; a member of a delegation themselves, or a member of their own delegation ranked
    below them. So a plain delegate never removes their head of delegation, whatever office the head holds.
    Two queries whatever the list's length."""
    if is_secretariat(actor) or can_manage(actor, body_id):
        return {i.pk for i in invitations}
    states = set(delegation_states_for(actor, body=body_id, on=on))
    me = person_of(actor)
    if not states or me is None:
        return set()
    rank: dict[tuple[int, int], int] = {}
    seats = delegation_seats(on=on, body_id=body_id, member_state_id__in=states)
    for person_id, state_id, role in seats.values_list("person_id", "member_state_id", "role"):
        key = (person_id, state_id)
        rank[key] = min(rank.get(key, _GUEST_RANK), _SEAT_RANK.get(role, 2))
    return {
        i.pk
        for i in invitations
        if i.member_state_id in states
        and (
            i.person_id == me.pk
            or rank.get((me.pk, i.member_state_id), _GUEST_RANK)
            < rank.get((i.person_id, i.member_state_id), _GUEST_RANK)
        )
    }


def invitation_withdraw_check(*, invitation: Invitation, actor, on: dt.date) -> None:
    """Raises ``PermissionDenied`` unless ``invitations_withdrawable_by`` lets ``actor`` withdraw it."""
    body_id = invitation.meeting.body_id
    if invitation.pk not in invitations_withdrawable_by(actor, [invitation], body_id=body_id, on=on):
        raise PermissionDenied(
            "Only the Secretariat, the chair, or a more senior member of the same delegation may take "
            f"{invitation.person} off the list."
        )


def invitation_withdraw(*, invitation: Invitation, actor, on: dt.date) -> Invitation:
    """Take someone off the list (kept, marked withdrawn, so they get a CANCEL); who may is
    ``invitation_withdraw_check``'s rule."""
    invitation_withdraw_check(invitation=invitation, actor=actor, on=on)
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
        present = sum(1 for e in entries if e.present)
        audit(
            action="attendance",
            obj=m,
            summary=f"Attendance recorded for the {m.title}: {present} present of {len(entries)}",
            data={"people": [e.person.pk for e in entries], "present": present},
        )
    return out
