"""Participation and the record: invitations by delegation, registration by heads of delegation, withdrawal,
attendance, decisions (with ASEAN Minus X) and action items followed across meetings."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from governance.models import Body, Person
from meetings import services
from meetings.models import ActionItem, Attendance, Decision
from meetings.selectors import action_items_with_matters_arising, open_action_items_before
from tests.world.meetings import meeting_schedule
from tests.world.people import state

NOW = dt.datetime(2026, 5, 14, 10, tzinfo=dt.UTC)


# --- Attendance and the record -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_attendance_is_recorded_and_corrected(world):
    m = meeting_schedule(world, confirm=True)
    p = world.delegate_ph.person
    with pytest.raises(ValidationError):  # in person only
        services.attendance_record(meeting=m, entries=[services.AttendanceEntry(person=p, remote=True)])
    services.attendance_record(meeting=m, entries=[services.AttendanceEntry(person=p)])
    services.attendance_record(meeting=m, entries=[services.AttendanceEntry(person=p, present=False)])
    row = Attendance.objects.get(meeting=m, person=p)
    assert (row.present, row.member_state.iso2) == (False, "PH")
    assert Attendance.objects.count() == 1


@pytest.mark.django_db
def test_decisions_of_every_kind_and_asean_minus_x(world):
    m = meeting_schedule(world, confirm=True)
    item = services.agenda_item_add(meeting=m, title="ASEAN MSME financing facility")
    for kind in ("agreed", "noted", "endorsed", "tasked", "deferred", "referred"):
        services.decision_record(meeting=m, agenda_item=item, kind=kind, text=f"The meeting {kind}.")
    minus_x = services.decision_record(
        meeting=m,
        agenda_item=item,
        kind="agreed",
        text="Pilot in some states.",
        participating_states=[state("PH"), state("VN"), state("ID")],
    )
    assert sorted(s.iso2 for s in minus_x.participating_states.all()) == ["ID", "PH", "VN"]
    assert list(Decision.objects.filter(meeting=m).values_list("position", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]


@pytest.mark.django_db
def test_a_bad_decision_is_refused(world):
    m = meeting_schedule(world, confirm=True)
    other = meeting_schedule(
        world, number=22, start=dt.datetime(2026, 11, 4, 9), end=dt.datetime(2026, 11, 5, 17)
    )
    services.agenda_item_add(meeting=m, title="Item")
    foreign = services.agenda_item_add(meeting=other, title="Elsewhere")
    with pytest.raises(ValidationError) as exc:
        services.decision_record(meeting=m, agenda_item=foreign, kind="voted", text="")
    assert set(exc.value.message_dict) == {"agenda_item", "kind", "text"}
    with pytest.raises(ValidationError):  # a planned meeting has no record yet
        services.decision_record(meeting=other, agenda_item=foreign, kind="noted", text="Noted.")
    early = meeting_schedule(
        world,
        number=19,
        start=dt.datetime(2025, 5, 14, 9),
        end=dt.datetime(2025, 5, 15, 17),
        host="MY",
        confirm=True,
    )
    early_item = services.agenda_item_add(meeting=early, title="Item")
    with pytest.raises(ValidationError) as exc:
        services.decision_record(
            meeting=early, agenda_item=early_item, kind="agreed", text="x", participating_states=[state("TL")]
        )
    assert "Timor-Leste" in exc.value.message_dict["participating_states"][0]
    assert Decision.objects.count() == 0


@pytest.mark.django_db
def test_action_items_are_followed_across_meetings(world):
    m21 = meeting_schedule(world, confirm=True)
    item = services.agenda_item_add(meeting=m21, title="Financing")
    decision = services.decision_record(
        meeting=m21, agenda_item=item, kind="tasked", text="Task Force A to draft."
    )
    tf_a = Body.objects.get(acronym="ACCMSME TF-A")
    a = services.action_item_create(
        meeting=m21,
        title="Draft the financing guidelines",
        owner_body=tf_a,
        decision=decision,
        due_date=dt.date(2026, 10, 1),
    )
    assert a.agenda_item == item and a.body == world.body
    with pytest.raises(ValidationError) as exc:
        services.action_item_create(meeting=m21, title="Nobody's job")
    assert "Name an owner" in exc.value.message_dict["owner"][0]
    with pytest.raises(ValidationError):
        services.action_item_create(
            meeting=m21, title="Too early", owner_state=state("PH"), due_date=dt.date(2026, 1, 1)
        )
    m22 = meeting_schedule(
        world, number=22, start=dt.datetime(2026, 11, 4, 9), end=dt.datetime(2026, 11, 5, 17), confirm=True
    )
    assert list(open_action_items_before(m22)) == [a]
    assert list(open_action_items_before(m21)) == []
    with freeze_time(NOW):
        services.action_item_update(action_item=a, status="in_progress", progress_note="First draft shared.")
    assert list(open_action_items_before(m22)) == [a]
    head_ph = Person.objects.get(full_name="Head-Ph")
    later = services.action_item_create(
        meeting=m22, title="Report back", owner_state=state("PH"), owner_person=head_ph
    )
    # The meeting page reads both lists in one query, with the titles it shows instead of the meetings.
    with CaptureQueriesContext(connection) as ctx:
        own, arising = action_items_with_matters_arising(m22)
    assert len(ctx.captured_queries) == 1
    assert (own, arising) == ([later], [a])
    assert arising[0].agreed_at == m21.title and own[0].meeting is m22
    # Owners come as the names the pages print, state first, without loading the owners.
    assert (own[0].owner_label, arising[0].owner_label) == ("Philippines Head-Ph", "ACCMSME TF-A")
    later.delete()
    with freeze_time(NOW):
        services.action_item_update(action_item=a, status="done", at_meeting=m22)
    a.refresh_from_db()
    assert (a.status, a.closed_at, a.closed_at_meeting) == ("done", NOW, m22)
    assert list(open_action_items_before(m22)) == []
    own, arising = action_items_with_matters_arising(m21)
    assert (own, arising) == ([a], [])
    assert own[0].closed_at_title == m22.title
    seom_meeting = services.meeting_create(
        body=Body.objects.get(acronym="SEOM"),
        title="SEOM 3/57",
        host=state("PH"),
        start=dt.datetime(2026, 12, 1, 9),
        end=dt.datetime(2026, 12, 1, 17),
    )
    with pytest.raises(ValidationError), freeze_time(NOW):
        services.action_item_update(action_item=a, status="open", at_meeting=seom_meeting)
    with freeze_time(NOW):
        services.action_item_update(action_item=a, status="open")
    a.refresh_from_db()
    assert a.closed_at is None and a.closed_at_meeting is None and ActionItem.objects.count() == 1
