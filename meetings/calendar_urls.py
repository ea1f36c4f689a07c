"""URLs of the calendar side: dashboard, RSVP, feeds, outbox (included by ``meetings/urls.py``)."""

from django.urls import path

from meetings import dashboard, feeds, outbox, rsvp

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("meetings/<int:pk>/rsvp/", rsvp.rsvp_post, name="rsvp"),
    path("meetings/<int:pk>/calendar.ics", feeds.meeting_ics, name="meeting_ics"),
    path("rsvp/<str:token>/", rsvp.rsvp_link, name="rsvp_link"),
    path("calendar/feed/<str:token>.ics", feeds.user_feed, name="feed"),
    path("calendar/bodies/<str:acronym>.ics", feeds.body_feed, name="body_feed"),
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/messages/<str:name>", outbox.outbox_message, name="outbox_message"),
    path("outbox/<int:pk>/retry/", outbox.outbox_retry, name="outbox_retry"),
]
