from django.urls import path

from governance import history_views, views

app_name = "governance"

urlpatterns = [
    path("", views.chart, name="chart"),
    path("bodies/<str:acronym>/", views.body_detail, name="body"),
    path("audit/", history_views.audit_log, name="audit"),
    path("audit/<str:label>/<int:pk>/", history_views.object_history_page, name="object_history"),
]
