from django.urls import path

from chairmanship import views

app_name = "chairmanship"

urlpatterns = [
    path("handovers/", views.handover_list, name="handovers"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover"),
    path("handovers/<int:pk>/items/<int:item_pk>/", views.handover_item, name="handover_item"),
    path("handovers/<int:pk>/checklist/", views.handover_checklist, name="handover_checklist"),
    path("handovers/<int:pk>/complete/", views.handover_complete, name="handover_complete"),
    path("handovers/<int:pk>/refresh/", views.handover_refresh, name="handover_refresh"),
    path("<str:acronym>/timeline/", views.timeline, name="timeline"),
    path("<str:acronym>/handovers/plan/", views.handover_plan_next, name="handover_plan"),
]
