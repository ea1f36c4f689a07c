from django.urls import path

from meetings.calendar.urls import urlpatterns as calendar_urlpatterns
from meetings.views import agenda, documents, participation, record, reports, year_plan
from meetings.views import meetings as meeting_pages

app_name = "meetings"

urlpatterns = [
    path("meetings/", meeting_pages.meeting_list, name="list"),
    path("meetings/plan/", year_plan.meeting_plan, name="plan"),
    path("meetings/new/", meeting_pages.meeting_new, name="new"),
    path("meetings/<int:pk>/", meeting_pages.meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", meeting_pages.meeting_edit, name="edit"),
    path("meetings/<int:pk>/status/", meeting_pages.meeting_status, name="status"),
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
    path("meetings/<int:pk>/agenda/standing/", agenda.agenda_standing, name="agenda_standing"),
    path("meetings/<int:pk>/agenda/circulate/", agenda.agenda_circulate, name="agenda_circulate"),
    path("meetings/<int:pk>/agenda/changes/", agenda.agenda_changes, name="agenda_changes"),
    path("meetings/<int:pk>/agenda/v<int:number>/", agenda.agenda_version, name="agenda_version"),
    path("meetings/<int:pk>/agenda/v<int:number>/adopt/", agenda.agenda_adopt, name="agenda_adopt"),
    # Documents
    path("meetings/<int:pk>/documents/upload/", documents.document_upload, name="document_upload"),
    path("documents/<int:pk>/download/", documents.document_download, name="document_download"),
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
    path("meetings/<int:pk>/record/attendance/", record.record_attendance, name="record_attendance"),
    path("meetings/<int:pk>/record/minutes/", record.record_minutes, name="record_minutes"),
    path("meetings/<int:pk>/record/decisions/", record.record_decision, name="record_decision"),
    path(
        "meetings/<int:pk>/record/decisions/delete/",
        record.record_decision_delete,
        name="record_decision_delete",
    ),
    path("meetings/<int:pk>/record/actions/", record.record_action, name="record_action"),
    path(
        "meetings/<int:pk>/record/actions/update/", record.record_action_update, name="record_action_update"
    ),
    # The report and its way up
    path("meetings/<int:pk>/report/", reports.report, name="report"),
    path("meetings/<int:pk>/report/generate/", reports.report_generate, name="report_generate"),
    path("meetings/<int:pk>/report/adopt/", reports.report_adopt, name="report_adopt"),
    path("meetings/<int:pk>/report/submit/", reports.report_submit, name="report_submit"),
    path("meetings/<int:pk>/report/view/", reports.report_view, name="report_view"),
    path("submissions/<int:pk>/", reports.submission, name="submission"),
    path("submissions/<int:pk>/outcome/", reports.submission_outcome, name="submission_outcome"),
    path("submissions/<int:pk>/forward/", reports.submission_forward, name="submission_forward"),
    *calendar_urlpatterns,
]
