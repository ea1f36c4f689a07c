"""A delegation registers its members: people with an account and members who have none (name, title,
e-mail), by any member of the delegation, until the meeting is held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from governance.models import Person
from meetings import services
from meetings.models import Invitation
from tests.world.build import client_as
from tests.world.meetings import meeting_schedule
from tests.world.people import state

ON = dt.date(2026, 3, 2)  # before the meeting of 13-14 May 2026
AFTER = dt.datetime(2026, 5, 16, 3, tzinfo=dt.UTC)


def register_url(m) -> str:
    return f"/meetings/{m.pk}/participants/delegation/"


@pytest.mark.django_db
def test_a_member_without_an_account_is_registered_by_a_plain_delegate(world):
    m = meeting_schedule(world)
    with freeze_time(ON):
        r = client_as(world.delegate_ph).post(
            register_url(m),
            {
                "member_state": state("PH").pk,
                "full_name": "Maria Santos",
                "title": "Director, Bureau of SME Development",
                "email": "M.Santos@dti.gov.ph",
                "confirmed": "yes",
            },
            follow=True,
        )
    assert r.status_code == 200
    person = Person.objects.get(email="m.santos@dti.gov.ph")
    assert person.user_id is None and person.member_state == state("PH")
    assert person.full_name == "Maria Santos" and person.position == "Director, Bureau of SME Development"
    inv = Invitation.objects.get(meeting=m, person=person)
    assert inv.member_state == state("PH") and inv.registered_by == world.delegate_ph
    assert "Registered: Maria Santos." in r.content.decode()
    # Registering the same e-mail again makes no twin and says she is there already.
    with freeze_time(ON):
        again = services.delegation_register_members(
            meeting=m,
            member_state=state("PH"),
            new_members=[services.NewMember("Maria Santos", "", "m.santos@DTI.gov.ph")],
            actor=world.head_ph,
            on=ON,
        )
    assert again.added == [] and again.already_listed == [person] and again.new_people == []
    assert Person.objects.filter(email__iexact="m.santos@dti.gov.ph").count() == 1


@pytest.mark.django_db
def test_registering_yourself_says_so_and_twice_says_you_are_on_the_list(world):
    m = meeting_schedule(world)
    me = world.delegate_ph.person
    client = client_as(world.delegate_ph)
    with freeze_time(ON):
        first = client.post(
            register_url(m),
            {"member_state": state("PH").pk, "persons": [me.pk], "confirmed": "yes"},
            follow=True,
        ).content.decode()
        second = client.post(
            register_url(m),
            {"member_state": state("PH").pk, "persons": [me.pk], "confirmed": "yes"},
            follow=True,
        ).content.decode()
    assert "Registered: You." in first and "0 member(s)" not in first
    assert "Already on the list: You" in second and "Registered" not in second
    assert Invitation.objects.filter(meeting=m, person=me).count() == 1


@pytest.mark.django_db
def test_a_member_of_another_delegation_cannot_be_registered_by_e_mail(world):
    m = meeting_schedule(world)
    Person.objects.create(
        full_name="Official from Hanoi", email="official@mpi.gov.vn", member_state=state("VN")
    )
    with pytest.raises(ValidationError) as exc:
        services.delegation_register_members(
            meeting=m,
            member_state=state("PH"),
            new_members=[services.NewMember("Someone", "", "official@mpi.gov.vn")],
            actor=world.head_ph,
            on=ON,
        )
    assert "not of the delegation of Philippines" in exc.value.message_dict["email"][0]
    with pytest.raises(PermissionDenied):  # nor for another state
        services.delegation_register_members(
            meeting=m,
            member_state=state("VN"),
            new_members=[services.NewMember("New Vietnamese member")],
            actor=world.delegate_ph,
            on=ON,
        )
    assert not Invitation.objects.filter(meeting=m).exists()
    assert not Person.objects.filter(full_name="New Vietnamese member").exists()


@pytest.mark.django_db
def test_registration_is_closed_on_a_held_meeting_link_hidden_and_post_refused(world):
    m = meeting_schedule(world, confirm=True)
    client = client_as(world.delegate_ph)
    with freeze_time(ON):
        page = client.get(f"/meetings/{m.pk}/").content.decode()
    assert "Register your delegation" in page
    with freeze_time(AFTER):
        services.meeting_mark_held(meeting=m)
        client = client_as(world.delegate_ph)  # a session of that day (an idle one ends)
        page = client.get(f"/meetings/{m.pk}/").content.decode()
        listing = client.get(f"/meetings/{m.pk}/participants/").content.decode()
        r = client.post(
            register_url(m),
            {"member_state": state("PH").pk, "full_name": "Late Comer", "confirmed": "yes"},
        )
    assert "Register your delegation" not in page
    assert 'id="registration-closed"' in listing and 'id="register-delegation"' not in listing
    assert r.status_code == 200 and "its list is closed" in r.content.decode()
    assert not Person.objects.filter(full_name="Late Comer").exists()
    assert not Invitation.objects.filter(meeting=m).exists()


@pytest.mark.django_db
def test_registration_closes_after_the_last_day_even_before_anyone_marks_it_held(world):
    m = meeting_schedule(world, confirm=True)
    with pytest.raises(ValidationError) as exc:
        services.delegation_register_members(
            meeting=m,
            member_state=state("PH"),
            persons=[world.delegate_ph.person],
            actor=world.head_ph,
            on=dt.date(2026, 5, 15),
        )
    assert "registration is closed" in exc.value.messages[0]
    with freeze_time(dt.datetime(2026, 5, 15, 3, tzinfo=dt.UTC)):
        page = client_as(world.delegate_ph).get(f"/meetings/{m.pk}/").content.decode()
    assert "Register your delegation" not in page
