"""The record page is one form saved in one transaction: a refused save stores nothing, keeps every field as
typed and names the wrong one; an in-person meeting's attendance has no Remote column and saves."""

from __future__ import annotations

import pytest

from meetings import services
from meetings.models import ActionItem, AgendaItem, Attendance, Decision, Meeting
from tests.world.meetings import meeting_schedule
from tests.world.meetings import record_page_post as sheet


@pytest.fixture
def sec(client, world):
    client.force_login(world.sec)
    return client


@pytest.fixture
def recorded(world):
    """A confirmed in-person meeting with the delegations invited, two items and an action item."""
    m = meeting_schedule(world, confirm=True)
    services.invitations_for_delegations(meeting=m)
    first = services.agenda_item_add(meeting=m, title="Financing")
    second = services.agenda_item_add(meeting=m, title="Digitalisation")
    action = services.action_item_create(
        meeting=m, title="Pilot", owner_state=world.head_ph.person.member_state
    )
    return m, first, second, action


@pytest.mark.django_db
def test_a_refused_save_keeps_everything_typed_and_names_the_wrong_field(sec, world, recorded):
    m, first, second, action = recorded
    head, delegate = world.head_ph.person, world.delegate_ph.person
    typed = {
        f"present_{head.pk}": "on",
        f"present_{delegate.pk}": "on",
        f"minutes_{first.pk}": "Financing was discussed at length.",
        f"minutes_{second.pk}": "Digitalisation: the roadmap was welcomed.",
        f"note_{action.pk}": "Drafted",
        f"status_{action.pk}": "no-such-status",  # the one wrong field
        "d-agenda_item": first.pk,
        "d-kind": "agreed",
        "d-text": "to pilot the facility",
    }
    r = sec.post(f"/meetings/{m.pk}/record/", sheet(sec, m, **typed))
    assert r.status_code == 400
    form = r.context["form"]
    assert list(form.errors) == [f"status_{action.pk}"]
    html = r.content.decode()
    for text in (
        "Financing was discussed at length.",
        "Digitalisation: the roadmap was welcomed.",
        "Drafted",
    ):
        assert text in html
    assert "to pilot the facility" in html
    assert form[f"present_{head.pk}"].value() is True and form[f"present_{delegate.pk}"].value() is True
    # Nothing was stored.
    assert not Attendance.objects.filter(meeting=m).exists()
    assert set(AgendaItem.objects.filter(meeting=m).values_list("minutes", flat=True)) == {""}
    assert ActionItem.objects.get(pk=action.pk).progress_note == ""
    assert not Decision.objects.filter(meeting=m).exists()


@pytest.mark.django_db
def test_a_refusal_by_a_rule_rolls_back_the_rows_already_written(sec, world, recorded):
    """The new action item is refused by the service (it names no owner) after attendance, minutes and a
    decision were written in the same transaction: all rolled back, and the page says why on that form."""
    m, first, _, _ = recorded
    typed = {
        f"present_{world.head_ph.person.pk}": "on",
        f"minutes_{first.pk}": "Kept as typed",
        "d-agenda_item": first.pk,
        "d-kind": "agreed",
        "d-text": "to do something",
        "a-title": "An action without an owner",
    }
    r = sec.post(f"/meetings/{m.pk}/record/", sheet(sec, m, **typed))
    assert r.status_code == 400
    assert "Name an owner" in str(r.context["action_form"].errors)
    assert "Kept as typed" in r.content.decode() and "An action without an owner" in r.content.decode()
    assert not Attendance.objects.filter(meeting=m).exists()
    assert AgendaItem.objects.get(pk=first.pk).minutes == ""
    assert not Decision.objects.filter(meeting=m).exists()


@pytest.mark.django_db
def test_in_person_attendance_has_no_remote_column_and_saves(sec, world, recorded):
    m, first, _, _ = recorded
    assert m.modality == Meeting.Modality.IN_PERSON
    r = sec.get(f"/meetings/{m.pk}/record/")
    html = r.content.decode()
    assert ">Remote<" not in html and 'name="remote_' not in html
    people = [inv.person_id for inv, _, _ in r.context["form"].attendance_rows]
    assert len(people) == 3
    r = sec.post(f"/meetings/{m.pk}/record/", sheet(sec, m, **{f"present_{p}": "on" for p in people}))
    assert r.status_code == 302
    assert Attendance.objects.filter(meeting=m, present=True, remote=False).count() == 3


@pytest.mark.django_db
def test_a_hybrid_meetings_attendance_records_who_joined_remotely(sec, world, recorded):
    m, *_ = recorded
    Meeting.objects.filter(pk=m.pk).update(
        modality=Meeting.Modality.HYBRID, join_url="https://meet.example.org/accmsme-21"
    )
    head = world.head_ph.person
    html = sec.get(f"/meetings/{m.pk}/record/").content.decode()
    assert ">Remote<" in html
    sec.post(
        f"/meetings/{m.pk}/record/", sheet(sec, m, **{f"present_{head.pk}": "on", f"remote_{head.pk}": "on"})
    )
    row = Attendance.objects.get(meeting=m, person=head)
    assert (row.present, row.remote) == (True, True)
