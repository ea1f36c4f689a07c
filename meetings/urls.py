from django.urls import path

from meetings import views
from meetings.calendar_urls import urlpatterns as calendar_urlpatterns

app_name = "meetings"

urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/plan/", views.meeting_plan, name="plan"),
    path("meetings/new/", views.meeting_new, name="new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:pk>/status/", views.meeting_status, name="status"),
    path("meetings/<int:pk>/agenda/", views.agenda_builder, name="agenda"),
    path("meetings/<int:pk>/agenda/items/<int:item_pk>/", views.agenda_item_edit, name="agenda_item"),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/shift/",
        views.agenda_item_shift,
        name="agenda_item_shift",
    ),
    path(
        "meetings/<int:pk>/agenda/items/<int:item_pk>/remove/",
        views.agenda_item_remove,
        name="agenda_item_remove",
    ),
    path("meetings/<int:pk>/agenda/standing/", views.agenda_standing, name="agenda_standing"),
    path("meetings/<int:pk>/agenda/circulate/", views.agenda_circulate, name="agenda_circulate"),
    path("meetings/<int:pk>/agenda/changes/", views.agenda_changes, name="agenda_changes"),
    path("meetings/<int:pk>/agenda/v<int:number>/", views.agenda_version, name="agenda_version"),
    path("meetings/<int:pk>/agenda/v<int:number>/adopt/", views.agenda_adopt, name="agenda_adopt"),
    path("meetings/<int:pk>/documents/upload/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("meetings/<int:pk>/participants/", views.participants, name="participants"),
    path(
        "meetings/<int:pk>/participants/<int:inv_pk>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("meetings/<int:pk>/record/", views.record, name="record"),
    path("meetings/<int:pk>/report/", views.report, name="report"),
    path("meetings/<int:pk>/report/view/", views.report_view, name="report_view"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    *calendar_urlpatterns,
]
