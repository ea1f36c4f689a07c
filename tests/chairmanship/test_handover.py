"""The handover from one chair to the next: the checklist built from the data, ticking and commenting,
completing it once (terms closed and opened, rights moved, the act recorded), who may see and do what,
and the beat jobs that plan, remind and complete."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from chairmanship import handovers, tasks, terms
from chairmanship.models import ChairTerm, Handover, HandoverItem
from governance.models import AuditEvent, Body, MemberState
from governance.permissions import has_body_right
from governance.tasks import rights_sync_due
from tests.world.build import client_as, fresh
from tests.world.clock import at
from tests.world.documents import document_row
from tests.world.handover import Scenario, build_scenario, rights_on
from tests.world.meetings import meeting_row


@pytest.fixture
def s(seeded, make_user, media) -> Scenario:
    return build_scenario(make_user)  # ``media``: the papers add_record tables are real files, kept apart


def add_record(body: Body):
    """A held 2030 meeting with an open action item, an unsubmitted report and a document; a meeting
    already scheduled in 2031; and things that must not be passed on."""
    from meetings.models import ActionItem, Document, Report, Submission

    def meeting(title, start, status="held", **kw):
        end = start + dt.timedelta(days=2)
        return meeting_row(body, start=start, end=end, title=title, status=status, venue="", sequence=0, **kw)

    held = meeting("23rd ACCMSME Meeting", at(2030, 5, 12, 9))
    older = meeting("22nd ACCMSME Meeting", at(2029, 11, 3, 9))
    nxt = meeting("25th ACCMSME Meeting", at(2031, 5, 11, 9), status="planned", city="Vientiane")
    meeting("Cancelled retreat", at(2031, 2, 2, 9), status="cancelled")
    indonesia = MemberState.objects.get(iso2="ID")
    open_item = ActionItem.objects.create(
        body=body,
        meeting=held,
        title="Circulate the MSME finance study",
        owner_state=indonesia,
        due_date=dt.date(2031, 3, 1),
    )
    ActionItem.objects.create(
        body=body, meeting=held, title="Done already", owner_state=indonesia, status="done"
    )
    seom = Body.objects.get(acronym="SEOM")
    ActionItem.objects.create(body=seom, meeting=held, title="Another body's item", owner_state=indonesia)
    report = Report.objects.create(meeting=held, title="Report of the 23rd ACCMSME Meeting")
    sent = Report.objects.create(meeting=older, title="Report of the 22nd ACCMSME Meeting")
    Submission.objects.create(report=sent, from_body=body, to_body=seom, submitted_on=dt.date(2029, 12, 1))
    restricted = Document.Classification.RESTRICTED  # as a paper is tabled unless told
    doc = document_row(held, body, "Chair's summary", restricted)
    document_row(held, body, "Chair's summary", restricted, version=2)
    return {"action": open_item, "report": report, "meeting": nxt, "document": doc}


# --- The checklist --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_checklist_is_built_from_the_data(s):
    rec = add_record(s.body)
    assert handovers.handover_checklist_refresh(handover=s.handover) == 4
    items = {i.kind: i.label for i in s.handover.items.all()}
    assert items == {
        "action_item": "Circulate the MSME finance study (Indonesia, due 1 Mar 2031)",
        "report": "Report of the 23rd ACCMSME Meeting: not yet submitted to SEOM",
        "meeting": "25th ACCMSME Meeting, 11 May 2031, Vientiane",
        "document": "Chair's summary (v2)",
    }
    assert s.handover.items.get(kind="meeting").ref_id == rec["meeting"].pk
    # Building again adds nothing; a new open item is added, ticked ones stay ticked.
    item = s.handover.items.get(kind="action_item")
    with freeze_time(at(2030, 12, 1, 0)):
        handovers.handover_item_tick(item=item, actor=s.out_chair)
    assert handovers.handover_checklist_refresh(handover=s.handover) == 0
    from meetings.models import ActionItem

    ActionItem.objects.create(body=s.body, meeting=rec["action"].meeting, title="New item", owner_body=s.body)
    assert handovers.handover_checklist_refresh(handover=s.handover) == 1
    assert s.handover.items.get(pk=item.pk).is_done


@pytest.mark.django_db
def test_items_are_ticked_and_commented(s):
    add_record(s.body)
    handovers.handover_checklist_refresh(handover=s.handover)
    item = s.handover.items.get(kind="report")
    with freeze_time(at(2030, 12, 2, 10)):
        handovers.handover_item_update(item=item, actor=s.out_chair, is_done=True, comment=" Sent on 2 Dec ")
    item.refresh_from_db()
    assert (item.is_done, item.done_by, item.done_at, item.comment) == (
        True,
        s.out_chair,
        at(2030, 12, 2, 10),
        "Sent on 2 Dec",
    )
    assert Handover.objects.get(pk=s.handover.pk).status == "in_progress"
    handovers.handover_item_tick(item=item, actor=s.out_chair, done=False)
    item.refresh_from_db()
    assert (item.is_done, item.done_by, item.done_at, item.comment) == (False, None, None, "Sent on 2 Dec")


@pytest.mark.django_db
def test_planning_refuses_terms_of_two_bodies_and_a_second_live_handover(s):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already planned or done"):
        handovers.handover_plan(outgoing_term=s.outgoing, incoming_term=s.incoming)
    other = terms.chair_term_record(
        body=Body.objects.get(acronym="SEOM"),
        member_state=s.incoming.member_state,
        start_date=dt.date(2031, 1, 1),
        end_date=dt.date(2031, 12, 31),
    )
    with pytest.raises(ValidationError, match="same body"):
        handovers.handover_plan(outgoing_term=s.outgoing, incoming_term=other)


# --- Completing it: terms and rights --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_handover_moves_the_chairs_rights(s, client):
    """The outgoing chair can edit the body's meetings before and cannot after; the incoming the reverse."""
    add_record(s.body)
    handovers.handover_checklist_refresh(handover=s.handover)
    item = s.handover.items.first()
    rights_on(s, dt.date(2030, 12, 31))
    assert has_body_right(fresh(s.out_chair), "manage_body", s.body)
    assert not has_body_right(fresh(s.in_chair), "manage_body", s.body)
    url = f"/chairmanship/handovers/{s.handover.pk}/items/{item.pk}/"
    client.force_login(s.out_chair)
    assert client.post(url, {"tick": "1", "is_done": "on"}).status_code == 302
    client.force_login(s.in_chair)
    assert client.post(url, {"comment": "noted"}).status_code == 403
    assert client.post(f"/api/v1/handovers/{s.handover.pk}/complete/").status_code == 403

    with freeze_time(at(2031, 1, 1, 0, 0)):
        handovers.handover_complete(handover=s.handover, actor=s.out_chair)

    assert not has_body_right(fresh(s.out_chair), "manage_body", s.body)
    assert has_body_right(fresh(s.out_chair), "view_body", s.body)  # still head of delegation
    assert has_body_right(fresh(s.in_chair), "manage_body", s.body)
    client.force_login(s.out_chair)
    assert client.post(url, {"comment": "one more thing"}).status_code == 403
    assert (
        client.patch(
            f"/api/v1/handovers/{s.handover.pk}/items/{item.pk}/",
            {"comment": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    client.force_login(s.in_chair)
    assert client.post(url, {"comment": "Taken over"}).status_code == 302
    assert HandoverItem.objects.get(pk=item.pk).comment == "Taken over"


@pytest.mark.django_db
def test_completing_closes_and_opens_the_terms_and_records_the_act(s):
    # The handover happens two months late: the outgoing term runs on until the day before.
    Handover.objects.filter(pk=s.handover.pk).update(effective_date=dt.date(2031, 3, 1))
    with freeze_time(at(2031, 3, 1, 8)):
        done = handovers.handover_complete(handover=s.handover.pk, actor=s.secretariat)
    out, inc = ChairTerm.objects.get(pk=s.outgoing.pk), ChairTerm.objects.get(pk=s.incoming.pk)
    assert out.end_date == dt.date(2031, 2, 28)
    assert (inc.start_date, inc.end_date, inc.is_provisional) == (
        dt.date(2031, 3, 1),
        dt.date(2031, 12, 31),
        False,
    )
    assert (done.status, done.completed_by, done.completed_at) == (
        "completed",
        s.secretariat,
        at(2031, 3, 1, 8),
    )
    event = AuditEvent.objects.get(action="handover_completed")
    assert event.actor == s.secretariat and event.object_id == s.handover.pk
    assert event.summary == "ACCMSME chair handed over from Indonesia to Lao PDR, effective 1 Mar 2031"
    assert dt.datetime.fromisoformat(event.data["completed_at"]) == at(2031, 3, 1, 8)


@pytest.mark.django_db
def test_it_happens_only_once(s, client):
    with freeze_time(at(2031, 1, 2, 0)):
        handovers.handover_complete(handover=s.handover)
    with (
        pytest.raises(handovers.HandoverAlreadyClosed, match="already completed"),
        freeze_time(at(2031, 1, 2, 0)),
    ):
        handovers.handover_complete(handover=s.handover)
    client.force_login(s.secretariat)
    assert client.post(f"/api/v1/handovers/{s.handover.pk}/complete/").status_code == 409
    assert AuditEvent.objects.filter(action="handover_completed").count() == 1


@pytest.mark.django_db
def test_it_takes_effect_at_the_start_of_the_day_in_the_bodys_zone(s):
    just_before = at(2030, 12, 31, 23, 59)
    with (
        pytest.raises(
            handovers.HandoverError, match=r"takes effect on 1 Jan 2031 \(start of the day, Asia/Jakarta\)"
        ),
        freeze_time(just_before),
    ):
        handovers.handover_complete(handover=s.handover)
    # 16:30 UTC on 31 Dec is 23:30 in Jakarta but already 00:30 on 1 Jan in Manila.
    instant = dt.datetime(2030, 12, 31, 16, 30, tzinfo=dt.UTC)
    with pytest.raises(handovers.HandoverError), freeze_time(instant):
        handovers.handover_complete(handover=s.handover)
    Body.objects.filter(pk=s.body.pk).update(handover_timezone="Asia/Manila")
    with freeze_time(instant):
        assert handovers.handover_complete(handover=s.handover).status == "completed"


@pytest.mark.django_db
def test_handing_over_early_brings_the_effective_date_forward(s):
    with freeze_time(at(2030, 11, 15, 10)):
        done = handovers.handover_complete(handover=s.handover, bring_forward=True)
    assert done.effective_date == dt.date(2030, 11, 15)
    assert ChairTerm.objects.get(pk=s.outgoing.pk).end_date == dt.date(2030, 11, 14)
    assert ChairTerm.objects.get(pk=s.incoming.pk).start_date == dt.date(2030, 11, 15)
    assert "(brought forward from 1 Jan 2031)" in AuditEvent.objects.get(action="handover_completed").summary
    assert has_body_right(fresh(s.in_chair), "manage_body", s.body)


# --- Who sees and who does ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_404_for_outsiders_403_for_members_who_may_only_look(s, client):
    rights_on(s, dt.date(2030, 12, 31))
    detail = f"/chairmanship/handovers/{s.handover.pk}/"
    client.force_login(s.outsider)
    assert client.get(detail).status_code == 404
    assert client.get(f"/api/v1/handovers/{s.handover.pk}/").status_code == 404
    assert client.post(detail + "complete/").status_code == 404
    assert s.handover.pk not in [h["id"] for h in client.get("/api/v1/handovers/").json()["results"]]

    client.force_login(s.delegate)
    page = client.get(detail)
    assert page.status_code == 200 and b"complete-handover" not in page.content
    assert client.post(detail + "complete/").status_code == 403
    assert client.post(f"/api/v1/handovers/{s.handover.pk}/complete/").status_code == 403

    client.force_login(s.out_chair)
    page = client.get(detail)
    assert b"complete-handover" in page.content and b"Jakarta time (UTC+7)" in page.content
    assert client.get("/chairmanship/handovers/").status_code == 200


@pytest.mark.django_db
def test_the_outgoing_chair_completes_through_the_api(s, client):
    rights_on(s, dt.date(2030, 12, 31))
    url = f"/api/v1/handovers/{s.handover.pk}/complete/"
    with freeze_time("2030-12-31 12:00:00"):  # 19:00 in Jakarta, five hours before the handover
        client.force_login(s.out_chair)
        r = client.post(url)
        assert r.status_code == 400 and "bring_forward" in r.json()  # names the field that would allow it
        r = client.post(url, {"bring_forward": True}, content_type="application/json")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["effective_date"]) == ("completed", "2030-12-31")


@pytest.mark.django_db
def test_the_secretariat_plans_through_the_api(s, client):
    Handover.objects.all().delete()
    client.force_login(s.delegate)
    body = {"outgoing_term": s.outgoing.pk, "incoming_term": s.incoming.pk}
    assert client.post("/api/v1/handovers/", body).status_code == 403
    client.force_login(s.secretariat)
    r = client.post("/api/v1/handovers/", {**body, "effective_date": "2032-01-01"})
    assert r.status_code == 400 and "effective_date" in r.json()
    r = client.post("/api/v1/handovers/", body)
    assert r.status_code == 201 and r.json()["effective_date"] == "2031-01-01"


@pytest.mark.django_db
def test_the_chair_plans_the_next_handover_from_the_timeline(s, client):
    Handover.objects.all().delete()
    rights_on(s, dt.date(2030, 6, 1))
    with freeze_time("2030-06-01 03:00:00"):
        client.force_login(s.delegate)
        assert b"Plan the handover" not in client.get("/chairmanship/ACCMSME/timeline/").content
        assert client.post("/chairmanship/ACCMSME/handovers/plan/").status_code == 403
        client.force_login(s.out_chair)
        assert b"Plan the handover" in client.get("/chairmanship/ACCMSME/timeline/").content
        r = client.post("/chairmanship/ACCMSME/handovers/plan/")
    h = Handover.objects.get()
    assert r.status_code == 302 and r.url == f"/chairmanship/handovers/{h.pk}/"
    assert (h.outgoing_term, h.incoming_term) == (s.outgoing, s.incoming)


# --- The beat jobs --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_plans_reminders_30_and_7_days_before_without_duplicates(s):
    from outbox.models import Message
    from outbox.sending import SendContext, build

    with freeze_time(at(2030, 11, 20, 0)):
        report = handovers.handovers_sweep()
    rows = Message.objects.filter(kind="handover")
    recipients = {"ina-head@example.org", "lao-head@example.org", "accmsme@asean.org"}
    assert report.reminders == 6 == rows.count()
    assert {r.recipient for r in rows} == recipients
    assert set(rows.values_list("key", flat=True)) == {
        f"handover:handover-{s.handover.pk}:{e}:d{d}" for e in recipients for d in (30, 7)
    }
    d30 = rows.get(recipient="lao-head@example.org", key__endswith=":d30")
    assert d30.due_at == at(2030, 12, 2, 0) and d30.status == "planned"
    built = build(d30, SendContext(now=at(2030, 12, 2, 0)))  # its text is written when it is sent
    assert built.subject == "ACCMSME chair handover in 30 days: Indonesia → Lao PDR on 1 Jan 2031"
    assert f"/chairmanship/handovers/{s.handover.pk}/" in built.body
    with freeze_time(at(2030, 11, 20, 0, 10)):
        assert handovers.handovers_sweep().reminders == 0
    assert rows.count() == 6


@pytest.mark.django_db
def test_a_reminder_whose_day_passed_is_not_planned_late(s):
    from outbox.models import Message

    with freeze_time(at(2030, 12, 20, 0)):
        handovers.handovers_sweep()  # 12 days before: the 30-day reminder is stale
    assert set(Message.objects.values_list("key", flat=True)) == {
        f"handover:handover-{s.handover.pk}:{e}:d7"
        for e in ("ina-head@example.org", "lao-head@example.org", "accmsme@asean.org")
    }


@pytest.mark.django_db
def test_the_sweep_completes_due_handovers_once_and_cancels_their_reminders(s):
    from outbox.models import Message

    with freeze_time(at(2030, 12, 20, 0)):
        handovers.handovers_sweep()
    with freeze_time("2030-12-31T16:59:00+00:00"):
        assert tasks.handovers_sweep()["completed"] == []  # 23:59 in Jakarta
    with freeze_time("2030-12-31T17:00:00+00:00"):
        result = tasks.handovers_sweep()
    assert result["completed"] == [s.handover.pk] and result["errors"] == []
    with freeze_time("2030-12-31T17:10:00+00:00"):
        assert tasks.handovers_sweep()["completed"] == []
    h = Handover.objects.get(pk=s.handover.pk)
    assert (h.status, h.completed_by) == ("completed", None)
    assert set(Message.objects.values_list("status", flat=True)) == {"cancelled"}
    assert has_body_right(fresh(s.in_chair), "manage_body", s.body)


@pytest.mark.django_db
def test_the_sweep_plans_a_handover_for_a_term_starting_soon(s):
    Handover.objects.all().delete()
    with freeze_time(at(2030, 10, 1, 0)):
        assert handovers.handovers_sweep().planned == []  # three months ahead: not yet
    with freeze_time(at(2030, 11, 20, 0)):
        report = handovers.handovers_sweep()
    h = Handover.objects.get(pk__in=report.planned)
    assert (h.outgoing_term, h.incoming_term, h.effective_date) == (
        s.outgoing,
        s.incoming,
        dt.date(2031, 1, 1),
    )
    with freeze_time(at(2030, 11, 21, 0)):
        assert handovers.handovers_sweep().planned == []


@pytest.mark.django_db
def test_the_hourly_job_moves_rights_of_terms_starting_and_ending(s):
    Handover.objects.all().delete()
    rights_on(s, dt.date(2030, 12, 31))
    with freeze_time(at(2030, 12, 31, 23, 5).isoformat()):
        assert rights_sync_due() == 2  # the two terms' chairs, resynced
    assert has_body_right(fresh(s.out_chair), "manage_body", s.body)  # still the outgoing chair's day
    with freeze_time(at(2031, 1, 1, 0, 5).isoformat()):
        assert rights_sync_due() == 2
    assert not has_body_right(fresh(s.out_chair), "manage_body", s.body)
    assert has_body_right(fresh(s.in_chair), "manage_body", s.body)


@pytest.mark.django_db
def test_a_cancelled_handover_sends_nothing_and_cannot_be_completed(s):
    from outbox.models import Message

    with freeze_time(at(2030, 11, 20, 0)):
        handovers.handovers_sweep()
    handovers.handover_cancel(handover=s.handover, actor=s.secretariat, reason="Terms re-dated")
    assert set(Message.objects.values_list("status", flat=True)) == {"cancelled"}
    with freeze_time(at(2030, 11, 21, 0)):
        assert handovers.handovers_sweep().planned == []  # not planned again behind their back
    with (
        pytest.raises(handovers.HandoverAlreadyClosed, match="already cancelled"),
        freeze_time(at(2031, 1, 1, 0)),
    ):
        handovers.handover_complete(handover=s.handover)
    with freeze_time(at(2031, 1, 1, 0)):
        assert handovers.handovers_sweep().completed == []
    assert ChairTerm.objects.get(pk=s.incoming.pk).is_provisional  # nothing was confirmed


def test_an_item_of_another_handover_cannot_be_reached_through_ones_own(roles):
    from chairmanship.models import HandoverItem

    foreign = HandoverItem.objects.create(handover=roles.handover, kind="other", label="Old files")
    client = client_as(roles.chair)
    r = client.patch(
        f"/api/v1/handovers/{roles.next_handover.pk}/items/{foreign.pk}/",
        data='{"comment": "hijacked"}',
        content_type="application/json",
    )
    assert r.status_code == 404
    foreign.refresh_from_db()
    assert foreign.comment == ""
