"""URLs of the calendar side: dashboard, RSVP, feeds, outbox (included by ``meetings/urls.py``)."""

from django.urls import path

from meetings import dashboard

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
]
