from django.urls import path

from meetings import views
from meetings.calendar_urls import urlpatterns as calendar_urlpatterns

app_name = "meetings"

urlpatterns = [
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    *calendar_urlpatterns,
]
