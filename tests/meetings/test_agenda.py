"""The agenda: a nested, ordered draft; frozen numbered versions; adoption; what changed; standing items."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from governance.models import Body
from meetings import services
from meetings.models import ActionItem, AgendaItem, AgendaVersion, Meeting, Report, Submission
from meetings.selectors import agenda_items_for, number_agenda
from tests.world.meetings import meeting_schedule
from tests.world.people import state

NOW = dt.datetime(2026, 5, 13, 3, 0, tzinfo=dt.UTC)


def numbers(meeting) -> list[tuple[str, str]]:
    return [(n.number, n.item.title) for n in number_agenda(agenda_items_for(meeting.pk))]


def structure(meeting) -> list[tuple]:
    return list(
        AgendaItem.objects.filter(meeting=meeting).order_by("pk").values_list("pk", "parent_id", "position")
    )


@pytest.fixture
def agenda(world):
    m = meeting_schedule(world, confirm=True)
    opening = services.agenda_item_add(meeting=m, title="Opening")
    reports = services.agenda_item_add(meeting=m, title="Reports of the task forces")
    tfa = services.agenda_item_add(meeting=m, title="Task Force A", parent=reports)
    tfb = services.agenda_item_add(meeting=m, title="Task Force B", parent=reports)
    other = services.agenda_item_add(meeting=m, title="Other matters")
    return m, {"opening": opening, "reports": reports, "tfa": tfa, "tfb": tfb, "other": other}


@pytest.mark.django_db
def test_items_nest_and_number(agenda):
    m, _ = agenda
    assert numbers(m) == [
        ("1", "Opening"),
        ("2", "Reports of the task forces"),
        ("2.1", "Task Force A"),
        ("2.2", "Task Force B"),
        ("3", "Other matters"),
    ]


@pytest.mark.django_db
def test_insert_at_a_position(agenda):
    m, _ = agenda
    services.agenda_item_add(meeting=m, title="Adoption of the agenda", position=1)
    assert [t for _, t in numbers(m)][:3] == [
        "Opening",
        "Adoption of the agenda",
        "Reports of the task forces",
    ]


@pytest.mark.django_db
def test_moving_an_item_under_itself_is_refused_and_nothing_moves(agenda):
    m, it = agenda
    before = structure(m)
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_move(item=it["reports"], parent=it["reports"])
    assert "cannot be moved under itself or one of its own sub-items" in exc.value.message_dict["parent"][0]
    with pytest.raises(ValidationError):
        services.agenda_item_move(item=it["reports"], parent=it["tfb"])
    assert structure(m) == before


@pytest.mark.django_db
def test_moving_carries_the_sub_items(agenda):
    m, it = agenda
    services.agenda_item_move(item=it["reports"], parent=None, position=0)
    assert numbers(m)[:3] == [
        ("1", "Reports of the task forces"),
        ("1.1", "Task Force A"),
        ("1.2", "Task Force B"),
    ]
    services.agenda_item_move(item=it["tfb"], parent=it["other"])
    assert numbers(m)[-2:] == [("3", "Other matters"), ("3.1", "Task Force B")]


@pytest.mark.django_db
def test_shift_buttons(agenda):
    m, it = agenda
    services.agenda_item_shift(item=it["tfb"], direction="up")
    assert [t for _, t in numbers(m)][2:4] == ["Task Force B", "Task Force A"]
    services.agenda_item_shift(item=it["tfb"], direction="outdent")
    assert ("3", "Task Force B") in numbers(m)
    services.agenda_item_shift(item=it["other"], direction="indent")
    assert ("3.1", "Other matters") in numbers(m)
    with pytest.raises(ValidationError):
        services.agenda_item_shift(item=it["opening"], direction="indent")
    with pytest.raises(ValidationError):
        services.agenda_item_shift(item=it["opening"], direction="outdent")


@pytest.mark.django_db
def test_nesting_stops_at_three_levels(agenda):
    m, it = agenda
    deep = services.agenda_item_add(meeting=m, title="Deep", parent=it["tfa"])
    assert ("2.1.1", "Deep") in numbers(m)
    with pytest.raises(ValidationError):
        services.agenda_item_add(meeting=m, title="Deeper", parent=deep)
    with pytest.raises(ValidationError):  # moving "Reports" (two levels) under 3 would make four
        services.agenda_item_move(item=it["reports"], parent=it["other"])


@pytest.mark.django_db
def test_reorder_needs_each_item_once(agenda):
    m, it = agenda
    services.agenda_item_reorder(meeting=m, parent=it["reports"], ordered_ids=[it["tfb"].pk, it["tfa"].pk])
    assert numbers(m)[2] == ("2.1", "Task Force B")
    with pytest.raises(ValidationError):
        services.agenda_item_reorder(meeting=m, parent=None, ordered_ids=[it["opening"].pk])


@pytest.mark.django_db
def test_an_item_with_decisions_cannot_be_removed(agenda):
    m, it = agenda
    services.decision_record(meeting=m, agenda_item=it["other"], kind="noted", text="Noted.")
    with pytest.raises(ValidationError):
        services.agenda_item_remove(item=it["other"])
    with pytest.raises(ValidationError):
        services.agenda_item_remove(item=it["reports"])  # has sub-items
    services.agenda_item_remove(item=it["opening"])
    assert numbers(m)[0] == ("1", "Reports of the task forces")


@pytest.mark.django_db
def test_circulating_freezes_a_numbered_version(agenda, hooks, django_capture_on_commit_callbacks):
    m, it = agenda
    with django_capture_on_commit_callbacks(execute=True):
        v1 = services.agenda_circulate(meeting=m)
    assert v1.number == 1 and v1.status == "circulated"
    assert [(e["number"], e["title"]) for e in v1.items] == numbers(m)
    assert hooks == [("agenda_circulated", {"version_id": v1.pk})]
    with pytest.raises(ValidationError) as exc:
        services.agenda_circulate(meeting=m)
    assert "Nothing changed since version 1" in str(exc.value)
    # Later edits start a new draft; the circulated version stays as it was.
    services.agenda_item_update(item=it["other"], data={"title": "Any other business"})
    v1.refresh_from_db()
    assert v1.items[-1]["title"] == "Other matters"
    v2 = services.agenda_circulate(meeting=m)
    assert v2.number == 2 and v2.items[-1]["title"] == "Any other business"


@pytest.mark.django_db
def test_an_empty_agenda_is_not_circulated(world):
    m = meeting_schedule(world)
    with pytest.raises(ValidationError):
        services.agenda_circulate(meeting=m)
    assert AgendaVersion.objects.count() == 0


@pytest.mark.django_db
def test_what_changed_between_versions(agenda):
    m, it = agenda
    v1 = services.agenda_circulate(meeting=m)
    services.agenda_item_add(meeting=m, title="Adoption of the agenda", position=1)
    services.agenda_item_remove(item=it["tfb"])
    services.agenda_item_update(item=it["other"], data={"purpose": "decision"})
    v2 = services.agenda_circulate(meeting=m)
    changes = {c.title: c for c in services.agenda_versions_diff(version_a=v1, version_b=v2)}
    assert (
        changes["Adoption of the agenda"].kind == "added"
        and changes["Adoption of the agenda"].number_b == "2"
    )
    assert changes["Task Force B"].kind == "removed" and changes["Task Force B"].number_a == "2.2"
    assert changes["Opening"].kind == "unchanged"
    assert "Renumbered 2 → 3" in changes["Reports of the task forces"].changes
    other = changes["Other matters"]
    assert other.kind == "changed"
    assert "Renumbered 3 → 4" in other.changes
    assert "Purpose: “For discussion” → “For decision”" in other.changes
    order = [c.title for c in services.agenda_versions_diff(version_a=v1, version_b=v2)]
    assert (
        order.index("Task Force B") == order.index("Task Force A") + 1
    )  # removed items stay where they stood


@pytest.mark.django_db
def test_adoption(agenda):
    m, it = agenda
    v1 = services.agenda_circulate(meeting=m)
    services.agenda_item_update(item=it["other"], data={"title": "AOB"})
    with pytest.raises(ValidationError) as exc, freeze_time(NOW):
        services.agenda_adopt(version=v1)
    assert "not in v1" in str(exc.value)
    v2 = services.agenda_circulate(meeting=m)
    with pytest.raises(ValidationError) as exc, freeze_time(NOW):
        services.agenda_adopt(version=v1)
    assert "latest" in str(exc.value)
    with freeze_time(NOW):
        services.agenda_adopt(version=v2)
    v2.refresh_from_db()
    assert v2.status == "adopted" and v2.adopted_at == NOW
    with pytest.raises(ValidationError):
        services.agenda_item_add(meeting=m, title="Late item")
    services.agenda_item_record_minutes(item=it["other"], minutes="Nothing was raised.")
    assert AgendaItem.objects.get(pk=it["other"].pk).minutes == "Nothing was raised."


@pytest.mark.django_db
def test_a_planned_meeting_cannot_adopt(world):
    m = meeting_schedule(world)
    services.agenda_item_add(meeting=m, title="Opening")
    v = services.agenda_circulate(meeting=m)
    with pytest.raises(ValidationError), freeze_time(NOW):
        services.agenda_adopt(version=v)


@pytest.mark.django_db
def test_standing_items(world):
    w = world
    previous = meeting_schedule(
        w, number=20, start=dt.datetime(2025, 11, 12, 9), end=dt.datetime(2025, 11, 13, 17)
    )
    services.meeting_confirm(meeting=previous)
    services.action_item_create(
        meeting=previous, title="Circulate the MSME finance survey", owner_state=state("PH")
    )
    done = services.action_item_create(meeting=previous, title="Done already", owner_state=state("ID"))
    with freeze_time(NOW):
        services.action_item_update(action_item=done, status="done")
    seom = Body.objects.get(acronym="SEOM")
    aem = Body.objects.get(acronym="AEM")
    seom1 = services.meeting_create(
        body=seom,
        title="SEOM 1/57",
        host=state("PH"),
        start=dt.datetime(2026, 1, 20, 9),
        end=dt.datetime(2026, 1, 22, 17),
    )
    services.meeting_create(
        body=aem,
        title="32nd AEM Retreat",
        host=state("PH"),
        start=dt.datetime(2026, 3, 3, 9),
        end=dt.datetime(2026, 3, 3, 17),
    )
    report = Report.objects.create(meeting=previous, title="Report of the 20th ACCMSME Meeting")
    Submission.objects.create(
        report=report,
        from_body=w.body,
        to_body=seom,
        submitted_on=dt.date(2025, 12, 1),
        status="endorsed",
        outcome="SEOM endorsed the MSME roadmap.",
        outcome_on=dt.date(2026, 1, 21),
        considered_at=seom1,
    )
    m = meeting_schedule(w, number=21)
    services.agenda_default_create(meeting=m)
    got = numbers(m)
    assert got == [
        ("1", "Opening of the meeting"),
        ("2", "Adoption of the agenda"),
        ("3", "Matters arising from the 20th ACCMSME Meeting"),
        ("4", "Matters arising from SEOM and AEM meetings"),
        ("4.1", "Outcomes of the SEOM 1/57"),
        ("4.2", "Outcomes of the 32nd AEM Retreat"),
        ("5", "Other matters"),
        ("6", "Date and venue of the next meeting"),
        ("7", "Adoption of the report of the meeting"),
    ]
    arising = AgendaItem.objects.get(meeting=m, standing_key="previous")
    assert "Circulate the MSME finance survey — Philippines" in arising.description
    assert "Done already" not in arising.description
    assert (
        "SEOM endorsed the MSME roadmap."
        in AgendaItem.objects.get(meeting=m, title="Outcomes of the SEOM 1/57").description
    )
    # Refreshing updates in place: no second copy.
    count = AgendaItem.objects.filter(meeting=m).count()
    services.agenda_standing_items_add(meeting=m)
    assert AgendaItem.objects.filter(meeting=m).count() == count
    assert Meeting.objects.get(pk=m.pk).previous_id == previous.pk
    assert ActionItem.objects.filter(body=w.body, status="open").count() == 1


@pytest.mark.django_db
def test_a_timed_item_is_read_at_the_venue_and_kept_within_the_meeting(world):
    import zoneinfo

    m = meeting_schedule(world)  # Hanoi, 13-14 May 2026
    item = services.agenda_item_add(meeting=m, title="Opening", starts_at=dt.datetime(2026, 5, 13, 9, 30))
    assert item.starts_at == dt.datetime(2026, 5, 13, 9, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_update(item=item, data={"starts_at": dt.datetime(2026, 5, 15, 9, 0)})
    assert "outside the meeting" in exc.value.message_dict["starts_at"][0]
    item.refresh_from_db()
    assert item.starts_at.astimezone(dt.UTC).hour == 2
