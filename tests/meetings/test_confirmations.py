"""Every irreversible or mail-sending action of the meeting pages asks first, saying what will happen and who
is e-mailed (with counts); its POST without the confirmation is refused and changes nothing."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from governance.models import Person
from meetings import services
from meetings.models import AgendaItem, AgendaVersion, Decision, Invitation, Meeting
from meetings.selectors.audience import live_audience
from tests.world.build import client_as
from tests.world.clock import NOW, at
from tests.world.meetings import meeting_schedule
from tests.world.people import state


@pytest.fixture
def sec(client, world):
    client.force_login(world.sec)
    return client


@pytest.fixture
def listed(world):
    """A confirmed meeting with the scene's three seats invited (Viet Nam's head; the Philippines' head
    and delegate) and a draft agenda."""
    m = meeting_schedule(world, confirm=True)
    services.invitations_for_delegations(meeting=m)
    services.agenda_default_create(meeting=m)
    return m


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_the_audience_counts_people_delegations_and_the_unreachable(listed, world):
    assert str(live_audience(listed)) == "3 people in 2 delegations"
    world.delegate_ph.person.email = ""
    world.delegate_ph.person.save()
    a = live_audience(listed)
    assert (a.people, a.delegations, a.without_email) == (2, 2, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "says"),
    [
        ("cancel", "This e-mails a cancellation to 3 people in 2 delegations."),
        ("held", "Nobody is e-mailed."),
        ("postpone", "This e-mails a cancellation of the calendar entry to 3 people in 2 delegations."),
    ],
)
def test_a_status_change_asks_first_and_is_refused_unconfirmed(sec, listed, action, says):
    url = f"/meetings/{listed.pk}/{action}/"
    r = sec.get(url)
    assert r.status_code == 200 and r.context["c"].mailed == says
    assert says in r.content.decode()
    r = sec.post(url, {"pp-start": "", "pp-end": ""})
    assert r.status_code == 400
    assert any("Nothing was done" in t for t in messages_of(r))
    assert Meeting.objects.get(pk=listed.pk).status == Meeting.Status.CONFIRMED
    with freeze_time(at(2026, 5, 14, 12)):  # the second day of the meeting
        r = sec.post(url, {"pp-start": "", "pp-end": "", "confirmed": "yes"})
    assert r.status_code == 302
    expected = {"cancel": "cancelled", "postpone": "postponed", "held": "held"}[action]
    assert Meeting.objects.get(pk=listed.pk).status == expected


@pytest.mark.django_db
def test_confirming_a_meeting_names_who_is_invited(sec, world):
    m = meeting_schedule(world)
    r = sec.get(f"/meetings/{m.pk}/confirm/")
    assert r.context["c"].mailed == "Nobody is e-mailed yet: nobody is on the list."
    assert "invite the delegations" in r.context["c"].warning
    services.invitations_for_delegations(meeting=m)
    r = sec.get(f"/meetings/{m.pk}/confirm/")
    assert r.context["c"].mailed == "This e-mails a calendar invitation to 3 people in 2 delegations."
    assert sec.post(f"/meetings/{m.pk}/confirm/").status_code == 400
    assert Meeting.objects.get(pk=m.pk).status == Meeting.Status.PLANNED


@pytest.mark.django_db
@freeze_time(NOW)  # before the meeting: agendas are sent only for a meeting still ahead
def test_circulating_names_the_invitees_and_is_refused_unconfirmed(sec, listed):
    url = f"/meetings/{listed.pk}/agenda/circulate/"
    r = sec.get(url)
    assert r.context["c"].mailed == "This e-mails agenda version 1 to 3 people in 2 delegations."
    assert sec.post(url).status_code == 400
    assert not AgendaVersion.objects.filter(meeting=listed).exists()
    r = sec.post(url, {"confirmed": "yes"}, follow=True)
    assert "Agenda version 1 circulated to 3 people in 2 delegations." in messages_of(r)


@pytest.mark.django_db
@freeze_time(NOW)
def test_circulating_with_nobody_invited_warns_and_never_claims_it_reached_anyone(sec, world):
    m = meeting_schedule(world, confirm=True)
    services.agenda_default_create(meeting=m)
    url = f"/meetings/{m.pk}/agenda/circulate/"
    r = sec.get(url)
    assert "Nobody is invited to this meeting yet" in r.context["c"].warning
    assert r.context["c"].mailed == "Nobody is e-mailed."
    r = sec.post(url, {"confirmed": "yes"}, follow=True)
    [said] = messages_of(r)
    assert said.startswith("Agenda version 1 was frozen but reached no one.")
    assert "circulated" not in said
    assert AgendaVersion.objects.get(meeting=m).number == 1


@pytest.mark.django_db
def test_removing_an_agenda_item_asks_first(sec, listed):
    item = AgendaItem.objects.filter(meeting=listed).order_by("position").last()
    url = f"/meetings/{listed.pk}/agenda/items/{item.pk}/remove/"
    r = sec.get(url)
    assert r.context["c"].question.startswith("Remove item") and item.title in r.context["c"].question
    assert r.context["c"].mailed == "Nobody is e-mailed."
    assert sec.post(url).status_code == 400
    assert AgendaItem.objects.filter(pk=item.pk).exists()
    sec.post(url, {"confirmed": "yes"})
    assert not AgendaItem.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_withdrawing_names_the_one_person_mailed(sec, listed, world):
    inv = Invitation.objects.get(meeting=listed, person=world.delegate_ph.person)
    url = f"/meetings/{listed.pk}/participants/{inv.pk}/withdraw/"
    r = sec.get(url)
    assert r.context["c"].mailed == (
        f"This e-mails a cancellation of the meeting to 1 person: {inv.person} <{inv.person.email}>."
    )
    assert sec.post(url).status_code == 400
    assert not Invitation.objects.get(pk=inv.pk).is_withdrawn
    sec.post(url, {"confirmed": "yes"})
    assert Invitation.objects.get(pk=inv.pk).is_withdrawn


@pytest.mark.django_db
def test_removing_a_decision_asks_first(sec, listed):
    item = AgendaItem.objects.filter(meeting=listed).first()
    d = services.decision_record(meeting=listed, agenda_item=item, kind="agreed", text="to pilot")
    url = f"/meetings/{listed.pk}/record/decisions/delete/"
    assert sec.get(url, {"decision": d.pk}).context["c"].mailed == "Nobody is e-mailed."
    assert sec.post(url, {"decision": d.pk}).status_code == 400
    assert Decision.objects.filter(pk=d.pk).exists()
    sec.post(url, {"decision": d.pk, "confirmed": "yes"})
    assert not Decision.objects.filter(pk=d.pk).exists()


# --- Putting people on the list ------------------------------------------------------------------------


@pytest.mark.django_db
@freeze_time(NOW)
def test_inviting_all_delegations_asks_first_and_names_who_is_mailed(
    sec, world, django_capture_on_commit_callbacks
):
    m = meeting_schedule(world, confirm=True)
    services.agenda_default_create(meeting=m)
    services.agenda_circulate(meeting=m)  # circulated to nobody: newcomers get it with their invitation
    url = f"/meetings/{m.pk}/participants/delegations/"
    r = sec.get(url)
    c = r.context["c"]
    assert r.status_code == 200
    assert c.effects[0] == "3 people of 2 delegations go on the list: Philippines (2), Viet Nam (1)."
    assert c.mailed == (
        "This e-mails a calendar invitation and agenda version 1 as circulated to 3 people in 2 delegations."
    )
    assert c.mailed in r.content.decode()
    r = sec.post(url)
    assert r.status_code == 400 and any("Nothing was done" in t for t in messages_of(r))
    assert not Invitation.objects.filter(meeting=m).exists()
    with django_capture_on_commit_callbacks(execute=False):
        r = sec.post(url, {"confirmed": "yes"}, follow=True)
    assert Invitation.objects.filter(meeting=m).count() == 3
    assert f"3 delegate(s) added to the list. {c.mailed}" in messages_of(r)
    # Again: nobody is left to add, and the page says so before anything is done.
    c = sec.get(url).context["c"]
    assert c.effects[0] == "Nobody is added." and c.mailed == "Nobody is e-mailed."
    assert "already on the list" in c.warning


@pytest.mark.django_db
@freeze_time(NOW)
def test_inviting_to_a_planned_meeting_names_only_the_agenda_already_circulated(sec, world):
    m = meeting_schedule(world)
    url = f"/meetings/{m.pk}/participants/delegations/"
    assert sec.get(url).context["c"].mailed == (
        "Nobody is e-mailed now: the meeting is planned; everyone on the list is invited when it is confirmed."
    )
    services.agenda_default_create(meeting=m)
    services.agenda_circulate(meeting=m)
    assert sec.get(url).context["c"].mailed == (
        "This e-mails agenda version 1 as circulated to 3 people in 2 delegations. "
        "The calendar invitation follows when the meeting is confirmed."
    )


@pytest.mark.django_db
def test_inviting_all_delegations_is_for_the_managers_only(world):
    m = meeting_schedule(world, confirm=True)
    head = client_as(world.head_ph)
    url = f"/meetings/{m.pk}/participants/delegations/"
    assert head.get(url).status_code == 403
    assert head.post(url, {"confirmed": "yes"}).status_code == 403
    assert not Invitation.objects.filter(meeting=m).exists()


@pytest.mark.django_db
@freeze_time(NOW)  # before the meeting: registration is open
def test_registering_a_delegation_names_who_is_mailed_and_needs_confirming(world):
    m = meeting_schedule(world, confirm=True)
    services.invitation_add(meeting=m, person=world.head_ph.person)
    client = client_as(world.delegate_ph)
    url = f"/meetings/{m.pk}/participants/delegation/"
    form = {
        "member_state": state("PH").pk,
        "persons": [world.head_ph.person.pk, world.delegate_ph.person.pk],
        "full_name": "Maria Santos",
        "title": "Director",
        "email": "m.santos@dti.gov.ph",
    }
    # The form's button asks for the review: nothing is written yet.
    r = client.post(url, {**form, "review": "yes"})
    c = r.context["c"]
    me = world.delegate_ph.person
    assert r.status_code == 200
    assert c.effects == [
        f"Registered for the delegation of Philippines: {me.full_name}, Maria Santos (new, without an account).",
        f"Already on the list (not added again): {world.head_ph.person.full_name}.",
    ]
    assert c.mailed == (
        f"This e-mails a calendar invitation to {me.full_name} <{me.email}>, Maria Santos <m.santos@dti.gov.ph>."
    )
    assert not Person.objects.filter(full_name="Maria Santos").exists()
    assert Invitation.objects.filter(meeting=m).count() == 1
    # A POST that neither asks for the review nor confirms is refused and changes nothing.
    r = client.post(url, form)
    assert r.status_code == 400 and any("Nothing was done" in t for t in messages_of(r))
    assert not Person.objects.filter(full_name="Maria Santos").exists()
    # The confirmation page carries the form; its button registers.
    carried: dict[str, list[str]] = {}
    for name, value in c.hidden:
        carried.setdefault(name, []).append(value)
    assert carried["persons"] == [str(world.head_ph.person.pk), str(me.pk)]
    r = client.post(url, {**carried, "confirmed": "yes"}, follow=True)
    assert any(t.startswith("Registered: You, Maria Santos.") for t in messages_of(r))
    assert Invitation.objects.filter(meeting=m, person__full_name="Maria Santos").exists()
    assert Invitation.objects.filter(meeting=m).count() == 3


@pytest.mark.django_db
@freeze_time(NOW)
def test_a_registration_the_rules_refuse_keeps_the_form_and_asks_nothing(world):
    m = meeting_schedule(world)
    Person.objects.create(
        full_name="Official from Hanoi", email="official@mpi.gov.vn", member_state=state("VN")
    )
    r = client_as(world.delegate_ph).post(
        f"/meetings/{m.pk}/participants/delegation/",
        {
            "member_state": state("PH").pk,
            "full_name": "Someone",
            "email": "official@mpi.gov.vn",
            "review": "yes",
        },
    )
    assert r.status_code == 200 and "c" not in r.context
    form = r.context["delegation"]
    assert "not of the delegation of Philippines" in form.errors["email"][0]
    assert form["full_name"].value() == "Someone"
    assert not Invitation.objects.filter(meeting=m).exists()
