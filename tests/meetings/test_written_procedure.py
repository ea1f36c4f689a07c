"""Decisions by written procedure among the eleven member states: each outcome (adopted unanimously,
adopted by silence, blocked by an objection, lapsed for want of answers), a Timor-Leste answer refused for
a procedure opened before its admission, late and second answers refused, reminders sent once, the
deadline met by the sweep idempotently, the outcome on the next meeting's agenda, and the pages and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from governance.models import AuditEvent, Body, Membership, MemberState
from governance.rights import sync_user_rights
from meetings import services
from meetings.models import AgendaItem, MeetingSeries, ProcedureAnswer, ProcedureNotice, WrittenProcedure
from meetings.services import written_procedure as wp
from outbox.models import Message
from outbox.sending import send_batch
from outbox.tasks import sweep
from tests.world.build import api_as, client_as
from tests.world.clock import JKT, at
from tests.world.mail import deliver
from tests.world.people import seat, user_make

OPENED = at(2026, 3, 2, 9)  # Monday 2 March 2026, 09:00 Jakarta
DEADLINE = dt.datetime(2026, 3, 9, 17, 0)  # the body's zone (Jakarta): naive, read in it


@pytest.fixture
def eleven(seeded):
    """ACCMSME with a head of delegation for each of the eleven states (Timor-Leste's seat from its
    admission), an alternate for the Philippines, and a Secretariat officer."""
    body = Body.objects.get(acronym="ACCMSME")
    heads = {}
    for s in MemberState.objects.order_by("short_name"):
        user = user_make(f"head-{s.iso2.lower()}", state=s)
        seat(
            user.person,
            body,
            s,
            Membership.Role.HEAD_OF_DELEGATION,
            start=max(s.admitted_on, dt.date(2020, 1, 1)),
        )
        heads[s.iso2] = user
    alt = user_make("alt-ph", state=MemberState.objects.get(iso2="PH"))
    seat(alt.person, body, "PH", Membership.Role.ALTERNATE)
    for user in [*heads.values(), alt]:
        sync_user_rights(user, on=OPENED.date())  # as the membership services do
    sec = user_make("wp-sec", secretariat=True)
    return body, heads, alt, sec


def open_procedure(eleven, *, rule: str = "silence", now=OPENED, deadline=DEADLINE, title="MSME roadmap"):
    body, _, _, sec = eleven
    with freeze_time(now):
        return wp.written_procedure_open(
            body=body,
            title=title,
            text="To endorse the MSME digitalisation roadmap.",
            rule=rule,
            deadline=deadline,
            actor=sec,
        )


def answer(eleven, procedure, iso2: str, what: str = "concur", reason: str = "", now=OPENED, by=None):
    _, heads, _, _ = eleven
    person = (by or heads[iso2]).person
    with freeze_time(now + dt.timedelta(hours=1)):
        return wp.procedure_answer(
            procedure=procedure,
            person=person,
            member_state=MemberState.objects.get(iso2=iso2),
            answer=what,
            reason=reason,
        )


AFTER = at(2026, 3, 9, 17, 1)  # a minute past the deadline


def close(now=AFTER) -> int:
    return wp.procedures_close_due(now=now)


@pytest.mark.django_db
def test_adopted_unanimously_with_an_abstention(eleven):
    p = open_procedure(eleven, rule="unanimity")
    states = list(MemberState.objects.order_by("short_name").values_list("iso2", flat=True))
    assert len(states) == 11 and p.opened_on == dt.date(2026, 3, 2)
    for iso2 in states:
        answer(eleven, p, iso2, "abstain" if iso2 == "SG" else "concur")
    assert close() == 1 and close() == 0  # the second sweep finds nothing to do
    p.refresh_from_db()
    assert p.status == "adopted" and p.closed_at == AFTER
    assert p.outcome == "Adopted ad referendum unanimously: 10 concurred; 1 abstained (Singapore)."


@pytest.mark.django_db
def test_adopted_by_silence(eleven):
    p = open_procedure(eleven, rule="silence")
    for iso2 in ("PH", "ID", "VN"):
        answer(eleven, p, iso2)
    close()
    p.refresh_from_db()
    assert p.status == "adopted"
    assert p.outcome.startswith(
        "Adopted ad referendum by silence: 3 concurred; 8 silent, counted as concurring"
    )
    assert "Timor-Leste" in p.outcome  # opened after 26 Oct 2025: eleven states answer


@pytest.mark.django_db
def test_blocked_by_an_objection_and_unanimity_lapses_on_silence(eleven):
    blocked = open_procedure(eleven, rule="silence", title="Blocked")
    answer(eleven, blocked, "PH")
    with pytest.raises(ValidationError) as exc:
        answer(eleven, blocked, "MM", "object")
    assert exc.value.message_dict["reason"] == ["Give the reason for the objection."]
    answer(eleven, blocked, "MM", "object", reason="The budget annex is missing.")
    lapsed = open_procedure(eleven, rule="unanimity", title="Lapsed")
    answer(eleven, lapsed, "PH")
    assert close() == 2
    blocked.refresh_from_db()
    lapsed.refresh_from_db()
    assert (blocked.status, blocked.outcome) == ("not_adopted", "Not adopted: objection by Myanmar.")
    assert lapsed.status == "not_adopted" and lapsed.outcome.startswith("Not adopted: no answer from Brunei")


@pytest.mark.django_db
def test_timor_leste_does_not_answer_a_procedure_opened_before_its_admission(eleven):
    before = open_procedure(
        eleven, now=at(2025, 10, 20, 9), deadline=dt.datetime(2025, 10, 30, 17), title="Before admission"
    )
    with pytest.raises(ValidationError) as exc:
        answer(eleven, before, "TL", now=at(2025, 10, 27, 9))  # a member by then, but not at the opening
    assert exc.value.message_dict["member_state"] == [
        "Timor-Leste was not an ASEAN member on 20 Oct 2025, when the procedure opened: it does not answer it."
    ]
    # Ten states answer it: silence from the other nine is concurrence, Timor-Leste is not counted.
    answer(eleven, before, "PH", now=at(2025, 10, 21, 9))
    assert wp.procedures_close_due(now=at(2025, 10, 30, 18)) == 1
    before.refresh_from_db()
    assert "9 silent" in before.outcome and "Timor-Leste" not in before.outcome
    assert not ProcedureNotice.objects.filter(procedure=before, member_state__iso2="TL").exists()
    after = open_procedure(eleven)
    assert answer(eleven, after, "TL").member_state.iso2 == "TL"


@pytest.mark.django_db
def test_late_second_and_foreign_answers_are_refused(eleven):
    _, heads, alt, _ = eleven
    p = open_procedure(eleven)
    answer(eleven, p, "PH", by=alt)  # an alternate answers for the state
    with pytest.raises(ValidationError, match="Philippines has already answered"):
        answer(eleven, p, "PH")
    with pytest.raises(ValidationError, match="is not head of delegation or alternate of Indonesia"):
        answer(eleven, p, "ID", by=heads["SG"])
    with pytest.raises(ValidationError, match="too late to answer"), freeze_time(AFTER):
        wp.procedure_answer(
            procedure=p,
            person=heads["ID"].person,
            member_state=MemberState.objects.get(iso2="ID"),
            answer="concur",
        )
    close()
    with pytest.raises(ValidationError, match="The procedure is closed"):
        answer(eleven, p, "ID")
    # The database holds one answer per state whatever the path.
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureAnswer.objects.create(
            procedure=p,
            member_state=MemberState.objects.get(iso2="PH"),
            answer="concur",
            answered_by=heads["PH"].person,
            answered_at=OPENED,
        )
    # Every answer and the outcome are in the audit trail.
    events = list(
        AuditEvent.objects.filter(object_type="meetings.writtenprocedure", object_id=p.pk).values_list(
            "action", "summary"
        )
    )
    assert ("procedure_answered", "Philippines concurs (Alt-Ph)") in events
    assert [a for a, _ in events].count("procedure_closed") == 1


@pytest.mark.django_db
def test_a_deadline_before_now_and_a_bad_rule_are_refused(eleven):
    with pytest.raises(ValidationError) as exc:
        open_procedure(eleven, rule="majority", deadline=dt.datetime(2026, 3, 1, 17))
    assert set(exc.value.message_dict) == {"rule", "deadline"}
    assert "1 Mar 2026, 17:00 Jakarta time" in exc.value.message_dict["deadline"][0]


@pytest.mark.django_db
def test_reminders_go_once_to_states_that_have_not_answered(eleven, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    p = open_procedure(eleven)  # deadline 9 Mar 17:00 Jakarta: reminders on 6 Mar and 8 Mar
    opened = deliver(OPENED)
    assert len(opened) == 12  # eleven heads and the Philippines' alternate
    assert "answer by 9 Mar 2026, 17:00 Jakarta time" in opened[0].subject
    wp.procedure_notices_plan(procedure=p, now=OPENED)  # planning again: the keys are written, nothing new
    assert Message.objects.filter(kind="wproc").count() == 12 * 3
    answer(eleven, p, "PH", now=at(2026, 3, 3))
    first = deliver(at(2026, 3, 6, 17, 5))
    assert len(first) == 10 and all("closes in 3 day(s)" in m.subject for m in first)
    assert not [m for m in first if m.to == ["head-ph@example.org"]]  # the Philippines answered
    assert deliver(at(2026, 3, 6, 18)) == []  # sent once
    second = deliver(at(2026, 3, 8, 17, 5))
    assert len(second) == 10 and all("closes in 1 day(s)" in m.subject for m in second)
    assert deliver(at(2026, 3, 8, 18)) == []


@pytest.mark.django_db
def test_the_beat_sweep_closes_it_and_the_outcome_goes_out(eleven, settings, queued):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    p = open_procedure(eleven)
    result = sweep(now=AFTER)
    assert result.steps["written_procedures"] == 1
    p.refresh_from_db()
    assert p.status == "adopted"
    # The sweep handed the due rows to the workers (captured): send what it handed out, as a worker would.
    handed = [i for chunk, _ in queued for i in chunk]
    send_batch(handed, now=AFTER)
    outcome = [m for m in mail.outbox if "Adopted ad referendum" in m.subject]
    assert len(outcome) == 12 and "Adopted ad referendum by silence" in outcome[0].body
    assert sweep(now=AFTER + dt.timedelta(minutes=5)).steps["written_procedures"] == 0


@pytest.mark.django_db
def test_the_outcome_is_carried_to_the_next_meetings_agenda(eleven):
    p = open_procedure(eleven)
    answer(eleven, p, "PH")
    close()
    m = services.meeting_create(
        body=eleven[0],
        series=MeetingSeries.objects.get(name="ACCMSME Meeting"),
        number=21,
        start=dt.datetime(2026, 5, 13, 9),
        end=dt.datetime(2026, 5, 14, 17),
        host=MemberState.objects.get(iso2="VN"),
    )
    services.agenda_default_create(meeting=m)
    arising = AgendaItem.objects.get(meeting=m, standing_key="previous")
    sub = AgendaItem.objects.get(meeting=m, standing_key=f"wp-{p.pk}")
    assert sub.parent_id == arising.pk
    assert sub.title == "Adopted ad referendum by written procedure: MSME roadmap"
    assert sub.description.startswith("Adopted ad referendum by silence")
    services.agenda_standing_items_add(meeting=m)  # refreshing keeps one copy
    assert AgendaItem.objects.filter(meeting=m, standing_key=f"wp-{p.pk}").count() == 1


@pytest.mark.django_db
def test_pages_open_answer_and_show_the_record(eleven):
    body, heads, _, sec = eleven
    with freeze_time(OPENED):
        r = client_as(sec).post(
            "/procedures/new/",
            {
                "body": body.pk,
                "title": "Roadmap",
                "text": "Endorse it.",
                "deadline": "2026-03-09T17:00",
                "rule": "silence",
            },
        )
        assert r.status_code == 302
        p = WrittenProcedure.objects.get(title="Roadmap")
        assert p.deadline == dt.datetime(2026, 3, 9, 17, tzinfo=JKT)
        assert client_as(heads["PH"]).get("/procedures/new/").status_code == 403  # not the chair
        head = client_as(heads["MM"])
        page = head.get(f"/procedures/{p.pk}/").content.decode()
        assert 'id="answer-form"' in page and "9 Mar 2026, 17:00 Jakarta time" in page
        mm = MemberState.objects.get(iso2="MM").pk
        r = head.post(f"/procedures/{p.pk}/answer/", {"member_state": mm, "answer": "object"})
        assert r.status_code == 400 and "Give the reason for the objection." in r.content.decode()
        r = head.post(
            f"/procedures/{p.pk}/answer/", {"member_state": mm, "answer": "object", "reason": "Annex missing"}
        )
        assert r.status_code == 302
        tl = MemberState.objects.get(iso2="TL").pk
        r = head.post(f"/procedures/{p.pk}/answer/", {"member_state": tl, "answer": "concur"})
        assert (
            r.status_code == 400
            and "is not head of delegation or alternate of Timor-Leste" in r.content.decode()
        )
        page = head.get(f"/procedures/{p.pk}/").content.decode()
        assert "Objects</strong>: Annex missing" in page and 'id="answer-form"' not in page
        assert f"/procedures/{p.pk}/" in head.get("/procedures/").content.decode()
    outsider = user_make("outsider")
    assert client_as(outsider).get(f"/procedures/{p.pk}/").status_code == 404
    # The body's page lists it with its outcome once closed.
    close(now=at(2026, 3, 9, 17, 1))
    page = client_as(heads["PH"]).get("/governance/bodies/ACCMSME/").content.decode()
    assert 'id="body-procedures"' in page and "Not adopted: objection by Myanmar." in page


@pytest.mark.django_db
def test_the_api_opens_and_answers(eleven):
    body, heads, _, sec = eleven
    with freeze_time(OPENED):
        r = api_as(sec).post(
            "/api/v1/written-procedures/",
            {
                "body": "ACCMSME",
                "title": "Roadmap",
                "text": "Endorse it.",
                "deadline": "2026-03-09T17:00:00+07:00",
                "rule": "unanimity",
            },
            format="json",
        )
        assert (
            r.status_code == 201 and r.json()["status"] == "open" and r.json()["timezone"] == "Asia/Jakarta"
        )
        pid = r.json()["id"]
        r = api_as(heads["PH"]).post(
            "/api/v1/written-procedures/",
            {
                "body": "ACCMSME",
                "title": "X",
                "text": "Y",
                "deadline": "2026-03-09T17:00:00+07:00",
                "rule": "silence",
            },
            format="json",
        )
        assert r.status_code == 403
        r = api_as(heads["TH"]).post(
            f"/api/v1/written-procedures/{pid}/answer/",
            {"member_state": "TH", "answer": "concur"},
            format="json",
        )
        assert r.status_code == 201 and r.json()["member_state"] == "TH"
        r = api_as(heads["TH"]).post(
            f"/api/v1/written-procedures/{pid}/answer/",
            {"member_state": "TH", "answer": "abstain"},
            format="json",
        )
        assert r.status_code == 400 and "already answered" in r.json()["member_state"][0]
        got = api_as(heads["ID"]).get(f"/api/v1/written-procedures/{pid}/").json()
        assert [a["member_state"] for a in got["answers"]] == ["TH"]
