"""Two people (or a person and the beat job) complete the same handover at the same moment, on PostgreSQL
with real concurrent transactions: exactly one completes it, the other is told it is done."""

from __future__ import annotations

import datetime as dt
import threading

import freezegun
import pytest
from django.db import connection
from freezegun import freeze_time

from chairmanship import handovers
from chairmanship.models import ChairTerm, Handover
from governance.models import AuditEvent
from tests.world.clock import at
from tests.world.handover import build_scenario


@pytest.fixture(autouse=True)
def frozen_clock_in_threads():
    """freezegun gives code called from a thread's ``run`` the real clock; these threads need the frozen one."""
    default = freezegun.config.settings.default_ignore_list
    freezegun.configure(default_ignore_list=[m for m in default if m != "threading"])
    yield
    freezegun.configure(default_ignore_list=default)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_completions_leave_exactly_one_result(require_postgres, seeded, make_user):
    s = build_scenario(make_user)
    # Completing late: the outgoing term must be stretched exactly once, to the day before.
    Handover.objects.filter(pk=s.handover.pk).update(effective_date=dt.date(2031, 2, 1))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def complete(actor) -> None:
        try:
            barrier.wait(timeout=30)
            handovers.handover_complete(handover=s.handover.pk, actor=actor)
            result = f"completed by {actor.username}"
        except handovers.HandoverAlreadyClosed:
            result = "already closed"
        finally:
            connection.close()  # each thread has its own connection
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=complete, args=(u,)) for u in (s.out_chair, s.secretariat)]
    with freeze_time(at(2031, 2, 1, 9)):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert sorted(o.split(" by ")[0] for o in outcomes) == ["already closed", "completed"]
    h = Handover.objects.get(pk=s.handover.pk)
    winner = outcomes[0] if outcomes[0].startswith("completed") else outcomes[1]
    assert h.status == "completed" and winner == f"completed by {h.completed_by.username}"
    assert AuditEvent.objects.filter(action="handover_completed", object_id=h.pk).count() == 1
    assert ChairTerm.objects.get(pk=s.outgoing.pk).end_date == dt.date(2031, 1, 31)
    assert ChairTerm.objects.get(pk=s.incoming.pk).start_date == dt.date(2031, 2, 1)
    assert ChairTerm.history.filter(id=s.incoming.pk, start_date=dt.date(2031, 2, 1)).count() == 1
