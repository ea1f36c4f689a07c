"""The year's meetings, each meeting's life (sequence and calendar hooks) and conflicts."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from chairmanship.models import ChairTerm
from meetings import services
from meetings.models import Invitation, Meeting
from meetings.selectors import linked_meetings
from tests.world.meetings import meeting_schedule
from tests.world.people import state

MANILA = zoneinfo.ZoneInfo("Asia/Manila")
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def chair(w, iso2: str, year: int, provisional: bool = False) -> ChairTerm:
    return ChairTerm.objects.create(
        body=w.body,
        member_state=state(iso2),
        start_date=dt.date(year, 1, 1),
        end_date=dt.date(year, 12, 31),
        is_provisional=provisional,
        reason="forecast from the rotation" if provisional else "",
    )


# --- Proposing a year ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_proposal_numbers_from_the_last_recorded_meeting_hosted_by_the_chair(world):
    w = world
    chair(w, "PH", 2027)
    meeting_schedule(w, number=21)
    meeting_schedule(w, number=22, start=dt.datetime(2026, 11, 11, 9), end=dt.datetime(2026, 11, 12, 17))
    proposals = services.meeting_year_propose(body=w.body, year=2027)
    main = [p for p in proposals if not p.is_preparatory]
    assert [p.number for p in main] == [23, 24]
    assert [p.title for p in main] == ["23rd ACCMSME Meeting", "24th ACCMSME Meeting"]
    assert [p.start.month <= 6 for p in main] == [True, False]  # one in each half
    assert all(p.host == state("PH") and p.timezone == "Asia/Manila" and p.city == "Manila" for p in main)
    # The pattern of the year before is repeated (same weekday, 52 weeks later), at the host's local time.
    assert main[0].start.date() == dt.date(2026, 5, 13) + dt.timedelta(weeks=52)
    assert main[0].start.astimezone(MANILA).time() == dt.time(9, 0)
    assert not any(p.warnings for p in main)
    assert Meeting.objects.filter(start__year=2027).count() == 0  # nothing saved


@pytest.mark.django_db
def test_task_forces_meet_on_the_working_days_just_before(world):
    chair(world, "PH", 2027)
    proposals = services.meeting_year_propose(body=world.body, year=2027)
    first = next(p for p in proposals if not p.is_preparatory)
    prep = [p for p in proposals if p.prepares_for_key == first.key]
    assert [p.body.acronym for p in prep] == ["ACCMSME TF-A", "ACCMSME TF-B"]
    assert [p.title for p in prep] == [
        "ACCMSME Task Force A Meeting 1/2027",
        "ACCMSME Task Force B Meeting 1/2027",
    ]
    days = [p.start.astimezone(MANILA).date() for p in prep]
    assert days[-1] < first.start.astimezone(MANILA).date()
    assert all(d.weekday() < 5 for d in days) and days[0] < days[1]
    assert (first.start.astimezone(MANILA).date() - days[-1]).days <= 3


@pytest.mark.django_db
def test_a_gap_in_the_record_is_pointed_out_not_recomputed(world):
    """Only the 17th (May 2024) is on record: the proposal says 18th and warns that the cadence says 21st."""
    ChairTerm.objects.filter(member_state=state("VN")).delete()
    chair(world, "PH", 2026)
    proposals = services.meeting_year_propose(body=world.body, year=2026)
    first = next(p for p in proposals if not p.is_preparatory)
    assert first.number == 18
    # No well-dated meeting in the last two years to repeat: the second Wednesday of May, 09:00 in Manila.
    assert first.start == dt.datetime(2026, 5, 13, 9, 0, tzinfo=MANILA)
    assert any("21st" in w and "17th ACCMSME Meeting" in w for w in first.warnings)
    assert Meeting.objects.get(series=world.series, number=17).title == "17th ACCMSME Meeting"


@pytest.mark.django_db
def test_no_chair_term_leaves_the_host_open_with_a_warning(world):
    proposals = services.meeting_year_propose(body=world.body, year=2030)
    first = next(p for p in proposals if not p.is_preparatory)
    assert first.host is None
    assert any("No chair term" in w for w in first.warnings)


@pytest.mark.django_db
def test_a_provisional_chair_is_flagged(world):
    chair(world, "SG", 2027, provisional=True)
    first = services.meeting_year_propose(body=world.body, year=2027)[0]
    assert first.host == state("SG")
    assert any("provisional" in w for w in first.warnings)


@pytest.mark.django_db
def test_a_half_already_scheduled_is_not_proposed_again(world):
    meeting_schedule(world, number=21)
    main = [p for p in services.meeting_year_propose(body=world.body, year=2026) if not p.is_preparatory]
    assert len(main) == 1 and main[0].number == 22 and main[0].start.month > 6


@pytest.mark.django_db
def test_confirming_proposals_stores_them_with_their_links(world):
    chair(world, "PH", 2027)
    proposals = services.meeting_year_propose(body=world.body, year=2027)
    created = services.meeting_year_confirm(proposals=proposals)
    assert len(created) == 6
    main = Meeting.objects.get(series=world.series, number=18)
    assert main.status == Meeting.Status.PLANNED
    assert sorted(m.body.acronym for m in main.preparatory_meetings.all()) == ["ACCMSME TF-A", "ACCMSME TF-B"]
    # The meeting page lists them (to whoever may see them) and, on each, the meeting it prepares for.
    secretariat, outsider = world.sec, world.outsider  # the outsider sits on no ACCMSME body
    preparatory = linked_meetings(main, secretariat)
    assert preparatory == sorted(main.preparatory_meetings.all(), key=lambda m: m.start)
    assert linked_meetings(main, outsider) == []
    tf_meeting = Meeting.objects.get(pk=preparatory[0].pk)
    assert linked_meetings(tf_meeting, outsider) == []
    assert tf_meeting.prepares_for is None  # a meeting the reader may not see is not named (0042)
    tf_meeting = Meeting.objects.get(pk=preparatory[0].pk)
    assert linked_meetings(tf_meeting, secretariat) == []
    with CaptureQueriesContext(connection) as ctx:
        title = tf_meeting.prepares_for.title  # loaded with the back-to-back list
    assert title == main.title and not ctx.captured_queries


@pytest.mark.django_db
def test_confirming_is_all_or_nothing(world):
    meeting_schedule(world, number=21)
    proposals = services.meeting_year_propose(body=world.body, year=2027)
    proposals[-1].number = 21  # a number already recorded
    proposals[-1].series = world.series
    proposals[-1].body = world.body
    before = Meeting.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.meeting_year_confirm(proposals=proposals)
    assert "already recorded" in str(exc.value)
    assert Meeting.objects.count() == before


# --- Creating and changing meetings ------------------------------------------------------------------------


@pytest.mark.django_db
def test_naive_times_are_local_at_the_venue_and_the_zone_defaults_to_the_host_capital(world):
    m = meeting_schedule(world, host="PH")
    assert m.timezone == "Asia/Manila"
    assert m.start == dt.datetime(2026, 5, 13, 9, 0, tzinfo=MANILA)
    assert m.start.astimezone(dt.UTC).hour == 1
    assert m.title == "21st ACCMSME Meeting"
    assert m.uid and m.sequence == 0


@pytest.mark.django_db
def test_a_meeting_across_the_date_line_of_utc_keeps_its_local_day(world):
    """Dili is UTC+9: a 08:00 start there is the day before in UTC."""
    m = services.meeting_create(
        body=world.body,
        series=world.series,
        number=21,
        start=dt.datetime(2026, 5, 13, 8, 0),
        end=dt.datetime(2026, 5, 13, 12, 0),
        host=state("TL"),
    )
    assert m.start.astimezone(dt.UTC).date() == dt.date(2026, 5, 12)
    from meetings.selectors import meeting_date

    assert meeting_date(m) == dt.date(2026, 5, 13)


@pytest.mark.django_db
def test_end_before_start_is_refused_and_nothing_is_stored(world):
    before = Meeting.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            body=world.body,
            series=world.series,
            number=21,
            host=state("VN"),
            start=dt.datetime(2026, 5, 14, 9),
            end=dt.datetime(2026, 5, 13, 17),
        )
    assert "cannot end before it starts" in exc.value.message_dict["end"][0]
    assert Meeting.objects.count() == before


@pytest.mark.django_db
def test_an_unknown_time_zone_is_refused_and_nothing_is_stored(world):
    before = Meeting.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            body=world.body,
            series=world.series,
            number=21,
            timezone_name="Asia/Atlantis",
            start=dt.datetime(2026, 5, 13, 9),
            end=dt.datetime(2026, 5, 13, 17),
        )
    assert "“Asia/Atlantis” is not an IANA time zone" in exc.value.message_dict["timezone"][0]
    assert Meeting.objects.count() == before


@pytest.mark.django_db
def test_a_recorded_number_is_never_reused(world):
    with pytest.raises(ValidationError) as exc:
        meeting_schedule(world, number=17)
    assert "17th" in exc.value.message_dict["number"][0]


@pytest.mark.django_db
def test_a_host_before_its_admission_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        meeting_schedule(
            world, host="TL", start=dt.datetime(2025, 5, 13, 9), end=dt.datetime(2025, 5, 14, 17)
        )
    assert "not an ASEAN member" in exc.value.message_dict["host"][0]


@pytest.mark.django_db
def test_a_hybrid_meeting_needs_a_join_link(world):
    m = meeting_schedule(world)
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(meeting=m, data={"modality": "hybrid"})
    assert "join_url" in exc.value.message_dict
    m.refresh_from_db()
    assert m.modality == "in_person" and m.sequence == 0


@pytest.mark.django_db
def test_a_bad_change_leaves_the_meeting_as_it_was(world, hooks, django_capture_on_commit_callbacks):
    m = meeting_schedule(world, confirm=True)
    stored = Meeting.objects.values().get(pk=m.pk)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.meeting_update(meeting=m, data={"end": dt.datetime(2026, 5, 12, 17), "city": "Hanoi"})
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.meeting_update(meeting=m, data={"timezone": "Mars/Olympus_Mons"})
    assert Meeting.objects.values().get(pk=m.pk) == stored
    assert hooks == []


@pytest.mark.django_db
def test_moving_a_confirmed_meeting_raises_the_sequence_and_tells_invitees(
    world, hooks, django_capture_on_commit_callbacks
):
    m = meeting_schedule(world, confirm=True)
    assert m.sequence == 1
    with django_capture_on_commit_callbacks(execute=True):
        m = services.meeting_update(
            meeting=m, data={"start": dt.datetime(2026, 5, 20, 9), "end": dt.datetime(2026, 5, 21, 17)}
        )
    assert m.sequence == 2
    assert hooks == [("meeting_version_changed", {"meeting_id": m.pk})]
    assert Meeting.objects.get(pk=m.pk).start == dt.datetime(2026, 5, 20, 9, tzinfo=HANOI)


@pytest.mark.django_db
def test_a_change_of_place_or_title_counts_but_one_no_delegate_sees_does_not(
    world, hooks, django_capture_on_commit_callbacks
):
    m = meeting_schedule(world, confirm=True)
    with django_capture_on_commit_callbacks(execute=True):
        m = services.meeting_update(meeting=m, data={"is_public": True, "title": m.title})
    assert m.sequence == 1 and hooks == []
    with django_capture_on_commit_callbacks(execute=True):
        m = services.meeting_update(meeting=m, data={"title": "21st ACCMSME Meeting (resumed)"})
    assert m.sequence == 2 and [h[0] for h in hooks] == ["meeting_version_changed"]
    with django_capture_on_commit_callbacks(execute=True):
        m = services.meeting_update(meeting=m, data={"venue": "National Convention Center"})
    assert m.sequence == 3 and [h[0] for h in hooks] == ["meeting_version_changed"] * 2


@pytest.mark.django_db
def test_a_planned_meeting_moves_quietly(world, hooks, django_capture_on_commit_callbacks):
    m = meeting_schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        m = services.meeting_update(meeting=m, data={"city": "Da Nang"})
    assert m.sequence == 1 and hooks == []


@pytest.mark.django_db
def test_confirm_postpone_redate_cancel(world, hooks, django_capture_on_commit_callbacks):
    m = meeting_schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        m = services.meeting_confirm(meeting=m)
    assert (m.status, m.sequence) == ("confirmed", 1)
    with django_capture_on_commit_callbacks(execute=True):
        m = services.meeting_postpone(meeting=m)
    assert (m.status, m.sequence) == ("postponed", 2)
    with django_capture_on_commit_callbacks(execute=True):
        m = services.meeting_postpone(
            meeting=m, start=dt.datetime(2026, 6, 10, 9), end=dt.datetime(2026, 6, 11, 17)
        )
    assert (m.status, m.sequence) == ("confirmed", 3)
    with django_capture_on_commit_callbacks(execute=True):
        m = services.meeting_postpone(
            meeting=m, start=dt.datetime(2026, 7, 8, 9), end=dt.datetime(2026, 7, 9, 17)
        )
    assert (m.status, m.sequence) == ("confirmed", 4)
    with django_capture_on_commit_callbacks(execute=True):
        m = services.meeting_cancel(meeting=m)
    assert (m.status, m.sequence) == ("cancelled", 5)
    assert hooks == [
        ("meeting_version_changed", {"meeting_id": m.pk}),
        ("meeting_version_changed", {"meeting_id": m.pk}),  # postponed without a date
        ("meeting_version_changed", {"meeting_id": m.pk}),  # re-dated after the CANCEL: invited afresh
        ("meeting_version_changed", {"meeting_id": m.pk}),  # re-dated while confirmed
        ("meeting_version_changed", {"meeting_id": m.pk}),
    ]
    with pytest.raises(ValidationError) as exc:
        services.meeting_confirm(meeting=m)
    assert "cancelled meeting cannot become confirmed" in exc.value.message_dict["status"][0]


@pytest.mark.django_db
def test_postponing_earlier_is_refused(world):
    m = meeting_schedule(world, confirm=True)
    with pytest.raises(ValidationError) as exc:
        services.meeting_postpone(
            meeting=m, start=dt.datetime(2026, 5, 1, 9), end=dt.datetime(2026, 5, 2, 17)
        )
    assert "later" in exc.value.message_dict["start"][0]
    m.refresh_from_db()
    assert (m.status, m.sequence, m.start.astimezone(HANOI).day) == ("confirmed", 1, 13)


@pytest.mark.django_db
def test_cancelling_a_planned_meeting_tells_nobody(world, hooks, django_capture_on_commit_callbacks):
    m = meeting_schedule(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=m)
    assert hooks == []


@pytest.mark.django_db
def test_held_only_once_it_started(world, hooks, django_capture_on_commit_callbacks):
    m = meeting_schedule(world, confirm=True)
    with pytest.raises(ValidationError), freeze_time(dt.datetime(2026, 5, 1, tzinfo=dt.UTC)):
        services.meeting_mark_held(meeting=m)
    with (
        django_capture_on_commit_callbacks(execute=True),
        freeze_time(dt.datetime(2026, 5, 14, 10, tzinfo=dt.UTC)),
    ):
        m = services.meeting_mark_held(meeting=m)
    assert m.status == "held" and m.sequence == 2 and hooks == []


@pytest.mark.django_db
def test_hooks_do_not_fire_when_the_transaction_rolls_back(world, hooks, django_capture_on_commit_callbacks):
    from django.db import transaction

    m = meeting_schedule(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.meeting_confirm(meeting=m)
                raise RuntimeError("something later failed")
        except RuntimeError:
            pass
    assert callbacks == [] and hooks == []
    m.refresh_from_db()
    assert m.status == "planned"


# --- Conflicts ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_body_booked_twice_is_flagged(world):
    a = meeting_schedule(world, number=21)
    b = services.meeting_create(
        body=world.body,
        title="ACCMSME special session",
        start=dt.datetime(2026, 5, 14, 14),
        end=dt.datetime(2026, 5, 14, 16),
        host=state("VN"),
    )
    kinds = [(c.kind, c.other) for c in services.meeting_conflicts(meeting=b)]
    assert ("body", a) in kinds


@pytest.mark.django_db
def test_a_delegate_booked_twice_is_flagged(world):
    a = meeting_schedule(world, number=21)
    other = services.meeting_create(
        body=world.body.__class__.objects.get(acronym="SEOM"),
        title="SEOM special",
        host=state("VN"),
        start=dt.datetime(2026, 5, 14, 10),
        end=dt.datetime(2026, 5, 14, 12),
    )
    person = world.delegate_ph.person
    Invitation.objects.create(meeting=a, person=person)
    Invitation.objects.create(meeting=other, person=person)
    conflicts = services.meeting_conflicts(meeting=a)
    person_conflicts = [c for c in conflicts if c.kind == "person"]
    assert len(person_conflicts) == 1 and person_conflicts[0].other == other
    assert "Delegate-Ph" in person_conflicts[0].message
    # Taken off the other list: no longer a clash.
    Invitation.objects.filter(meeting=other).update(is_withdrawn=True)
    assert not [c for c in services.meeting_conflicts(meeting=a) if c.kind == "person"]


@pytest.mark.django_db
def test_a_host_outside_its_chair_year_is_a_warning_never_a_refusal(world):
    m = meeting_schedule(world, host="ID")  # Viet Nam chairs in 2026
    assert m.pk is not None
    warning = next(c for c in services.meeting_conflicts(meeting=m) if c.kind == "chair_year")
    assert "Indonesia hosts, but Viet Nam chairs ACCMSME" in warning.message
    assert not [
        c
        for c in services.meeting_conflicts(
            meeting=meeting_schedule(
                world, number=22, start=dt.datetime(2026, 11, 4, 9), end=dt.datetime(2026, 11, 5, 17)
            )
        )
        if c.kind == "chair_year"
    ]


@pytest.mark.django_db
def test_the_propose_command(world):
    import io

    from django.core.management import call_command

    chair(world, "PH", 2027)
    out = io.StringIO()
    call_command("propose_meetings", "--year", "2027", stdout=out)
    text = out.getvalue()
    assert (
        "18th ACCMSME Meeting: Wed 12 May 2027 09:00" in text and "Asia/Manila, Manila (Philippines)" in text
    )
    assert "before it: ACCMSME Task Force A Meeting 1/2027" in text
    assert Meeting.objects.filter(start__year=2027).count() == 0
    call_command("propose_meetings", "--year", "2027", "--save", stdout=out)
    assert Meeting.objects.filter(start__year=2027).count() == 6
