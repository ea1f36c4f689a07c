"""What each irreversible or mail-sending action of the meeting pages says before it runs: what happens and
who is e-mailed, with the counts read by ``meetings.selectors.audience``. The rules of who is mailed are
the calendar side's (``meetings.calendar``): a meeting's messages go to everyone still on its list, and only
once the meeting has been announced (confirmed or postponed)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from governance.models import Membership
from meetings.models import AgendaItem, AgendaVersion, Invitation, Meeting
from meetings.selectors.audience import Audience, audience_of, live_audience
from meetings.services.meetings import ANNOUNCED
from meetings.services.participation import NewMember, RegistrationPlan
from meetings.views.base import Confirmation

Status = Meeting.Status


def _unreachable(audience: Audience) -> str:
    if not audience.without_email:
        return ""
    n = audience.without_email
    return f" {n} {'person' if n == 1 else 'people'} on the list {'has' if n == 1 else 'have'} no e-mail address."


def _edit_url(meeting: Meeting) -> str:
    return reverse("meetings:edit", args=[meeting.pk])


def meeting_confirm(meeting: Meeting) -> Confirmation:
    audience = live_audience(meeting)
    return Confirmation(
        question=f"Confirm the {meeting.title} and invite?",
        effects=["The meeting becomes confirmed; everyone added to the list later is invited at once."],
        mailed=(
            f"This e-mails a calendar invitation to {audience}."
            if audience.people
            else "Nobody is e-mailed yet: nobody is on the list."
        )
        + _unreachable(audience),
        warning=""
        if audience.people
        else "Nobody is invited yet: invite the delegations on the participants page.",
        button="Confirm and invite",
        back_url=_edit_url(meeting),
        danger=False,
    )


def meeting_cancel(meeting: Meeting) -> Confirmation:
    audience = live_audience(meeting)
    told = meeting.status in ANNOUNCED and audience.people
    return Confirmation(
        question=f"Cancel the {meeting.title}?",
        effects=["The meeting is marked cancelled and its list closes. This cannot be undone."],
        mailed=(
            f"This e-mails a cancellation to {audience}."
            if told
            else "Nobody is e-mailed: the meeting was never announced to anyone."
        )
        + (_unreachable(audience) if told else ""),
        button="Cancel the meeting",
        back_url=_edit_url(meeting),
    )


def meeting_held(meeting: Meeting) -> Confirmation:
    return Confirmation(
        question=f"Record the {meeting.title} as held?",
        effects=[
            "The meeting is recorded as having taken place; this cannot be undone.",
            "Its list of participants closes; attendance, minutes and the report are recorded afterwards.",
        ],
        mailed="Nobody is e-mailed.",
        button="Mark as held",
        back_url=_edit_url(meeting),
    )


def meeting_postpone(meeting: Meeting, *, new_dates: str, carry: dict[str, str]) -> Confirmation:
    audience = live_audience(meeting)
    told = meeting.status in ANNOUNCED and audience.people
    if new_dates:
        effect, what = f"The meeting moves to {new_dates}.", "an updated invitation"
    else:
        effect, what = "The meeting is postponed without a new date.", "a cancellation of the calendar entry"
    return Confirmation(
        question=f"Postpone the {meeting.title}?",
        effects=[effect],
        mailed=(
            f"This e-mails {what} to {audience}."
            if told
            else "Nobody is e-mailed: the meeting was not announced."
        )
        + (_unreachable(audience) if told else ""),
        button="Postpone",
        back_url=_edit_url(meeting),
        carry=carry,
    )


def agenda_circulate(meeting: Meeting, *, next_number: int) -> Confirmation:
    audience = live_audience(meeting)
    # The calendar side sends an agenda to the list of a planned or confirmed meeting that is still ahead.
    if meeting.end <= timezone.now():
        warning = "The meeting is over: this version is kept on record and sent to no one."
    elif meeting.status not in (Status.PLANNED, Status.CONFIRMED):
        warning = f"The meeting is {meeting.get_status_display().lower()}: this version is sent to no one."
    elif not audience.people:
        warning = (
            "Nobody is invited to this meeting yet, so this version reaches no one. "
            "Invite the delegations on the participants page first."
        )
    else:
        warning = ""
    return Confirmation(
        question=f"Circulate the agenda as version {next_number}?",
        effects=[f"The draft is frozen as version {next_number}; later changes become a new draft."],
        mailed=(
            f"This e-mails agenda version {next_number} to {audience}."
            if not warning
            else "Nobody is e-mailed."
        )
        + ("" if warning else _unreachable(audience)),
        warning=warning,
        reach="" if warning else str(audience),
        button=f"Circulate version {next_number}",
        back_url=reverse("meetings:agenda", args=[meeting.pk]),
        danger=False,
    )


def agenda_item_remove(meeting: Meeting, item: AgendaItem, *, number: str) -> Confirmation:
    return Confirmation(
        question=f"Remove item {number} “{item.title}”?",
        effects=[
            "The item and its description are deleted from the draft agenda; the items after it are renumbered.",
            "Versions already circulated keep it; the next version shows it as removed.",
        ],
        mailed="Nobody is e-mailed.",
        button="Remove the item",
        back_url=reverse("meetings:agenda", args=[meeting.pk]),
    )


def invitation_withdraw(meeting: Meeting, inv: Invitation) -> Confirmation:
    delegation = f" ({inv.member_state})" if inv.member_state_id else ""
    told = meeting.status in ANNOUNCED
    if told and inv.person.email:
        mailed = f"This e-mails a cancellation of the meeting to 1 person: {inv.person} <{inv.person.email}>."
    elif told:
        mailed = f"Nobody is e-mailed: {inv.person} has no e-mail address on record."
    else:
        mailed = "Nobody is e-mailed: the meeting has not been announced yet."
    return Confirmation(
        question=f"Take {inv.person}{delegation} off the list of the {meeting.title}?",
        effects=[
            f"{inv.person} is no longer invited; the entry stays on the list, marked withdrawn.",
            "The RSVP links already sent to them stop working.",
        ],
        mailed=mailed,
        button="Take off the list",
        back_url=reverse("meetings:participants", args=[meeting.pk]),
    )


# --- Putting people on the list -----------------------------------------------------------------------
# Someone added to a confirmed meeting's list is invited at once (``meetings.calendar``: a calendar
# invitation, with the agenda already circulated while the meeting is ahead); added to a planned one, they
# get only the circulated agenda at once (docs/decisions/0045) and the invitation when it is confirmed.


def _circulated_agenda(meeting: Meeting) -> int | None:
    """The number of the agenda version a newcomer is sent at once, if any."""
    if meeting.status not in (Status.PLANNED, Status.CONFIRMED) or meeting.end <= timezone.now():
        return None
    return (
        AgendaVersion.objects.filter(meeting=meeting)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )


def _newcomers_mailed(meeting: Meeting, audience: Audience, names: str = "") -> str:
    agenda = _circulated_agenda(meeting)
    if meeting.status == Status.CONFIRMED:
        what, after = "a calendar invitation", ""
        if agenda:
            what += f" and agenda version {agenda} as circulated"
    elif meeting.status == Status.PLANNED and agenda:
        what, after = (
            f"agenda version {agenda} as circulated",
            " The calendar invitation follows when the meeting is confirmed.",
        )
    elif meeting.status == Status.PLANNED:
        return "Nobody is e-mailed now: the meeting is planned; everyone on the list is invited when it is confirmed."
    else:
        return f"Nobody is e-mailed: the meeting is {meeting.get_status_display().lower()}."
    if not audience.people:
        return "Nobody is e-mailed: nobody added has an e-mail address."
    return f"This e-mails {what} to {names or audience}.{after}" + _unreachable(audience)


def delegations_invite(meeting: Meeting, seats: list[Membership]) -> Confirmation:
    per_state: dict[str, int] = {}
    for seat in seats:
        per_state[str(seat.member_state)] = per_state.get(str(seat.member_state), 0) + 1
    audience = audience_of((seat.member_state_id, seat.person.email) for seat in seats)
    n = len(seats)
    added = (
        f"{n} {'person' if n == 1 else 'people'} of {len(per_state)} "
        f"delegation{'s' if len(per_state) != 1 else ''} go on the list: "
        + ", ".join(f"{state} ({count})" for state, count in per_state.items())
        + "."
    )
    return Confirmation(
        question=f"Invite all delegations to the {meeting.title}?",
        effects=[
            added if n else "Nobody is added.",
            "People already on the list, or taken off it, are left as they are.",
        ],
        mailed=_newcomers_mailed(meeting, audience) if n else "Nobody is e-mailed.",
        warning=f"The meeting is {meeting.get_status_display().lower()}; its list is closed."
        if meeting.status in (Status.CANCELLED, Status.HELD)
        else ""
        if n
        else f"Every current member of {meeting.body} is already on the list (or was taken off it).",
        reach=str(audience),
        button="Invite all delegations",
        back_url=reverse("meetings:participants", args=[meeting.pk]),
        danger=False,
    )


def delegation_register(meeting: Meeting, plan: RegistrationPlan, *, carry: dict) -> Confirmation:
    def label(entry) -> str:
        if isinstance(entry, NewMember):
            return f"{entry.full_name} (new, without an account)"
        return entry.full_name

    state_id = plan.member_state.pk
    audience = audience_of((state_id, e.email) for e in plan.to_add)
    with_email = [e for e in plan.to_add if e.email]
    names = ", ".join(f"{e.full_name} <{e.email}>" for e in with_email)
    effects = []
    if plan.to_add:
        effects.append(
            f"Registered for the delegation of {plan.member_state}: "
            + ", ".join(label(e) for e in plan.to_add)
            + "."
        )
    if plan.already_listed:
        effects.append(
            "Already on the list (not added again): "
            + ", ".join(p.full_name for p in plan.already_listed)
            + "."
        )
    return Confirmation(
        question=f"Register {len(plan.to_add)} member{'s' if len(plan.to_add) != 1 else ''} of the "
        f"delegation of {plan.member_state} for the {meeting.title}?",
        effects=effects,
        mailed=_newcomers_mailed(meeting, audience, names) if plan.to_add else "Nobody is e-mailed.",
        warning="" if plan.to_add else "Everyone chosen is already on the list: nobody is added.",
        button="Register",
        back_url=reverse("meetings:participants", args=[meeting.pk]),
        carry=carry,
        danger=False,
    )
