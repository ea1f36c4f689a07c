"""Participation and the record: invitations by delegation, registration by heads of delegation, withdrawal,
attendance, decisions (with ASEAN Minus X) and action items followed across meetings."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import Body, Membership, Person
from meetings import services
from meetings.models import ActionItem, Attendance, Decision, Invitation
from meetings.selectors import action_items_with_matters_arising, open_action_items_before
from tests import test_meeting_fixtures as fx
from tests.test_meeting_fixtures import make_meeting, seat, state

hooks = fx.hooks  # a shared fixture
world = fx.world  # a shared fixture

NOW = dt.datetime(2026, 5, 14, 10, tzinfo=dt.UTC)
ON = dt.date(2026, 3, 2)


def invited(meeting) -> dict[str, tuple]:
    return {
        i.person.full_name: (i.member_state.iso2 if i.member_state else None, i.role, i.is_withdrawn)
        for i in Invitation.objects.filter(meeting=meeting).select_related("person", "member_state")
    }


# --- Invitations -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delegations_follow_the_membership_on_the_meeting_date(world):
    tl = Person.objects.create(full_name="Delegate of Timor-Leste", member_state=state("TL"))
    seat(tl, world.body, "TL", start=dt.date(2025, 10, 26))
    gone = Person.objects.create(full_name="Former delegate", member_state=state("PH"))
    Membership.objects.create(
        person=gone,
        body=world.body,
        member_state=state("PH"),
        role="delegate",
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    before = make_meeting(
        world, number=20, start=dt.datetime(2025, 5, 14, 9), end=dt.datetime(2025, 5, 15, 17), host="MY"
    )
    after = make_meeting(world, number=21)
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
    planned = make_meeting(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_for_delegations(meeting=planned)
    assert hooks == []
    confirmed = make_meeting(
        world, number=22, start=dt.datetime(2026, 11, 4, 9), end=dt.datetime(2026, 11, 5, 17), confirm=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = services.invitations_for_delegations(meeting=confirmed)
    assert sorted(kw["invitation_id"] for _, kw in hooks) == sorted(i.pk for i in created)
    assert {n for n, _ in hooks} == {"invitation_added"}


@pytest.mark.django_db
def test_withdrawing_keeps_the_row_and_sends_a_cancel(world, hooks, django_capture_on_commit_callbacks):
    m = make_meeting(world, confirm=True)
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
    m = make_meeting(world)
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
    m = make_meeting(world, confirm=True)
    services.meeting_mark_held(meeting=m, now=NOW)
    with pytest.raises(ValidationError):
        services.invitation_add(meeting=m, person=world.delegate_ph.person)


# --- Attendance and the record -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_attendance_is_recorded_and_corrected(world):
    m = make_meeting(world, confirm=True)
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
    m = make_meeting(world, confirm=True)
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
    m = make_meeting(world, confirm=True)
    other = make_meeting(
        world, number=22, start=dt.datetime(2026, 11, 4, 9), end=dt.datetime(2026, 11, 5, 17)
    )
    services.agenda_item_add(meeting=m, title="Item")
    foreign = services.agenda_item_add(meeting=other, title="Elsewhere")
    with pytest.raises(ValidationError) as exc:
        services.decision_record(meeting=m, agenda_item=foreign, kind="voted", text="")
    assert set(exc.value.message_dict) == {"agenda_item", "kind", "text"}
    with pytest.raises(ValidationError):  # a planned meeting has no record yet
        services.decision_record(meeting=other, agenda_item=foreign, kind="noted", text="Noted.")
    early = make_meeting(
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
    m21 = make_meeting(world, confirm=True)
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
    m22 = make_meeting(
        world, number=22, start=dt.datetime(2026, 11, 4, 9), end=dt.datetime(2026, 11, 5, 17), confirm=True
    )
    assert list(open_action_items_before(m22)) == [a]
    assert list(open_action_items_before(m21)) == []
    services.action_item_update(
        action_item=a, status="in_progress", progress_note="First draft shared.", now=NOW
    )
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
    services.action_item_update(action_item=a, status="done", at_meeting=m22, now=NOW)
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
    with pytest.raises(ValidationError):
        services.action_item_update(action_item=a, status="open", at_meeting=seom_meeting, now=NOW)
    services.action_item_update(action_item=a, status="open", now=NOW)
    a.refresh_from_db()
    assert a.closed_at is None and a.closed_at_meeting is None and ActionItem.objects.count() == 1
