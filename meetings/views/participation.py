"""The list of participants: inviting the delegations or one person, a delegation registered by any of its
members, and taking someone off the list. Whatever puts people on the list or takes them off asks first
and names who is e-mailed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from governance.models import MemberState
from governance.permissions import is_secretariat, today_in_asean
from meetings import forms as f
from meetings.models import Invitation, Meeting
from meetings.selectors.meetings import can_manage, meeting_date
from meetings.selectors.participation import (
    delegation_seats_to_invite,
    delegation_states_for,
    registration_open,
)
from meetings.services import participation as participation_services
from meetings.views import confirmations
from meetings.views.base import CONFIRM_FIELD, ask_first, back, confirm_then, meeting_or_404


def _list_access(request, pk: int) -> tuple[Meeting, bool, dt.date, list[int]]:
    """The meeting, whether the user manages it, today, and the delegations the user sits on: the list is
    for the Secretariat, the chair and the heads of delegation."""
    meeting = meeting_or_404(request, pk)
    manage = can_manage(request.user, meeting.body_id)
    today = today_in_asean()
    heads_of = delegation_states_for(request.user, body=meeting.body_id, on=today)
    if not manage and not heads_of:
        raise PermissionDenied("Only the Secretariat, the chair and heads of delegation manage the list.")
    return meeting, manage, today, heads_of


def _delegation_form(request, meeting: Meeting, heads_of: list[int], data=None) -> f.DelegationForm:
    return f.DelegationForm(
        data,
        state_ids=heads_of
        if not is_secretariat(request.user)
        else list(MemberState.objects.members_on(meeting_date(meeting)).values_list("pk", flat=True)),
    )


def _participants_page(
    request, meeting: Meeting, manage: bool, heads_of: list[int], *, invite=None, delegation=None
):
    invitations = list(
        Invitation.objects.filter(meeting=meeting)
        .select_related("person__organisation", "member_state", "registered_by")
        .order_by("member_state__short_name", "person__full_name")
    )
    if not manage:
        invitations = [i for i in invitations if i.member_state_id in heads_of]
    return render(
        request,
        "meetings/participants.html",
        {
            "meeting": meeting,
            "manage": manage,
            "invitations": invitations,
            "invite": invite if invite is not None else f.InvitePersonForm(None),
            "delegation": delegation
            if delegation is not None
            else _delegation_form(request, meeting, heads_of),
            "heads_of": heads_of,
            "withdrawable": participation_services.invitations_withdrawable_by(
                request.user, invitations, body_id=meeting.body_id, on=today_in_asean()
            ),
            "registration_open": registration_open(meeting, on=today_in_asean()),
        },
    )


@login_required
@require_safe
def participants(request, pk: int):
    meeting, manage, _, heads_of = _list_access(request, pk)
    return _participants_page(request, meeting, manage, heads_of)


@login_required
@require_http_methods(["GET", "POST"])
def participants_invite_delegations(request, pk: int):
    """Asks first (``views.base.confirm_then``): who goes on the list, per delegation, and who is e-mailed."""
    meeting, manage, _, heads_of = _list_access(request, pk)
    if not manage:
        raise PermissionDenied("Only the Secretariat and the chair invite all delegations.")
    confirmation = confirmations.delegations_invite(meeting, delegation_seats_to_invite(meeting))

    def act() -> str:
        created = participation_services.invitations_for_delegations(meeting=meeting, actor=request.user)
        said = f"{len(created)} delegate(s) added to the list."
        if created and confirmation.mailed.startswith("This e-mails"):
            said += f" {confirmation.mailed}"
        return said

    return confirm_then(request, confirmation, act, then=back(meeting, "participants"))


@login_required
@require_POST
def participants_invite_person(request, pk: int):
    meeting, manage, _, heads_of = _list_access(request, pk)
    invite = f.InvitePersonForm(request.POST)
    if invite.is_valid():
        if not manage:
            raise PermissionDenied("Only the Secretariat and the chair invite individuals.")
        try:
            participation_services.invitation_add(
                meeting=meeting,
                person=invite.cleaned_data["person"],
                role=invite.cleaned_data["role"],
                actor=request.user,
            )
        except ValidationError as exc:
            f.apply_errors(invite, exc)
        else:
            messages.success(request, f"{invite.cleaned_data['person']} invited.")
            return back(meeting, "participants")
    return _participants_page(request, meeting, manage, heads_of, invite=invite)


REGISTRATION_FIELDS = ("member_state", "persons", "full_name", "title", "email")


@login_required
@require_POST
def participants_register_delegation(request, pk: int):
    """The form's button asks for the review (``review=yes``): a confirmation page naming who goes on the list
    and who is e-mailed, carrying the form to the POST that registers. A POST with neither is refused (400)."""
    meeting, manage, today, heads_of = _list_access(request, pk)
    delegation = _delegation_form(request, meeting, heads_of, request.POST)

    def members(cd: dict) -> dict:
        new = (
            [participation_services.NewMember(cd["full_name"], cd["title"], cd["email"])]
            if cd["full_name"] or cd["email"]
            else []
        )
        return {
            "meeting": meeting,
            "member_state": cd["member_state"],
            "persons": list(cd["persons"]),
            "new_members": new,
            "actor": request.user,
            "on": today,
        }

    checked, plan = f.form_submit(
        delegation, lambda cd: participation_services.delegation_registration_plan(**members(cd))
    )
    if checked:
        carry = {name: request.POST.getlist(name) for name in REGISTRATION_FIELDS}
        confirmation = confirmations.delegation_register(meeting, plan, carry=carry)
        if request.POST.get(CONFIRM_FIELD) != "yes":
            return ask_first(request, confirmation, refused=request.POST.get("review") != "yes")
        saved, registration = f.form_submit(
            delegation, lambda cd: participation_services.delegation_register_members(**members(cd))
        )
        if saved:
            (messages.success if registration.added else messages.info)(
                request, registration.summary(actor=request.user)
            )
            return back(meeting, "participants")
    if delegation.non_field_errors():  # e.g. registration closed: the form is no longer on the page
        messages.error(request, " ".join(delegation.non_field_errors()))
    return _participants_page(request, meeting, manage, heads_of, delegation=delegation)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_withdraw(request, pk: int, inv_pk: int):
    meeting = meeting_or_404(request, pk)
    inv = (
        Invitation.objects.filter(meeting=meeting, pk=inv_pk)
        .select_related("meeting", "person", "member_state")
        .first()
    )
    if inv is None:
        raise Http404("No such invitation")
    today = today_in_asean()
    # The rule is asked before the page is shown, so nobody is asked to confirm what they may not do.
    participation_services.invitation_withdraw_check(invitation=inv, actor=request.user, on=today)

    confirmation = confirmations.invitation_withdraw(meeting, inv)

    def act() -> str:
        participation_services.invitation_withdraw(invitation=inv, actor=request.user, on=today)
        return f"{inv.person} taken off the list. {confirmation.mailed}"

    return confirm_then(request, confirmation, act, then=back(meeting, "participants"))
