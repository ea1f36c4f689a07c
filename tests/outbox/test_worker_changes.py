"""A meeting cancelled while its invitations are going out through a real worker (Redis, PostgreSQL): no
invitation leaves after the cancellation commits, and exactly those who got one get the CANCEL (issue 20:
110 reminders went after a cancel, and people told something got no CANCEL)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import Max
from django.utils import timezone

from meetings.calendar.tasks import meeting_version_plan
from outbox.models import Message
from tests.outbox.worker import Worker, sent, wait_for, weeks_ahead
from tests.world.calendar import cancel, zones_scene

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(require_redis, require_postgres, transactional_db, tmp_path):
    import redis

    client = redis.Redis.from_url(require_redis)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    w = Worker(require_redis, tmp_path)
    w.env.update(NOTIFY_BATCH_SIZE="4")
    yield w
    w.stop()
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


def test_cancelled_mid_fan_out_nothing_old_leaves_after_and_the_told_get_the_cancel(worker, settings):
    settings.NOTIFY_BATCH_SIZE = 4
    w = zones_scene(n_extra=55, start=weeks_ahead())
    worker.start()
    meeting_version_plan(meeting_id=w.meeting.pk)
    wait_for(lambda: sent("invite") >= 8, worker, what="the first invitations")
    cancel(w.meeting, now=None)  # commits the cancellation, then plans the CANCELs
    committed = timezone.now()
    invited = set(Message.objects.filter(kind="invite", status="sent").values_list("recipient", flat=True))
    assert 0 < len(invited) < 60, "the cancellation must land mid-fan-out"
    wait_for(lambda: sent("cancel") == len(invited), worker, what="a CANCEL to each who was invited")
    wait_for(
        lambda: not Message.objects.filter(status__in=["planned", "sending"], kind="invite").exists(),
        worker,
        what="the invitations still queued to be withheld or cancelled",
    )

    # Sends are recorded in the transaction that checked the meeting; none is after the commit.
    last = Message.objects.filter(kind="invite", status="sent").aggregate(last=Max("sent_at"))["last"]
    assert last < committed
    assert (
        set(Message.objects.filter(kind="invite", status="sent").values_list("recipient", flat=True))
        == invited
    )
    by_kind = Counter((m["To"], m["Subject"].split(":")[0]) for m in worker.messages())
    assert {to for to, kind in by_kind if kind == "Invitation"} == invited
    assert {to for to, kind in by_kind if kind == "Cancelled"} == invited
    assert set(by_kind.values()) == {1}
