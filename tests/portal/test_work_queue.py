"""The Secretariat's work queue and a chair's overview: what each shows, who may open them, and a fixed
number of queries however much is waiting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from chairmanship import handovers, terms
from meetings import services
from meetings.models import Invitation
from portal.work import chair_overview, work_queue
from tests.world.build import client_as, fresh
from tests.world.clock import JKT
from tests.world.meetings import meeting_schedule
from tests.world.people import state

NOW = dt.datetime(2026, 6, 1, 9, tzinfo=JKT)


def busy(world, n: int, first: int = 0):
    """``n`` upcoming meetings with answers, ``n`` ended ones without a report, ``n`` overdue items."""
    for i in range(first, first + n):
        up = meeting_schedule(
            world,
            number=30 + i,
            start=dt.datetime(2026, 7, 1 + i, 9),
            end=dt.datetime(2026, 7, 1 + i, 17),
            confirm=True,
        )
        services.invitations_for_delegations(meeting=up)
        first = Invitation.objects.filter(meeting=up).order_by("pk").first()
        Invitation.objects.filter(pk=first.pk).update(partstat="ACCEPTED")
        past = meeting_schedule(
            world,
            number=10 + i,
            start=dt.datetime(2026, 5, 1 + i, 9),
            end=dt.datetime(2026, 5, 1 + i, 17),
            confirm=True,
        )
        services.action_item_create(
            meeting=past, title=f"Overdue task {i}", owner_state=state("PH"), due_date=dt.date(2026, 5, 20)
        )


@pytest.mark.django_db
def test_the_work_queue_counts_answers_reports_and_overdue_items_in_fixed_queries(world):
    with freeze_time(NOW):
        busy(world, 1)
        with CaptureQueriesContext(connection) as one:
            q1 = work_queue()
        busy(world, 3, first=1)  # more rows of everything
        with CaptureQueriesContext(connection) as many:
            q3 = work_queue()
    assert len(one.captured_queries) == len(many.captured_queries) <= 5
    up = q1.awaiting[0]
    assert (up.invited, up.accepted, up.waiting) == (3, 1, 2)  # VN's head and the PH delegation
    ours = [m for m in q3.reports_due if m.body_acronym == "ACCMSME"]  # the seed has an AEM meeting too
    assert len(q3.awaiting) == 4 and len(ours) == 4 and len(q3.overdue_actions) == 4
    assert {m.report_step for m in ours} == {"Write the report"}


@pytest.mark.django_db
def test_only_the_secretariat_opens_the_work_queue(world):
    with freeze_time(NOW):
        busy(world, 1)
        page = client_as(world.sec).get("/work-queue/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Answers still awaited" in html and "Overdue task 0" in html and "Write the report" in html
        for user in (world.chair, world.delegate_ph, world.outsider):
            assert client_as(user).get("/work-queue/").status_code == 403


@pytest.mark.django_db
def test_the_chair_sees_term_rights_and_handover_date(world):
    from chairmanship.models import ChairTerm

    vn_term = ChairTerm.objects.get(body=world.body, member_state=state("VN"))
    nxt = terms.chair_term_record(
        body=world.body,
        member_state=state("PH"),
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
    )
    handovers.handover_plan(outgoing_term=vn_term, incoming_term=nxt)
    with freeze_time(NOW), CaptureQueriesContext(connection) as ctx:
        overview = chair_overview(user=fresh(world.chair))
    assert len(ctx.captured_queries) <= 5
    [row] = overview.terms
    assert row.term == vn_term and row.running
    assert "Manage its meetings, agendas, documents, record and handover" in row.rights
    assert row.handover_out.effective_date == dt.date(2027, 1, 1)
    with freeze_time(NOW):
        html = client_as(world.chair).get("/chair/").content.decode()
    assert "1 Jan 2026 – 31 Dec 2026" in html and "To Philippines" in html and "1 Jan 2027" in html
    # The head of the Philippines sees the coming term, without the rights yet.
    with freeze_time(NOW):
        [coming] = chair_overview(user=fresh(world.head_ph)).terms
        assert chair_overview(user=fresh(world.delegate_ph)).terms == []
    assert coming.term == nxt and not coming.running and coming.handover_in is not None
