"""The handover checklist is filled from the data when the handover is created (planned by the service,
by the beat, or added in the admin), and what is recorded later joins it with the beat sweep: nobody has
to press "Refresh the checklist" to see what must be passed on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from freezegun import freeze_time

from chairmanship import handovers
from chairmanship.models import Handover
from meetings.models import ActionItem
from tests.world.build import client_as
from tests.world.clock import at
from tests.world.handover import build_scenario
from tests.world.meetings import meeting_row
from tests.world.people import state


@pytest.fixture
def s(seeded, make_user):
    return build_scenario(make_user)


def record(body):
    held = meeting_row(
        body,
        start=at(2030, 5, 12, 9),
        end=at(2030, 5, 14, 17),
        title="23rd ACCMSME Meeting",
        status="held",
        sequence=0,
    )
    return ActionItem.objects.create(
        body=body,
        meeting=held,
        title="Circulate the MSME finance study",
        owner_state=state("ID"),
        due_date=dt.date(2031, 3, 1),
    )


@pytest.mark.django_db
def test_a_planned_handover_has_its_checklist_at_once_and_the_page_shows_it(s):
    record(s.body)
    s.handover.delete()
    handover = handovers.handover_plan(outgoing_term=s.outgoing, incoming_term=s.incoming)
    assert [i.kind for i in handover.items.all()] == ["action_item"]
    with freeze_time(at(2030, 12, 1, 9)):
        page = client_as(s.out_chair).get(f"/chairmanship/handovers/{handover.pk}/").content.decode()
    assert "Circulate the MSME finance study" in page and "Nothing to pass on" not in page


@pytest.mark.django_db
def test_what_is_recorded_after_planning_joins_the_checklist_with_the_sweep(s):
    assert s.handover.items.count() == 0  # planned before anything was recorded
    item = record(s.body)
    with freeze_time(at(2030, 12, 1, 9)):
        report = handovers.handovers_sweep()
    assert report.checklist_added == 1
    assert list(s.handover.items.values_list("ref_id", flat=True)) == [item.pk]
    with freeze_time(at(2030, 12, 1, 9, 10)):
        assert handovers.handovers_sweep().checklist_added == 0  # once


@pytest.mark.django_db
def test_a_handover_added_in_the_admin_gets_its_checklist(s, client):
    record(s.body)
    s.handover.delete()
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123")
    client.force_login(admin)
    r = client.post(
        "/admin/chairmanship/handover/add/",
        {
            "body": s.body.pk,
            "outgoing_term": s.outgoing.pk,
            "incoming_term": s.incoming.pk,
            "effective_date": "2031-01-01",
            "notes": "",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    handover = Handover.objects.get(incoming_term=s.incoming)
    assert [i.label for i in handover.items.all()] == [
        "Circulate the MSME finance study (Indonesia, due 1 Mar 2031)"
    ]
