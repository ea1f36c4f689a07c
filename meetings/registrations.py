"""What meetings tells the apps below it, through their registries (called from ``MeetingsConfig.ready()``):
the handover checklist's meeting-record source, the RSVP links that die with a login, and which objects'
histories a meeting's and a report's audit trails show."""

from __future__ import annotations

from django.db.models import F

from chairmanship.handover_checklist import register_checklist_source
from governance.account_registry import register_secret_revoker
from governance.related_history import register_related_history
from meetings import pack_tasks, procedure_messages  # noqa: F401 (pack_tasks: its Celery tasks)
from meetings.handover_checklist import handover_checklist_entries
from meetings.models import (
    ActionItem,
    AgendaItem,
    Decision,
    Document,
    Invitation,
    Meeting,
    ProcedureAnswer,
    Report,
    Submission,
    WrittenProcedure,
)
from meetings.tasks import report_jobs_resend
from outbox.registry import register_sweep_step


def rsvp_links_revoke(user) -> None:
    """Signed RSVP links carry the invitation's link_version: raising it voids every link sent before."""
    Invitation.objects.filter(person__user=user).update(link_version=F("link_version") + 1)


def register() -> None:
    register_checklist_source(handover_checklist_entries)
    register_secret_revoker(rsvp_links_revoke)
    for child in (AgendaItem, Document, Invitation, Decision, ActionItem, Report):
        register_related_history(parent=Meeting, child=child, fk="meeting")
    register_related_history(parent=Report, child=Submission, fk="report")
    register_related_history(parent=WrittenProcedure, child=ProcedureAnswer, fk="procedure")
    # Report jobs whose message was lost or whose worker died are sent again by the outbox's sweep.
    register_sweep_step("report_jobs", report_jobs_resend)
    procedure_messages.register()  # written procedures: their messages and their deadline
