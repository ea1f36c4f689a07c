from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
]
