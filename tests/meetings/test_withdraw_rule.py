"""Who may take whom off a meeting's list, the same on the page and through the API: within a delegation only
downwards (head, then alternate, then the other seats) or oneself; a plain delegate never removes their head
of delegation, even when the head is the sitting chair."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from meetings import services
from meetings.models import Invitation
from meetings.services import participation
from tests.world.build import api_as, client_as
from tests.world.clock import DAY
from tests.world.meetings import meeting_schedule


@pytest.fixture
def listed(world):
    m = meeting_schedule(world, confirm=True)
    services.invitations_for_delegations(meeting=m)
    head = Invitation.objects.get(meeting=m, person=world.head_ph.person)
    delegate = Invitation.objects.get(meeting=m, person=world.delegate_ph.person)
    chair = Invitation.objects.get(meeting=m, person=world.chair.person)
    return m, head, delegate, chair


@pytest.mark.django_db
def test_a_plain_delegate_cannot_withdraw_their_head_of_delegation(world, listed):
    m, head, _, _ = listed
    with pytest.raises(PermissionDenied):
        services.invitation_withdraw(invitation=head, actor=world.delegate_ph, on=DAY)
    page = client_as(world.delegate_ph)
    url = f"/meetings/{m.pk}/participants/{head.pk}/withdraw/"
    assert page.get(url).status_code == 403  # not even asked to confirm
    assert page.post(url, {"confirmed": "yes"}).status_code == 403
    assert api_as(world.delegate_ph).post(f"/api/v1/invitations/{head.pk}/withdraw/").status_code == 403
    assert not Invitation.objects.get(pk=head.pk).is_withdrawn
    # The participants page offers them no such button.
    html = page.get(f"/meetings/{m.pk}/participants/").content.decode()
    assert f"/participants/{head.pk}/withdraw/" not in html


@pytest.mark.django_db
def test_the_head_withdraws_a_member_and_a_delegate_withdraws_themselves(world, listed):
    m, head, delegate, _ = listed
    mine = client_as(world.delegate_ph).get(f"/meetings/{m.pk}/participants/").context["withdrawable"]
    assert mine == {delegate.pk}
    theirs = client_as(world.head_ph).get(f"/meetings/{m.pk}/participants/").context["withdrawable"]
    assert theirs == {head.pk, delegate.pk}  # their own delegation only; Viet Nam's chair is not theirs
    r = client_as(world.head_ph).post(
        f"/meetings/{m.pk}/participants/{delegate.pk}/withdraw/", {"confirmed": "yes"}
    )
    assert r.status_code == 302 and Invitation.objects.get(pk=delegate.pk).is_withdrawn


@pytest.mark.django_db
def test_the_secretariat_and_the_chair_withdraw_anyone(world, listed):
    _, head, delegate, chair = listed
    for actor in (world.sec, world.chair):
        allowed = participation.invitations_withdrawable_by(
            actor, [head, delegate, chair], body_id=world.body.pk, on=DAY
        )
        assert allowed == {head.pk, delegate.pk, chair.pk}
