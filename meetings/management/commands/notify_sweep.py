"""Run the notification sweep once, here: what beat does every few minutes, without a worker if asked."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Plan what is missing, reclaim stuck sends and hand out due notifications to the workers; with "
        "--send, send the due ones in this process instead (no worker needed)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--send", action="store_true", help="Send due notifications here, not via workers"
        )
        parser.add_argument("--now", help="ISO date-time to use as now (default: the clock)")

    def handle(self, *args, send: bool = False, now: str | None = None, **options) -> None:
        from meetings import notifications

        try:
            moment = dt.datetime.fromisoformat(now) if now else None
        except ValueError:
            raise CommandError(f"--now {now!r} is not an ISO date-time.") from None
        if moment is not None and moment.tzinfo is None:
            raise CommandError("--now needs a UTC offset, e.g. 2026-05-04T09:00+07:00.")
        if not send:
            result = notifications.sweep(now=moment, pass_now=moment is not None)
            self.stdout.write(
                f"reconciled {result.reconciled} meeting(s), reclaimed {result.reclaimed}, "
                f"handed {result.dispatched} to the workers"
            )
            return
        from django.utils import timezone

        moment = moment or timezone.now()
        reconciled = notifications.reconcile(now=moment, pass_now=True)
        notifications.plan_action_item_reminders(now=moment)
        reclaimed = notifications.reclaim_stuck(now=moment)
        ids = notifications.due_ids(now=moment, limit=100_000)  # backoff and leases respected
        counts = notifications.send_batch(ids, now=moment)
        summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "nothing due"
        self.stdout.write(f"reconciled {reconciled} meeting(s), reclaimed {reclaimed}; {summary}")
