from django.urls import path

from governance import history_views

app_name = "governance"

# The chart ("") and a body's page ("bodies/<acronym>/") share this namespace from ``portal.urls``.
urlpatterns = [
    path("audit/", history_views.audit_log, name="audit"),
    path("audit/<str:label>/<int:pk>/", history_views.object_history_page, name="object_history"),
]
