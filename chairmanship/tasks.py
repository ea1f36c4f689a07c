"""Celery tasks of the chairmanship app: thin wrappers that call a service, which reads the clock."""

from __future__ import annotations

from celery import shared_task

from chairmanship import handovers


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def handovers_sweep() -> dict:
    """Plan, remind and complete handovers (idempotent; every few minutes)."""
    report = handovers.handovers_sweep()
    return {
        "planned": report.planned,
        "completed": report.completed,
        "reminders": report.reminders,
        "checklist_added": report.checklist_added,
        "errors": report.errors,
    }
