"""Run the outbox sweep once, here: what beat does every few minutes, without a worker if asked."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from outbox.handout import due_ids, reclaim_stuck
from outbox.registry import sweep_steps
from outbox.sending import send_batch
from outbox.tasks import sweep


class Command(BaseCommand):
    help = (
        "Plan what is missing, reclaim stuck sends and hand out due messages to the workers; with "
        "--send, send the due ones in this process instead (no worker needed)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--send", action="store_true", help="Send due messages here, not via workers")
        parser.add_argument("--now", help="ISO date-time to use as now (default: the clock)")

    def handle(self, *args, send: bool = False, now: str | None = None, **options) -> None:
        try:
            moment = dt.datetime.fromisoformat(now) if now else None
        except ValueError:
            raise CommandError(f"--now {now!r} is not an ISO date-time.") from None
        if moment is not None and moment.tzinfo is None:
            raise CommandError("--now needs a UTC offset, e.g. 2026-05-04T09:00+07:00.")
        if not send:
            result = sweep(now=moment)
            self.stdout.write(
                f"reconciled {result.steps.get('reconciled', 0)} meeting(s), reclaimed {result.reclaimed}, "
                f"handed {result.dispatched} to the workers"
            )
            return
        moment = moment or timezone.now()
        steps = {name: step(now=moment) for name, step in sweep_steps().items()}
        reclaimed = reclaim_stuck(now=moment)
        ids = due_ids(now=moment, limit=100_000)  # backoff and leases respected
        counts = send_batch(ids, now=moment)
        summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "nothing due"
        self.stdout.write(
            f"reconciled {steps.get('reconciled', 0)} meeting(s), reclaimed {reclaimed}; {summary}"
        )
