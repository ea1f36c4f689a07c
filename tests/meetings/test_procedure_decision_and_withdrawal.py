"""A written procedure's outcome becomes one ``Decision`` of its body when it closes (agreed when adopted,
deferred when not; the database holds one per procedure), and an open procedure can be withdrawn by the
Secretariat or the chair, with a reason, the delegations told through the outbox, audited, and no outcome
ever computed for it (docs/decisions/0052)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from governance.models import AuditEvent
from meetings.models import Decision, ProcedureNotice, WrittenProcedure
from meetings.services import written_procedure as wp
from outbox.models import Message
from tests.meetings.test_written_procedure import AFTER, OPENED, answer, close, eleven, open_procedure
from tests.world.build import api_as, client_as
from tests.world.mail import deliver

__all__ = ["eleven"]  # the fixture, shared with the written procedure's own tests

pytestmark = pytest.mark.django_db


def test_the_outcome_becomes_one_decision_when_it_closes(eleven):
    adopted = open_procedure(eleven, rule="silence", title="Roadmap")
    blocked = open_procedure(eleven, rule="silence", title="Annex")
    answer(eleven, blocked, "MM", "object", reason="The budget annex is missing.")
    assert close() == 2
    d = Decision.objects.get(procedure=adopted)
    assert d.kind == Decision.Kind.AGREED and d.meeting is None and d.agenda_item is None
    assert d.text.startswith("Roadmap. Adopted ad referendum by silence")
    assert Decision.objects.get(procedure=blocked).kind == Decision.Kind.DEFERRED
    # Once: closing again records nothing, and the database refuses a second decision for it.
    assert close(AFTER + dt.timedelta(hours=1)) == 0
    assert wp.procedure_decision_record(procedure=adopted, adopted=True) == d
    assert Decision.objects.filter(procedure__isnull=False).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(procedure=adopted, kind="agreed", text="again")
    # A decision is taken at a meeting under an item, or by a procedure: never neither.
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(kind="noted", text="from nowhere")


def test_the_chair_or_secretariat_withdraws_with_a_reason_and_no_outcome_follows(eleven):
    body, heads, _, sec = eleven
    p = open_procedure(eleven)
    answer(eleven, p, "PH")
    with pytest.raises(PermissionDenied):
        wp.procedure_withdraw(procedure=p, actor=heads["SG"], reason="Not mine to withdraw")
    with pytest.raises(ValidationError) as exc:
        wp.procedure_withdraw(procedure=p, actor=sec, reason="  ")
    assert "reason" in exc.value.message_dict

    when = OPENED + dt.timedelta(days=1)
    with freeze_time(when):
        wp.procedure_withdraw(procedure=p, actor=sec, reason="Superseded by the revised roadmap.")
    p.refresh_from_db()
    assert (p.status, p.outcome, p.closed_at) == (WrittenProcedure.Status.WITHDRAWN, "", when)
    assert p.withdrawn_reason == "Superseded by the revised roadmap." and p.withdrawn_by == sec
    event = AuditEvent.objects.get(action="procedure_withdrawn", object_id=p.pk)
    assert event.actor == sec and "Superseded" in event.summary

    # No outcome after withdrawal: the deadline passes, nothing closes, no decision, no answer taken.
    assert close() == 0
    assert not Decision.objects.filter(procedure=p).exists()
    with pytest.raises(ValidationError):
        answer(eleven, p, "VN", now=when)
    with pytest.raises(ValidationError):
        wp.procedure_withdraw(procedure=p, actor=sec, reason="Twice")

    # Each delegation is told once; the reminders still planned are withheld.
    sent = deliver(when + dt.timedelta(minutes=1))
    told = [m for m in sent if "Withdrawn" in m.subject]
    expected = ProcedureNotice.objects.filter(procedure=p, stage="withdrawn").count()
    assert len(told) == expected == 12  # eleven heads and the Philippine alternate
    assert "Superseded by the revised roadmap." in told[0].body
    later = deliver(AFTER)
    assert not [m for m in later if p.title in m.subject]
    reminders = Message.objects.filter(procedure_notice__procedure=p, procedure_notice__stage="reminder")
    assert reminders.exists() and not reminders.filter(status=Message.Status.SENT).exists()


def test_withdrawn_through_the_page_and_the_api(eleven):
    body, heads, _, sec = eleven
    p = open_procedure(eleven, title="By page")
    with freeze_time(OPENED + dt.timedelta(days=2)):
        _withdraw_by_page_and_api(eleven, p)
    # Past the deadline the rule decides: too late to withdraw.
    late = open_procedure(eleven, title="Too late")
    with pytest.raises(ValidationError) as exc, freeze_time(AFTER):
        wp.procedure_withdraw(procedure=late, actor=sec, reason="Late")
    assert "too late to withdraw" in exc.value.message_dict["procedure"][0]


def _withdraw_by_page_and_api(eleven, p) -> None:
    body, heads, _, sec = eleven
    assert client_as(heads["SG"]).post(f"/procedures/{p.pk}/withdraw/", {"reason": "x"}).status_code == 403
    r = client_as(sec).post(f"/procedures/{p.pk}/withdraw/", {"reason": ""})
    assert r.status_code == 400
    page = client_as(sec).get(f"/procedures/{p.pk}/")
    assert b'id="withdraw-form"' in page.content
    r = client_as(sec).post(f"/procedures/{p.pk}/withdraw/", {"reason": "Tabled at the meeting instead."})
    assert r.status_code == 302
    page = client_as(heads["PH"]).get(f"/procedures/{p.pk}/")
    assert b"Tabled at the meeting instead." in page.content and b'id="withdraw-form"' not in page.content

    q = open_procedure(eleven, title="By API")
    api = api_as(sec)
    r = api.post(f"/api/v1/written-procedures/{q.pk}/withdraw/", {"reason": ""}, format="json")
    assert r.status_code == 400
    r = api.post(f"/api/v1/written-procedures/{q.pk}/withdraw/", {"reason": "Wrong text."}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert r.json()["withdrawn_reason"] == "Wrong text."
    r = api_as(heads["SG"]).post(f"/api/v1/written-procedures/{p.pk}/withdraw/", {"reason": "x"})
    assert r.status_code in (400, 403)
