"""Every irreversible or mail-sending action of the meeting pages asks first, saying what will happen and who
is e-mailed (with counts); its POST without the confirmation is refused and changes nothing."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from meetings import services
from meetings.models import AgendaItem, AgendaVersion, Decision, Invitation, Meeting
from meetings.selectors.audience import live_audience
from tests.world.clock import NOW, at
from tests.world.meetings import meeting_schedule


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
