"""API of the record side: meetings, agendas and their versions, documents, invitations, attendance,
decisions, action items, reports and submissions, one module each. Registered on the shared router in
``config/api_urls.py``.

Thin like the pages: querysets are filtered to what the user may see (anything else is a 404), writes are
for those who manage the body (else a 403), and every write goes through ``meetings.services``, whose
errors come back as a 400 naming the field.
"""

from __future__ import annotations

from meetings.api.agenda import AgendaItemViewSet, AgendaVersionViewSet
from meetings.api.documents import DocumentViewSet
from meetings.api.meetings import MeetingViewSet
from meetings.api.participation import AttendanceViewSet, InvitationViewSet
from meetings.api.record import ActionItemViewSet, DecisionViewSet
from meetings.api.reports import ReportJobViewSet, ReportViewSet, SubmissionViewSet
from meetings.api.written_procedure import WrittenProcedureViewSet

extra_urls: list = []


def register(router) -> None:
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
    router.register("agenda-versions", AgendaVersionViewSet, basename="agenda-version")
    router.register("documents", DocumentViewSet, basename="document")
    router.register("invitations", InvitationViewSet, basename="invitation")
    router.register("attendance", AttendanceViewSet, basename="attendance")
    router.register("decisions", DecisionViewSet, basename="decision")
    router.register("action-items", ActionItemViewSet, basename="action-item")
    router.register("reports", ReportViewSet, basename="report")
    router.register("report-jobs", ReportJobViewSet, basename="report-job")
    router.register("submissions", SubmissionViewSet, basename="submission")
    router.register("written-procedures", WrittenProcedureViewSet, basename="written-procedure")
