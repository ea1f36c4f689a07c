"""Who takes part in a meeting: invitations and registrations, seen and changed only within one's rights."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from governance.models import Person
from meetings import services
from meetings.models import Invitation
from tests.world.build import api_as, client_as, listed
from tests.world.clock import DAY
from tests.world.meetings import meeting_schedule
from tests.world.people import seat, state

NOW = dt.datetime(2026, 5, 14, 10, tzinfo=dt.UTC)
ON = DAY

ALL_ACC = {"inv_chair", "inv_head", "inv_delegate", "inv_guest"}


@pytest.mark.parametrize(
    "role, expected",
    [
        ("secretariat", ALL_ACC | {"inv_seom"}),
        ("chair", ALL_ACC),  # members of the meeting's body see who is invited (governance.permissions)
        ("head", ALL_ACC),
        ("delegate", ALL_ACC),
        ("observer", set()),
        ("seom", {"inv_seom"}),
        ("guest", {"inv_guest"}),  # invited to one meeting alone: their own invitation, not the whole list
    ],
)
def test_the_invitation_list_shows_only_what_the_user_may_see(roles, role, expected):
    names = {getattr(roles, n).pk: n for n in ALL_ACC | {"inv_seom"}}
    rows = listed(getattr(roles, role), "/api/v1/invitations/")
    assert {names[r["id"]] for r in rows} == expected
    meeting_rows = listed(getattr(roles, role), f"/api/v1/invitations/?meeting={roles.m_acc.pk}")
    assert {names[r["id"]] for r in meeting_rows} == expected - {"inv_seom"}


def test_a_guest_gets_a_404_on_another_invitees_row_and_sees_no_list_on_the_page(roles, client):
    assert api_as(roles.guest).get(f"/api/v1/invitations/{roles.inv_head.pk}/").status_code == 404
    assert api_as(roles.guest).get(f"/api/v1/invitations/{roles.inv_guest.pk}/").status_code == 200
    client.force_login(roles.guest)
    page = client.get(f"/meetings/{roles.m_acc.pk}/").content.decode()
    assert "Guest" in page and "Head" not in page.split('id="participants"')[1].split('id="decisions"')[0]


def test_a_delegate_cannot_withdraw_another_states_delegate(roles):
    client = client_as(roles.delegate)  # Indonesia
    r = client.post(f"/meetings/{roles.m_acc.pk}/participants/{roles.inv_head.pk}/withdraw/")  # Singapore's
    assert r.status_code == 403
    roles.inv_head.refresh_from_db()
    assert not roles.inv_head.is_withdrawn


def test_a_head_of_delegation_cannot_register_another_states_people(roles):
    client = client_as(roles.head)  # Singapore
    r = client.post(
        f"/meetings/{roles.m_acc.pk}/participants/delegation/",
        {"member_state": roles.id.pk, "persons": [roles.delegate.person.pk]},
    )
    assert r.status_code in (200, 403)  # refused either by the form's choices or outright
    assert not Invitation.objects.filter(
        meeting=roles.m_acc, person=roles.delegate.person, registered_by=roles.head
    ).exists()
    assert Invitation.objects.filter(meeting=roles.m_acc).count() == 4
    # Nor through another meeting's URL: the invitation id must belong to the meeting in the path.
    r = client.post(f"/meetings/{roles.m_pub.pk}/participants/{roles.inv_delegate.pk}/withdraw/")
    assert r.status_code == 404
    roles.inv_delegate.refresh_from_db()
    assert not roles.inv_delegate.is_withdrawn


def invited(meeting) -> dict[str, tuple]:
    return {
        i.person.full_name: (i.member_state.iso2 if i.member_state else None, i.role, i.is_withdrawn)
        for i in Invitation.objects.filter(meeting=meeting).select_related("person", "member_state")
    }


@pytest.mark.django_db
def test_delegations_follow_the_membership_on_the_meeting_date(world):
    tl = Person.objects.create(full_name="Delegate of Timor-Leste", member_state=state("TL"))
    seat(tl, world.body, "TL", start=dt.date(2025, 10, 26))
    gone = Person.objects.create(full_name="Former delegate", member_state=state("PH"))
    seat(gone, world.body, "PH", end=dt.date(2025, 12, 31))
    before = meeting_schedule(
        world, number=20, start=dt.datetime(2025, 5, 14, 9), end=dt.datetime(2025, 5, 15, 17), host="MY"
    )
    after = meeting_schedule(world, number=21)
    services.invitations_for_delegations(meeting=before)
    services.invitations_for_delegations(meeting=after)
    assert "Delegate of Timor-Leste" not in invited(before)  # not a member in May 2025
    assert "Former delegate" in invited(before)
    assert invited(after)["Delegate of Timor-Leste"] == ("TL", "REQ-PARTICIPANT", False)
    assert "Former delegate" not in invited(after)
    # The chair state's head of delegation chairs.
    assert invited(after)["Chair-Vn"] == ("VN", "CHAIR", False)
    assert invited(after)["Head-Ph"] == ("PH", "REQ-PARTICIPANT", False)
    # Again: nobody is added twice.
    assert services.invitations_for_delegations(meeting=after) == []


@pytest.mark.django_db
def test_invites_go_out_only_for_a_confirmed_meeting(world, hooks, django_capture_on_commit_callbacks):
    planned = meeting_schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_for_delegations(meeting=planned)
    assert hooks == []
    confirmed = meeting_schedule(
        world, number=22, start=dt.datetime(2026, 11, 4, 9), end=dt.datetime(2026, 11, 5, 17), confirm=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = services.invitations_for_delegations(meeting=confirmed)
    assert sorted(kw["invitation_id"] for _, kw in hooks) == sorted(i.pk for i in created)
    assert {n for n, _ in hooks} == {"invitation_added"}


@pytest.mark.django_db
def test_withdrawing_keeps_the_row_and_sends_a_cancel(world, hooks, django_capture_on_commit_callbacks):
    m = meeting_schedule(world, confirm=True)
    inv = services.invitation_add(meeting=m, person=world.delegate_ph.person)
    hooks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_withdraw(invitation=inv, actor=world.sec, on=ON)
    inv.refresh_from_db()
    assert inv.is_withdrawn and inv.link_version == 2
    assert hooks == [("invitation_withdrawn", {"invitation_id": inv.pk})]
    # Not brought back by inviting the delegations again; brought back when invited by name.
    services.invitations_for_delegations(meeting=m)
    assert Invitation.objects.get(pk=inv.pk).is_withdrawn
    services.invitation_add(meeting=m, person=world.delegate_ph.person)
    inv.refresh_from_db()
    assert not inv.is_withdrawn and inv.partstat == "NEEDS-ACTION" and inv.link_version == 3


@pytest.mark.django_db
def test_a_delegation_registers_only_its_own_members(world):
    m = meeting_schedule(world)
    colleague = Person.objects.create(full_name="Colleague from Manila", member_state=state("PH"))
    stranger = Person.objects.create(full_name="Official from Hanoi", member_state=state("VN"))
    created = services.delegation_register(
        meeting=m, member_state=state("PH"), persons=[colleague], actor=world.head_ph, on=ON
    )
    assert [i.person for i in created] == [colleague] and created[0].registered_by == world.head_ph
    with pytest.raises(ValidationError) as exc:
        services.delegation_register(
            meeting=m, member_state=state("PH"), persons=[stranger], actor=world.head_ph, on=ON
        )
    assert "Not of the delegation of Philippines" in exc.value.message_dict["persons"][0]
    with pytest.raises(PermissionDenied):
        services.delegation_register(
            meeting=m, member_state=state("VN"), persons=[stranger], actor=world.head_ph, on=ON
        )
    # Any member of the delegation, not only its head, edits its own registration.
    second = Person.objects.create(full_name="Second colleague from Manila", member_state=state("PH"))
    by_delegate = services.delegation_register(
        meeting=m, member_state=state("PH"), persons=[second], actor=world.delegate_ph, on=ON
    )
    assert by_delegate[0].registered_by == world.delegate_ph
    with pytest.raises(PermissionDenied):
        services.delegation_register(
            meeting=m, member_state=state("VN"), persons=[stranger], actor=world.delegate_ph, on=ON
        )
    assert Invitation.objects.filter(meeting=m).count() == 2
    # The head may take their own member off the list, not someone else's.
    services.invitation_withdraw(invitation=created[0], actor=world.head_ph, on=ON)
    other = services.invitation_add(meeting=m, person=stranger)
    with pytest.raises(PermissionDenied):
        services.invitation_withdraw(invitation=other, actor=world.head_ph, on=ON)


@pytest.mark.django_db
def test_the_list_closes_when_the_meeting_is_over(world):
    m = meeting_schedule(world, confirm=True)
    with freeze_time(NOW):
        services.meeting_mark_held(meeting=m)
    with pytest.raises(ValidationError):
        services.invitation_add(meeting=m, person=world.delegate_ph.person)
