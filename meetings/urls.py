from django.urls import path

from meetings.calendar.urls import urlpatterns as calendar_urlpatterns
from meetings.views import (
    agenda,
    documents,
    downloads,
    pack,
    participation,
    publication,
    record,
    reports,
    written_procedure,
    year_plan,
)
from meetings.views import meetings as meeting_pages

app_name = "meetings"

urlpatterns = [
    path("meetings/", meeting_pages.meeting_list, name="list"),
    path("meetings/plan/", year_plan.meeting_plan, name="plan"),
    path("meetings/new/", meeting_pages.meeting_new, name="new"),
    path("meetings/<int:pk>/", meeting_pages.meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", meeting_pages.meeting_edit, name="edit"),
    path("meetings/<int:pk>/confirm/", meeting_pages.meeting_confirm, name="confirm"),
    path("meetings/<int:pk>/cancel/", meeting_pages.meeting_cancel, name="cancel"),
    path("meetings/<int:pk>/held/", meeting_pages.meeting_held, name="held"),
    path("meetings/<int:pk>/postpone/", meeting_pages.meeting_postpone, name="postpone"),
    # The agenda
    path("meetings/<int:pk>/agenda/", agenda.agenda_builder, name="agenda"),
    path("meetings/<int:pk>/agenda/items/<int:item_pk>/", agenda.agenda_item_edit, name="agenda_item"),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/move/", agenda.agenda_item_move, name="agenda_item_move"
    ),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/shift/",
        agenda.agenda_item_shift,
        name="agenda_item_shift",
    ),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/remove/",
        agenda.agenda_item_remove,
        name="agenda_item_remove",
    ),
    path("meetings/<int:pk>/agenda/usual/", agenda.agenda_usual, name="agenda_usual"),
    path("meetings/<int:pk>/agenda/standing/", agenda.agenda_standing, name="agenda_standing"),
    path("meetings/<int:pk>/agenda/circulate/", agenda.agenda_circulate, name="agenda_circulate"),
    path("meetings/<int:pk>/agenda/changes/", agenda.agenda_changes, name="agenda_changes"),
    path("meetings/<int:pk>/agenda/v<int:number>/", agenda.agenda_version, name="agenda_version"),
    path("meetings/<int:pk>/agenda/v<int:number>/adopt/", agenda.agenda_adopt, name="agenda_adopt"),
    # Documents
    path("meetings/<int:pk>/documents/upload/", documents.document_upload, name="document_upload"),
    path("documents/<int:pk>/download/", documents.document_download, name="document_download"),
    path("documents/downloads/trace/", downloads.download_trace, name="download_trace"),
    path("meetings/<int:pk>/pack.pdf", pack.meeting_pack, name="pack"),
    path("meetings/<int:pk>/pack/status/", pack.pack_status, name="pack_status"),
    path("meetings/<int:pk>/pack/build/", pack.pack_build_now, name="pack_build"),
    # The public page: preview, publish, withdraw, which decisions (docs/decisions/0049)
    path("meetings/<int:pk>/public/", publication.publication, name="publication"),
    path("meetings/<int:pk>/public/publish/", publication.publication_publish, name="publication_publish"),
    path("meetings/<int:pk>/public/withdraw/", publication.publication_withdraw, name="publication_withdraw"),
    path(
        "meetings/<int:pk>/public/decisions/", publication.publication_decisions, name="publication_decisions"
    ),
    # Participants
    path("meetings/<int:pk>/participants/", participation.participants, name="participants"),
    path(
        "meetings/<int:pk>/participants/delegations/",
        participation.participants_invite_delegations,
        name="participants_invite_delegations",
    ),
    path(
        "meetings/<int:pk>/participants/invite/",
        participation.participants_invite_person,
        name="participants_invite_person",
    ),
    path(
        "meetings/<int:pk>/participants/delegation/",
        participation.participants_register_delegation,
        name="participants_register_delegation",
    ),
    path(
        "meetings/<int:pk>/participants/<int:inv_pk>/withdraw/",
        participation.invitation_withdraw,
        name="invitation_withdraw",
    ),
    # The record
    path("meetings/<int:pk>/record/", record.record, name="record"),
    path(
        "meetings/<int:pk>/record/decisions/delete/",
        record.record_decision_delete,
        name="record_decision_delete",
    ),
    # The report and its way up
    path("meetings/<int:pk>/report/", reports.report, name="report"),
    path("meetings/<int:pk>/report/generate/", reports.report_generate, name="report_generate"),
    path("meetings/<int:pk>/report/job/", reports.report_job, name="report_job"),
    path("meetings/<int:pk>/report/adopt/", reports.report_adopt, name="report_adopt"),
    path("meetings/<int:pk>/report/submit/", reports.report_submit, name="report_submit"),
    path("meetings/<int:pk>/report/view/", reports.report_view, name="report_view"),
    path("submissions/<int:pk>/", reports.submission, name="submission"),
    # Decisions by written procedure (ad referendum)
    path("procedures/", written_procedure.procedure_list, name="procedures"),
    path("procedures/new/", written_procedure.procedure_new, name="procedure_new"),
    path("procedures/<int:pk>/", written_procedure.procedure_detail, name="procedure"),
    path("procedures/<int:pk>/answer/", written_procedure.procedure_answer, name="procedure_answer"),
    path("procedures/<int:pk>/withdraw/", written_procedure.procedure_withdraw, name="procedure_withdraw"),
    path("submissions/<int:pk>/outcome/", reports.submission_outcome, name="submission_outcome"),
    path("submissions/<int:pk>/forward/", reports.submission_forward, name="submission_forward"),
    *calendar_urlpatterns,
]
